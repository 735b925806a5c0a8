#!/usr/bin/env bash
# Installs what building and testing need, from Debian's packages:
# LLVM/MLIR 22 (+ lit, FileCheck), nlohmann-json, GoogleTest, CMake, Ninja,
# and clang 22 with its sanitizer and libFuzzer runtimes for the second CI
# build (ASan + UBSan tests, fuzz targets). Clang 22 is the version of the
# LLVM libraries (it shares libllvm22); Debian's clang 14 rejects code that
# captures structured bindings in lambdas, which gcc accepts.
# The CUDA toolkit (ptxas) comes with the machine image; without it the
# tests that need ptxas are skipped and say so.
set -euo pipefail
need=()
for pkg in libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
           nlohmann-json3-dev libgtest-dev cmake ninja-build g++ \
           clang-22 libclang-rt-22-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
