// sattn-assign-tile-layouts: the tiles of tensor-core kernels (mma_sync,
// wgmma) get the m16n8k16 fragment layout, results and block arguments
// alike, so a loop's carried tiles agree with what it yields; SIMT kernels
// and functions without a config keep layout none.
// RUN: sparse-opt %s -split-input-file --sattn-assign-tile-layouts | FileCheck %s
// RUN: sparse-opt %s -split-input-file --sattn-assign-tile-layouts | sparse-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @tensor_cores(
// CHECK:         sattn.tile.load {{.*}} -> <64x64xbf16, m16n8k16>
// CHECK:         %[[A0:.*]] = sattn.tile.fill {{.*}} : <64x64xf32, m16n8k16>
// CHECK:         scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[A0]]) -> (!sattn.tile<64x64xf32, m16n8k16>)
// CHECK:           sattn.tile.qk {{.*}} -> <64x16xf32, m16n8k16>
// CHECK:           sattn.tile.pv {{.*}}, %[[ACC]] : <64x16xf32, m16n8k16>, memref<?xbf16>, <64x64xf32, m16n8k16>
// CHECK:           scf.yield {{.*}} : !sattn.tile<64x64xf32, m16n8k16>
func.func @tensor_cores(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %a0) -> (!sattn.tile<64x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
      %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %acc2 : !sattn.tile<64x64xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: func.func @simt(
// CHECK:         sattn.tile.fill {{.*}} : <64x64xf32>
// CHECK-NOT:     m16n8k16
func.func @simt(%n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["n"]>, sattn.config = #sattn.kernel_config<mainloop = simt>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
  }
  return
}
