// sattn-warp-specialize: kernels whose config asks for a producer get a
// sattn.warp_specialize after the ring's allocation: the consumers keep
// the program without its fills, the producer only the fills and what they
// need. (Inputs in the tiled form; sattn-stage-kv stages them first.)
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --sattn-stage-kv --sattn-warp-specialize | FileCheck %s

// A masked key loop with one consumer warpgroup: registers from the
// config. The consumers wait for, read and release each slot; the
// producer's copy is the key loop's control flow (trip count, tile bounds)
// with acquire + load for each fill, its lane id 0 (so the one-thread
// guards fold), and none of the accumulators, softmax, products, waits,
// releases or stores.
// CHECK-LABEL: func.func @causal(
// CHECK:         %[[RING:.*]] = sattn.ring.alloc : !sattn.ring<3 x 16x64xbf16, wgmma_128b, tma, releases = 1>
// CHECK-NEXT:    sattn.warp_specialize consumers(1, registers = 232) producer(registers = 24) {
// CHECK-NOT:       sattn.ring.load
// CHECK-NOT:       sattn.ring.acquire
// CHECK:           scf.for
// CHECK:             sattn.ring.wait %[[RING]]
// CHECK:             sattn.tile.mma_qk
// CHECK:             sattn.ring.release %[[RING]]
// CHECK:             sattn.tile.mask
// CHECK:             sattn.tile.mma_pv
// CHECK:             sattn.ring.release %[[RING]]
// CHECK:           sattn.tile.store
// CHECK:         } producer {
// CHECK-NOT:       sattn.lane_id
// CHECK-NOT:       sattn.tile
// CHECK:           sattn.ring.acquire %[[RING]][%c0{{.*}}]
// CHECK-NEXT:      sattn.ring.load %[[RING]][%c0{{.*}}]
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{[^ ]+}} {
// CHECK-NOT:         sattn.tile
// CHECK-NOT:         sattn.ring.wait
// CHECK-NOT:         sattn.ring.release
// CHECK:             sattn.ring.acquire
// CHECK-NEXT:        sattn.ring.load
// CHECK:             sattn.ring.acquire
// CHECK-NEXT:        sattn.ring.load
// CHECK:           }
// CHECK-NEXT:    }
// CHECK-NEXT:  }
func.func @causal(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 24, consumer_registers = 232, min_ctas_per_sm = 2>} {
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
      %sm = sattn.tile.mask %s rows(%x, %c1) keys(%first) seq(%sk, %sk) {regions = [#sattn.region<diag_hi = 0>]} : <64x16xf32>
      %nm, %ns, %p, %al = sattn.tile.softmax_step %sm, %m, %l : <64x16xf32>, <64x1xf32>
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

// Kernels without a producer in their config are left alone.
// CHECK-LABEL: func.func @no_producer(
// CHECK-NOT:     sattn.warp_specialize
// CHECK:         return
func.func @no_producer(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// A key tile whose position comes from work only the consumers do (here an
// atomic counter): the producer cannot fill it without waiting for them.
func.func @fill_needs_consumer_work(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %counter: memref<i32>, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "counter", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 24, consumer_registers = 232, min_ctas_per_sm = 2>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c1_i32 = arith.constant 1 : i32
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    // expected-error @below {{is needed by the producer's fills but is the consumers' work}}
    %tile = memref.atomic_rmw addi %c1_i32, %counter[] : (i32, memref<i32>) -> i32
    %t = arith.index_cast %tile : i32 to index
    %first = arith.muli %t, %c16 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}
