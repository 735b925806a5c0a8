// Every verifier error of the sattn dialect (dialect/lib/*.cpp) and the ODS
// constraints. Negative values of the I64Attr operands (window extents, sink
// tokens, block_m, row_div) are in invalid-negative-i64.mlir (XFAIL: the
// verifiers compare unsigned getters).
// RUN: sparse-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Mask ops
//===----------------------------------------------------------------------===//

// (window left = -1 / right = -7: see invalid-negative-i64.mlir.)

// Documents only narrow the other masks (sattn.attention's verifier).
func.func @documents_under_union(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>) {
  // expected-error @+1 {{'sattn.mask.documents' op must be the attention's mask or an operand of its outermost sattn.mask.intersect}}
  %d = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %u = sattn.mask.union %c, %d
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @documents_nested(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>) {
  // expected-error @+1 {{'sattn.mask.documents' op must be the attention's mask or an operand of its outermost sattn.mask.intersect}}
  %d = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %i1 = sattn.mask.intersect %c, %d
  %i = sattn.mask.intersect %c, %i1
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @documents_twice(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>) {
  %d = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  // expected-error @+1 {{'sattn.mask.documents' op appears twice in the outermost intersect; a pattern packs one set of documents}}
  %d2 = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  %i = sattn.mask.intersect %d, %d2
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @documents_offsets_not_i32(%cq: memref<?xi64>) {
  // expected-error @+1 {{operand #0 must be 1D memref of 32-bit signless integer values}}
  %d = sattn.mask.documents %cq, %cq : memref<?xi64>, memref<?xi64>
  return
}

// -----

// Block layouts: sides multiples of 16, placed as documents are, a static
// partial mask, not with documents or the delta correction.
func.func @layout_block_not_16(%n: memref<?xi32>) {
  // expected-error @+1 {{'sattn.mask.block_layout' op block_n must be a multiple of 16 in [16, 65536], got 40}}
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 40 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  return
}

// -----

func.func @layout_under_union(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  // expected-error @+1 {{'sattn.mask.block_layout' op must be the attention's mask or an operand of its outermost sattn.mask.intersect}}
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  %s = sattn.mask.sink tokens = 4
  %u = sattn.mask.union %l, %s
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @layout_twice(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  // expected-error @+1 {{'sattn.mask.block_layout' op appears twice in the outermost intersect; a pattern reads one layout}}
  %l2 = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  %i = sattn.mask.intersect %l, %l2
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @layout_with_documents(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  %d = sattn.mask.documents %n, %n : memref<?xi32>, memref<?xi32>
  %i = sattn.mask.intersect %l, %d
  // expected-error @+1 {{'sattn.attention' op documents and a block layout in one pattern are not supported yet}}
  sattn.attention %q, %q, %q, %q mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @layout_partial_reads_documents(%n: memref<?xi32>) {
  // expected-error @+1 {{'sattn.mask.documents' op cannot be part of a block layout's partial mask, which is static}}
  %d = sattn.mask.documents %n, %n : memref<?xi32>, memref<?xi32>
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 partial(%d) : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  return
}

// -----

func.func @layout_with_delta(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>) {
  %l = sattn.mask.block_layout %n, %n, %n, %n block = 64 x 64 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  // expected-error @+1 {{'sattn.attention' op the delta correction over a block layout is not supported yet}}
  sattn.attention %q, %q, %q, %q mask(%l) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @layout_plan_tile_not_dividing(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{tile_plan tiles of 64x64 must divide the layout's blocks of 128x32}}
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<>], layout = <block_m = 128, block_n = 32, partial = [#sattn.region<>]>>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @layout_plan_block_not_16(%q: memref<?x?x?x64xf16>) {
  // expected-error @+2 {{layout_plan blocks must be multiples of 16, got 8x32}}
  // expected-error @+1 {{failed to parse Sattn_TilePlanAttr parameter 'layout'}}
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.tile_plan<block_m = 8, block_n = 32, regions = [#sattn.region<>], layout = <block_m = 8, block_n = 32, partial = [#sattn.region<>]>>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The delta correction's reference: only with delta, and static.
func.func @reference_without_delta(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %a = sattn.mask.all
  // expected-error @+1 {{'sattn.attention' op has a reference mask but no delta correction}}
  sattn.attention %q, %q, %q, %q mask(%c) reference(%a) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @reference_reads_documents(%q: memref<?x?x?x64xf16>, %cq: memref<?xi32>) {
  %c = sattn.mask.causal
  // expected-error @+1 {{'sattn.mask.documents' op cannot be part of the delta correction's reference, which is a static mask}}
  %d = sattn.mask.documents %cq, %cq : memref<?xi32>, memref<?xi32>
  %r = sattn.mask.intersect %c, %d
  sattn.attention %q, %q, %q, %q mask(%c) reference(%r) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @window_left_not_integer() {
  // expected-error @+1 {{floating point value not valid for specified type}}
  %w = sattn.mask.window left = 1.5, right = 0
  return
}

// -----

func.func @sink_zero_tokens() {
  // expected-error @+1 {{'sattn.mask.sink' op tokens must be >= 1, got 0}}
  %s = sattn.mask.sink tokens = 0
  return
}


// -----

func.func @empty_union() {
  // expected-error @+1 {{'sattn.mask.union' op needs at least one mask operand}}
  %u = sattn.mask.union
  return
}

// -----

func.func @empty_intersect() {
  // expected-error @+1 {{'sattn.mask.intersect' op needs at least one mask operand}}
  %i = sattn.mask.intersect
  return
}

// -----

func.func @union_of_non_mask(%x: index) {
  // expected-note @-1 {{prior use here}}
  // expected-error @+1 {{use of value '%x' expects different type than prior uses: '!sattn.mask' vs 'index'}}
  %u = sattn.mask.union %x
  return
}

// -----

func.func @window_missing_right() {
  // expected-error @+1 {{expected ','}}
  %w = sattn.mask.window left = 3
  return
}

//===----------------------------------------------------------------------===//
// sattn.attention
//===----------------------------------------------------------------------===//

// -----

func.func @q_rank_3(%q: memref<?x?x128xbf16>, %k: memref<?x?x?x128xbf16>) {
  // expected-error @+1 {{'sattn.attention' op operand 'q' must be a 4-D memref [batch, heads, seq, head_dim], got 'memref<?x?x128xbf16>'}}
  sattn.attention %q, %k, %k, %q : memref<?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

func.func @k_rank_5(%q: memref<?x?x?x128xbf16>, %k: memref<1x?x?x?x128xbf16>) {
  // expected-error @+1 {{'sattn.attention' op operand 'k' must be a 4-D memref [batch, heads, seq, head_dim], got 'memref<1x?x?x?x128xbf16>'}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x128xbf16>, memref<1x?x?x?x128xbf16>
  return
}

// -----

func.func @q_strided(%q: memref<?x?x?x128xbf16, strided<[?, ?, ?, 1], offset: ?>>, %k: memref<?x?x?x128xbf16>) {
  // expected-error @+1 {{'sattn.attention' op operand 'q' must be contiguous (identity layout), got 'memref<?x?x?x128xbf16, strided<[?, ?, ?, 1], offset: ?>>'}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x128xbf16, strided<[?, ?, ?, 1], offset: ?>>, memref<?x?x?x128xbf16>
  return
}

// -----

func.func @k_permuted(%q: memref<?x?x?x128xbf16>, %k: memref<2x2x8x128xbf16, affine_map<(a, b, c, d) -> (b, a, c, d)>>) {
  // expected-error @+1 {{'sattn.attention' op operand 'k' must be contiguous (identity layout)}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x128xbf16>, memref<2x2x8x128xbf16, affine_map<(a, b, c, d) -> (b, a, c, d)>>
  return
}

// -----

func.func @element_i8(%q: memref<?x?x?x128xi8>) {
  // expected-error @+1 {{'sattn.attention' op unsupported element type 'i8' (supported: bf16, f16, f32)}}
  sattn.attention %q, %q, %q, %q : memref<?x?x?x128xi8>, memref<?x?x?x128xi8>
  return
}

// -----

func.func @element_f64(%q: memref<?x?x?x64xf64>) {
  // expected-error @+1 {{'sattn.attention' op unsupported element type 'f64' (supported: bf16, f16, f32)}}
  sattn.attention %q, %q, %q, %q : memref<?x?x?x64xf64>, memref<?x?x?x64xf64>
  return
}

// -----

func.func @qk_element_mismatch(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xf16>) {
  // expected-error @+1 {{'sattn.attention' op q and k element types differ: 'bf16' vs 'f16'}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x128xbf16>, memref<?x?x?x128xf16>
  return
}

// -----

func.func @dynamic_head_dim(%q: memref<?x?x?x?xbf16>) {
  // expected-error @+1 {{'sattn.attention' op head_dim (the last dimension) must be static}}
  sattn.attention %q, %q, %q, %q : memref<?x?x?x?xbf16>, memref<?x?x?x?xbf16>
  return
}

// -----

func.func @head_dim_96(%q: memref<?x?x?x96xbf16>) {
  // expected-error @+1 {{'sattn.attention' op unsupported head_dim 96 (supported: 64, 128)}}
  sattn.attention %q, %q, %q, %q : memref<?x?x?x96xbf16>, memref<?x?x?x96xbf16>
  return
}

// -----

func.func @head_dim_256(%q: memref<?x?x?x256xf32>) {
  // expected-error @+1 {{'sattn.attention' op unsupported head_dim 256 (supported: 64, 128)}}
  sattn.attention %q, %q, %q, %q : memref<?x?x?x256xf32>, memref<?x?x?x256xf32>
  return
}

// -----

func.func @k_head_dim_differs(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x64xbf16>) {
  // expected-error @+1 {{'sattn.attention' op k/v head_dim 64 differs from q/o head_dim 128}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x128xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

func.func @k_head_dim_dynamic(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x?xbf16>) {
  // expected-error @+1 {{k/v head_dim (the last dimension) must be static}}
  sattn.attention %q, %k, %k, %q : memref<?x?x?x64xbf16>, memref<?x?x?x?xbf16>
  return
}

// -----

func.func @batch_mismatch(%q: memref<2x?x?x64xf16>, %k: memref<3x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op batch size of q (2) and k (3) differ}}
  sattn.attention %q, %k, %k, %q : memref<2x?x?x64xf16>, memref<3x?x?x64xf16>
  return
}

// -----

func.func @hkv_not_dividing(%q: memref<?x8x?x64xf16>, %k: memref<?x3x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op kv heads (3) must divide query heads (8)}}
  sattn.attention %q, %k, %k, %q : memref<?x8x?x64xf16>, memref<?x3x?x64xf16>
  return
}

// -----

func.func @hkv_more_than_h(%q: memref<?x2x?x64xf16>, %k: memref<?x4x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op kv heads (4) must divide query heads (2)}}
  sattn.attention %q, %k, %k, %q : memref<?x2x?x64xf16>, memref<?x4x?x64xf16>
  return
}

// -----

func.func @hkv_zero(%q: memref<?x8x?x64xf16>, %k: memref<?x0x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op kv heads (0) must divide query heads (8)}}
  sattn.attention %q, %k, %k, %q : memref<?x8x?x64xf16>, memref<?x0x?x64xf16>
  return
}

// -----

func.func @scale_zero(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op scale must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {scale = 0.0 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @scale_negative(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op scale must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {scale = -0.125 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @scale_inf(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op scale must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {scale = 0x7FF0000000000000 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @scale_nan(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op scale must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {scale = 0x7FF8000000000000 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @scale_f32(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op attribute 'scale' failed to satisfy constraint: 64-bit float attribute}}
  sattn.attention %q, %q, %q, %q {scale = 0.5 : f32} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @softcap_zero(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op softcap must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {softcap = 0.0 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @softcap_negative(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op softcap must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {softcap = -30.0 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @softcap_inf(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op softcap must be a positive finite number}}
  sattn.attention %q, %q, %q, %q {softcap = 0x7FF0000000000000 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @mask_block_argument(%q: memref<?x?x?x64xf16>, %m: !sattn.mask) {
  // expected-error @+1 {{'sattn.attention' op mask must be produced by a sattn.mask op}}
  sattn.attention %q, %q, %q, %q mask(%m) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @mask_from_other_dialect(%q: memref<?x?x?x64xf16>, %x: index) {
  %m = builtin.unrealized_conversion_cast %x : index to !sattn.mask
  // expected-error @+1 {{'sattn.attention' op mask must be produced by a sattn.mask op}}
  sattn.attention %q, %q, %q, %q mask(%m) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @mask_not_a_mask(%q: memref<?x?x?x64xf16>, %x: index) {
  // expected-note @-1 {{prior use here}}
  // expected-error @+1 {{use of value '%x' expects different type than prior uses: '!sattn.mask' vs 'index'}}
  sattn.attention %q, %q, %q, %q mask(%x) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// q and o (and k and v) must have one type; only the generic form can
// spell two.
func.func @o_type_differs(%q: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf32>) {
  // expected-error @+1 {{'sattn.attention' op failed to verify that all of {q, o} have same type}}
  "sattn.attention"(%q, %q, %q, %o) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>}> : (memref<?x?x?x64xf16>, memref<?x?x?x64xf16>, memref<?x?x?x64xf16>, memref<?x?x?x64xf32>) -> ()
  return
}

// -----

func.func @v_type_differs(%q: memref<?x?x?x64xf16>, %v: memref<?x?x?x128xf16>) {
  // expected-error @+1 {{'sattn.attention' op failed to verify that all of {k, v} have same type}}
  "sattn.attention"(%q, %q, %v, %q) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>}> : (memref<?x?x?x64xf16>, memref<?x?x?x64xf16>, memref<?x?x?x128xf16>, memref<?x?x?x64xf16>) -> ()
  return
}

// -----

func.func @attention_on_tensor(%q: tensor<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op operand #0 must be memref of any type values, but got 'tensor<?x?x?x64xf16>'}}
  "sattn.attention"(%q, %q, %q, %q) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>}> : (tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>) -> ()
  return
}

// -----

func.func @delta_wrong_attr(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op attribute 'delta' failed to satisfy constraint}}
  sattn.attention %q, %q, %q, %q {delta = 64 : i64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @tile_plan_wrong_attr(%q: memref<?x?x?x64xf16>) {
  // expected-error @+1 {{'sattn.attention' op attribute 'tile_plan' failed to satisfy constraint}}
  sattn.attention %q, %q, %q, %q {tile_plan = #sattn.region<>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

func.func @unknown_activation(%q: memref<?x?x?x64xf16>) {
  // expected-error @+2 {{expected ::mlir::sattn::ActivationKind to be one of: softmax}}
  // expected-error @+1 {{failed to parse Sattn_ActivationAttr parameter 'value'}}
  sattn.attention %q, %q, %q, %q {activation = #sattn<activation relu>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

//===----------------------------------------------------------------------===//
// Types and attributes
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{tile must have 2 dimensions (rows x cols), got 3}}
func.func private @tile_three_dims(!sattn.tile<2x3x4xf32>)

// -----

// expected-error @+1 {{tile must have 2 dimensions (rows x cols), got 1}}
func.func private @tile_one_dim(!sattn.tile<64xf32>)

// -----

// expected-error @+1 {{tile dimensions must be positive}}
func.func private @tile_zero_rows(!sattn.tile<0x128xf32>)

// -----

// expected-error @+1 {{tile dimensions must be positive}}
func.func private @tile_zero_cols(!sattn.tile<64x0xbf16>)

// -----

// expected-error @+1 {{tile element type must be f32, f16 or bf16, got 'i32'}}
func.func private @tile_i32(!sattn.tile<64x128xi32>)

// -----

// expected-error @+1 {{tile element type must be f32, f16 or bf16, got 'f64'}}
func.func private @tile_f64(!sattn.tile<64x1xf64>)

// -----

// expected-error @+1 {{expected static shape}}
func.func private @tile_dynamic(!sattn.tile<?x128xf32>)

// -----

// expected-error @+1 {{tile_plan block sizes must be positive, got 0x32}}
func.func private @plan_block_m_zero() attributes {p = #sattn.tile_plan<block_m = 0, block_n = 32, regions = []>}

// -----

// expected-error @+1 {{tile_plan block sizes must be positive, got 64x0}}
func.func private @plan_block_n_zero() attributes {p = #sattn.tile_plan<block_m = 64, block_n = 0, regions = []>}

// -----

// expected-error @+1 {{tile_plan block sizes must be positive, got -64x32}}
func.func private @plan_block_m_negative() attributes {p = #sattn.tile_plan<block_m = -64, block_n = 32, regions = []>}

// -----

// expected-error @+1 {{tile_plan regions must be #sattn.region, got 1 : i64}}
func.func private @plan_region_not_region() attributes {p = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<diag_hi = 0>, 1]>}

// -----

// expected-error @+1 {{struct is missing required parameter: regions}}
func.func private @plan_missing_regions() attributes {p = #sattn.tile_plan<block_m = 64, block_n = 32>}

// -----

// expected-error @+1 {{delta gamma must be >= 1, got 0}}
func.func private @delta_gamma_zero() attributes {d = #sattn.delta<gamma = 0, tail_min = 128>}

// -----

// expected-error @+1 {{delta gamma must be >= 1, got -64}}
func.func private @delta_gamma_negative() attributes {d = #sattn.delta<gamma = -64, tail_min = 128>}

// -----

// expected-error @+1 {{delta tail_min must be >= 0, got -1}}
func.func private @delta_tail_min_negative() attributes {d = #sattn.delta<gamma = 64, tail_min = -1>}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: diag}}
func.func private @region_unknown_param() attributes {r = #sattn.region<diag = 0>}

//===----------------------------------------------------------------------===//
// sattn.program and sattn.lane_id
//===----------------------------------------------------------------------===//

// -----

func.func @program_one_arg(%n: index) {
  // expected-error @+1 {{'sattn.program' op body must take two index arguments (x, y)}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index):
  }
  return
}

// -----

func.func @program_no_args(%n: index) {
  // expected-error @+1 {{'sattn.program' op body must take two index arguments (x, y)}}
  sattn.program grid(%n, %n) block_m = 64 {
  }
  return
}

// -----

func.func @program_three_args(%n: index) {
  // expected-error @+1 {{'sattn.program' op body must take two index arguments (x, y)}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index, %z: index):
  }
  return
}

// -----

func.func @program_i32_args(%n: index) {
  // expected-error @+1 {{'sattn.program' op body must take two index arguments (x, y)}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: i32):
  }
  return
}

// -----

func.func @program_block_m_zero(%n: index) {
  // expected-error @+1 {{'sattn.program' op block_m must be positive, got 0}}
  sattn.program grid(%n, %n) block_m = 0 {
  ^bb0(%x: index, %y: index):
  }
  return
}


// -----

func.func @program_grid_not_index(%n: i64) {
  // expected-note @-1 {{prior use here}}
  // expected-error @+1 {{use of value '%n' expects different type than prior uses: 'index' vs 'i64'}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
  }
  return
}

// -----

func.func @program_two_blocks(%n: index) {
  // expected-error @+1 {{'sattn.program' op expects region #0 to have 0 or 1 blocks}}
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    cf.br ^bb1
  ^bb1:
  }
  return
}

// -----

func.func @lane_id_outside_program() -> index {
  // expected-error @+1 {{'sattn.lane_id' op must be nested in a sattn.program}}
  %l = sattn.lane_id
  return %l : index
}

// -----

func.func @lane_id_in_other_region(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{'sattn.lane_id' op must be nested in a sattn.program}}
    %l = sattn.lane_id
  }
  return
}

//===----------------------------------------------------------------------===//
// Tile ops
//===----------------------------------------------------------------------===//

// -----

func.func @load_element_mismatch(%b: memref<?xbf16>, %i: index) {
  sattn.program grid(%i, %i) block_m = 64 {
  ^bb0(%x: index, %y: index):
    // expected-error @+1 {{'sattn.tile.load' op result element type 'f32' must match the buffer's 'bf16'}}
    %t = sattn.tile.load %b[%i] rows(%x, %i, %i) : memref<?xbf16> -> !sattn.tile<64x128xf32>
  }
  return
}

// -----

func.func @load_row_div_zero(%b: memref<?xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.load' op row_div must be >= 1, got 0}}
  %t = sattn.tile.load %b[%i] rows(%i, %i, %i) {row_div = 0} : memref<?xf32> -> !sattn.tile<64x128xf32>
  return
}


// -----

func.func @load_2d_buffer(%b: memref<?x128xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.load' op operand #0 must be 1D memref of bfloat16 type or 16-bit float or 32-bit float values, but got 'memref<?x128xf32>'}}
  %t = sattn.tile.load %b[%i] rows(%i, %i, %i) : memref<?x128xf32> -> !sattn.tile<64x128xf32>
  return
}

// -----

func.func @load_i8_buffer(%b: memref<?xi8>, %i: index) {
  // expected-error @+1 {{'sattn.tile.load' op operand #0 must be 1D memref of bfloat16 type or 16-bit float or 32-bit float values, but got 'memref<?xi8>'}}
  %t = sattn.tile.load %b[%i] rows(%i, %i, %i) : memref<?xi8> -> !sattn.tile<64x128xf32>
  return
}

// -----

func.func @load_result_not_tile(%b: memref<?xf32>, %i: index) {
  // The result type is printed without the dialect prefix: `<RxCxT>`.
  // expected-error @+1 {{expected '<'}}
  %t = sattn.tile.load %b[%i] rows(%i, %i, %i) : memref<?xf32> -> tensor<64x128xf32>
  return
}

// -----

func.func @store_element_mismatch(%t: !sattn.tile<64x128xf16>, %b: memref<?xbf16>, %i: index) {
  // expected-error @+1 {{'sattn.tile.store' op tile element type 'f16' must be f32 or the buffer's 'bf16'}}
  sattn.tile.store %t, %b[%i] rows(%i, %i, %i) : !sattn.tile<64x128xf16>, memref<?xbf16>
  return
}

// -----

func.func @store_bf16_to_f32(%t: !sattn.tile<64x64xbf16>, %b: memref<?xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.store' op tile element type 'bf16' must be f32 or the buffer's 'f32'}}
  sattn.tile.store %t, %b[%i] rows(%i, %i, %i) : !sattn.tile<64x64xbf16>, memref<?xf32>
  return
}

// -----

func.func @qk_rows_mismatch(%q: !sattn.tile<64x128xbf16>, %k: memref<?xbf16>, %i: index) {
  // expected-error @+1 {{'sattn.tile.qk' op scores rows (32) must equal q rows (64)}}
  %s = sattn.tile.qk %q, %k[%i] keys(%i, %i) : !sattn.tile<64x128xbf16>, memref<?xbf16> -> !sattn.tile<32x32xf32>
  return
}

// -----

func.func @qk_scores_not_f32(%q: !sattn.tile<64x128xbf16>, %k: memref<?xbf16>, %i: index) {
  // expected-error @+1 {{'sattn.tile.qk' op scores must be f32}}
  %s = sattn.tile.qk %q, %k[%i] keys(%i, %i) : !sattn.tile<64x128xbf16>, memref<?xbf16> -> !sattn.tile<64x32xbf16>
  return
}

// -----

func.func @qk_element_mismatch(%q: !sattn.tile<64x128xbf16>, %k: memref<?xf16>, %i: index) {
  // expected-error @+1 {{'sattn.tile.qk' op q element type 'bf16' differs from the keys' 'f16'}}
  %s = sattn.tile.qk %q, %k[%i] keys(%i, %i) : !sattn.tile<64x128xbf16>, memref<?xf16> -> !sattn.tile<64x32xf32>
  return
}

// -----

func.func @score_mod_missing_scale(%s: !sattn.tile<64x32xf32>) {
  // expected-error @+1 {{'sattn.tile.score_mod' op requires attribute 'scale'}}
  %r = sattn.tile.score_mod %s : !sattn.tile<64x32xf32>
  return
}

// -----

func.func @mask_regions_not_regions(%s: !sattn.tile<64x32xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.mask' op attribute 'regions' failed to satisfy constraint: region list}}
  %r = sattn.tile.mask %s rows(%i, %i) keys(%i) seq(%i, %i) {regions = [#sattn.region<diag_hi = 0>, 3 : i64]} : !sattn.tile<64x32xf32>
  return
}

// -----

func.func @mask_regions_missing(%s: !sattn.tile<64x32xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.mask' op requires attribute 'regions'}}
  %r = sattn.tile.mask %s rows(%i, %i) keys(%i) seq(%i, %i) : !sattn.tile<64x32xf32>
  return
}

// -----

func.func @softmax_step_scores_not_f32(%s: !sattn.tile<64x32xf16>, %m: !sattn.tile<64x1xf32>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op scores must be f32}}
  %a, %b, %c, %d = sattn.tile.softmax_step %s, %m, %m : !sattn.tile<64x32xf16>, !sattn.tile<64x1xf32>
  return
}

// -----

func.func @softmax_step_negative_scale(%s: !sattn.tile<64x32xf32>, %m: !sattn.tile<64x1xf32>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op scale must be a positive finite number, got -1.25}}
  %a, %b, %c, %d = sattn.tile.softmax_step %s, %m, %m {scale = -1.25 : f64} : !sattn.tile<64x32xf32>, !sattn.tile<64x1xf32>
  return
}

// -----

func.func @softmax_step_stats_two_cols(%s: !sattn.tile<64x32xf32>, %m: !sattn.tile<64x2xf32>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op row statistics must be tile<64x1xf32>, got '!sattn.tile<64x2xf32>'}}
  %a, %b, %c, %d = sattn.tile.softmax_step %s, %m, %m : !sattn.tile<64x32xf32>, !sattn.tile<64x2xf32>
  return
}

// -----

func.func @softmax_step_stats_wrong_rows(%s: !sattn.tile<64x32xf32>, %m: !sattn.tile<32x1xf32>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op row statistics must be tile<64x1xf32>, got '!sattn.tile<32x1xf32>'}}
  %a, %b, %c, %d = sattn.tile.softmax_step %s, %m, %m : !sattn.tile<64x32xf32>, !sattn.tile<32x1xf32>
  return
}

// -----

func.func @softmax_step_stats_f16(%s: !sattn.tile<64x32xf32>, %m: !sattn.tile<64x1xf16>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op row statistics must be tile<64x1xf32>, got '!sattn.tile<64x1xf16>'}}
  %a, %b, %c, %d = sattn.tile.softmax_step %s, %m, %m : !sattn.tile<64x32xf32>, !sattn.tile<64x1xf16>
  return
}

// -----

// The row statistics must also agree with each other (generic form only).
func.func @softmax_step_stats_differ(%s: !sattn.tile<64x32xf32>, %m: !sattn.tile<64x1xf32>, %l: !sattn.tile<32x1xf32>) {
  // expected-error @+1 {{'sattn.tile.softmax_step' op failed to verify that all of {row_max, row_sum, new_max, new_sum, alpha} have same type}}
  %a:4 = "sattn.tile.softmax_step"(%s, %m, %l) : (!sattn.tile<64x32xf32>, !sattn.tile<64x1xf32>, !sattn.tile<32x1xf32>) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x32xf32>, !sattn.tile<64x1xf32>)
  return
}

// -----

func.func @pv_rows_mismatch(%p: !sattn.tile<32x32xf32>, %v: memref<?xbf16>, %acc: !sattn.tile<64x128xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.pv' op probs rows and acc rows differ}}
  %r = sattn.tile.pv %p, %v[%i] keys(%i, %i), %acc : !sattn.tile<32x32xf32>, memref<?xbf16>, !sattn.tile<64x128xf32>
  return
}

// -----

func.func @pv_acc_not_f32(%p: !sattn.tile<64x32xf32>, %v: memref<?xbf16>, %acc: !sattn.tile<64x128xbf16>, %i: index) {
  // expected-error @+1 {{'sattn.tile.pv' op acc must be f32}}
  %r = sattn.tile.pv %p, %v[%i] keys(%i, %i), %acc : !sattn.tile<64x32xf32>, memref<?xbf16>, !sattn.tile<64x128xbf16>
  return
}

// -----

// Rounded probabilities must have the values' type (f16 values, bf16 p).
func.func @pv_probs_not_values_type(%p: !sattn.tile<64x32xbf16>, %v: memref<?xf16>, %acc: !sattn.tile<64x64xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.pv' op probs must be f32 or the values' element type 'f16', got 'bf16'}}
  %r = sattn.tile.pv %p, %v[%i] keys(%i, %i), %acc : !sattn.tile<64x32xbf16>, memref<?xf16>, !sattn.tile<64x64xf32>
  return
}

// -----

func.func @add_type_mismatch(%a: !sattn.tile<64x128xf32>, %b: !sattn.tile<64x64xf32>) {
  // expected-error @+1 {{'sattn.tile.add' op requires the same type for all operands and results}}
  %r = "sattn.tile.add"(%a, %b) : (!sattn.tile<64x128xf32>, !sattn.tile<64x64xf32>) -> !sattn.tile<64x128xf32>
  return
}

// -----

func.func @sub_result_mismatch(%a: !sattn.tile<64x128xf32>) {
  // expected-error @+1 {{'sattn.tile.sub' op requires the same type for all operands and results}}
  %r = "sattn.tile.sub"(%a, %a) : (!sattn.tile<64x128xf32>, !sattn.tile<64x128xf32>) -> !sattn.tile<64x128xf16>
  return
}

// -----

func.func @scale_rows_result_mismatch(%a: !sattn.tile<64x128xf32>, %f: !sattn.tile<64x1xf32>) {
  // expected-error @+1 {{'sattn.tile.scale_rows' op failed to verify that all of {tile, result} have same type}}
  %r = "sattn.tile.scale_rows"(%a, %f) : (!sattn.tile<64x128xf32>, !sattn.tile<64x1xf32>) -> !sattn.tile<64x64xf32>
  return
}

// -----

func.func @normalize_result_mismatch(%a: !sattn.tile<64x128xf32>, %l: !sattn.tile<64x1xf32>) {
  // expected-error @+1 {{'sattn.tile.normalize' op failed to verify that all of {acc, result} have same type}}
  %r = "sattn.tile.normalize"(%a, %l) <{operandSegmentSizes = array<i32: 1, 1, 0, 0>}> : (!sattn.tile<64x128xf32>, !sattn.tile<64x1xf32>) -> !sattn.tile<64x128xbf16>
  return
}

// -----

func.func @fill_not_tile() {
  // expected-error @+1 {{'sattn.tile.fill' op result #0 must be A rows x cols block of one query tile, e.g. !sattn.tile<64x128xf32>, but got 'vector<4xf32>'}}
  %r = "sattn.tile.fill"() {value = 0.0 : f32} : () -> vector<4xf32>
  return
}

// -----

func.func @truncf_widens(%t: !sattn.tile<64x32xbf16>) {
  // expected-error @+1 {{'sattn.tile.truncf' op result element type 'f32' must be a float type narrower than 'bf16'}}
  %r = sattn.tile.truncf %t : <64x32xbf16> to <64x32xf32>
  return
}

// -----

func.func @truncf_same_width(%t: !sattn.tile<64x32xf16>) {
  // expected-error @+1 {{'sattn.tile.truncf' op result element type 'bf16' must be a float type narrower than 'f16'}}
  %r = sattn.tile.truncf %t : <64x32xf16> to <64x32xbf16>
  return
}

// -----

func.func @truncf_shape_changes(%t: !sattn.tile<64x32xf32>) {
  // expected-error @+1 {{'sattn.tile.truncf' op result shape must equal the input's}}
  %r = sattn.tile.truncf %t : <64x32xf32> to <64x16xbf16>
  return
}

// -----

func.func @normalize_sink_without_row_max(%acc: !sattn.tile<64x64xf32>, %l: !sattn.tile<64x1xf32>, %z: f32) {
  // expected-error @+1 {{'sattn.tile.normalize' op takes a sink logit and the row maximum together}}
  %r = "sattn.tile.normalize"(%acc, %l, %z) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> : (!sattn.tile<64x64xf32>, !sattn.tile<64x1xf32>, f32) -> !sattn.tile<64x64xf32>
  return
}

// -----

func.func @normalize_row_max_of_another_shape(%acc: !sattn.tile<64x64xf32>, %l: !sattn.tile<64x1xf32>, %m: !sattn.tile<16x1xf32>, %z: f32) {
  // expected-error @+1 {{'sattn.tile.normalize' op row_max must have the type of row_sum}}
  %r = sattn.tile.normalize %acc, %l sink(%z, %m : !sattn.tile<16x1xf32>) : <64x64xf32>, <64x1xf32>
  return
}

// -----

func.func @sinks_of_f16(%q: memref<?x?x?x64xbf16>, %z: memref<?xf16>) {
  // expected-error @+1 {{'sattn.attention' op operand #4 must be 1D memref of 32-bit float values, but got 'memref<?xf16>'}}
  sattn.attention %q, %q, %q, %q sinks(%z : memref<?xf16>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

func.func @alibi_tensor_without_slopes(%q: memref<?x?x?x64xbf16>) {
  // expected-error @+1 {{'sattn.attention' op takes the operand alibi_slopes exactly when alibi is 'tensor'}}
  sattn.attention %q, %q, %q, %q {alibi = #sattn<alibi tensor>} : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

func.func @alibi_slopes_without_tensor(%q: memref<?x?x?x64xbf16>, %a: memref<?xf32>) {
  // expected-error @+1 {{'sattn.attention' op takes the operand alibi_slopes exactly when alibi is 'tensor'}}
  sattn.attention %q, %q, %q, %q alibi_slopes(%a : memref<?xf32>) {alibi = #sattn<alibi geometric>} : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}
