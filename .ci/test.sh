#!/usr/bin/env bash
# The test command: installs dependencies, configures, builds what the tests
# need and runs every test (unit, numeric on the CPU backend, lit). GPU tests
# (ctest label "gpu") run when a CUDA device is present and are reported as
# skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
BUILD=${BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --timeout 1200
