# cli.cmake - tests of the check/policy/export commands and the Algoritmeregister exporter,
# plus the bench program (bench/check). Included by tests/core/CMakeLists.txt.
set(_cli_dir ${CMAKE_CURRENT_LIST_DIR})

add_executable(test_export ${_cli_dir}/test_export.c)
target_include_directories(test_export PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(test_export PRIVATE sluis_core PkgConfig::CMOCKA)
add_test(NAME core_export COMMAND test_export)

# CLI tests driven by bash: each tests/core/cli/test_*.sh gets the sluis binary and the source dir.
file(GLOB _cli_scripts CONFIGURE_DEPENDS ${_cli_dir}/cli/test_*.sh)
foreach(script IN LISTS _cli_scripts)
    get_filename_component(_n ${script} NAME_WE)
    add_test(NAME cli_${_n} COMMAND bash ${script} $<TARGET_FILE:sluis> ${PROJECT_SOURCE_DIR})
endforeach()

# Bench (not a test): bench/check/run.sh builds Release and runs it.
add_executable(bench_check ${PROJECT_SOURCE_DIR}/bench/check/bench_check.c)
target_include_directories(bench_check PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_check PRIVATE sluis_core)
