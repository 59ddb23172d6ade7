# API tests (engineer "api"): node scripts (no npm packages) that drive `sluis serve` over
# HTTP on a free loopback port. Each runs on SQLite and, when SLUIS_TEST_PG is set, on
# PostgreSQL in its own random database (exit 77 = skipped otherwise).
find_program(SLUIS_NODE node)
if(SLUIS_NODE AND TARGET sluis)
    set(_api_dir ${CMAKE_CURRENT_SOURCE_DIR}/api)
    foreach(t api_workflow api_matrix api_durability api_orgs)
        foreach(b sqlite pg)
            add_test(NAME ${t}_${b} COMMAND ${SLUIS_NODE} ${_api_dir}/${t}.mjs ${b})
            set_tests_properties(${t}_${b} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                                 ENVIRONMENT "SLUIS_BIN=$<TARGET_FILE:sluis>")
        endforeach()
    endforeach()
    foreach(t api_openapi api_oidc)
        if(EXISTS ${_api_dir}/${t}.mjs)
            add_test(NAME ${t} COMMAND ${SLUIS_NODE} ${_api_dir}/${t}.mjs sqlite)
            set_tests_properties(${t} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                                 ENVIRONMENT "SLUIS_BIN=$<TARGET_FILE:sluis>")
        endif()
    endforeach()
else()
    message(STATUS "node not found: API tests are not registered")
endif()

# The HTTP layer as gateway and web use it (C, cmocka + libcurl over loopback).
add_executable(test_http ${CMAKE_CURRENT_SOURCE_DIR}/api/test_http.c)
target_link_libraries(test_http PRIVATE sluis_http PkgConfig::CMOCKA PkgConfig::CURL)
add_test(NAME test_http COMMAND test_http)
set_tests_properties(test_http PROPERTIES TIMEOUT 120)

# `sluis org create|list` (src/cli/cmd_org.c) called directly, so it is tested before main.c
# dispatches to it.
add_executable(test_cmd_org ${CMAKE_CURRENT_SOURCE_DIR}/api/test_cmd_org.c
                            ${PROJECT_SOURCE_DIR}/src/cli/cmd_org.c)
target_include_directories(test_cmd_org PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(test_cmd_org PRIVATE sluis_api PkgConfig::CMOCKA)
add_test(NAME test_cmd_org COMMAND test_cmd_org)
set_tests_properties(test_cmd_org PROPERTIES TIMEOUT 120)

# api_org_policy_set_load(): the organisation policy set as other subsystems load it.
add_executable(test_org_policy ${CMAKE_CURRENT_SOURCE_DIR}/api/test_org_policy.c)
target_include_directories(test_org_policy PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(test_org_policy PRIVATE sluis_api PkgConfig::CMOCKA)
add_test(NAME test_org_policy COMMAND test_org_policy)
set_tests_properties(test_org_policy PROPERTIES TIMEOUT 120)
