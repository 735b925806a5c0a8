// RUN: sparse-opt %s --sattn-program-to-gpu | FileCheck %s

// A tensor-core kernel (sattn.threads set by sattn-lower-tiles-mma): the
// block is `threads` wide, not block_m.
// CHECK-LABEL: gpu.module @sattn_kernels
// CHECK:         gpu.func @mma_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.maxntid = array<i32: 128, 1, 1>, {{.*}}sattn.threads = 128 : i64
func.func @mma_kernel(%a: memref<?xf32>, %n: index) attributes {sattn.kernel_role = "attention", sattn.block_m = 64 : i64, sattn.threads = 128 : i64, sattn.arg_names = ["a", "n"]} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}
