// sattn-tensor-map-params: the parameters a kernel's #sattn.kernel lists in
// tensor_maps become 128-byte by-value grid constants.
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(llvm.func(sattn-tensor-map-params))' | FileCheck %s

// CHECK-LABEL: llvm.func @kernel(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: i64,
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
llvm.func @kernel(%p: !llvm.ptr, %n: i64, %kmap: !llvm.ptr, %vmap: !llvm.ptr) attributes {nvvm.kernel, sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 128, arg_names = ["k", "Sk", "k_map", "v_map"], tensor_maps = [#sattn.tensor_map<arg = 2, tensor = "k", box_cols = 64, box_rows = 128>, #sattn.tensor_map<arg = 3, tensor = "k", box_cols = 64, box_rows = 128>]>} {
  llvm.return
}

// -----

// Without tensor maps nothing changes.
// CHECK-LABEL: llvm.func @plain(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr)
// CHECK-NOT:   llvm.byval
llvm.func @plain(%p: !llvm.ptr) attributes {nvvm.kernel, sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 128, arg_names = ["k"]>} {
  llvm.return
}

// -----

// expected-error @below {{has tensor-map arguments but is not an NVVM kernel}}
llvm.func @not_a_kernel(%kmap: !llvm.ptr) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 128, arg_names = ["k_map"], tensor_maps = [#sattn.tensor_map<arg = 0, tensor = "k_map", box_cols = 64, box_rows = 128>]>} {
  llvm.return
}

// -----

// expected-error @below {{tensor-map argument 1 is not a pointer argument of the kernel}}
llvm.func @not_a_pointer(%kmap: !llvm.ptr, %n: i64) attributes {nvvm.kernel, sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 128, arg_names = ["k", "n"], tensor_maps = [#sattn.tensor_map<arg = 1, tensor = "k", box_cols = 64, box_rows = 128>]>} {
  llvm.return
}
