// A mainloop lowering without sattn-assign-tile-layouts before it (the
// check is in the conversion both lowerings share, LowerMainloop.cpp).
// RUN: sparse-opt %s -verify-diagnostics --sattn-lower-mainloop-mma-sync

// Both mainloop lowerings read each tile's layout from the IR: a tile that
// sattn-assign-tile-layouts did not give the m16n8k16 layout (here the
// pass did not run) is reported, not lowered by guess.
func.func @unassigned(%o: memref<?xbf16>, %n: index, %base: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["o", "n", "base"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    // expected-error @below {{has a tile result not in the m16n8k16 layout}}
    %a = sattn.tile.fill 0.0 : <16x64xf32>
    sattn.tile.store %a, %o[%base] rows(%x, %c1, %c16) : <16x64xf32>, memref<?xbf16>
  }
  return
}
