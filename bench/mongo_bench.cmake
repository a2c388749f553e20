# The MongoDB store's write path: bench/mongo_store_bench.sh starts FerretDB
# and runs mongo_store_bench against it, with zcat of the same files as the
# baseline.
add_executable(mongo_store_bench ${CMAKE_CURRENT_LIST_DIR}/mongo_store_bench.cc)
target_link_libraries(mongo_store_bench PRIVATE ghloader_stores)
set_target_properties(mongo_store_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
