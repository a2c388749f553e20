# The QueryUser load generator (bench/grpc_query_bench.sh runs it).
add_executable(grpc_query_load ${CMAKE_CURRENT_LIST_DIR}/grpc_query_load.cc)
target_link_libraries(grpc_query_load PRIVATE ghloader_proto CLI11::CLI11)
