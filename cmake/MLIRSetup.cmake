# Finds MLIR/LLVM 22 (Debian: /usr/lib/llvm-22) and sets up TableGen.
if(NOT MLIR_DIR)
  set(MLIR_DIR /usr/lib/llvm-22/lib/cmake/mlir)
endif()
find_package(MLIR REQUIRED CONFIG)
message(STATUS "Using MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}")
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)
include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
separate_arguments(SATTN_LLVM_DEFINITIONS NATIVE_COMMAND ${LLVM_DEFINITIONS})
add_definitions(${SATTN_LLVM_DEFINITIONS})
if(NOT LLVM_ENABLE_RTTI)
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} -fno-rtti")
endif()
# By default link against the MLIR and LLVM shared libraries: linking the
# 400 static archives into every tool and test takes minutes on the 2-core
# CI machines. SATTN_STATIC_COMPILER links the archives instead, with lld
# dropping what nothing reaches, and the C++ runtime statically: the tools
# and tests then need only libc, libm, libzstd and, opened at run time,
# the CUDA driver, and are small enough to carry to a GPU machine that has
# no MLIR (bench/static_bundle.sh). Debian ships no static libzstd; every
# Debian system has the shared one.
option(SATTN_STATIC_COMPILER
  "Link MLIR/LLVM statically into the compiler's tools and tests" OFF)
if(SATTN_STATIC_COMPILER)
  file(GLOB SATTN_MLIR_ARCHIVES ${LLVM_LIBRARY_DIR}/libMLIR*.a
                                ${LLVM_LIBRARY_DIR}/libLLVM*.a)
  list(JOIN SATTN_MLIR_ARCHIVES "," SATTN_MLIR_ARCHIVE_LIST)
  find_library(SATTN_ZLIB_STATIC NAMES libz.a REQUIRED)
  find_library(SATTN_ZSTD NAMES zstd libzstd.so.1 REQUIRED)
  add_library(sattn_mlir_static INTERFACE)
  target_link_libraries(sattn_mlir_static INTERFACE
    "$<LINK_GROUP:RESCAN,${SATTN_MLIR_ARCHIVE_LIST}>"
    ${SATTN_ZLIB_STATIC} ${SATTN_ZSTD} ${CMAKE_DL_LIBS} Threads::Threads m)
  set(SATTN_MLIR_LIBS sattn_mlir_static)
  set(SATTN_MLIR_EXECUTION_ENGINE "")
  add_link_options(-fuse-ld=lld -static-libstdc++ -static-libgcc
                   -Wl,--gc-sections -Wl,--icf=all)
else()
  set(SATTN_MLIR_LIBS MLIR LLVM)
  set(SATTN_MLIR_EXECUTION_ENGINE MLIRExecutionEngineShared)
endif()

find_program(SATTN_PTXAS ptxas HINTS /usr/local/cuda/bin ENV CUDA_HOME
             PATH_SUFFIXES bin)
