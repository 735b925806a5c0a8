// sattn-stage-kv: K/V tiles through one ring of shared-memory slots, as
// each kernel's #sattn.kernel_config says.
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --sattn-pipeline-key-loops --sattn-stage-kv | FileCheck %s
// (sattn-pipeline-key-loops rotates only the kernel whose config asks for
// pipelining, @pipelined.)

// cp.async (mma_sync): a ring of K, K, V slots in the ldmatrix layout. K of
// the loop's first tile is copied into slot 0 before the loop; each
// iteration waits for K[i] (no group left in flight, then a barrier: every
// warp is past the previous P.V), copies V[i] into slot 2 and K[i+1] into
// the other K slot (committed even when there is no next tile, so that the
// P.V's wait counts one group), reads K[i] from slot i mod 2 (in 32 bits:
// a tile count is below 2^32), and waits for V with one group (K[i+1])
// still in flight.
// CHECK-LABEL: func.func @cp_async_loop(
// CHECK-SAME:      %[[K:[^:]+]]: memref<?xbf16>, %[[V:[^:]+]]: memref<?xbf16>, %{{[^:]+}}: index, %{{[^:]+}}: index, %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<3 x 16x32xbf16, xor_chunks, cp_async>
// CHECK:         %[[ANY:.*]] = arith.cmpi slt, %[[LB]], %[[UB]]
// CHECK:         scf.if %[[ANY]] {
// CHECK:           sattn.ring.copy %[[RING]][%c0], %[[K]]
// CHECK:         sattn.ring.commit %[[RING]]
// CHECK:         scf.for %[[IV:[^ ]+]] = %[[LB]] to %[[UB]]
// CHECK:           %[[ITER:.*]] = arith.divsi
// CHECK:           %[[ITER32:.*]] = arith.index_castui %[[ITER]] : index to i32
// CHECK-NEXT:      %c2_i32 = arith.constant 2 : i32
// CHECK-NEXT:      %[[PARITY32:.*]] = arith.remui %[[ITER32]], %c2_i32
// CHECK-NEXT:      %[[PARITY:.*]] = arith.index_castui %[[PARITY32]] : i32 to index
// CHECK:           %[[OTHER:.*]] = arith.subi %c1{{.*}}, %[[PARITY]]
// CHECK:           sattn.ring.wait_copies %[[RING]] pending = 0
// CHECK:           sattn.ring.copy %[[RING]][%c2{{.*}}], %[[V]]
// CHECK-NEXT:      sattn.ring.commit %[[RING]]
// CHECK:           scf.if
// CHECK:             sattn.ring.copy %[[RING]][%[[OTHER]]], %[[K]]
// CHECK:           sattn.ring.commit %[[RING]]
// CHECK-NEXT:      %[[S:.*]] = sattn.tile.mma_qk %[[RING]][%[[PARITY]]] q(
// CHECK-NEXT:      sattn.ring.wait_copies %[[RING]] pending = 1
// CHECK:           sattn.tile.mma_pv %[[S]], %[[RING]][%c2{{.*}}]
// CHECK-NOT:     sattn.tile.qk
// CHECK-NOT:     sattn.tile.pv
func.func @cp_async_loop(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c16) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %a0) -> (!sattn.tile<16x32xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
      %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <16x16xf32>, memref<?xbf16>, <16x32xf32>
      scf.yield %acc2 : !sattn.tile<16x32xf32>
    }
  }
  return
}

// -----

// TMA (wgmma, one warpgroup filling its own slots): the kernel gains a
// tensor-map parameter per buffer; thread 0 fills K of the first tile
// before the loop (at head = base / (Sk * D)), and in each iteration V[i]
// (the one value slot, free once P.V[i-1] is done) and K[i+1] when there is
// a next tile; every thread waits for each slot before the product that
// reads it. Nothing is released: one warpgroup reads and refills in
// program order.
// CHECK-LABEL: func.func @tma_loop(
// CHECK-SAME:      %[[BASE:[^:]+]]: index, %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index, %[[SK:[^:]+]]: index, %[[KMAP:[^:]+]]: !llvm.ptr, %[[VMAP:[^:]+]]: !llvm.ptr)
// CHECK-SAME:      arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk", "k_map", "v_map"], tensor_maps = [#sattn.tensor_map<arg = 8, tensor = "k", box_cols = 64, box_rows = 16>, #sattn.tensor_map<arg = 9, tensor = "v", box_cols = 64, box_rows = 16>]
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<3 x 16x64xbf16, wgmma_128b, tma>
// CHECK:         %[[HS:.*]] = arith.muli %[[SK]], %c64
// CHECK-NEXT:    %[[KHEAD:.*]] = arith.divsi %[[BASE]], %[[HS]]
// CHECK:         %[[LANE:.*]] = sattn.lane_id
// CHECK-NEXT:    %[[ZERO:.*]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK-NEXT:    %[[FIRSTFILL:.*]] = arith.andi %[[ZERO]], %{{.*}}
// CHECK-NEXT:    scf.if %[[FIRSTFILL]] {
// CHECK:           sattn.ring.load %[[RING]][%c0{{.*}}], %[[KMAP]][%[[KHEAD]], %{{.*}}]
// CHECK:         scf.for
// CHECK:           %[[ITER32:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:      %c2_i32 = arith.constant 2 : i32
// CHECK-NEXT:      %[[KSLOT32:.*]] = arith.remui %[[ITER32]], %c2_i32
// CHECK-NEXT:      %[[KSLOT:.*]] = arith.index_castui %[[KSLOT32]] : i32 to index
// CHECK:           %[[VSLOT:.*]] = arith.addi %c2{{.*}}, %{{.*}}
// CHECK:           scf.if
// CHECK-NEXT:        sattn.ring.load %[[RING]][%[[VSLOT]]], %[[VMAP]]
// CHECK-NEXT:        scf.if
// CHECK:               sattn.ring.load %[[RING]][%{{.*}}], %[[KMAP]]
// CHECK:           sattn.ring.wait %[[RING]][%[[KSLOT]]]
// CHECK-NEXT:      sattn.tile.mma_qk %[[RING]][%[[KSLOT]]] q(
// CHECK-NEXT:      sattn.ring.wait %[[RING]][%[[VSLOT]]]
// CHECK-NEXT:      sattn.tile.mma_pv %{{.*}}, %[[RING]][%[[VSLOT]]]
// CHECK-NOT:     sattn.ring.release
// CHECK-NOT:     sattn.ring.acquire
func.func @tma_loop(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>} {
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

// Two consumer warpgroups (rings of three K and three V slots): the slots
// are released (two arrivals each), every fill first acquires its slot, V
// of the first tile goes with K before the loop and V[i+1] with K[i+1];
// each product's slot is released right after it.
// CHECK-LABEL: func.func @tma_released(
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<6 x 16x64xbf16, wgmma_128b, tma, releases = 2>
// CHECK:         scf.if
// CHECK-NEXT:      arith.muli
// CHECK:           sattn.ring.acquire %[[RING]][%c0{{.*}}]
// CHECK-NEXT:      sattn.ring.load %[[RING]][%c0{{.*}}]
// CHECK:           sattn.ring.acquire %[[RING]][%c3{{.*}}]
// CHECK-NEXT:      sattn.ring.load %[[RING]][%c3{{.*}}]
// CHECK:         scf.for
// CHECK:           scf.if
// CHECK-NEXT:        scf.if
// CHECK:               sattn.ring.acquire
// CHECK-NEXT:          sattn.ring.load
// CHECK:               sattn.ring.acquire
// CHECK-NEXT:          sattn.ring.load
// CHECK:           sattn.ring.wait %[[RING]][%[[KS:.*]]]
// CHECK-NEXT:      sattn.tile.mma_qk %[[RING]][%[[KS]]] q(
// CHECK-NEXT:      sattn.ring.release %[[RING]][%[[KS]]]
// CHECK-NEXT:      sattn.ring.wait %[[RING]][%[[VS:.*]]]
// CHECK-NEXT:      sattn.tile.mma_pv %{{.*}}, %[[RING]][%[[VS]]]
// CHECK-NEXT:      sattn.ring.release %[[RING]][%[[VS]]]
func.func @tma_released(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true>} {
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

// -----

// stage_query: the ring also holds the 128-row Q tile; it is copied in
// where it was loaded (sattn.ring.stage_q, same rows), the register tile
// is gone, and the products read Q from the ring (no q operand).
// CHECK-LABEL: func.func @staged_query(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xbf16>
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<6 x 16x64xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>
// CHECK-NOT:     sattn.tile.load
// CHECK:         sattn.ring.stage_q %[[RING]], %[[Q]][%{{.*}}] rows(%{{.*}}, %c1, %c128)
// CHECK:         scf.for
// CHECK:           sattn.ring.wait %[[RING]][%[[KS:.*]]]
// CHECK-NEXT:      sattn.tile.mma_qk %[[RING]][%[[KS]]] :
func.func @staged_query(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true, stage_query = true>} {
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

// -----

// stage_query needs the one Q tile to come from a load of whole rows: a
// gathered load (row_div > 1) cannot be staged.
func.func @staged_query_gathered(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true, stage_query = true>} {
  // expected-error @below {{cannot stage Q (#sattn.kernel_config stage_query)}}
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c128 = arith.constant 128 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c128) {row_div = 2} : memref<?xbf16> -> <128x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <128x64xf32>
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <128x64xbf16>, memref<?xbf16> -> <128x16xf32>
    %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <128x16xf32>, memref<?xbf16>, <128x64xf32>
  }
  return
}

// -----

// TMA needs every buffer to be a kernel parameter (a tensor map describes
// it).
func.func @tma_not_a_parameter(%q: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>} {
  %kv = memref.alloc(%n) : memref<?xbf16>
  // expected-error @below {{cannot be staged with TMA: a key or value buffer that is not a kernel parameter}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %kv[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %kv[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// A qk whose pv reads another key tile cannot be staged.
func.func @unpaired(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %other: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "other", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  // expected-error @below {{cannot be staged: a qk without the pv of the same key tile}}
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

// A key loop rotated by sattn-pipeline-key-loops (two key and two value
// slots, released): tile t reads key slot t mod 2 and value slot 2 + t mod
// 2. The prologue fills K[0], K[1] (if any) and V[0], then runs Q.K[0]^T;
// iteration t fills K[t+1] and V[t], issues Q.K[t]^T and P[t-1].V[t-1]
// without waiting, waits for Q.K^T (one product, the P.V, still in flight)
// and releases its slot before the softmax, and waits for P.V where O is
// rescaled; the epilogue's P.V reads the last tile's value slot.
// CHECK-LABEL: func.func @pipelined(
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<4 x 16x64xbf16, wgmma_128b, tma, releases = 1>
// CHECK:         scf.if
// CHECK:           scf.if
// CHECK:             sattn.ring.acquire %[[RING]][%c0{{.*}}]
// CHECK-NEXT:        sattn.ring.load %[[RING]][%c0{{.*}}], %[[KMAP:[a-z0-9_]+]]
// CHECK:             scf.if
// CHECK:               sattn.ring.load %[[RING]][%c1{{.*}}], %[[KMAP]]
// CHECK:             sattn.ring.load %[[RING]][%c2{{.*}}], %[[VMAP:[a-z0-9_]+]]
// CHECK:           sattn.ring.wait %[[RING]][%c0{{.*}}]
// CHECK-NEXT:      sattn.tile.mma_qk %[[RING]][%c0{{.*}}] q(
// CHECK-NEXT:      sattn.ring.release %[[RING]][%c0{{.*}}]
// CHECK:           scf.for
// CHECK:             scf.if
// CHECK:               sattn.ring.load %[[RING]][%{{.*}}], %[[KMAP]]
// CHECK:               sattn.ring.load %[[RING]][%{{.*}}], %[[VMAP]]
// CHECK:             sattn.ring.wait %[[RING]][%[[KS:[a-z0-9_]+]]]
// CHECK-NEXT:        %[[S:.*]] = sattn.tile.mma_qk %[[RING]][%[[KS]]] q({{.*}}) {async}
// CHECK:             sattn.ring.wait %[[RING]][%[[VS:[a-z0-9_]+]]]
// CHECK-NEXT:        %[[O:.*]] = sattn.tile.mma_pv %{{.*}}, %[[RING]][%[[VS]]], %{{.*}} {async}
// CHECK-NEXT:        %[[SW:.*]] = sattn.tile.mma_wait %[[S]] pending = 1
// CHECK-NEXT:        sattn.ring.release %[[RING]][%[[KS]]]
// CHECK-NEXT:        sattn.tile.softmax_step %[[SW]]
// CHECK-NEXT:        %[[OW:.*]] = sattn.tile.mma_wait %[[O]] pending = 0
// CHECK-NEXT:        sattn.ring.release %[[RING]][%[[VS]]]
// CHECK-NEXT:        sattn.tile.scale_rows %[[OW]]
// CHECK:           } {sattn.pipelined_loop}
// CHECK:           sattn.ring.wait %[[RING]][%[[LAST:[a-z0-9_]+]]]
// CHECK-NEXT:      sattn.tile.mma_pv %{{.*}}, %[[RING]][%[[LAST]]]
// CHECK-NEXT:      sattn.ring.release %[[RING]][%[[LAST]]]
func.func @pipelined(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 2, pipeline = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <64x1xf32>
    %l0 = sattn.tile.fill 0.0 : <64x1xf32>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %r:3 = scf.for %i = %lb to %ub step %c1 iter_args(%m = %m0, %l = %l0, %acc = %a0) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
      %nm, %ns, %p, %al = sattn.tile.softmax_step %s, %m, %l : <64x16xf32>, <64x1xf32>
      %sc = sattn.tile.scale_rows %acc, %al : <64x64xf32>, <64x1xf32>
      %o = sattn.tile.pv %p, %v[%base] keys(%first, %count), %sc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %nm, %ns, %o : !sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>
    }
    %out = sattn.tile.normalize %r#2, %r#1 : <64x64xf32>, <64x1xf32>
    sattn.tile.store %out, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
  }
  return
}

// -----

// A pipelined loop needs TMA staging.
func.func @pipelined_cp_async(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c16) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    // expected-error @below {{is pipelined, which needs TMA staging}}
    %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %a0) -> (!sattn.tile<16x32xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
      %acc2 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <16x16xf32>, memref<?xbf16>, <16x32xf32>
      scf.yield %acc2 : !sattn.tile<16x32xf32>
    } {sattn.pipelined_loop}
  }
  return
}
