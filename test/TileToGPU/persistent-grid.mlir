// sattn-persistent-grid: a kernel whose config asks for a persistent grid
// keeps its ring's setup once per block and runs each role's code in a
// sattn.work_loop over the instances the block takes. (Inputs in the tiled
// form, staged and warp-specialised first; ping-pong after, whose first
// and last turn then sit outside the loop.)
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --sattn-stage-kv --sattn-warp-specialize --sattn-persistent-grid --sattn-ping-pong | FileCheck %s

// Both roles loop over the same instances in the config's order; the
// program's (x, y) become each loop's. Warpgroup 1 hands over the first
// turn before the consumers' loop and warpgroup 0 takes the last one after
// it, so the turns alternate across instances.
// CHECK-LABEL: func.func @roles(
// CHECK:         sattn.program grid(%{{.*}}, %{{.*}}) block_m = 128 {
// CHECK-NEXT:    ^bb0(%{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT:      %[[RING:.*]] = sattn.ring.alloc
// CHECK-NEXT:      sattn.warp_specialize consumers(2
// CHECK:             sattn.named_barrier.arrive warp_scheduler[%c0{{.*}}] threads = 256
// CHECK:           sattn.work_loop order = head_fastest {
// CHECK-NEXT:      ^bb0(%[[X:.*]]: index, %[[Y:.*]]: index):
// CHECK:             arith.muli %[[Y]]
// CHECK:             sattn.tile.load %{{.*}}[%{{.*}}] rows(%[[X]],
// CHECK:             scf.for
// CHECK:               sattn.named_barrier.sync warp_scheduler
// CHECK:               sattn.tile.mma_qk %[[RING]]
// CHECK:           }
// CHECK:           %[[LANE:.*]] = sattn.lane_id
// CHECK:           scf.if
// CHECK-NEXT:        %{{.*}} = arith.constant 0
// CHECK-NEXT:        sattn.named_barrier.sync warp_scheduler[%{{.*}}] threads = 256
// CHECK:         } producer {
// CHECK-NEXT:      sattn.work_loop order = head_fastest {
// CHECK-NEXT:      ^bb0(%[[PX:.*]]: index, %[[PY:.*]]: index):
// CHECK-NOT:         sattn.named_barrier
// CHECK:             sattn.ring.load %[[RING]][%{{.*}}], %{{.*}}[%[[PY]], %{{.*}}]
func.func @roles(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 40, consumer_registers = 232, min_ctas_per_sm = 1, ping_pong = true, persistent = true, work_order = head_fastest>} {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %head = arith.muli %y, %sk : index
    %base = arith.muli %head, %c64 : index
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

// Without warp roles: everything after the ring's allocation is the loop,
// here in the hardware's order (the config's default).
// CHECK-LABEL: func.func @one_role(
// CHECK:         sattn.program
// CHECK-NEXT:    ^bb0(%{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT:      %[[RING:.*]] = sattn.ring.alloc
// CHECK-NEXT:      sattn.work_loop order = query_tile_fastest {
// CHECK-NEXT:      ^bb0(%[[X:.*]]: index, %{{.*}}: index):
// CHECK:             sattn.tile.load %{{.*}}[%{{.*}}] rows(%[[X]],
// CHECK:             sattn.ring.load %[[RING]]
// CHECK:             sattn.tile.mma_pv
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NOT:     sattn.work_loop
func.func @one_role(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, persistent = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %head = arith.muli %y, %sk : index
    %base = arith.muli %head, %c64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %left = arith.subi %sk, %c0 : index
    %count = arith.minsi %left, %c16 : index
    %s = sattn.tile.qk %qt, %k[%base] keys(%c0, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %acc = sattn.tile.pv %s, %v[%base] keys(%c0, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// A kernel that does not ask for it is left alone.
// CHECK-LABEL: func.func @per_instance(
// CHECK-NOT:     sattn.work_loop
// CHECK:         return
func.func @per_instance(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %head = arith.muli %y, %sk : index
    %base = arith.muli %head, %c64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %left = arith.subi %sk, %c0 : index
    %count = arith.minsi %left, %c16 : index
    %s = sattn.tile.qk %qt, %k[%base] keys(%c0, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %acc = sattn.tile.pv %s, %v[%base] keys(%c0, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}
