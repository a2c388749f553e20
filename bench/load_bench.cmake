# Micro-benchmarks of the load pipeline (gunzip, parsing, SQLite writes).
# bench/load_bench.sh times the whole `ghloader load` command.
find_package(benchmark REQUIRED)
find_package(ZLIB REQUIRED)
add_executable(pipeline_benchmark ${CMAKE_CURRENT_LIST_DIR}/pipeline_benchmark.cc)
target_link_libraries(pipeline_benchmark PRIVATE ghloader_stores benchmark::benchmark ZLIB::ZLIB)
target_compile_definitions(pipeline_benchmark PRIVATE
  GHLOADER_DEFAULT_GHARCHIVE_DATA="${GHARCHIVE_DATA}")
set_target_properties(pipeline_benchmark PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
