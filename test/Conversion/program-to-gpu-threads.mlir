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

// Tensor-map arguments (added by the TMA staging) are listed for
// sattn-tensor-map-params, which runs after convert-gpu-to-nvvm: that
// conversion drops argument attributes.
// CHECK-LABEL: gpu.func @tma_kernel(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: index, %{{[^:]+}}: !llvm.ptr)
// CHECK-SAME:      sattn.tensor_map_args = array<i64: 2>
func.func @tma_kernel(%a: memref<?xbf16>, %n: index, %kmap: !llvm.ptr {sattn.tensor_map = {box = [64, 128], tensor = "k"}}) attributes {sattn.kernel_role = "attention", sattn.block_m = 64 : i64, sattn.threads = 128 : i64, sattn.arg_names = ["k", "n", "k_map"]} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}
