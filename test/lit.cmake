# lit + FileCheck tests of the compiler (included from test/CMakeLists.txt
# when SATTN_ENABLE_COMPILER is on). Run with `ctest -R lit` or
# `ninja check-sattn-lit`.
if(LLVM_EXTERNAL_LIT)
  set(SATTN_LIT "${LLVM_EXTERNAL_LIT}")
else()
  find_program(SATTN_LIT NAMES lit lit.py llvm-lit
               HINTS /usr/lib/llvm-22/bin ${LLVM_TOOLS_BINARY_DIR})
endif()
find_program(SATTN_FILECHECK FileCheck
             HINTS ${LLVM_TOOLS_BINARY_DIR} /usr/lib/llvm-22/bin NO_DEFAULT_PATH)

if(NOT SATTN_LIT OR NOT SATTN_FILECHECK)
  message(WARNING "lit or FileCheck not found: the lit tests are disabled")
  return()
endif()

get_filename_component(SATTN_LLVM_TOOLS_DIR "${SATTN_FILECHECK}" DIRECTORY)
set(SATTN_LIT_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
set(SATTN_LIT_BINARY_DIR "${CMAKE_CURRENT_BINARY_DIR}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/lit.site.cfg.py.in
               ${CMAKE_CURRENT_BINARY_DIR}/lit.site.cfg.py @ONLY)

add_custom_target(check-sattn-lit
  COMMAND ${SATTN_LIT} -sv ${CMAKE_CURRENT_BINARY_DIR}
  DEPENDS sparse-opt
  USES_TERMINAL
  COMMENT "Running the sattn lit tests")
# Tests marked `REQUIRES: sparse-run` run when the tool is built.
if(TARGET sparse-run)
  add_dependencies(check-sattn-lit sparse-run)
endif()
add_test(NAME lit COMMAND ${SATTN_LIT} -sv ${CMAKE_CURRENT_BINARY_DIR})
# These tests pin the exact op order of lowerings that create ops inside the
# arguments of other calls (b.sub(b.add(x, y), b.c(1))); C++ leaves the
# order in which arguments are evaluated unspecified, and the expectations
# follow gcc's (right to left). Built with another compiler (the clang
# sanitizer build) the IR is the same up to that order, and they are left
# out.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set_tests_properties(lit PROPERTIES ENVIRONMENT
    "LIT_FILTER_OUT=Transforms/(tile-flash|lower-tiles-simt)[.]mlir")
endif()
