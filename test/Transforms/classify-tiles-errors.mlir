// Errors of sattn-classify-tiles.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles -verify-diagnostics

// The 16-region limit: (6 regions) & (5 regions) gives 17 pairwise
// incomparable regions (classify-tiles.mlir has the 12-region variant that
// passes). Each region is window & sink.
func.func @seventeen_regions(%q: memref<?x?x?x64xf16>) {
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
  %bw4 = sattn.mask.window left = 12, right = 4
  %bs4 = sattn.mask.sink tokens = 3
  %b4 = sattn.mask.intersect %bw4, %bs4
  %b = sattn.mask.union %b0, %b1, %b2, %b3, %b4
  // expected-error @+1 {{'sattn.mask.intersect' op mask normalises to 17 regions, more than the supported 16}}
  %m = sattn.mask.intersect %a, %b
  sattn.attention %q, %q, %q, %q mask(%m) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A union of 17 bands none of which contains another.
func.func @union_of_seventeen(%q: memref<?x?x?x64xf16>) {
  %w0 = sattn.mask.window left = 0, right = 16
  %w1 = sattn.mask.window left = 1, right = 15
  %w2 = sattn.mask.window left = 2, right = 14
  %w3 = sattn.mask.window left = 3, right = 13
  %w4 = sattn.mask.window left = 4, right = 12
  %w5 = sattn.mask.window left = 5, right = 11
  %w6 = sattn.mask.window left = 6, right = 10
  %w7 = sattn.mask.window left = 7, right = 9
  %w8 = sattn.mask.window left = 8, right = 8
  %w9 = sattn.mask.window left = 9, right = 7
  %w10 = sattn.mask.window left = 10, right = 6
  %w11 = sattn.mask.window left = 11, right = 5
  %w12 = sattn.mask.window left = 12, right = 4
  %w13 = sattn.mask.window left = 13, right = 3
  %w14 = sattn.mask.window left = 14, right = 2
  %w15 = sattn.mask.window left = 15, right = 1
  %w16 = sattn.mask.window left = 16, right = 0
  // expected-error @+1 {{'sattn.mask.union' op mask normalises to 17 regions, more than the supported 16}}
  %u = sattn.mask.union %w0, %w1, %w2, %w3, %w4, %w5, %w6, %w7, %w8, %w9, %w10, %w11, %w12, %w13, %w14, %w15, %w16
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The attention verifier only looks at the mask's defining op; a mask op
// fed by a block argument is caught by the normaliser.
func.func @union_of_block_argument(%q: memref<?x?x?x64xf16>, %m: !sattn.mask) {
  %c = sattn.mask.causal
  %u = sattn.mask.union %c, %m
  // expected-error @+1 {{'sattn.attention' op mask must be produced by a sattn.mask op, got a block argument}}
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @intersect_of_foreign_op(%q: memref<?x?x?x64xf16>, %x: index) {
  %m = builtin.unrealized_conversion_cast %x : index to !sattn.mask
  %c = sattn.mask.causal
  %i = sattn.mask.intersect %c, %m
  // expected-error @+1 {{'sattn.attention' op mask must be produced by a sattn.mask op, got 'builtin.unrealized_conversion_cast'}}
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Chunks of 300 and 500 positions meet in pieces of 200 and 100: not one
// chunk size.
func.func @chunks_not_nested(%q: memref<?x?x?x64xf16>) {
  %a = sattn.mask.chunk size = 300
  %b = sattn.mask.chunk size = 500
  // expected-error @+1 {{'sattn.mask.intersect' op intersects chunks of 300 and 500 positions; supported only when one size divides the other}}
  %i = sattn.mask.intersect %a, %b
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
