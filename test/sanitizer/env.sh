# Runtime options of the sanitizer build (-DSATTN_SANITIZE=ON): source this
# before running its tests or fuzzers (.ci/test.sh and fuzz/run.sh do).
#
# allow_user_poisoning=0: LLVM's BumpPtrAllocator, an inline template of
# LLVM's headers, poisons its slabs by hand when it is compiled with ASan,
# that is in our instrumented code, and unpoisons each allocation it hands
# out; the copies of it inside Debian's uninstrumented libMLIR / libLLVM
# hand out allocations from the same slabs without unpoisoning them, so
# every one reads as use-after-poison (MLIR's attribute and location
# uniquers, from the first parse). Only hand poisoning is turned off: the
# heap, stack and global checks stay, and the project calls no poisoning
# interface itself.
export ASAN_OPTIONS="allow_user_poisoning=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# Every UBSan report already aborts (-fno-sanitize-recover); say where.
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
