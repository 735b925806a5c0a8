// sattn-tensor-map-params: the arguments a kernel lists in
// sattn.tensor_map_args become 128-byte by-value grid constants.
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(llvm.func(sattn-tensor-map-params))' | FileCheck %s

// CHECK-LABEL: llvm.func @kernel(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: i64,
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
llvm.func @kernel(%p: !llvm.ptr, %n: i64, %kmap: !llvm.ptr, %vmap: !llvm.ptr) attributes {nvvm.kernel, sattn.tensor_map_args = array<i64: 2, 3>} {
  llvm.return
}

// -----

// Without the attribute nothing changes.
// CHECK-LABEL: llvm.func @plain(
// CHECK-SAME:      %{{[^:]+}}: !llvm.ptr)
// CHECK-NOT:   llvm.byval
llvm.func @plain(%p: !llvm.ptr) attributes {nvvm.kernel} {
  llvm.return
}

// -----

// expected-error @below {{has tensor-map arguments but is not an NVVM kernel}}
llvm.func @not_a_kernel(%kmap: !llvm.ptr) attributes {sattn.tensor_map_args = array<i64: 0>} {
  llvm.return
}

// -----

// expected-error @below {{tensor-map argument 1 is not a pointer argument of the kernel}}
llvm.func @not_a_pointer(%kmap: !llvm.ptr, %n: i64) attributes {nvvm.kernel, sattn.tensor_map_args = array<i64: 1>} {
  llvm.return
}

// -----

// expected-error @below {{tensor-map argument 5 is not a pointer argument of the kernel}}
llvm.func @out_of_range(%kmap: !llvm.ptr) attributes {nvvm.kernel, sattn.tensor_map_args = array<i64: 5>} {
  llvm.return
}
