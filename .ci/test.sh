#!/usr/bin/env bash
# The test command: installs dependencies, configures, builds what the tests
# need and runs every test (unit, numeric on the CPU backend, lit). GPU tests
# (ctest label "gpu") run when a CUDA device is present and are reported as
# skipped otherwise.
#
# Then a second build (clang 22, -DSATTN_SANITIZE=ON -DSATTN_FUZZ=ON, without
# the GPU suite) runs every test that needs no GPU again under ASan + UBSan,
# and each fuzz target for FUZZ_SECONDS (default 45) from the repository's
# seeds (fuzz/run.sh). SANITIZE=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
BUILD=${BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --timeout 1200

if [ "${SANITIZE:-1}" != 0 ]; then
  SAN=${SAN_BUILD_DIR:-build-san}
  cmake -S . -B "$SAN" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DSATTN_SANITIZE=ON -DSATTN_FUZZ=ON -DSATTN_GPU_SUITE=OFF
  cmake --build "$SAN" -j "$(nproc)"
  # test/sanitizer/ says why each option and suppression is there.
  source test/sanitizer/env.sh
  ctest --test-dir "$SAN" -LE gpu --output-on-failure -j "$(nproc)" \
    --timeout 1200
  bash fuzz/run.sh "$SAN" "${FUZZ_SECONDS:-45}"
fi
