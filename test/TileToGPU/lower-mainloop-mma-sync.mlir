// sattn-lower-mainloop-mma-sync: the tile ops of mma_sync kernels as
// warp-level tensor-core code on the m16n8k16 fragment layout. (Inputs in
// the tiled form, staged first; the ring ops stay for sattn-lower-rings.)
// RUN: sparse-opt %s -split-input-file --sattn-stage-kv --sattn-assign-tile-layouts --sattn-lower-mainloop-mma-sync | FileCheck %s

// One key tile of a 16-row program at head_dim 32, 16 keys: one warp; the
// ring is [K 0][K 1][V], 512 bf16 each (3072 bytes).
// CHECK-LABEL: func.func @flash(
// CHECK-SAME:      sattn.launch = #sattn.launch<threads = 32, shared_memory_bytes = 3072>
// CHECK:         %[[RING:.*]] = sattn.ring.alloc
// Q: two rows (g, g + 8) of 32-bit pairs per lane, guarded by row < count.
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// Q.K^T: head_dim / 16 = 2 chunks x one ldmatrix.x4 (16 keys) x 2 mma, from
// the K slot of the ring's buffer.
// CHECK:         %[[KOFF:.*]] = sattn.ring.slot_offset %[[RING]][%c0{{.*}}]
// CHECK:         %[[BUF:.*]] = sattn.ring.buffer %[[RING]] : {{.*}} -> memref<1536xbf16, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.ldmatrix %[[BUF]][%{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-2: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:         nvgpu.ldmatrix %[[BUF]]
// CHECK-COUNT-2: nvvm.mma.sync
// Row max over the lane's values, then across the quad (xor 1, xor 2),
// as llvm.intr.maxnum (one max.f32; arith.maxnumf would be expanded).
// CHECK:         gpu.shuffle  xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    llvm.intr.maxnum
// exp(s - m) as exp2(fma(s, log2 e, -m log2 e)).
// CHECK:         %[[ARG:.*]] = llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK-NEXT:    math.exp2 %[[ARG]] : vector<8xf32>
// The row sum stays per lane inside the loop: no shuffle until normalize.
// CHECK-NOT:     gpu.shuffle
// P.V: P from registers (truncated to bf16), V through ldmatrix.trans from
// the V slot (2).
// CHECK:         sattn.ring.wait_copies %[[RING]] pending = 0
// CHECK:         sattn.ring.slot_offset %[[RING]][%c2{{.*}}]
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
// CHECK:         nvgpu.ldmatrix %{{.*}}[%{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK:         nvgpu.ldmatrix
// CHECK-COUNT-2: nvvm.mma.sync
// normalize adds up the quad's partial row sums (xor 1, xor 2).
// CHECK:         gpu.shuffle  xor
// CHECK-NEXT:    arith.addf
// CHECK:         gpu.shuffle  xor
// CHECK-NEXT:    arith.addf
// CHECK:         vector.store %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK-NOT:     sattn.tile
// CHECK:         return
func.func @flash(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "o", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
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

// The mask as per-row thresholds on constant column offsets: row h of the
// lane keeps element (off) iff off <= 0 - d0[h] (causal) and off < Sk -
// jBase, each one i32 compare per element; the two rows' results are
// interleaved back into the fragment order.
// CHECK-LABEL: func.func @mask(
// CHECK:         %[[OFF:.*]] = arith.constant dense<[0, 1, 8, 9]> : vector<4xi32>
// CHECK:         arith.cmpi sle, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi slt, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi sle, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi slt, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         %[[KEEP:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 4, 5, 2, 3, 6, 7] : vector<4xi1>, vector<4xi1>
// CHECK:         arith.select %[[KEEP]], %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
func.func @mask(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %sm = sattn.tile.mask %s rows(%x, %c1) keys(%first) seq(%n, %n) {regions = [#sattn.region<diag_hi = 0>]} : <16x16xf32>
    %a1 = sattn.tile.pv %sm, %v[%base] keys(%first, %count), %a0 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
  }
  return
}

// -----

// Chunks and dilations, still per-row thresholds on the offsets: a chunk
// bounds the keys by C floor(i'/C) and that plus C (two compares); a
// dilation of 3, below the largest offset (9), keeps offsets with
// (off + 3 - r) mod 3 == 0 (r = -d0 mod 3, per row); one of 50, above
// every offset, keeps the single offset equal to r.
// CHECK-LABEL: func.func @mask_grids(
// CHECK:         %[[OFF:.*]] = arith.constant dense<[0, 1, 8, 9]> : vector<4xi32>
// CHECK:         arith.cmpi sle, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.floordivsi %{{.*}}, %c100
// CHECK:         arith.cmpi sge, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi slt, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi sge, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.floordivsi %{{.*}}, %c3
// CHECK:         %[[SH:.*]] = arith.addi %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         %[[REM:.*]] = arith.remui %[[SH]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi eq, %[[REM]], %{{.*}} : vector<4xi32>
// CHECK:         arith.floordivsi %{{.*}}, %c50
// CHECK:         arith.cmpi eq, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         vector.shuffle
func.func @mask_grids(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %sm = sattn.tile.mask %s rows(%x, %c1) keys(%first) seq(%n, %n) {regions = [#sattn.region<diag_hi = 0, chunk = 100>, #sattn.region<diag_lo = -40, dilation = 3>, #sattn.region<dilation = 50>]} : <16x16xf32>
    %a1 = sattn.tile.pv %sm, %v[%base] keys(%first, %count), %a0 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
  }
  return
}

// -----

// Kernels of another mainloop (here the SIMT one) are left alone.
// CHECK-LABEL: func.func @simt(
// CHECK-NOT:     sattn.launch
// CHECK:         sattn.tile.qk
func.func @simt(%q: memref<?xf32>, %k: memref<?xf32>, %v: memref<?xf32>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = simt, note = "SIMT: keys that are not bf16 or f16">} {
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

// normalize with a sink: the quad's row sums first (xor 1, xor 2), then
// exp2((z - m) log2 e) added once per row before the reciprocal.
// CHECK-LABEL: func.func @normalize_sink(
// CHECK-SAME:      %[[ZB:[^:]+]]: memref<?xf32>
// CHECK:         %[[Z:.*]] = memref.load %[[ZB]]
// CHECK:         gpu.shuffle  xor
// CHECK:         gpu.shuffle  xor
// CHECK:         %[[D:.*]] = arith.subf %[[Z]], %{{.*}} : f32
// CHECK-NEXT:    %[[X:.*]] = arith.mulf %[[D]], %{{.*}} : f32
// CHECK-NEXT:    %[[E:.*]] = math.exp2 %[[X]] : f32
// CHECK-NEXT:    %[[DEN:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK:         arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK-NOT:     sattn.tile
func.func @normalize_sink(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %z: memref<?xf32>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "o", "sinks", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %logit = memref.load %z[%y] : memref<?xf32>
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <16x1xf32>
    %l0 = sattn.tile.fill 0.0 : <16x1xf32>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %m, %l, %p, %alpha = sattn.tile.softmax_step %s, %m0, %l0 : <16x16xf32>, <16x1xf32>
    %a1 = sattn.tile.scale_rows %a0, %alpha : <16x32xf32>, <16x1xf32>
    %a2 = sattn.tile.pv %p, %v[%base] keys(%first, %count), %a1 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
    %out = sattn.tile.normalize %a2, %l sink(%logit, %m : !sattn.tile<16x1xf32>) : <16x32xf32>, <16x1xf32>
    sattn.tile.store %out, %o[%base] rows(%x, %c1, %count) : <16x32xf32>, memref<?xbf16>
  }
  return
}

// -----

// tile.alibi on the fragment: a per-row base slope * (jBase - i'[h]) and
// one fma per element with the constant column offsets (8 nb + c).
// CHECK-LABEL: func.func @alibi(
// CHECK-SAME:      %[[SLOPE:[^:]+]]: f32
// CHECK:         %[[OFF:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 0.000000e+00, 1.000000e+00, 8.000000e+00, 9.000000e+00, 8.000000e+00, 9.000000e+00]> : vector<8xf32>
// CHECK:         arith.sitofp %{{.*}} : i64 to f32
// CHECK:         arith.sitofp %{{.*}} : i64 to f32
// CHECK:         %[[SV:.*]] = vector.broadcast %[[SLOPE]] : f32 to vector<8xf32>
// CHECK-NEXT:    %[[BIAS:.*]] = llvm.intr.fma(%[[SV]], %[[OFF]], %{{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK-NEXT:    arith.addf %{{.*}}, %[[BIAS]] : vector<8xf32>
func.func @alibi(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index, %slope: f32) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "o", "n", "base", "first", "count", "slope"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <16x1xf32>
    %l0 = sattn.tile.fill 0.0 : <16x1xf32>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %sb = sattn.tile.alibi %s slope(%slope) rows(%x, %c1) keys(%first) seq(%n, %n) : <16x16xf32>
    %m, %l, %p, %alpha = sattn.tile.softmax_step %sb, %m0, %l0 : <16x16xf32>, <16x1xf32>
    %a1 = sattn.tile.scale_rows %a0, %alpha : <16x32xf32>, <16x1xf32>
    %a2 = sattn.tile.pv %p, %v[%base] keys(%first, %count), %a1 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
    %out = sattn.tile.normalize %a2, %l : <16x32xf32>, <16x1xf32>
    sattn.tile.store %out, %o[%base] rows(%x, %c1, %count) : <16x32xf32>, memref<?xbf16>
  }
  return
}
