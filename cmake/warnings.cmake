# Every first-party target calls sy_target_defaults(): one place for warnings and sanitizers.
add_library(sy_build_flags INTERFACE)
target_compile_options(sy_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Werror
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
if(SY_SANITIZE)
  target_compile_options(sy_build_flags INTERFACE -fsanitize=${SY_SANITIZE} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(sy_build_flags INTERFACE -fsanitize=${SY_SANITIZE})
  target_compile_definitions(sy_build_flags INTERFACE SY_ENABLE_ASSERT=1)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(sy_build_flags INTERFACE SY_ENABLE_ASSERT=1)
endif()
if(SY_BUILD_FUZZERS)
  target_compile_options(sy_build_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(sy_build_flags INTERFACE -fsanitize=address,undefined)
endif()

function(sy_target_defaults target)
  target_link_libraries(${target} PRIVATE sy_build_flags)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# sy_unit_test(name src... LIBS lib...): a GoogleTest binary registered with ctest, label "unit".
function(sy_unit_test name)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  sy_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 60 DISCOVERY_TIMEOUT 30)
endfunction()

# sy_library(name glob...): a static library of the first-party sources matching the globs,
# or an interface library while the folder holds only headers.
function(sy_library name)
  file(GLOB srcs CONFIGURE_DEPENDS ${ARGN})
  if(srcs)
    add_library(${name} STATIC ${srcs})
    sy_target_defaults(${name})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
  endif()
endfunction()

# Links whatever kind sy_library() produced.
function(sy_link name)
  get_target_property(kind ${name} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY")
    set(args ${ARGN})
    list(TRANSFORM args REPLACE "^(PUBLIC|PRIVATE)$" "INTERFACE")
    target_link_libraries(${name} ${args})
  else()
    target_link_libraries(${name} ${ARGN})
  endif()
endfunction()
