#!/usr/bin/env bash
# The main job: builds the compiler, compiles the example pattern (causal
# sliding window 2048 + 128 sinks + delta correction gamma 64, bf16,
# head_dim 128) to a cubin, and runs it on random inputs against the
# double-precision reference: on the GPU if there is one, else on the CPU
# backend. Usage: bash examples/run.sh [S]
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
BUILD=${BUILD_DIR:-build}
S=${1:-2048}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j "$(nproc)" --target sparse-opt sparse-run jit_example
SPEC=examples/specs/swa_sink_delta.json
echo "== sparse-opt $SPEC --emit=cubin --chip=sm_90a -o out/"
"$BUILD"/bin/sparse-opt "$SPEC" --emit=cubin --chip=sm_90a -o out/
ls -l out/
echo "== sparse-run (GPU if present, else CPU) S=$S"
"$BUILD"/bin/sparse-run "$SPEC" --shape 1,8,2,"$S",128 --check --bench --reps 3
echo "== jit_example"
"$BUILD"/bin/jit_example "$SPEC" 1024
