// A dynamic k/v head_dim is rejected with a message that does not print
// the dynamic-size sentinel.
//
// BUG: AttentionOp::verify (dialect/lib/SattnOps.cpp) checks that q's
// head_dim is static but not k's; a dynamic k head_dim falls through to the
// "differs" check, which prints ShapedType::kDynamic as a number:
//   'sattn.attention' op k/v head_dim -9223372036854775808 differs from q/o head_dim 64
// Expected: an error that says the k/v head_dim must be static (or prints
// `?`), without the INT64_MIN sentinel. (invalid.mlir checks that an error
// is given at all.)
//
// RUN: not sparse-opt %s 2>&1 | FileCheck %s --implicit-check-not=-9223372036854775808
// CHECK: error: 'sattn.attention' op
// CHECK-SAME: head_dim

func.func @k_head_dim_dynamic(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x?xbf16>) {
  sattn.attention %q, %k, %k, %q : memref<?x?x?x64xbf16>, memref<?x?x?x?xbf16>
  return
}
