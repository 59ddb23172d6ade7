# policy.cmake - tests of the policy engine (condition language, policy files, verdicts,
# one data-driven test per rule). Included by tests/core/CMakeLists.txt.
set(_policy_dir ${CMAKE_CURRENT_LIST_DIR})
file(GLOB _policy_tests CONFIGURE_DEPENDS ${_policy_dir}/test_policy*.c ${_policy_dir}/test_cond*.c
     ${_policy_dir}/test_rules*.c)
foreach(src IN LISTS _policy_tests)
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} PRIVATE sluis_core PkgConfig::CMOCKA PkgConfig::FYAML)
    target_compile_definitions(${name} PRIVATE SLUIS_TEST_SOURCE_DIR="${_policy_dir}")
    add_test(NAME core_${name} COMMAND ${name})
endforeach()
