// sattn-ping-pong: two consumer warpgroups take turns at the tensor cores
// through named barriers warp_scheduler[0, 1]. (Inputs in the tiled form,
// staged and warp-specialised first.)
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --sattn-pipeline-key-loops --sattn-stage-kv --sattn-warp-specialize --sattn-ping-pong | FileCheck %s

// Each product is one turn: wait for it (bar.sync on the warpgroup's own
// barrier), issue, hand it to the other warpgroup, then wait for the
// product and release its slot. Warpgroup 1 hands warpgroup 0 the first
// turn; warpgroup 0 takes the last hand-over at the end. Only in the
// consumers' region.
// CHECK-LABEL: func.func @turns(
// CHECK:         sattn.warp_specialize consumers(2
// CHECK:           %[[LANE:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[WG:.*]] = arith.divsi %[[LANE]], %c128
// CHECK-NEXT:      %[[IS1:.*]] = arith.cmpi eq, %[[WG]], %c1
// CHECK-NEXT:      scf.if %[[IS1]] {
// CHECK:             sattn.named_barrier.arrive warp_scheduler[%c0{{.*}}] threads = 256
// CHECK:           scf.for
// CHECK:             sattn.ring.wait
// CHECK:             %[[W1:.*]] = arith.divsi %{{.*}}, %c128
// CHECK-NEXT:        sattn.named_barrier.sync warp_scheduler[%[[W1]]] threads = 256
// CHECK-NEXT:        %[[S:.*]] = sattn.tile.mma_qk {{.*}} {async}
// CHECK:             %[[OTHER:.*]] = arith.subi %c1{{.*}}, %{{.*}}
// CHECK-NEXT:        sattn.named_barrier.arrive warp_scheduler[%[[OTHER]]] threads = 256
// CHECK-NEXT:        sattn.tile.mma_wait %[[S]] pending = 0
// CHECK-NEXT:        sattn.ring.release
// CHECK:             sattn.named_barrier.sync warp_scheduler
// CHECK-NEXT:        %[[O:.*]] = sattn.tile.mma_pv {{.*}} {async}
// CHECK:             sattn.named_barrier.arrive warp_scheduler
// CHECK-NEXT:        sattn.tile.mma_wait %[[O]] pending = 0
// CHECK-NEXT:        sattn.ring.release
// CHECK:           %[[IS0:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK-NEXT:      scf.if %[[IS0]] {
// CHECK:             sattn.named_barrier.sync warp_scheduler[%c0{{.*}}] threads = 256
// CHECK:         } producer {
// CHECK-NOT:       sattn.named_barrier
// CHECK:         }
func.func @turns(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true>} {
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

// A pipelined key loop: the turn covers both products of the iteration
// (Q.K[i]^T and P[i-1].V[i-1], with the wait for V between them) and ends
// before the first wait, for Q.K^T (one product still in flight).
// CHECK-LABEL: func.func @pipelined_turns(
// CHECK:           scf.for
// CHECK:             sattn.named_barrier.sync warp_scheduler
// CHECK-NEXT:        %[[S:.*]] = sattn.tile.mma_qk {{.*}} {async}
// CHECK:             sattn.ring.wait
// CHECK-NEXT:        %[[O:.*]] = sattn.tile.mma_pv {{.*}} {async}
// CHECK:             sattn.named_barrier.arrive warp_scheduler
// CHECK-NEXT:        sattn.tile.mma_wait %[[S]] pending = 1
// CHECK-NOT:         sattn.named_barrier
// CHECK:             sattn.tile.mma_wait %[[O]] pending = 0
// CHECK:           } {sattn.pipelined_loop}
func.func @pipelined_turns(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 128, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, pipeline = true, ping_pong = true>} {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c128 = arith.constant 128 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c128) : memref<?xbf16> -> <128x64xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <128x1xf32>
    %l0 = sattn.tile.fill 0.0 : <128x1xf32>
    %a0 = sattn.tile.fill 0.0 : <128x64xf32>
    %r:3 = scf.for %i = %lb to %ub step %c1 iter_args(%m = %m0, %l = %l0, %acc = %a0) -> (!sattn.tile<128x1xf32>, !sattn.tile<128x1xf32>, !sattn.tile<128x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <128x64xbf16>, memref<?xbf16> -> <128x16xf32>
      %nm, %ns, %p, %al = sattn.tile.softmax_step %s, %m, %l : <128x16xf32>, <128x1xf32>
      %sc = sattn.tile.scale_rows %acc, %al : <128x64xf32>, <128x1xf32>
      %o = sattn.tile.pv %p, %v[%base] keys(%first, %count), %sc : <128x16xf32>, memref<?xbf16>, <128x64xf32>
      scf.yield %nm, %ns, %o : !sattn.tile<128x1xf32>, !sattn.tile<128x1xf32>, !sattn.tile<128x64xf32>
    }
    %out = sattn.tile.normalize %r#2, %r#1 : <128x64xf32>, <128x1xf32>
    sattn.tile.store %out, %q[%base] rows(%x, %c1, %c128) : <128x64xf32>, memref<?xbf16>
  }
  return
}

// -----

// Ping-pong needs two consumer warpgroups.
func.func @one_warpgroup(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, ping_pong = true>} {
  // expected-error @below {{ping-pong needs two consumer warpgroups (block_m 128)}}
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
