#!/usr/bin/env bash
# Installs what building and testing need, from Debian's packages:
# LLVM/MLIR 22 (+ lit, FileCheck), nlohmann-json, GoogleTest, CMake, Ninja.
# The CUDA toolkit (ptxas) comes with the machine image; without it the
# tests that need ptxas are skipped and say so.
set -euo pipefail
need=()
for pkg in libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
           nlohmann-json3-dev libgtest-dev cmake ninja-build g++; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
