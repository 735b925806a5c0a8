// sattn-lower-tiles-mma: tile ops -> warp-level tensor-core code (sm_80+).
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma | FileCheck %s

// One key tile of a 16-row program at head_dim 32, 16 keys: one warp.
// K and V are staged in dynamic shared memory (two 512-element stages)
// with cp.async, rows past `count` zero-filled (source size 0); V's copy is
// issued after the barrier that follows K's and waited for before P.V.
// CHECK-LABEL: func.func @flash(
// CHECK-SAME:      sattn.shared_memory_bytes = 2048 : i64
// CHECK-SAME:      sattn.threads = 32 : i64
// CHECK:         %[[RAW:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:         %[[KS:.*]] = memref.view %[[RAW]][%{{.*}}][] {{.*}} to memref<512xbf16, #gpu.address_space<workgroup>>
// CHECK:         %[[VS:.*]] = memref.view %[[RAW]][%{{.*}}][] {{.*}} to memref<512xbf16, #gpu.address_space<workgroup>>
// Q: two rows (g, g + 8) of 32-bit pairs per lane, guarded by row < count.
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK-COUNT-2: nvgpu.device_async_copy %{{.*}}, %[[KS]][%{{.*}}], 8, %{{.*}} : memref<?xbf16> to memref<512xbf16
// CHECK:         %[[KG:.*]] = nvgpu.device_async_create_group
// CHECK-NEXT:    nvgpu.device_async_wait %[[KG]] {numGroups = 0 : i32}
// CHECK-NEXT:    gpu.barrier
// CHECK-COUNT-2: nvgpu.device_async_copy %{{.*}}, %[[VS]][%{{.*}}], 8, %{{.*}} : memref<?xbf16> to memref<512xbf16
// CHECK:         %[[VG:.*]] = nvgpu.device_async_create_group
// Q.K^T: head_dim / 16 = 2 chunks x one ldmatrix.x4 (16 keys) x 2 mma.
// CHECK:         nvgpu.ldmatrix %[[KS]][%{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-2: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:         nvgpu.ldmatrix %[[KS]]
// CHECK-COUNT-2: nvvm.mma.sync
// Row max over the lane's values, then across the quad (xor 1, xor 2).
// CHECK:         gpu.shuffle  xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    arith.maxnumf
// CHECK:         math.exp2 %{{.*}} : vector<8xf32>
// CHECK:         gpu.shuffle  xor
// CHECK-NEXT:    arith.addf
// CHECK:         nvgpu.device_async_wait %[[VG]] {numGroups = 0 : i32}
// CHECK-NEXT:    gpu.barrier
// P.V: P from registers (truncated to bf16), V through ldmatrix.trans.
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
// CHECK:         nvgpu.ldmatrix %[[VS]][%{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK:         nvgpu.ldmatrix %[[VS]]
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK:         vector.store %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK-NOT:     sattn.tile
// CHECK:         return
func.func @flash(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.block_m = 16 : i64} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <16x1xf32>
    %l0 = sattn.tile.fill 0.0 : <16x1xf32>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %m, %l, %p, %alpha = sattn.tile.softmax_step %s, %m0, %l0 : <16x16xf32>, <16x1xf32>
    %a1 = sattn.tile.scale_rows %a0, %alpha : <16x32xf32>, <16x1xf32>
    %a2 = sattn.tile.pv %p, %v[%base] keys(%first, %count), %a1 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
    %out = sattn.tile.normalize %a2, %l : <16x32xf32>, <16x1xf32>
    sattn.tile.store %out, %o[%base] rows(%x, %c1, %count) : <16x32xf32>, memref<?xbf16>
  }
  return
}

// -----

// f32 inputs have no m16n8k16 form: the program is left, with the reason,
// for sattn-lower-tiles-simt.
// CHECK-LABEL: func.func @f32_inputs(
// CHECK-NOT:     sattn.threads
// CHECK:         sattn.program {{.*}}attributes {sattn.mma_skipped = "keys that are not bf16 or f16"}
// CHECK:         sattn.tile.qk
func.func @f32_inputs(%q: memref<?xf32>, %k: memref<?xf32>, %v: memref<?xf32>, %n: index, %base: index, %first: index, %count: index) {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xf32> -> <16x32xf32>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xf32>, memref<?xf32> -> <16x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <16x16xf32>, memref<?xf32>, <16x32xf32>
  }
  return
}

// -----

// A pv over another key tile than the qk's: no pairing, no prefetch.
// CHECK-LABEL: func.func @unpaired(
// CHECK:         sattn.mma_skipped = "a qk without the pv of the same key tile"
func.func @unpaired(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %other: index, %count: index) {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%other, %count), %a0 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
  }
  return
}

// -----

// Rows that do not split into warps of 16.
// CHECK-LABEL: func.func @odd_rows(
// CHECK:         sattn.mma_skipped = "block_m is not a multiple of 16"
func.func @odd_rows(%q: memref<?xbf16>, %n: index, %base: index) {
  sattn.program grid(%n, %n) block_m = 24 {
  ^bb0(%x: index, %y: index):
    %a0 = sattn.tile.fill 0.0 : <24x32xf32>
  }
  return
}
