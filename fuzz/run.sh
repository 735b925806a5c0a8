#!/usr/bin/env bash
# Runs the libFuzzer targets of a SATTN_FUZZ build, each for a bounded time,
# seeded from the repository (the folders in <build>/fuzz/seeds.txt; lit
# files are split at their "// -----" markers into one seed per case).
#   usage: fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
# Targets: spec manifest cubin mlir (default: all four). Inputs that crash,
# leak, hang (-timeout) or blow the memory limit are left in
# $FUZZ_OUT/crashes/<target>/ (default BUILD_DIR/fuzz-out) and fail the run;
# a fixed one goes into fuzz/regressions/<target>/ with its fix. Prints each
# target's executions and corpus size.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "$1" && pwd)"
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec manifest cubin mlir)
out="${FUZZ_OUT:-$build/fuzz-out}"
# The fuzzers are built with ASan and UBSan: their runtime options.
source "$root/test/sanitizer/env.sh"
failed=0
for t in "${targets[@]}"; do
  fuzzer="$build/bin/${t}_fuzzer"
  if [ ! -x "$fuzzer" ]; then
    echo "fuzz/run.sh: $fuzzer not built (configure with -DSATTN_FUZZ=ON)" >&2
    exit 2
  fi
  read -r -a seeds <<< "$(grep "^$t " "$build/fuzz/seeds.txt" | cut -d' ' -f2-)"
  corpus="$out/corpus/$t" crashes="$out/crashes/$t/" split="$out/seeds/$t"
  mkdir -p "$corpus" "$crashes" "$split"
  if [ "$t" = mlir ]; then
    # One seed per "// -----" case, so that each starts as a valid module.
    for f in $(find "${seeds[@]}" -maxdepth 1 -name '*.mlir'); do
      awk -v base="$split/$(basename "$f" .mlir)" \
        '/^\/\/ -----/ { n++; next } { print > (base "." n ".mlir") }' "$f"
    done
    seeds=("$split")
  fi
  dict=()
  [ -f "$root/fuzz/$t.dict" ] && dict=(-dict="$root/fuzz/$t.dict")
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one that
  # needs 2 GB is a memory blow-up. Both count as crashes.
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -artifact_prefix="$crashes" -print_final_stats=1 \
    "${dict[@]}" "$corpus" "${seeds[@]}" > "$out/$t.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$')
  echo "fuzz $t: exit $rc, ${runs:-?} executions in ${seconds} s, corpus $(ls "$corpus" | wc -l) inputs"
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$crashes")" ]; then
    failed=1
    grep -E "ERROR|SUMMARY|fuzz check failed|Test unit written" "$out/$t.log" | head -20
  fi
done
exit "$failed"
