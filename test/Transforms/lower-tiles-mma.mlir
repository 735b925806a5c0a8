// sattn-lower-tiles-mma: tile ops -> warp-level tensor-core code (sm_80+).
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma | FileCheck %s
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma=wgmma=1 | FileCheck %s --check-prefix=WGMMA
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma="wgmma=1 tma=1" | FileCheck %s --check-prefix=TMA
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma="wgmma=1 tma=1 ping-pong=1" | FileCheck %s --check-prefix=PINGPONG
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma="wgmma=1 tma=1 pipeline=1" | FileCheck %s --check-prefix=PIPE
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-mma="wgmma=1 tma=1 producer=1" | FileCheck %s --check-prefix=PRODUCER

// With wgmma, programs that are not one warpgroup keep mma.sync.
// WGMMA-LABEL: func.func @flash(
// WGMMA:         sattn.program {{.*}}sattn.wgmma_skipped = "needs block_m 64
// WGMMA:         nvvm.mma.sync

// One key tile of a 16-row program at head_dim 32, 16 keys: one warp.
// Shared memory holds [K buffer 0][K buffer 1][V] (512 bf16 each). Outside
// a key loop K is copied (cp.async.cg, rows past `count` zero-filled by a
// source size of 0) and waited for in place; V's copies follow the barrier
// (every warp is then past the previous P.V) and are waited for before P.V.
// CHECK-LABEL: func.func @flash(
// CHECK-SAME:      sattn.launch = #sattn.launch<threads = 32, shared_memory_bytes = 3072>
// CHECK:         %[[RAW:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:         %[[SM:.*]] = memref.view %[[RAW]][%{{.*}}][] {{.*}} to memref<1536xbf16, #gpu.address_space<workgroup>>
// Q: two rows (g, g + 8) of 32-bit pairs per lane, guarded by row < count.
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// A whole tile (count == 16) is copied without row guards; otherwise rows
// past count get a source size of 0.
// CHECK:         %[[WHOLE:.*]] = arith.cmpi eq, %arg7, %{{.*}} : index
// CHECK-NEXT:    scf.if %[[WHOLE]] {
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg1[%{{.*}}], %[[SM]][%{{.*}}], 8 {bypassL1}
// CHECK:         } else {
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg1[%{{.*}}], %[[SM]][%{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:         nvvm.cp.async.commit.group
// CHECK-NEXT:    nvvm.cp.async.wait.group 0
// CHECK-NEXT:    gpu.barrier
// CHECK:         scf.if
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg2[%{{.*}}], %[[SM]][%{{.*}}], 8 {bypassL1}
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg2[%{{.*}}], %[[SM]][%{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:         nvvm.cp.async.commit.group
// Q.K^T: head_dim / 16 = 2 chunks x one ldmatrix.x4 (16 keys) x 2 mma.
// CHECK:         nvgpu.ldmatrix %[[SM]][%{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-2: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:         nvgpu.ldmatrix %[[SM]]
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
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK-NEXT:    gpu.barrier
// P.V: P from registers (truncated to bf16), V through ldmatrix.trans.
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
// CHECK:         nvgpu.ldmatrix %[[SM]][%{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK:         nvgpu.ldmatrix %[[SM]]
// CHECK-COUNT-2: nvvm.mma.sync
// normalize adds up the quad's partial row sums (xor 1, xor 2).
// CHECK:         gpu.shuffle  xor
// CHECK-NEXT:    arith.addf
// CHECK:         gpu.shuffle  xor
// CHECK-NEXT:    arith.addf
// CHECK:         vector.store %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// CHECK-NOT:     sattn.tile
// CHECK:         return
func.func @flash(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) {
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
// CHECK-NOT:     sattn.launch
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

// -----

// A key loop whose tile bounds follow from the induction variable: K is
// double-buffered. Before the loop, the first tile's K (if any) into buffer
// 0; in the loop, wait for K[i] + barrier, copy V[i], copy K[i+1] into the
// other buffer when there is a next tile (the group is committed even when
// empty), and before P.V wait with one group (K[i+1]) still in flight.
// CHECK-LABEL: func.func @key_loop(
// CHECK-SAME:      %{{[^:]+}}: memref<?xbf16>, %[[K:[^:]+]]: memref<?xbf16>, %[[V:[^:]+]]: memref<?xbf16>, %{{[^:]+}}: index, %{{[^:]+}}: index, %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index, %[[SK:[^:]+]]: index)
// CHECK:         %[[ANY:.*]] = arith.cmpi slt, %[[LB]], %[[UB]] : index
// CHECK-NEXT:    scf.if %[[ANY]] {
// CHECK:           arith.muli %[[LB]], %{{.*}} : index
// CHECK:           nvgpu.device_async_copy %[[K]]
// CHECK:         nvvm.cp.async.commit.group
// CHECK-NEXT:    scf.for %[[IV:[^ ]+]] = %[[LB]] to %[[UB]]
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK-NEXT:      gpu.barrier
// CHECK:           nvgpu.device_async_copy %[[V]]
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           %[[NEXT:.*]] = arith.addi %[[IV]], %{{.*}} : index
// CHECK-NEXT:      %[[HAS:.*]] = arith.cmpi slt, %[[NEXT]], %[[UB]] : index
// CHECK-NEXT:      scf.if %[[HAS]] {
// CHECK-NEXT:        arith.muli %[[NEXT]], %{{.*}} : index
// CHECK:             nvgpu.device_async_copy %[[K]]
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           nvgpu.ldmatrix {{.*}}transpose = false
// CHECK:           nvvm.cp.async.wait.group 1
// CHECK-NEXT:      gpu.barrier
// CHECK:           nvgpu.ldmatrix {{.*}}transpose = true
// CHECK:           scf.yield
func.func @key_loop(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c16) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %a0) -> (!sattn.tile<16x32xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %c16, %left : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
      %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <16x16xf32>, memref<?xbf16>, <16x32xf32>
      scf.yield %acc2 : !sattn.tile<16x32xf32>
    }
  }
  return
}

// -----

// One warpgroup (64 rows) at head_dim 64 with wgmma: the stages start at a
// 1024-byte boundary of the shared window (up to 1024 bytes of padding);
// K and V are copied in the 128-byte-swizzle layout, made visible to the
// async proxy, and both products are one inline-asm block each: fence,
// head_dim / 16 = 4 k-steps (Q.K^T, N = 16 keys, B K-major) or
// keys / 16 = 1 k-step (P.V, N = 64, B transposed), commit, wait.
// WGMMA-LABEL: func.func @warpgroup(
// WGMMA-SAME:      sattn.launch = #sattn.launch<threads = 128, shared_memory_bytes = 7168>
// WGMMA:         %[[ADDR:.*]] = memref.extract_aligned_pointer_as_index
// WGMMA:         arith.remsi %[[ADDR]], %{{.*}} : index
// WGMMA:         nvvm.cp.async.wait.group 0
// WGMMA-NEXT:    nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// WGMMA-NEXT:    gpu.barrier
// Q.K^T starts from zero: the first k-step's scale-d predicate is false.
// WGMMA:         llvm.inline_asm has_side_effects {{.*}}wgmma.fence.sync.aligned;\0Awgmma.mma_async.sync.aligned.m64n16k16.f32.bf16.bf16 {{.*}}z, 1, 1, 0;{{.*}}m64n16k16{{.*}}p, 1, 1, 0;{{.*}}m64n16k16{{.*}}m64n16k16{{.*}}wgmma.commit_group.sync.aligned;\0Awgmma.wait_group.sync.aligned 0;{{.*}}"=f,=f,=f,=f,=f,=f,=f,=f,r,
// WGMMA:         nvvm.cp.async.wait.group 0
// WGMMA-NEXT:    nvvm.fence.proxy
// WGMMA-NEXT:    gpu.barrier
// WGMMA:         llvm.inline_asm has_side_effects {{.*}}m64n64k16.f32.bf16.bf16 {{.*}}p, 1, 1, 1;\0Awgmma.commit_group
// WGMMA-NOT:     nvvm.mma.sync
func.func @warpgroup(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// The mask as per-row thresholds on constant column offsets: row h of the
// lane keeps element (off) iff off <= 0 - d0[h] (causal) and off < Sk -
// jBase, each one i32 compare per element; the two rows' results are
// interleaved back into the fragment order.
// CHECK-LABEL: func.func @mask(
// WGMMA-LABEL: func.func @mask(
// CHECK:         %[[OFF:.*]] = arith.constant dense<[0, 1, 8, 9]> : vector<4xi32>
// CHECK:         arith.cmpi sle, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi slt, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi sle, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         arith.cmpi slt, %[[OFF]], %{{.*}} : vector<4xi32>
// CHECK:         %[[KEEP:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 4, 5, 2, 3, 6, 7] : vector<4xi1>, vector<4xi1>
// CHECK:         arith.select %[[KEEP]], %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
func.func @mask(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) {
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

// producer=1 on a masked key loop (causal: key range [0, diagonal); a
// program without a mask keeps filling its own stages, as @tma_loop shows
// below): a producer warpgroup (threads 128..255) and launch bounds of
// two CTAs per SM (128 registers each at entry). After the mbarriers (3
// fills, then 3 releases with one arrival each: one computing warpgroup)
// the body splits on the lane: the consumers take more registers and keep
// the whole program, fills included until sattn-split-warp-roles (marked
// sattn.producer_op), and release each stage after the product that read
// it; the producer gives up all but 24 (the consumer takes 232; 32 and
// 224 for a windowed key range), and its first thread alone runs a
// copy in which the lane id is 0. Its first wait for a stage's release is on
// parity 1 (bits 3..5 of the phase word start set), which a fresh barrier
// reports complete.
// PRODUCER-LABEL: func.func @tma_loop_masked(
// PRODUCER-SAME:      sattn.launch = #sattn.launch<threads = 256, {{.*}}min_ctas_per_sm = 2>
// PRODUCER:         %[[PHASES:.*]] = memref.alloca() : memref<i32>
// PRODUCER-NEXT:    %[[INIT:.*]] = arith.constant 56 : i32
// PRODUCER-NEXT:    memref.store %[[INIT]], %[[PHASES]][] : memref<i32>
// PRODUCER-COUNT-6:   nvvm.mbarrier.init %{{.*}}, %c1_i32
// PRODUCER:         gpu.barrier
// PRODUCER-NEXT:    %[[C128:.*]] = arith.constant 128 : index
// PRODUCER-NEXT:    %[[LANE:.*]] = sattn.lane_id
// PRODUCER-NEXT:    %[[CONSUMER:.*]] = arith.cmpi slt, %[[LANE]], %[[C128]]
// PRODUCER-NEXT:    scf.if %[[CONSUMER]] {
// PRODUCER-NEXT:      nvvm.setmaxregister increase 232
// PRODUCER:           scf.for
// PRODUCER:             nvvm.cp.async.bulk.tensor.shared.cluster.global {{.*}} {sattn.producer_op}
// PRODUCER:             nvvm.mbarrier.try_wait.parity %{{[0-9a-z_]+}}, %{{[0-9a-z_]+}}, %{{[0-9a-z_]+}} : !llvm.ptr<3>
// PRODUCER-NOT:         sattn.producer_op
// PRODUCER:             m64n16k16
// PRODUCER:             nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// PRODUCER:             nvvm.mbarrier.try_wait.parity %{{[0-9a-z_]+}}, %{{[0-9a-z_]+}}, %{{[0-9a-z_]+}} : !llvm.ptr<3>
// PRODUCER-NOT:         sattn.producer_op
// PRODUCER:             m64n64k16
// PRODUCER:             nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// PRODUCER:         } else {
// PRODUCER-NEXT:      nvvm.setmaxregister decrease 24 {sattn.producer_entry, sattn.producer_op}
// PRODUCER:           %[[PLANE:.*]] = sattn.lane_id
// PRODUCER-NEXT:      %[[ELECTED:.*]] = arith.cmpi eq, %[[PLANE]], %c128
// PRODUCER-NEXT:      scf.if %[[ELECTED]] {
// PRODUCER-NOT:         sattn.lane_id
// PRODUCER:             scf.for
// PRODUCER:             nvvm.mbarrier.try_wait.parity {{.*}} {sattn.producer_op}
// PRODUCER:             nvvm.cp.async.bulk.tensor.shared.cluster.global {{.*}} {sattn.producer_op}
// PRODUCER:         }
// PRODUCER-NEXT:  }
func.func @tma_loop_masked(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>} {
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
      %sm = sattn.tile.mask %s rows(%x, %c1) keys(%first) seq(%sk, %sk) {regions = [#sattn.region<diag_hi = 0>]} : <64x16xf32>
      %acc2 = sattn.tile.pv %sm, %v[%base] keys(%first, %count), %acc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %acc2 : !sattn.tile<64x64xf32>
    }
  }
  return
}

// -----

// TMA staging (wgmma=1 tma=1) of a key loop: the kernel gains a tensor-map
// argument per buffer; shared memory is [mbarriers | pad | stages]
// (3 * 2048 + 1024 + 128 bytes). Thread 0 initialises the mbarriers, a CTA
// barrier publishes them; the stages need no other CTA barrier (thread 0
// refills a stage only once it is past the warpgroup's last wgmma that
// read it). Before the loop thread 0 fills K[lb] into buffer 0 (expect 2048
// bytes, one 64-column box at (0, first, head = base / (Sk * 64))). Each
// iteration: thread 0 fills V[i] and, when there is a next tile, K[i+1];
// every thread waits for K[i] (parity from the phase word); Q.K^T; wait V;
// P.V.
// PRODUCER-LABEL: func.func @tma_loop(
// PRODUCER-SAME:      sattn.launch = #sattn.launch<threads = 128
// PRODUCER-NOT:     nvvm.setmaxregister
// PRODUCER:         return
// TMA-LABEL: func.func @tma_loop(
// TMA-SAME:      %[[BASE:[^:]+]]: index, %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index, %[[SK:[^:]+]]: index, %[[KMAP:[^:]+]]: !llvm.ptr, %[[VMAP:[^:]+]]: !llvm.ptr)
// TMA-SAME:      arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk", "k_map", "v_map"], tensor_maps = [#sattn.tensor_map<arg = 8, tensor = "k", box_cols = 64, box_rows = 16>, #sattn.tensor_map<arg = 9, tensor = "v", box_cols = 64, box_rows = 16>]
// TMA-SAME:      sattn.launch = #sattn.launch<threads = 128, shared_memory_bytes = 7296>
// TMA:         %[[RAW:.*]] = gpu.dynamic_shared_memory
// TMA:         memref.view %[[RAW]][%c128{{.*}}][]
// TMA:         memref.extract_aligned_pointer_as_index %[[RAW]]
// TMA:         %[[PHASES:.*]] = memref.alloca() : memref<i32>
// TMA:         scf.if
// TMA-COUNT-3:   nvvm.mbarrier.init %{{.*}}, %c1_i32
// TMA:           nvvm.fence.mbarrier.init
// TMA-NEXT:    }
// TMA-NEXT:    gpu.barrier
// TMA-NOT:     gpu.barrier
// TMA:         %[[SKD:.*]] = arith.muli %[[SK]], %c64
// TMA-NEXT:    arith.divsi %[[BASE]], %[[SKD]] : index
// TMA:         arith.cmpi slt, %[[LB]], %[[UB]] : index
// TMA:         scf.if
// TMA:           nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c2048_i32
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]], %{{.*}}, box[%c0_i32{{.*}}, %{{.*}}, %{{.*}}] : !llvm.ptr<7>, !llvm.ptr
// TMA:         scf.for
// TMA:           scf.if
// TMA:             nvvm.mbarrier.arrive.expect_tx
// TMA:             nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[VMAP]]
// TMA:             scf.if
// TMA:               nvvm.mbarrier.arrive.expect_tx
// TMA:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]]
// TMA:           memref.load %[[PHASES]][]
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           memref.store %{{.*}}, %[[PHASES]][]
// TMA:           llvm.inline_asm {{.*}}m64n16k16
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           llvm.inline_asm {{.*}}m64n64k16
// TMA-NOT:     gpu.barrier
// TMA-NOT:     nvgpu.device_async_copy
// pipeline=1 rotates the same loop (sattn-pipeline-key-loops) and stages it
// as one ring of 3 slots, slot i mod 3 holding K[i] and then V[i]. Under
// lb < ub: thread 0 fills K[lb] and, if there is a second tile, K[lb+1];
// Q.K[lb]^T waits for its product; thread 0 fills V[lb]; P rounded to bf16
// crosses the back edge. Each iteration: thread 0 fills the next K; wait K;
// Q.K^T issued (no wait); wait V of the previous tile; P.V issued (no
// wait); wait_group 1 (Q.K^T done) before thread 0 refills that slot with
// V; the softmax (here only the rounding) runs under P.V; wait_group 0
// where O is next used. After the loop: wait for the last V, P.V.
// PIPE-LABEL: func.func @tma_loop(
// PIPE-SAME:      %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index, %{{[^:]+}}: index, %[[KMAP:[^:]+]]: !llvm.ptr, %[[VMAP:[^:]+]]: !llvm.ptr
// PIPE:         arith.cmpi slt, %[[LB]], %[[UB]] : index
// PIPE:         scf.if %{{.*}} -> (vector<32xf32>) {
// PIPE:           scf.if
// PIPE:             nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]]
// PIPE:             scf.if
// PIPE:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]]
// PIPE:           nvvm.mbarrier.try_wait.parity
// PIPE:           llvm.inline_asm {{.*}}m64n16k16{{.*}}wgmma.wait_group.sync.aligned 0
// PIPE:           scf.if
// PIPE:             nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[VMAP]]
// PIPE:           arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// PIPE:           scf.for %{{.*}} = %{{.*}} to %[[UB]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<32xf32>, vector<8xbf16>) {
// PIPE:             arith.remsi %{{.*}}, %c3
// PIPE:             scf.if
// PIPE:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]]
// PIPE:             nvvm.mbarrier.try_wait.parity
// PIPE-NOT:         wait_group
// PIPE:             llvm.inline_asm {{.*}}m64n16k16{{.*}}commit_group.sync.aligned;\0A}"
// PIPE-NOT:         wait_group
// PIPE:             nvvm.mbarrier.try_wait.parity
// PIPE-NOT:         wait_group
// PIPE:             llvm.inline_asm {{.*}}m64n64k16{{.*}}commit_group.sync.aligned;\0A}"
// PIPE-NEXT:        llvm.extractvalue
// PIPE:             llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 1;"
// PIPE:             scf.if
// PIPE:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[VMAP]]
// PIPE:             arith.truncf
// PIPE:             llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;"
// PIPE:             scf.yield
// PIPE:           }
// PIPE:           nvvm.mbarrier.try_wait.parity
// PIPE:           llvm.inline_asm {{.*}}m64n64k16{{.*}}wgmma.wait_group.sync.aligned 0
// PIPE:         } else {
func.func @tma_loop(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>} {
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

// Outside a loop (or where the tile bounds do not follow from the induction
// variable): thread 0 fills K into buffer 0 and V, wait for K (stage 0),
// Q.K^T, wait for V (stage 2), P.V. The count is min(Sk - first, 16) in the
// other operand order. The buffers' offset is (head * Sk) * 64, so the
// third box coordinate is head itself, without a division.
// TMA-LABEL: func.func @tma_in_place(
// TMA-SAME:      %[[HEAD:[^:]+]]: index, %{{[^:]+}}: index, %[[SKA:[^:]+]]: index, %[[KMAP:[^:]+]]: !llvm.ptr, %[[VMAP:[^:]+]]: !llvm.ptr
// TMA:         nvvm.fence.mbarrier.init
// TMA:         gpu.barrier
// TMA-NOT:     gpu.barrier
// TMA-NOT:     arith.muli %[[SKA]], %c64
// TMA:         %[[H32:.*]] = arith.index_cast %[[HEAD]] : index to i32
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[KMAP]], %{{.*}}, box[%{{.*}}, %{{.*}}, %[[H32]]]
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[VMAP]]
// TMA:         }
// TMA:         nvvm.mbarrier.try_wait.parity
// TMA:         llvm.inline_asm {{.*}}m64n16k16
// TMA:         nvvm.mbarrier.try_wait.parity
// TMA:         llvm.inline_asm {{.*}}m64n64k16
func.func @tma_in_place(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %head: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "head", "first", "Sk"]>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %rows = arith.muli %head, %sk : index
    %base = arith.muli %rows, %c64 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %c16, %left : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// A tile clipped by something other than the sequence would read, through
// TMA, key rows that tile.qk defines as zero: such programs keep cp.async.
// TMA-LABEL: func.func @tma_not_a_sequence_clip(
// TMA-NOT:     !llvm.ptr
// TMA:         sattn.program {{.*}}sattn.tma_skipped = "a key tile whose count is not min(Sk - first, block_n)"
// TMA:         nvgpu.device_async_copy
// TMA-NOT:     nvvm.cp.async.bulk.tensor
func.func @tma_not_a_sequence_clip(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "count"]>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// Two warpgroups (block_m 128) share the stages, rings of 3 K and 3 V
// buffers (6 * 2048 + 1024 + 128 bytes). Each stage also has a release
// ("empty") mbarrier that expects one arrival per warpgroup: the first
// thread of each warpgroup arrives after its wgmma that read the stage, and
// thread 0 waits for the release before refilling (its phase bits for those
// barriers, 6..11, start at 1: the stages start empty).
// TMA-LABEL: func.func @two_warpgroups(
// TMA-SAME:      sattn.launch = #sattn.launch<threads = 256, shared_memory_bytes = 13440>
// TMA:         memref.store %c4032_i32, %{{.*}}[] : memref<i32>
// TMA-COUNT-6: nvvm.mbarrier.init %{{.*}}, %c1_i32
// TMA-COUNT-6: nvvm.mbarrier.init %{{.*}}, %c2_i32
// TMA:         scf.if
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           nvvm.mbarrier.arrive.expect_tx
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           nvvm.mbarrier.arrive.expect_tx
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global
// TMA:         llvm.inline_asm {{.*}}m64n16k16
// TMA:         arith.remsi %{{.*}}, %c128
// TMA:         scf.if
// TMA:           nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// TMA:         llvm.inline_asm {{.*}}m64n64k16
// TMA:         nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// TMA-NOT:     nvvm.barrier
// With ping-pong the two warpgroups take turns at the tensor cores through
// named barriers 1 and 2 (256 threads): warpgroup 1 hands warpgroup 0 the
// first turn; each product waits for its turn (bar.sync 1 + w), is issued,
// hands the turn over (bar.arrive 2 - w) and only then waits for the
// products; warpgroup 0 consumes the last turn at the end.
// PINGPONG-LABEL: func.func @two_warpgroups(
// PINGPONG:         nvvm.fence.mbarrier.init
// PINGPONG:         gpu.barrier
// PINGPONG:         scf.if
// PINGPONG:           nvvm.barrier.arrive id = %c1_i32{{.*}} number_of_threads = %c256_i32
// PINGPONG:         nvvm.barrier id = %{{.*}} number_of_threads = %c256_i32
// PINGPONG:         llvm.inline_asm {{.*}}m64n16k16{{.*}}wgmma.commit_group.sync.aligned;\0A}"
// PINGPONG:         nvvm.barrier.arrive id = %{{.*}} number_of_threads = %c256_i32
// PINGPONG:         llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;"
// PINGPONG:         nvvm.barrier id = %{{.*}} number_of_threads = %c256_i32
// PINGPONG:         llvm.inline_asm {{.*}}m64n64k16
// PINGPONG:         nvvm.barrier.arrive id
// PINGPONG:         llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;"
// PINGPONG:         scf.if
// PINGPONG:           nvvm.barrier id = %c1_i32{{.*}} number_of_threads = %c256_i32
func.func @two_warpgroups(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>} {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c128 = arith.constant 128 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %c16, %left : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c128) : memref<?xbf16> -> <128x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <128x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <128x64xbf16>, memref<?xbf16> -> <128x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <128x16xf32>, memref<?xbf16>, <128x64xf32>
  }
  return
}

// -----

// A key loop with two warpgroups: before the loop thread 0 fills K[lb] and
// V[lb] into slots 0 of the rings (stages 0 and 3); iteration j fills K and
// V of the next tile into slot (j + 1) % 3 of each ring (each after the
// slot's release), then every thread waits for K in slot j % 3 and, before
// P.V, for V in stage 3 + j % 3.
// TMA-LABEL: func.func @two_warpgroups_loop(
// TMA:         scf.if
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg8
// TMA:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg9
// TMA:         scf.for %[[IV:[^ ]+]] =
// TMA:           %[[J:.*]] = arith.divsi %{{.*}}, %c1{{.*}} : index
// TMA:           %[[KSLOT:.*]] = arith.remsi %[[J]], %c3{{.*}} : index
// TMA:           %[[VSLOT:.*]] = arith.remsi %[[J]], %c3{{.*}} : index
// TMA:           %[[VSTAGE:.*]] = arith.addi %c3{{.*}}, %[[VSLOT]] : index
// TMA:           scf.if
// TMA:             scf.if
// TMA:               %[[NJ:.*]] = arith.addi %[[J]], %c1{{.*}} : index
// TMA:               arith.remsi %[[NJ]], %c3{{.*}} : index
// TMA:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg8
// TMA:               arith.remsi %[[NJ]], %c3{{.*}} : index
// TMA:               nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg9
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           llvm.inline_asm {{.*}}m64n16k16
// TMA:           nvvm.mbarrier.arrive
// TMA:           nvvm.mbarrier.try_wait.parity
// TMA:           llvm.inline_asm {{.*}}m64n64k16
// TMA:           nvvm.mbarrier.arrive
func.func @two_warpgroups_loop(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>} {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c128 = arith.constant 128 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c128) : memref<?xbf16> -> <128x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <128x64xf32>
    %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %a0) -> (!sattn.tile<128x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <128x64xbf16>, memref<?xbf16> -> <128x16xf32>
      %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <128x16xf32>, memref<?xbf16>, <128x64xf32>
      scf.yield %acc2 : !sattn.tile<128x64xf32>
    }
  }
  return
}
