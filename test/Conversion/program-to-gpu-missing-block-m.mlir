// A kernel function (sattn.kernel_role) without sattn.block_m must be
// diagnosed, not crash.
//
// BUG: ProgramToGPU.cpp does
//   cast<IntegerAttr>(fn->getAttr("sattn.block_m")).getInt()
// without checking that the attribute exists (or is an integer): on this
// input sparse-opt dies with SIGSEGV in IntegerAttr::getInt() (an assertion
// failure in builds with assertions). Expected: an error at the function,
// e.g. "'func.func' op kernel needs an integer sattn.block_m attribute",
// and pass failure.
//
// RUN: not sparse-opt %s --sattn-program-to-gpu 2>&1 | FileCheck %s
// CHECK: error: {{.*}}sattn.block_m
// CHECK-NOT: Stack dump

func.func @no_block_m(%a: memref<?xf32>, %n: index) attributes {sattn.kernel_role = "attention"} {
  sattn.program grid(%n, %n) block_m = 32 {
  ^bb0(%x: index, %y: index):
  }
  return
}

// -----

// sattn.threads out of range is diagnosed the same way.
// RUN: not sparse-opt %s -split-input-file --sattn-program-to-gpu 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: {{.*}}sattn.threads
func.func @too_many_threads(%a: memref<?xf32>, %n: index) attributes {sattn.kernel_role = "attention", sattn.block_m = 64 : i64, sattn.threads = 2048 : i64} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}
