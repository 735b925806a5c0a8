// sattn-pipeline-key-loops: Q.K^T of tile i beside P.V of tile i-1.
// RUN: sparse-opt %s -split-input-file --sattn-pipeline-key-loops | FileCheck %s

// The loop becomes, under lb < ub: tile lb up to its probabilities (P
// rounded to the values' type), a loop from lb + 1 whose body runs Q.K^T of
// tile i and then P.V of tile i - 1 (its first key (i - 1) * 16) on the
// carried accumulator, the softmax of tile i and the scaling of O, and after
// it P.V of the last tile, lb + (ub - lb - 1) floordiv 1.
// CHECK-LABEL: func.func @rotate(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xbf16>, %[[K:[^:]+]]: memref<?xbf16>, %[[V:[^:]+]]: memref<?xbf16>, %{{[^:]+}}: index, %[[BASE:[^:]+]]: index, %[[LB:[^:]+]]: index, %[[UB:[^:]+]]: index, %[[SK:[^:]+]]: index)
// CHECK:         %[[M0:.*]] = sattn.tile.fill 0xFF800000 : <64x1xf32>
// CHECK:         %[[L0:.*]] = sattn.tile.fill 0.000000e+00 : <64x1xf32>
// CHECK:         %[[A0:.*]] = sattn.tile.fill 0.000000e+00 : <64x64xf32>
// CHECK:         %[[GUARD:.*]] = arith.cmpi slt, %[[LB]], %[[UB]] : index
// CHECK:         %[[R:.*]]:3 = scf.if %[[GUARD]] -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>) {
// The second tile's induction value comes first (the staging prefetches
// its keys during the prologue).
// CHECK-NEXT:      %[[LB1:.*]] = arith.addi %[[LB]], %c1
// CHECK:           %[[F0:.*]] = arith.muli %[[LB]], %c16
// CHECK:           %[[S0:.*]] = sattn.tile.qk %{{.*}}, %[[K]][%[[BASE]]] keys(%[[F0]], %{{.*}})
// CHECK:           %[[NM0:.*]], %[[NS0:.*]], %[[P0:.*]], %[[AL0:.*]] = sattn.tile.softmax_step %[[S0]], %[[M0]], %[[L0]]
// CHECK:           %[[SC0:.*]] = sattn.tile.scale_rows %[[A0]], %[[AL0]]
// CHECK-NOT:       sattn.tile.pv
// CHECK:           %[[PB0:.*]] = sattn.tile.truncf %[[P0]] : <64x16xf32> to <64x16xbf16>
// CHECK:           %[[LOOP:.*]]:4 = scf.for %[[IV:.*]] = %[[LB1]] to %[[UB]] step %c1 iter_args(%[[M:.*]] = %[[NM0]], %[[L:.*]] = %[[NS0]], %[[ACC:.*]] = %[[SC0]], %[[PP:.*]] = %[[PB0]]) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>, !sattn.tile<64x16xbf16>) {
// CHECK:             %[[F:.*]] = arith.muli %[[IV]], %c16
// CHECK:             %[[S:.*]] = sattn.tile.qk %{{.*}}, %[[K]][%[[BASE]]] keys(%[[F]], %{{.*}})
// CHECK-NEXT:        %[[PREV:.*]] = arith.subi %[[IV]], %c1
// CHECK-NEXT:        %[[FP:.*]] = arith.muli %[[PREV]], %c16
// CHECK:             %[[OPV:.*]] = sattn.tile.pv %[[PP]], %[[V]][%[[BASE]]] keys(%[[FP]], %{{.*}}), %[[ACC]] : <64x16xbf16>, memref<?xbf16>, <64x64xf32>
// CHECK:             %[[NM:.*]], %[[NS:.*]], %[[P:.*]], %[[AL:.*]] = sattn.tile.softmax_step %[[S]], %[[M]], %[[L]]
// CHECK:             %[[SC:.*]] = sattn.tile.scale_rows %[[OPV]], %[[AL]]
// CHECK:             %[[PB:.*]] = sattn.tile.truncf %[[P]]
// CHECK:             scf.yield %[[NM]], %[[NS]], %[[SC]], %[[PB]]
// The rotated loop is marked for sattn-stage-kv.
// CHECK:           } {sattn.pipelined_loop}
// CHECK:           %[[N:.*]] = arith.subi %[[UB]], %[[LB]]
// CHECK:           %[[N1:.*]] = arith.subi %[[N]], %c1
// CHECK:           %[[D:.*]] = arith.divsi %[[N1]], %c1
// CHECK:           %[[T:.*]] = arith.muli %[[D]], %c1
// CHECK:           %[[LAST:.*]] = arith.addi %[[LB]], %[[T]]
// CHECK:           %[[FL:.*]] = arith.muli %[[LAST]], %c16
// CHECK:           %[[OUT:.*]] = sattn.tile.pv %[[LOOP]]#3, %[[V]][%[[BASE]]] keys(%[[FL]], %{{.*}}), %[[LOOP]]#2
// CHECK:           scf.yield %[[LOOP]]#0, %[[LOOP]]#1, %[[OUT]]
// CHECK:         } else {
// CHECK:           scf.yield %[[M0]], %[[L0]], %[[A0]]
// CHECK:         }
// CHECK:         sattn.tile.normalize %[[R]]#2, %[[R]]#1
func.func @rotate(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) {
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

// A body that writes memory is left alone (the prologue would run its
// writes once more).
// CHECK-LABEL: func.func @writes(
// CHECK:         scf.for
// CHECK:           sattn.tile.qk
// CHECK:           sattn.tile.store
// CHECK:           sattn.tile.pv
// CHECK-NOT:     sattn.tile.truncf
func.func @writes(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) {
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
      sattn.tile.store %acc, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
      %o = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %o : !sattn.tile<64x64xf32>
    }
  }
  return
}

// -----

// The accumulator's pv result used by something other than the yield:
// left alone.
// CHECK-LABEL: func.func @acc_used_in_body(
// CHECK:         scf.for
// CHECK:           sattn.tile.pv
// CHECK:           sattn.tile.add
// CHECK-NOT:     sattn.tile.truncf
func.func @acc_used_in_body(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) {
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
      %o = sattn.tile.pv %s, %v[%base] keys(%first, %count), %acc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      %o2 = sattn.tile.add %o, %o : <64x64xf32>
      scf.yield %o2 : !sattn.tile<64x64xf32>
    }
  }
  return
}
