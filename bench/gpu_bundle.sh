#!/usr/bin/env bash
# Stages what a GPU session needs into .gpu/ (ignored; carried to the GPU
# machine, which has no MLIR): the MLIR-free test and timing binaries, the
# runtime library, the GPU numeric suite's cubins and specs, the runtime's
# GPU tests with their cubins, and cubins of the benchmark patterns compiled
# here for sm_90a.
# usage: bench/gpu_bundle.sh [build-dir]   (after cmake --build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
out="$root/.gpu"
rm -rf "$out" && mkdir -p "$out/bin" "$out/lib" "$out/kernels"
cp "$build/bin/gpu_numeric_tests" "$build/bin/sattn_time" \
   "$build/bin/runtime_gpu_tests" "$out/bin/"
# The runtime GPU tests' cubins (gpu_session.sh runtime).
cp -r "$build/test/unit/runtime/cubins" "$out/runtime-cubins"
cp "$build/lib/libsattn_rt.so" "$out/lib/"
cp -r "$build/gpu-suite" "$out/gpu-suite"
cp -r "$build/gpu-suite-persistent" "$out/gpu-suite-persistent"
cp -r "$root/test/unit/gpu/specs" "$out/specs"
cp "$root/bench/bench.py" "$root/bench/report.py" "$root/bench/gpu_session.sh" "$out/"
for spec in "$root"/examples/specs/{causal,dense,swa_sink,swa_sink_delta,chunked_local,packed_documents,block_sparse}.json \
            "$root"/bench/specs/causal_d64.json; do
  "$build/bin/sparse-opt" "$spec" --emit=cubin --chip=sm_90a -o "$out/kernels"
done
# The numeric suite for sm_90 (not sm_90a): the mma.sync lowering of sm_80+,
# which a Hopper GPU runs (gpu_session.sh mma); SASS of sm_80 itself does
# not run on 9.0.
for spec in "$root"/test/unit/gpu/specs/*.json; do
  "$build/bin/sparse-opt" "$spec" --emit=cubin --chip=sm_90 \
    -o "$out/gpu-suite-sm90/sm_90" > /dev/null
done
# Variants to compare, each staged as kernels-<name>/ with the numeric suite's
# specs compiled the same way (gpu-suite-<name>/), so that its timings come
# with a correctness check:
#   VARIANTS="128x64 64x64"           tile shapes (--block-m x --block-n)
#   SCHEDULES="split split-pipe pipe" opt-in key-loop schedules
#                                     (--split-full-tiles, --pipeline-key-loops)
#   SCHEDULES="no-producer"           the sm_90a kernels without the producer
#                                     warpgroup (--no-producer-warpgroup: one
#                                     warpgroup of 64 rows for every pattern)
#   SCHEDULES="p128 fa3 pipe64"       128 rows (two consumer warpgroups with a
#                                     producer and ping-pong); the same with
#                                     pipelined key loops (FlashAttention-3's
#                                     schedule); 64-row pipelined key loops
#   SCHEDULES="fa3-176"               fa3 with 176-key tiles (FA3's dense
#                                     tile; fits the registers with Q staged)
#   SCHEDULES="regq fa3-regq"         the default variants / fa3 with Q.K^T
#                                     reading Q from registers
#                                     (--no-stage-query), as before Q was
#                                     staged in shared memory
#   SCHEDULES="persist fa3-persist"   the default variants / fa3 with
#                                     --persistent (the policy drops it for
#                                     pipelined kernels: the 128-row
#                                     variants stay a block per instance)
#   SCHEDULES="cr"                    the default variants with
#                                     --conditional-rescale
#   PREV_SPARSE_OPT=path              kernels of another compiler build (an
#                                     earlier commit) as kernels-prev/, the
#                                     baseline of a same-run A/B
stage_variant() { # name, sparse-opt flags...
  local name="$1"; shift
  for spec in "$root"/examples/specs/{causal,dense,swa_sink,swa_sink_delta}.json; do
    "$build/bin/sparse-opt" "$spec" --emit=cubin --chip=sm_90a "$@" \
      -o "$out/kernels-$name" > /dev/null
  done
  for spec in "$root"/test/unit/gpu/specs/*.json; do
    "$build/bin/sparse-opt" "$spec" --emit=cubin --chip=sm_90a "$@" \
      -o "$out/gpu-suite-$name/sm_90a" > /dev/null
  done
}
for v in ${VARIANTS:-}; do
  stage_variant "$v" --block-m="${v%x*}" --block-n="${v#*x}"
done
for s in ${SCHEDULES:-}; do
  case "$s" in
    split) stage_variant "$s" --split-full-tiles ;;
    pipe) stage_variant "$s" --pipeline-key-loops ;;
    split-pipe) stage_variant "$s" --split-full-tiles --pipeline-key-loops ;;
    no-producer) stage_variant "$s" --no-producer-warpgroup ;;
    p128) stage_variant "$s" --block-m=128 ;;
    fa3) stage_variant "$s" --block-m=128 --pipeline-key-loops ;;
    pipe64) stage_variant "$s" --pipeline-key-loops ;;
    fa3-176) stage_variant "$s" --block-m=128 --block-n=176 --pipeline-key-loops ;;
    regq) stage_variant "$s" --no-stage-query ;;
    fa3-regq) stage_variant "$s" --block-m=128 --pipeline-key-loops --no-stage-query ;;
    persist) stage_variant "$s" --persistent ;;
    fa3-persist) stage_variant "$s" --block-m=128 --pipeline-key-loops --persistent ;;
    cr) stage_variant "$s" --conditional-rescale ;;
    *) echo "gpu_bundle.sh: unknown schedule '$s' (split, pipe, split-pipe," \
            "no-producer, p128, fa3, pipe64, fa3-176, regq, fa3-regq, persist, fa3-persist, cr)" >&2
       exit 2 ;;
  esac
done
# The JIT on the GPU (gpu_session.sh jit), staged apart in .gpu-jit/ (a
# carry of its own: with .gpu/ it would pass the device tool's 64 MiB):
# the programs of a build configured with -DSATTN_STATIC_COMPILER=ON that
# compile at run time (sparse-run, jit_example, the JIT numeric suite),
# stripped and xz-compressed (about 18 MB each instead of the 257 MB of
# libMLIR and libLLVM), with the example specs.
#   STATIC_BUILD=build-static
if [ -n "${STATIC_BUILD:-}" ]; then
  jit="$root/.gpu-jit"
  rm -rf "$jit" && mkdir -p "$jit/jit"
  for b in sparse-run jit_example numeric_gpu_tests; do
    strip -o "$jit/jit/$b" "$STATIC_BUILD/bin/$b"
    xz -T2 -6 "$jit/jit/$b"
  done
  cp -r "$root/examples/specs" "$jit/jit/example-specs"
  cp "$root/bench/gpu_session.sh" "$jit/"
  echo "staged $(du -sh "$jit" | cut -f1) in $jit"
fi
if [ -n "${PREV_SPARSE_OPT:-}" ]; then
  for spec in "$root"/examples/specs/{causal,dense,swa_sink,swa_sink_delta}.json \
              "$root"/bench/specs/causal_d64.json; do
    "$PREV_SPARSE_OPT" "$spec" --emit=cubin --chip=sm_90a \
      -o "$out/kernels-prev" > /dev/null
  done
  # Compilers before the manifest rename wrote <name>.json.
  for f in "$out"/kernels-prev/*.json; do
    case "$f" in *.manifest.json) ;; *) mv "$f" "${f%.json}.manifest.json" ;; esac
  done
fi
echo "staged $(du -sh "$out" | cut -f1) in $out"
