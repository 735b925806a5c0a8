#!/usr/bin/env bash
# Runs on the GPU machine from the staged bundle (bench/gpu_bundle.sh):
#   gpu_session.sh STEP...   with STEP one of
#     numeric   the GPU numeric suite (every case vs the double reference)
#     persistent  the suites compiled with --persistent, their kernels on at
#               most 1 and 7 blocks (several program instances per block)
#     mma       the same suite compiled for sm_90: the mma.sync lowering
#     runtime   the runtime's GPU tests (launch, pointer checks and what
#               they cost per launch, tensor maps)
#     jit       the statically linked tools (gpu_bundle.sh STATIC_BUILD=):
#               the JIT numeric suite, sparse-run --backend=gpu --check on
#               every example, examples/jit_example
#     sanitize  compute-sanitizer memcheck + racecheck on small cases
#               (SANITIZE_CASES=substring: only the matching specs)
#     sass      cuobjdump -sass of the benchmark cubins: HGMMA / HMMA counts
#     time      our kernels alone (sattn_time), the issue's shapes
#     variants  per staged variant: its numeric suite, then sattn_time of
#               causal and dense 2k-64k, swa_sink 64k and swa_sink_delta
#               128k beside the default kernels (VARIANT_CASES= replaces it)
#     bench     bench.py: ours and the peers in one run (table, JSON, plot)
#     profile   ncu (speed of light, memory, warp stalls) of one launch per
#               issue shape: where the kernels lose time
#     ktimes    each kernel's duration at the card's own clocks (ncu
#               --clock-control none, three launches each): the delta
#               pair's anchor kernel apart from its main kernel, beside
#               dense causal at 16k and 64k
# Logs and results go under $OUT (the device tool brings them back).
set -u
cd "$(dirname "$0")"
export LD_LIBRARY_PATH="$PWD/lib:${LD_LIBRARY_PATH:-}"
OUT="${OUT:-/tmp/sattn-out}"; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader
date -u
for step in "$@"; do
  echo "== $step"
  case "$step" in
  numeric)
    ./bin/gpu_numeric_tests gpu-suite specs 2>&1 | tee "$OUT/gpu_numeric.log" | tail -30
    echo "rc=${PIPESTATUS[0]}" ;;
  persistent)
    for blocks in 1 7; do
      for suite in gpu-suite-persistent gpu-suite-persist gpu-suite-fa3-persist; do
        [ -d "$suite" ] || continue
        echo "$suite: $(SATTN_GPU_MAX_BLOCKS=$blocks ./bin/gpu_numeric_tests \
          "$suite" specs 2>&1 | tee "$OUT/persistent-$suite-$blocks.log" | tail -1)"
      done
    done 2>&1 | tee "$OUT/persistent.log" ;;
  mma)
    SATTN_GPU_CHIP=sm_90 ./bin/gpu_numeric_tests gpu-suite-sm90 specs 2>&1 \
      | tee "$OUT/gpu_numeric_sm90.log" | tail -3
    echo "rc=${PIPESTATUS[0]}" ;;
  runtime)
    SATTN_TEST_CUBIN_DIR="$PWD/runtime-cubins" ./bin/runtime_gpu_tests 2>&1 \
      | tee "$OUT/runtime_gpu.log" | grep -E "pointer checks|OK|FAILED|PASSED"
    echo "rc=${PIPESTATUS[0]}" ;;
  jit)
    # The JIT compiles for the device's chip with the toolkit's ptxas.
    export PATH="$PATH:/usr/local/cuda/bin"
    for f in jit/*.xz; do
      [ -e "$f" ] || { echo "no static tools staged (STATIC_BUILD=)"; break; }
      if command -v xz > /dev/null; then xz -dkf "$f"
      else python3 -c "import lzma,sys; open(sys.argv[1][:-3],'wb').write(lzma.open(sys.argv[1]).read())" "$f"; fi
      chmod +x "${f%.xz}"
    done
    {
    ldd jit/sparse-run | sed 's/ (0x.*//'
    # Eight shards at once: each case compiles its pattern (ptxas
    # included), which the one GPU does not wait on.
    for shard in 0 1 2 3 4 5 6 7; do
      GTEST_TOTAL_SHARDS=8 GTEST_SHARD_INDEX=$shard timeout ${JIT_TIMEOUT:-300} \
        ./jit/numeric_gpu_tests --gtest_brief=1 > "$OUT/jit_numeric_$shard.log" 2>&1 &
    done
    wait
    for shard in 0 1 2 3 4 5 6 7; do
      grep -E "GPU numeric|worst|PASSED|FAILED|SKIPPED" "$OUT/jit_numeric_$shard.log" | head -8
    done
    # Each example at a shape it supports (the delta correction needs
    # Sq == Sk; head_dim from the spec), awkward lengths, GQA and batch 2.
    for spec in jit/example-specs/*.json; do
      d=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['head_dim'])" "$spec")
      for shape in "2,4,2,1000,$d" "1,2,1,3001,$d" "1,8,1,77,$d"; do
        ./jit/sparse-run "$spec" --shape "$shape" --backend=gpu --check 2>&1 \
          | grep -E "check:|error" | sed "s|^|$(basename "$spec") $shape: |"
      done
    done
    ./jit/jit_example jit/example-specs/swa_sink_delta.json 4096 2>&1 | tail -4
    echo "jit_example rc=${PIPESTATUS[0]}"
    } 2>&1 | tee "$OUT/jit.log" ;;
  sanitize)
    # Every kernel kind of the suite, on its short cases: the default
    # kernels (64-row TMA with and without a producer, the delta pair,
    # SIMT f32, softcap), the 128-row pipelined ping-pong form
    # and the 128-row ping-pong forms with Q in shared memory (gpu-suite-p128,
    # gpu-suite-fa3: pipelined; when staged) and the mma.sync kernels (sm_90).
    for tool in memcheck racecheck synccheck; do
      for suite in gpu-suite gpu-suite-p128 gpu-suite-fa3 gpu-suite-sm90; do
        [ -d "$suite" ] || continue
        chip=""; [ "$suite" = gpu-suite-sm90 ] && chip=sm_90
        echo "-- $tool $suite"
        env SATTN_GPU_CHIP=$chip SATTN_GPU_MAX_SEQ=${SANITIZE_MAX_SEQ:-700} \
          ${SANITIZE_CASES:+SATTN_GPU_CASES=$SANITIZE_CASES} \
          timeout ${SANITIZE_TIMEOUT:-120} compute-sanitizer --tool $tool \
          ./bin/gpu_numeric_tests "$suite" specs 2>&1 | tail -3
      done
    done 2>&1 | tee "$OUT/sanitizer.log" ;;
  sass)
    for c in kernels*/*.cubin; do
      sass="$OUT/$(dirname "$c")-$(basename "$c" .cubin).sass"
      cuobjdump -sass "$c" > "$sass"
      echo "$c: HGMMA $(grep -c HGMMA "$sass") HMMA $(grep -c HMMA "$sass")"
    done ;;
  time)
    {
    timeout 100 ./bin/sattn_time kernels/causal.manifest.json 1,16,16,16384 10
    timeout 100 ./bin/sattn_time kernels/causal.manifest.json 1,16,16,65536 5
    timeout 100 ./bin/sattn_time kernels/swa_sink.manifest.json 1,16,16,65536 10
    timeout 100 ./bin/sattn_time kernels/swa_sink_delta.manifest.json 1,16,16,131072 5
    timeout 100 ./bin/sattn_time kernels/swa_sink_delta.manifest.json 1,8,8,1048576 3
    } 2>&1 | tee "$OUT/timings.log" ;;
  variants)
    # Variants staged as kernels-<name>/ by gpu_bundle.sh (VARIANTS=,
    # SCHEDULES=): each one's numeric suite, then A/B timings interleaved
    # with the default kernels, each case twice.
    for d in kernels-*; do
      [ -d "gpu-suite-${d#kernels-}" ] || continue
      echo "$d: $(./bin/gpu_numeric_tests "gpu-suite-${d#kernels-}" specs | tail -1)"
    done 2>&1 | tee "$OUT/variants-numeric.log"
    # VARIANT_CASES="pattern B,H,Hkv,S reps;..." replaces the default list.
    # 1024 rows: the 64-row variant below the policy's split at 2048
    # (bench/RESULTS.md), not yet checked against the 128-row form.
    cases=("causal 1,16,16,1024 20" "dense 1,16,16,1024 20"
           "causal 1,16,16,2048 20" "dense 1,16,16,2048 20"
           "causal 1,16,16,4096 20" "causal 1,16,16,16384 10"
           "causal 1,16,16,65536 5" "dense 1,16,16,4096 20"
           "dense 1,16,16,16384 10" "dense 1,16,16,65536 3"
           "swa_sink 1,16,16,65536 10" "swa_sink_delta 1,16,16,131072 5")
    [ -n "${VARIANT_CASES:-}" ] && IFS=';' read -ra cases <<< "$VARIANT_CASES"
    for c in "${cases[@]}"; do
      read -r pat shape reps <<< "$c"
      for rep in 1 2; do
        for d in kernels kernels-*; do
          [ -d "$d" ] || continue
          printf '%-22s ' "$d"
          timeout 60 ./bin/sattn_time "$d/$pat.manifest.json" "$shape" "$reps" | tail -1
        done
      done
    done 2>&1 | tee "$OUT/variants.log" ;;
  profile)
    sections="--section SpeedOfLight --section MemoryWorkloadAnalysis \
      --section ComputeWorkloadAnalysis --section WarpStateStats --section Occupancy
      --metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio"
    # prof NAME N MANIFEST SHAPE: the manifest launches N kernels per call;
    # skip the first warm-up call's N and profile the second's.
    prof() {
      timeout 150 ncu $sections --launch-skip "$2" --launch-count "$2" \
        ./bin/sattn_time "$3" "$4" 1 > "$OUT/ncu-$1.txt" 2>&1
      grep -E "^  [a-z_]+|Duration|Compute \(SM\) Throughput|Memory Throughput|L2 Hit Rate|L1/TEX Hit|DRAM Throughput|Stall|Achieved Occupancy|Registers Per|Issue Slots Busy|Executed Ipc A|stalled_" \
        "$OUT/ncu-$1.txt" | grep -v "^    -" | head -40
    }
    # PROFILE_CASES="name pattern B,H,Hkv,S launches;..." replaces the list.
    pcases=("causal16k causal 1,16,16,16384 1" "causal64k causal 1,16,16,65536 1"
            "dense64k dense 1,16,16,65536 1" "swa64k swa_sink 1,16,16,65536 1"
            "delta1M swa_sink_delta 1,8,8,1048576 2")
    [ -n "${PROFILE_CASES:-}" ] && IFS=';' read -ra pcases <<< "$PROFILE_CASES"
    for c in "${pcases[@]}"; do
      read -r name pat shape n <<< "$c"
      prof "$name" "$n" "kernels/$pat.manifest.json" "$shape"
    done ;;
  ktimes)
    # KTIMES_CASES="pattern B,H,Hkv,S launches-per-call;..." replaces the list.
    kcases=("causal 1,16,16,16384 1" "causal 1,16,16,65536 1"
            "swa_sink_delta 1,8,8,1048576 2")
    [ -n "${KTIMES_CASES:-}" ] && IFS=';' read -ra kcases <<< "$KTIMES_CASES"
    for c in "${kcases[@]}"; do
      read -r pat shape n <<< "$c"
      echo "-- $pat $shape"
      # Skip the two warm-up calls' launches, time the next three calls'.
      timeout 200 ncu --clock-control none --metrics gpu__time_duration.sum \
        --launch-skip "$((2 * n))" --launch-count "$((3 * n))" \
        ./bin/sattn_time "kernels/$pat.manifest.json" "$shape" 3 2>&1 \
        | grep -E "^  [a-z_0-9]+ \(|gpu__time_duration|median"
    done 2>&1 | tee "$OUT/ktimes.log" ;;
  bench)
    python3 bench.py --lib lib/libsattn_rt.so --kernels kernels --out "$OUT/bench" \
      ${BENCH_CASES:+--cases $BENCH_CASES} 2>&1 | tail -40 ;;
  *) echo "unknown step $step"; exit 2 ;;
  esac
done
