# SPDX-License-Identifier: MIT
# Unit test of grader/metrics.c (exposition text, atomic updates, the HTTP endpoint on loopback);
# included from tests/grader/CMakeLists.txt.
add_executable(test-metrics ${CMAKE_CURRENT_SOURCE_DIR}/test_metrics.c)
target_link_libraries(test-metrics PRIVATE grader_service PkgConfig::CMOCKA)
grader_target_flags(test-metrics)
add_test(NAME grader-metrics COMMAND test-metrics)
set_tests_properties(grader-metrics PROPERTIES TIMEOUT 60 LABELS grader)
