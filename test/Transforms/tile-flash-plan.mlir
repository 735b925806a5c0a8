// sattn-tile-flash reads the attached plan as it is (block sizes, regions);
// hand-written plans, no classification.
// RUN: sparse-opt %s -split-input-file --sattn-tile-flash --canonicalize --cse | FileCheck %s

// A plan with no region allows nothing: no key loop at all, the rows are
// normalised from the initial state (zeros) and stored.
// CHECK-LABEL: func.func @nothing_allowed(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xf16>, %{{[^:]+}}: memref<?xf16>, %{{[^:]+}}: memref<?xf16>, %[[O:[^:]+]]: memref<?xf16>,
// CHECK-SAME:      sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 8,
// CHECK:         sattn.program
// The query load is dead and canonicalisation removes it.
// CHECK-NOT:       sattn.tile.load
// CHECK:           %[[L0:.*]] = sattn.tile.fill 0.000000e+00 : <16x1xf32>
// CHECK-NEXT:      %[[A0:.*]] = sattn.tile.fill 0.000000e+00 : <16x64xf32>
// CHECK-NEXT:      %[[OUT:.*]] = sattn.tile.normalize %[[A0]], %[[L0]] : <16x64xf32>, <16x1xf32>
// CHECK-NEXT:      sattn.tile.store %[[OUT]], %[[O]]
// CHECK-NEXT:    }
// CHECK-NOT:     sattn.tile.qk
func.func @nothing_allowed(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  sattn.attention %q, %k, %v, %o {tile_plan = #sattn.tile_plan<block_m = 16, block_n = 8, regions = []>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The plan's block sizes and regions are used as given: 16-row programs,
// 8-key tiles, one band region [-1, 1] (no mask op in the function).
// CHECK-LABEL: func.func @band(
// CHECK-SAME:      block_m = 16, block_n = 8
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK:         %[[GX:.*]] = arith.ceildivsi %{{.*}}, %[[C16]] : index
// CHECK:         sattn.program grid(%[[GX]], %{{.*}}) block_m = 16 {
// CHECK:           sattn.tile.load {{.*}} -> <16x128xf32>
// CHECK:           scf.for
// CHECK:             %[[J0:.*]] = arith.muli %{{.*}}, %[[C8]] : index
// CHECK:             sattn.tile.qk {{.*}} -> <16x8xf32>
// CHECK:             arith.addi %[[J0]], %[[C7]] : index
// CHECK:             sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -1, diag_hi = 1>]} : <16x8xf32>
// CHECK:             sattn.tile.pv {{.*}} : <16x8xf32>, memref<?xf32>, <16x128xf32>
// CHECK-NOT:       scf.for
func.func @band(%q: memref<?x?x?x128xf32>) {
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 16, block_n = 8, regions = [#sattn.region<diag_lo = -1, diag_hi = 1>]>} : memref<?x?x?x128xf32>, memref<?x?x?x128xf32>
  return
}
