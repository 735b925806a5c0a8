// sattn-program-to-gpu needs each kernel's #sattn.launch (threads per
// block, set by its tile lowering): without one it reports the kernel and
// fails, it does not guess. (The kernel attributes' own checks are in
// test/Dialect/invalid-kernel-attrs.mlir.)
// RUN: sparse-opt %s --sattn-program-to-gpu -verify-diagnostics

// expected-error @below {{kernel has no #sattn.launch (threads per block); run a tile lowering first}}
func.func @no_launch(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 32, block_n = 32, arg_names = ["a", "n"]>} {
  sattn.program grid(%n, %n) block_m = 32 {
  ^bb0(%x: index, %y: index):
  }
  return
}
