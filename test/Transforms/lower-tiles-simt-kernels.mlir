// sattn-lower-tiles-simt on whole generated kernels.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --canonicalize --cse --sattn-lower-tiles-simt --canonicalize --cse | FileCheck %s
// Without cleanup in between too (the pass must not depend on it).
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --sattn-lower-tiles-simt | FileCheck %s --check-prefix=RAW
// RAW-NOT: sattn.tile.
// RAW-NOT: !sattn.tile

// head_dim 128, bf16: scores vector<32xf32> (block_n 32), accumulator
// vector<128xf32>, row statistics f32 scalars, q rows vector<128xbf16>.
// CHECK-LABEL: func.func @swa_delta_anchor(
// CHECK-SAME:      memref<?xbf16>
// CHECK:         sattn.program grid(%{{.*}}, %{{.*}}) block_m = 64 {
// One query row set (anchor rows or tail rows) and one dense causal key
// loop for both kinds of program.
// CHECK:           %[[LANE:.*]] = sattn.lane_id
// CHECK:           %[[QROW:.*]] = scf.if %{{.*}} -> (vector<128xbf16>) {
// CHECK-NEXT:        vector.load %{{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK:           scf.for {{.*}} -> (f32, f32, vector<128xf32>) {
// CHECK:             scf.for {{.*}} -> (vector<32xf32>) {
// CHECK:               vector.load {{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK:             math.exp2 %{{.*}} : vector<32xf32>
// CHECK:             math.exp2 %{{.*}} : f32
// CHECK:             scf.for {{.*}} -> (vector<128xf32>) {
// CHECK:               vector.fma %{{.*}} : vector<128xf32>
// Anchor programs park the dense result (f32) in the delta workspace, then
// run the pattern's two loops (window, then the sinks it did not visit).
// CHECK:           scf.if
// CHECK-NOT:         arith.truncf
// CHECK:             vector.store %{{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<128xf32>
// CHECK:             scf.for {{.*}} -> (f32, f32, vector<128xf32>) {
// CHECK:             scf.for {{.*}} -> (f32, f32, vector<128xf32>) {
// The delta is stored as f32, without truncation.
// CHECK:             vector.load {{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<128xf32>
// CHECK:             arith.subf %{{.*}} : vector<128xf32>
// CHECK-NOT:         arith.truncf
// CHECK:             vector.store %{{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<128xf32>
// Tail programs store the dense result into o.
// CHECK:           } else {
// CHECK-NOT:         scf.for
// CHECK:             arith.truncf %{{.*}} : vector<128xf32> to vector<128xbf16>
// CHECK:             vector.store %{{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK-LABEL: func.func @swa_delta_main(
// CHECK:           scf.for {{.*}} -> (f32, f32, vector<128xf32>) {
// CHECK-NOT:       scf.for {{.*}} -> (f32, f32, vector<128xf32>) {
// The anchor's delta row: (start + lane) floordiv 64.
// CHECK:           arith.divsi %{{.*}}, %{{.*}} : index
// CHECK:           vector.load {{.*}} : memref<?xf32>, vector<128xf32>
// CHECK:           arith.addf %{{.*}} : vector<128xf32>
// CHECK:           arith.truncf %{{.*}} : vector<128xf32> to vector<128xbf16>
// CHECK-NOT:     sattn.tile
func.func @swa(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// head_dim 64, f32, softcap: scores and accumulator are vector<64xf32>; f32
// output needs no truncation; softcap and softmax both use exp2.
// CHECK-LABEL: func.func @softcap_f32(
// CHECK-SAME:      memref<?xf32>
// CHECK-DAG:     %[[CAP:.*]] = arith.constant 3.000000e+01 : f32
// CHECK-DAG:     %[[K2:.*]] = arith.constant 2.885390e+00 : f32
// CHECK:         sattn.program
// CHECK:           sattn.lane_id
// CHECK:           scf.for {{.*}} -> (f32, f32, vector<64xf32>) {
// CHECK:             scf.for {{.*}} -> (vector<64xf32>) {
// CHECK:             %[[X:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:        %[[U:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:        arith.cmpf olt, %[[U]], %{{.*}} : f32
// CHECK:             %[[S0:.*]] = arith.mulf %[[X]], %[[K2]] : f32
// CHECK-NEXT:        %[[E:.*]] = math.exp2 %[[S0]] : f32
// CHECK-NEXT:        %[[E1:.*]] = arith.addf %[[E]], %{{.*}} : f32
// CHECK-NEXT:        %[[FR:.*]] = arith.divf %{{.*}}, %[[E1]] fastmath<afn> : f32
// CHECK-NEXT:        arith.subf %{{.*}}, %[[FR]] : f32
// CHECK-NEXT:        %[[T:.*]] = arith.select %{{.*}} : f32
// CHECK-NEXT:        arith.mulf %[[T]], %[[CAP]] : f32
// CHECK:             vector.from_elements {{.*}} : vector<64xf32>
// CHECK:             math.exp2 %{{.*}} : vector<64xf32>
// CHECK:             math.exp2 %{{.*}} : f32
// CHECK:             scf.for {{.*}} -> (vector<64xf32>) {
// CHECK-NOT:       arith.truncf
// CHECK:           vector.store {{.*}} : memref<?xf32>, vector<64xf32>
func.func @softcap_f32(%q: memref<?x?x?x64xf32>) {
  %w = sattn.mask.window left = 127, right = 0
  sattn.attention %q, %q, %q, %q mask(%w) {softcap = 30.0 : f64} : memref<?x?x?x64xf32>, memref<?x?x?x64xf32>
  return
}
