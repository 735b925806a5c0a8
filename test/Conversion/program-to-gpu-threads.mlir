// RUN: sparse-opt %s --sattn-program-to-gpu | FileCheck %s

// A tensor-core kernel (its #sattn.launch set by the tile lowering): the
// block is `threads` wide, not block_m; min_ctas_per_sm becomes the launch
// bound nvvm.minctasm.
// CHECK-LABEL: gpu.module @sattn_kernels
// CHECK:         gpu.func @mma_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>, nvvm.maxntid = array<i32: 256, 1, 1>, nvvm.minctasm = 2 : i32, {{.*}}sattn.launch = #sattn.launch<threads = 256, shared_memory_bytes = 1024, min_ctas_per_sm = 2>
func.func @mma_kernel(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["a", "n"]>, sattn.launch = #sattn.launch<threads = 256, shared_memory_bytes = 1024, min_ctas_per_sm = 2>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}

// Tensor-map arguments (added by the TMA staging) stay listed in the
// kernel attribute for sattn-tensor-map-params, which runs after
// convert-gpu-to-nvvm: that conversion drops argument attributes.
// CHECK-LABEL: gpu.func @tma_kernel(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: index, %{{[^:]+}}: !llvm.ptr)
// CHECK-SAME:      tensor_maps = [#sattn.tensor_map<arg = 2, tensor = "k", box_cols = 64, box_rows = 128>]
func.func @tma_kernel(%a: memref<?xbf16>, %n: index, %kmap: !llvm.ptr) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 128, arg_names = ["k", "n", "k_map"], tensor_maps = [#sattn.tensor_map<arg = 2, tensor = "k", box_cols = 64, box_rows = 128>]>, sattn.launch = #sattn.launch<threads = 128>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}
