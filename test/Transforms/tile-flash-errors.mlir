// Errors of sattn-tile-flash.
// RUN: sparse-opt %s -split-input-file --sattn-tile-flash -verify-diagnostics -allow-unregistered-dialect

func.func @no_plan(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  // expected-error @+1 {{'sattn.attention' op has no tile_plan; run sattn-classify-tiles first}}
  sattn.attention %q, %q, %q, %q mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @q_not_an_argument(%k: memref<?x?x?x64xf16>) {
  %q = memref.alloc() : memref<1x1x16x64xf16>
  %qc = memref.cast %q : memref<1x1x16x64xf16> to memref<?x?x?x64xf16>
  // expected-error @+1 {{'sattn.attention' op sattn-tile-flash needs q, k, v, o (and its launch tensors) to be arguments of the enclosing function}}
  sattn.attention %qc, %k, %k, %k {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// o is the argument of a nested region, not of the function.
func.func @o_from_nested_block(%q: memref<?x?x?x64xf16>) {
  "test.region"() ({
  ^bb0(%o: memref<?x?x?x64xf16>):
    // expected-error @+1 {{'sattn.attention' op sattn-tile-flash needs q, k, v, o (and its launch tensors) to be arguments of the enclosing function}}
    sattn.attention %q, %q, %q, %o {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
    "test.end"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @extra_op(%q: memref<?x?x?x64xf16>, %x: index) -> index {
  // expected-error @+1 {{'arith.addi' op unexpected op in a function with sattn.attention; sattn-tile-flash turns the whole function into kernels}}
  %y = arith.addi %x, %x : index
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return %y : index
}

// -----

// Two attention ops cannot share a function: the second is the extra op of
// the first.
func.func @two_attentions(%q: memref<?x?x?x64xf16>) {
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  // expected-error @+1 {{'sattn.attention' op unexpected op in a function with sattn.attention}}
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Outside any function.
"test.container"() ({
^bb0(%q: memref<?x?x?x64xf16>):
  // expected-error @+1 {{'sattn.attention' op must be inside a func.func}}
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>]>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  "test.end"() : () -> ()
}) : () -> ()
