// sattn-classify-tiles: masks normalised to a union of regions, block sizes.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles | FileCheck %s
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="block-m=32 block-n=16" | FileCheck %s --check-prefix=OPT
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="block-n=128" | FileCheck %s --check-prefix=BN
// The policy's sizes for the GPU chips: 64 keys for mma.sync (sm_80 ..
// sm_90), 128 for wgmma (sm_90a, head_dim <= 128).
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_80" | FileCheck %s --check-prefix=MMA
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a" | FileCheck %s --check-prefix=WGMMA
// MMA-LABEL:   func.func @causal_d128(
// MMA:           tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64,
// WGMMA-LABEL: func.func @causal_d128(
// WGMMA:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 128,
// f32 keeps the SIMT sizes (no tensor-core path for it).
// WGMMA-LABEL: func.func @dense_f32(
// WGMMA:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32,
// Idempotent: a second run recomputes the same plan.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-classify-tiles | FileCheck %s

// Default tile shape: 64 query rows; 32 keys at head_dim 128, 64 at 64.
// The mask ops are left in place.
// CHECK-LABEL: func.func @causal_d128(
// CHECK:         %[[C:.*]] = sattn.mask.causal
// CHECK:         sattn.attention {{.*}} mask(%[[C]]) {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<diag_hi = 0>]>} : memref<?x?x?x128xbf16>
// OPT-LABEL:   func.func @causal_d128(
// OPT:           tile_plan = #sattn.tile_plan<block_m = 32, block_n = 16, regions = [#sattn.region<diag_hi = 0>]>
// BN-LABEL:    func.func @causal_d128(
// BN:            tile_plan = #sattn.tile_plan<block_m = 64, block_n = 128, regions = [#sattn.region<diag_hi = 0>]>
func.func @causal_d128(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// CHECK-LABEL: func.func @causal_d64(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_hi = 0>]>
// OPT-LABEL:   func.func @causal_d64(
// OPT:           tile_plan = #sattn.tile_plan<block_m = 32, block_n = 16, regions = [#sattn.region<diag_hi = 0>]>
// BN-LABEL:    func.func @causal_d64(
// BN:            tile_plan = #sattn.tile_plan<block_m = 64, block_n = 128, regions = [#sattn.region<diag_hi = 0>]>
func.func @causal_d64(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %q, %q, %q mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// No mask: one unbounded region (dense).
// CHECK-LABEL: func.func @dense_f32(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<>]>
func.func @dense_f32(%q: memref<?x?x?x128xf32>) {
  sattn.attention %q, %q, %q, %q : memref<?x?x?x128xf32>, memref<?x?x?x128xf32>
  return
}

// -----

// A window is a diagonal band [-left, right].
// CHECK-LABEL: func.func @windows(
// CHECK:         regions = [#sattn.region<diag_lo = -2047, diag_hi = 0>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -3, diag_hi = 5>]>}
// CHECK:         regions = [#sattn.region<diag_lo = 0, diag_hi = 0>]>}
func.func @windows(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 2047, right = 0
  sattn.attention %q, %q, %q, %q mask(%w) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %w2 = sattn.mask.window left = 3, right = 5
  sattn.attention %q, %q, %q, %q mask(%w2) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %d = sattn.mask.window left = 0, right = 0
  sattn.attention %q, %q, %q, %q mask(%d) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A sink is a column range [0, tokens).
// CHECK-LABEL: func.func @sink(
// CHECK:         regions = [#sattn.region<col_hi = 128>]>}
func.func @sink(%q: memref<?x?x?x64xf16>) {
  %s = sattn.mask.sink tokens = 128
  sattn.attention %q, %q, %q, %q mask(%s) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// CHECK-LABEL: func.func @union_window_sink(
// CHECK:         regions = [#sattn.region<diag_lo = -2047, diag_hi = 0>, #sattn.region<col_hi = 128>]>}
func.func @union_window_sink(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The sliding window + sink pattern: intersect distributes over the union.
// CHECK-LABEL: func.func @swa_sink(
// CHECK:         {delta = #sattn.delta<gamma = 64, tail_min = 128>, tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<diag_lo = -2047, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 128>]>}
func.func @swa_sink(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Redundant regions are dropped, whichever operand comes first: causal
// contains window{3, 0}; of two equal regions one is kept.
// CHECK-LABEL: func.func @redundant(
// CHECK:         regions = [#sattn.region<diag_hi = 0>]>}
// CHECK:         regions = [#sattn.region<diag_hi = 0>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -3, diag_hi = 0>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -5, diag_hi = 0>]>}
// CHECK:         regions = [#sattn.region<col_hi = 4>]>}
// CHECK:         regions = [#sattn.region<diag_hi = 0>]>}
func.func @redundant(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 3, right = 0
  %w2 = sattn.mask.window left = 3, right = 0
  %w5 = sattn.mask.window left = 5, right = 0
  %s4 = sattn.mask.sink tokens = 4
  %s8 = sattn.mask.sink tokens = 8
  %u1 = sattn.mask.union %c, %w
  sattn.attention %q, %q, %q, %q mask(%u1) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %u2 = sattn.mask.union %w, %c
  sattn.attention %q, %q, %q, %q mask(%u2) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %u3 = sattn.mask.union %w, %w2, %w
  sattn.attention %q, %q, %q, %q mask(%u3) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  // intersect(causal, union(window 3, window 5)) = window 5 = [-5, 0].
  %u4 = sattn.mask.union %w, %w5
  %i4 = sattn.mask.intersect %c, %u4
  sattn.attention %q, %q, %q, %q mask(%i4) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %i5 = sattn.mask.intersect %s8, %s4
  sattn.attention %q, %q, %q, %q mask(%i5) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %i6 = sattn.mask.intersect %c, %c
  sattn.attention %q, %q, %q, %q mask(%i6) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Regions that contain neither one another are all kept.
// CHECK-LABEL: func.func @kept(
// CHECK:         regions = [#sattn.region<diag_hi = 0>, #sattn.region<col_hi = 4>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -3, diag_hi = 0>, #sattn.region<diag_lo = 0, diag_hi = 3>]>}
func.func @kept(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %s = sattn.mask.sink tokens = 4
  %u = sattn.mask.union %c, %s
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %l = sattn.mask.window left = 3, right = 0
  %r = sattn.mask.window left = 0, right = 3
  %u2 = sattn.mask.union %l, %r
  sattn.attention %q, %q, %q, %q mask(%u2) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Intersections take the tightest bound on every side.
// CHECK-LABEL: func.func @intersections(
// CHECK:         regions = [#sattn.region<diag_lo = -3, diag_hi = 10>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -2, diag_hi = 0, col_hi = 4>]>}
// CHECK:         regions = [#sattn.region<diag_lo = -2, diag_hi = 0>, #sattn.region<diag_lo = -2, diag_hi = 2, col_hi = 4>]>}
func.func @intersections(%q: memref<?x?x?x64xf16>) {
  %wa = sattn.mask.window left = 10, right = 10
  %wb = sattn.mask.window left = 3, right = 20
  %i1 = sattn.mask.intersect %wa, %wb
  sattn.attention %q, %q, %q, %q mask(%i1) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  %c = sattn.mask.causal
  %s = sattn.mask.sink tokens = 4
  %w = sattn.mask.window left = 2, right = 2
  %i2 = sattn.mask.intersect %c, %s, %w
  sattn.attention %q, %q, %q, %q mask(%i2) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  // (causal | sink 4) & window{2, 2}
  %u = sattn.mask.union %c, %s
  %i3 = sattn.mask.intersect %u, %w
  sattn.attention %q, %q, %q, %q mask(%i3) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Nested combinations: ((causal & window 7) | sink 16) & (window{100, 0} |
// sink 2) and a union of intersections of unions. Products that another
// product contains are dropped.
// CHECK-LABEL: func.func @nested(
// CHECK:         regions = [#sattn.region<diag_lo = -7, diag_hi = 0>, #sattn.region<diag_lo = -100, diag_hi = 0, col_hi = 16>, #sattn.region<col_hi = 2>]>}
// CHECK:         regions = [#sattn.region<diag_hi = 0>, #sattn.region<diag_lo = -1, diag_hi = 1, col_hi = 8>]>}
func.func @nested(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %w7 = sattn.mask.window left = 7, right = 0
  %i = sattn.mask.intersect %c, %w7
  %s16 = sattn.mask.sink tokens = 16
  %u = sattn.mask.union %i, %s16
  %w100 = sattn.mask.window left = 100, right = 0
  %s2 = sattn.mask.sink tokens = 2
  %u2 = sattn.mask.union %w100, %s2
  %m = sattn.mask.intersect %u, %u2
  sattn.attention %q, %q, %q, %q mask(%m) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  // causal | ((window{1, 1} | causal) & sink 8): the causal part of the
  // second operand is inside the first.
  %w1 = sattn.mask.window left = 1, right = 1
  %s8 = sattn.mask.sink tokens = 8
  %u3 = sattn.mask.union %w1, %c
  %i3 = sattn.mask.intersect %u3, %s8
  %m2 = sattn.mask.union %c, %i3
  sattn.attention %q, %q, %q, %q mask(%m2) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Several attention ops in several functions each get their own plan, from
// their own mask (shared mask ops are fine).
// CHECK-LABEL: func.func @first(
// CHECK:         regions = [#sattn.region<col_hi = 1>]>} : memref<?x?x?x64xf16>
// CHECK:         regions = [#sattn.region<diag_hi = 0>]>} : memref<?x?x?x128xf16>
// CHECK-LABEL: func.func @second(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>
func.func @first(%a: memref<?x?x?x64xf16>, %b: memref<?x?x?x128xf16>) {
  %s = sattn.mask.sink tokens = 1
  %c = sattn.mask.causal
  sattn.attention %a, %a, %a, %a mask(%s) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  sattn.attention %b, %b, %b, %b mask(%c) : memref<?x?x?x128xf16>, memref<?x?x?x128xf16>
  return
}
func.func @second(%a: memref<?x?x?x64xbf16>) {
  sattn.attention %a, %a, %a, %a : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// A stale plan is replaced.
// CHECK-LABEL: func.func @replan(
// CHECK:         {scale = 2.500000e-01 : f64, tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_hi = 0>]>}
func.func @replan(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %q, %q, %q mask(%c) {scale = 0.25 : f64, tile_plan = #sattn.tile_plan<block_m = 8, block_n = 8, regions = []>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The 16-region limit: (6 regions) & (4 regions) gives 12 regions.
// CHECK-LABEL: func.func @twelve_regions(
// CHECK:         regions = [#sattn.region<diag_lo = 0, diag_hi = 9, col_hi = 12>, #sattn.region<diag_lo = 0, diag_hi = 10, col_hi = 5>, #sattn.region<diag_lo = 0, diag_hi = 11, col_hi = 2>, #sattn.region<diag_lo = -3, diag_hi = 6, col_hi = 6>, #sattn.region<diag_lo = -5, diag_hi = 6, col_hi = 5>, #sattn.region<diag_lo = -7, diag_hi = 6, col_hi = 2>, #sattn.region<diag_lo = -7, diag_hi = 1, col_hi = 6>, #sattn.region<diag_lo = -8, diag_hi = 1, col_hi = 5>, #sattn.region<diag_lo = -7, diag_hi = 8, col_hi = 1>, #sattn.region<diag_lo = -10, diag_hi = 1, col_hi = 4>, #sattn.region<diag_lo = -3, diag_hi = 0, col_hi = 8>, #sattn.region<diag_lo = -10, diag_hi = 0, col_hi = 7>]>}
func.func @twelve_regions(%q: memref<?x?x?x64xf16>) {
  %aw0 = sattn.mask.window left = 0, right = 12
  %as0 = sattn.mask.sink tokens = 12
  %a0 = sattn.mask.intersect %aw0, %as0
  %aw1 = sattn.mask.window left = 7, right = 6
  %as1 = sattn.mask.sink tokens = 6
  %a1 = sattn.mask.intersect %aw1, %as1
  %aw2 = sattn.mask.window left = 8, right = 3
  %as2 = sattn.mask.sink tokens = 5
  %a2 = sattn.mask.intersect %aw2, %as2
  %aw3 = sattn.mask.window left = 8, right = 8
  %as3 = sattn.mask.sink tokens = 1
  %a3 = sattn.mask.intersect %aw3, %as3
  %aw4 = sattn.mask.window left = 10, right = 2
  %as4 = sattn.mask.sink tokens = 4
  %a4 = sattn.mask.intersect %aw4, %as4
  %aw5 = sattn.mask.window left = 12, right = 0
  %as5 = sattn.mask.sink tokens = 8
  %a5 = sattn.mask.intersect %aw5, %as5
  %a = sattn.mask.union %a0, %a1, %a2, %a3, %a4, %a5
  %bw0 = sattn.mask.window left = 3, right = 9
  %bs0 = sattn.mask.sink tokens = 13
  %b0 = sattn.mask.intersect %bw0, %bs0
  %bw1 = sattn.mask.window left = 5, right = 10
  %bs1 = sattn.mask.sink tokens = 5
  %b1 = sattn.mask.intersect %bw1, %bs1
  %bw2 = sattn.mask.window left = 7, right = 11
  %bs2 = sattn.mask.sink tokens = 2
  %b2 = sattn.mask.intersect %bw2, %bs2
  %bw3 = sattn.mask.window left = 10, right = 1
  %bs3 = sattn.mask.sink tokens = 7
  %b3 = sattn.mask.intersect %bw3, %bs3
  %b = sattn.mask.union %b0, %b1, %b2, %b3
  %m = sattn.mask.intersect %a, %b
  sattn.attention %q, %q, %q, %q mask(%m) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// 16 bands and a redundant 17th (inside the first): exactly at the limit.
// CHECK-LABEL: func.func @union_of_sixteen(
// CHECK:         regions = [#sattn.region<diag_lo = 0, diag_hi = 15>, #sattn.region<diag_lo = -1, diag_hi = 14>, #sattn.region<diag_lo = -2, diag_hi = 13>, #sattn.region<diag_lo = -3, diag_hi = 12>, #sattn.region<diag_lo = -4, diag_hi = 11>, #sattn.region<diag_lo = -5, diag_hi = 10>, #sattn.region<diag_lo = -6, diag_hi = 9>, #sattn.region<diag_lo = -7, diag_hi = 8>, #sattn.region<diag_lo = -8, diag_hi = 7>, #sattn.region<diag_lo = -9, diag_hi = 6>, #sattn.region<diag_lo = -10, diag_hi = 5>, #sattn.region<diag_lo = -11, diag_hi = 4>, #sattn.region<diag_lo = -12, diag_hi = 3>, #sattn.region<diag_lo = -13, diag_hi = 2>, #sattn.region<diag_lo = -14, diag_hi = 1>, #sattn.region<diag_lo = -15, diag_hi = 0>]>}
func.func @union_of_sixteen(%q: memref<?x?x?x64xf16>) {
  %w0 = sattn.mask.window left = 0, right = 15
  %w1 = sattn.mask.window left = 1, right = 14
  %w2 = sattn.mask.window left = 2, right = 13
  %w3 = sattn.mask.window left = 3, right = 12
  %w4 = sattn.mask.window left = 4, right = 11
  %w5 = sattn.mask.window left = 5, right = 10
  %w6 = sattn.mask.window left = 6, right = 9
  %w7 = sattn.mask.window left = 7, right = 8
  %w8 = sattn.mask.window left = 8, right = 7
  %w9 = sattn.mask.window left = 9, right = 6
  %w10 = sattn.mask.window left = 10, right = 5
  %w11 = sattn.mask.window left = 11, right = 4
  %w12 = sattn.mask.window left = 12, right = 3
  %w13 = sattn.mask.window left = 13, right = 2
  %w14 = sattn.mask.window left = 14, right = 1
  %w15 = sattn.mask.window left = 15, right = 0
  %x = sattn.mask.window left = 0, right = 1
  %u = sattn.mask.union %w0, %w1, %w2, %w3, %w4, %w5, %w6, %w7, %w8, %w9, %w10, %w11, %w12, %w13, %w14, %w15, %x
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @dense_f32(%q: memref<?x?x?x128xf32>) {
  sattn.attention %q, %q, %q, %q : memref<?x?x?x128xf32>, memref<?x?x?x128xf32>
  return
}

// -----

// Chunks and dilations are region parameters: chunked local attention is
// one region; nested chunkings keep the finer (50 divides 150); two
// dilations intersect in their least common multiple.
// CHECK-LABEL: func.func @chunks_and_dilations(
// CHECK:         regions = [#sattn.region<diag_hi = 0, chunk = 50>, #sattn.region<diag_lo = -90, diag_hi = 0, dilation = 6>]>
func.func @chunks_and_dilations(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %ch150 = sattn.mask.chunk size = 150
  %ch50 = sattn.mask.chunk size = 50
  %local = sattn.mask.intersect %c, %ch150, %ch50
  %w2 = sattn.mask.window left = 90, right = 0 dilation = 2
  %w3 = sattn.mask.window left = 120, right = 10 dilation = 3
  %dil = sattn.mask.intersect %w2, %w3
  %u = sattn.mask.union %local, %dil
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A chunked region contains one with a finer chunk inside the same bounds;
// a dilated one contains a region whose dilation it divides.
// CHECK-LABEL: func.func @grid_containment(
// CHECK:         regions = [#sattn.region<diag_hi = 0, chunk = 200>, #sattn.region<diag_lo = -64, diag_hi = 0, dilation = 2>]>
func.func @grid_containment(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %ch200 = sattn.mask.chunk size = 200
  %ch100 = sattn.mask.chunk size = 100
  %coarse = sattn.mask.intersect %c, %ch200
  %fine = sattn.mask.intersect %c, %ch100
  %d2 = sattn.mask.window left = 64, right = 0 dilation = 2
  %d4 = sattn.mask.window left = 32, right = 0 dilation = 4
  %u = sattn.mask.union %coarse, %fine, %d2, %d4
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Documents: the regions are the rest of the mask, in each document's
// coordinates, and the plan says so; documents alone leave every pair of a
// document (one region without bounds).
// CHECK-LABEL: func.func @documents(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_lo = -99, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 4>], documents = true>
// CHECK-LABEL: func.func @documents_alone(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>], documents = true>
func.func @documents(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>, %ck: memref<?xi32>) {
  %d = sattn.mask.documents %cq, %ck : memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 99, right = 0
  %s = sattn.mask.sink tokens = 4
  %u = sattn.mask.union %w, %s
  %i = sattn.mask.intersect %c, %d, %u
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
func.func @documents_alone(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>) {
  %d = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  sattn.attention %q, %q, %q, %q mask(%d) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A block layout: the plan's regions are the rest of the mask (its full
// blocks'), the layout plan's those and the partial mask's together; the
// tile shrinks to divide the layout's blocks (64 x 64 to 64 x 32 here).
// CHECK-LABEL: func.func @block_layout(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<diag_lo = -99, diag_hi = 0>], layout = <block_m = 128, block_n = 32, partial = [#sattn.region<diag_lo = -99, diag_hi = 0, col_hi = 4>]>>
// CHECK-LABEL: func.func @block_layout_alone(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 16, block_n = 16, regions = [#sattn.region<>], layout = <block_m = 16, block_n = 16, partial = [#sattn.region<>]>>
func.func @block_layout(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  %s = sattn.mask.sink tokens = 4
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 128 x 32 partial(%s) : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 99, right = 0
  %i = sattn.mask.intersect %c, %l, %w
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
func.func @block_layout_alone(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 16 x 16 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  sattn.attention %q, %q, %q, %q mask(%l) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The delta correction's reference mask becomes the plan's `reference`
// regions (absent: causal); every key is one region without bounds.
// CHECK-LABEL: func.func @delta_reference(
// CHECK:         tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_lo = -8, diag_hi = 8>], reference = [#sattn.region<diag_hi = 0, chunk = 100>]>
// CHECK-LABEL: func.func @delta_dense_reference(
// CHECK:         reference = [#sattn.region<>]>
func.func @delta_reference(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 8, right = 8
  %c = sattn.mask.causal
  %ch = sattn.mask.chunk size = 100
  %r = sattn.mask.intersect %c, %ch
  sattn.attention %q, %q, %q, %q mask(%w) reference(%r) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
func.func @delta_dense_reference(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 8, right = 8
  %a = sattn.mask.all
  sattn.attention %q, %q, %q, %q mask(%w) reference(%a) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
