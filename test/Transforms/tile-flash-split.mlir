// sattn-tile-flash{split-full-tiles=1}: each key loop in three, the middle
// one over the tiles its region allows entirely, without the mask.
// RUN: sparse-opt %s --sattn-classify-tiles --sattn-tile-flash=split-full-tiles=1 --canonicalize --cse | FileCheck %s

// Causal (block_n 64): the full tiles are those whose last key is at most
// the first row's, kt < (first' + 1) floordiv 64; the loop over them has no
// branch and no mask; the tiles before and after keep the per-tile check.
// CHECK-LABEL: func.func @causal(
// CHECK:         %[[FULLHI:.*]] = arith.floordivsi %{{.*}}, %c64 : index
// CHECK:         scf.for
// CHECK:           scf.if
// CHECK:             sattn.tile.mask
// CHECK:         scf.for
// CHECK-NOT:       scf.if
// CHECK-NOT:       sattn.tile.mask
// CHECK:           sattn.tile.pv
// CHECK-NEXT:      scf.yield
// CHECK:         scf.for
// CHECK:           scf.if
// CHECK:             sattn.tile.mask
// CHECK:         sattn.tile.normalize
func.func @causal(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
