// Round trip of every sattn op, attribute and type: parse, print, parse the
// printed form again (custom and generic form), and check the printed text.
// RUN: sparse-opt -split-input-file %s | sparse-opt -split-input-file | FileCheck %s
// RUN: sparse-opt -split-input-file -mlir-print-op-generic %s | sparse-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @mask_ops(
// CHECK-SAME:      %[[Q:.*]]: memref<?x?x?x128xbf16>, %[[K:.*]]: memref<?x?x?x128xbf16>, %[[V:.*]]: memref<?x?x?x128xbf16>, %[[O:.*]]: memref<?x?x?x128xbf16>)
// CHECK:         %[[C:.*]] = sattn.mask.causal{{$}}
// CHECK:         %[[W:.*]] = sattn.mask.window left = 2047, right = 0{{$}}
// CHECK:         %[[W2:.*]] = sattn.mask.window left = 0, right = 5{{$}}
// CHECK:         %[[S:.*]] = sattn.mask.sink tokens = 128{{$}}
// CHECK:         sattn.mask.window left = 63, right = 0 dilation = 3{{$}}
// CHECK:         sattn.mask.chunk size = 500{{$}}
// CHECK:         %[[U1:.*]] = sattn.mask.union %[[C]]{{$}}
// CHECK:         %[[U:.*]] = sattn.mask.union %[[W]], %[[S]], %[[U1]]{{$}}
// CHECK:         %[[I1:.*]] = sattn.mask.intersect %[[W2]]{{$}}
// CHECK:         %[[I:.*]] = sattn.mask.intersect %[[C]], %[[U]], %[[I1]]{{$}}
// CHECK:         sattn.attention %[[Q]], %[[K]], %[[V]], %[[O]] mask(%[[I]]) : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>{{$}}
// CHECK-NEXT:    return
func.func @mask_ops(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %w2 = sattn.mask.window left = 0, right = 5
  %s = sattn.mask.sink tokens = 128
  %wd = sattn.mask.window left = 63, right = 0 dilation = 3
  %ch = sattn.mask.chunk size = 500
  %u1 = sattn.mask.union %c
  %u = sattn.mask.union %w, %s, %u1
  %i1 = sattn.mask.intersect %w2
  %i = sattn.mask.intersect %c, %u, %i1
  sattn.attention %q, %k, %v, %o mask(%i) : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Packed documents: the offsets are the mask op's operands.
// CHECK-LABEL: func.func @documents(
// CHECK-SAME:      %[[CQ:[^:]*]]: memref<?xi32>, %[[CK:[^:]*]]: memref<?xi32>)
// CHECK:         %[[D:.*]] = sattn.mask.documents %[[CQ]], %[[CK]] : memref<?xi32>, memref<?xi32>{{$}}
// CHECK:         %[[I:.*]] = sattn.mask.intersect %[[D]], %{{.*}}{{$}}
// CHECK:         sattn.attention {{.*}} mask(%[[I]])
func.func @documents(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>, %cq: memref<?xi32>, %ck: memref<?xi32>) {
  %d = sattn.mask.documents %cq, %ck : memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %i = sattn.mask.intersect %d, %c
  sattn.attention %q, %k, %v, %o mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A block layout: its four lists are the op's operands, its partial
// blocks' mask an optional operand.
// CHECK-LABEL: func.func @block_layout(
// CHECK-SAME:      %[[N:[^:]*]]: memref<?xi32>, %[[I:[^:]*]]: memref<?xi32>, %[[FN:[^:]*]]: memref<?xi32>, %[[FI:[^:]*]]: memref<?xi32>)
// CHECK:         %[[C:.*]] = sattn.mask.causal
// CHECK:         %[[L:.*]] = sattn.mask.block_layout %[[N]], %[[I]], %[[FN]], %[[FI]] block = 128 x 64 partial(%[[C]]) : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>{{$}}
// CHECK:         sattn.mask.block_layout %[[N]], %[[I]], %[[FN]], %[[FI]] block = 16 x 16 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>{{$}}
// CHECK:         sattn.attention {{.*}} mask(%[[L]])
func.func @block_layout(%q: memref<?x?x?x64xf16>, %n: memref<?xi32>, %i: memref<?xi32>, %fn: memref<?xi32>, %fi: memref<?xi32>) {
  %c = sattn.mask.causal
  %l = sattn.mask.block_layout %n, %i, %fn, %fi block = 128 x 64 partial(%c) : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  %l2 = sattn.mask.block_layout %n, %i, %fn, %fi block = 16 x 16 : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  sattn.attention %q, %q, %q, %q mask(%l) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The delta correction's reference mask; sattn.mask.all.
// CHECK-LABEL: func.func @delta_reference(
// CHECK:         %[[W:.*]] = sattn.mask.window left = 8, right = 8
// CHECK:         %[[A:.*]] = sattn.mask.all{{$}}
// CHECK:         sattn.attention {{.*}} mask(%[[W]]) reference(%[[A]]) {delta = #sattn.delta<gamma = 16, tail_min = 64>}
func.func @delta_reference(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 8, right = 8
  %a = sattn.mask.all
  sattn.attention %q, %q, %q, %q mask(%w) reference(%a) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Without a mask; the default activation is not printed.
// CHECK-LABEL: func.func @dense_f16_d64(
// CHECK:         sattn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>{{$}}
func.func @dense_f16_d64(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  sattn.attention %q, %k, %v, %o : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// Learnable sinks: a 1-D f32 buffer of per-head logits, after the mask.
// CHECK-LABEL: func.func @learnable_sinks(
// CHECK-SAME:      %[[Z:[^:]+]]: memref<?xf32>)
// CHECK:         sattn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}}) sinks(%[[Z]] : memref<?xf32>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>{{$}}
// CHECK:         sattn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} sinks(%[[Z]] : memref<?xf32>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>{{$}}
func.func @learnable_sinks(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x64xbf16>, %v: memref<?x?x?x64xbf16>, %o: memref<?x?x?x64xbf16>, %z: memref<?xf32>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) sinks(%z : memref<?xf32>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  sattn.attention %q, %k, %v, %o sinks(%z : memref<?xf32>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// normalize with a sink logit takes the row maximum with it.
// CHECK-LABEL: func.func @normalize_with_sink(
// CHECK:         sattn.tile.normalize %{{.*}}, %{{.*}} sink(%{{.*}}, %{{.*}} : !sattn.tile<64x1xf32>) : <64x64xf32>, <64x1xf32>
func.func @normalize_with_sink(%acc: !sattn.tile<64x64xf32>, %l: !sattn.tile<64x1xf32>, %m: !sattn.tile<64x1xf32>, %z: f32) -> !sattn.tile<64x64xf32> {
  %r = sattn.tile.normalize %acc, %l sink(%z, %m : !sattn.tile<64x1xf32>) : <64x64xf32>, <64x1xf32>
  return %r : !sattn.tile<64x64xf32>
}

// -----

// The explicit activation is the default and so is elided when printed.
// CHECK-LABEL: func.func @explicit_activation(
// CHECK:         sattn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : memref<1x4x16x128xf32>, memref<1x4x16x128xf32>{{$}}
func.func @explicit_activation(%q: memref<1x4x16x128xf32>, %k: memref<1x4x16x128xf32>, %v: memref<1x4x16x128xf32>, %o: memref<1x4x16x128xf32>) {
  sattn.attention %q, %k, %v, %o {activation = #sattn<activation softmax>} : memref<1x4x16x128xf32>, memref<1x4x16x128xf32>
  return
}

// -----

// Static shapes, grouped-query attention (8 query heads, 2 kv heads, Sk !=
// Sq), f32, scale and softcap.
// CHECK-LABEL: func.func @gqa_f32_scale_softcap(
// CHECK:         %[[S:.*]] = sattn.mask.sink tokens = 1{{$}}
// CHECK:         sattn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} mask(%[[S]]) {scale = 5.000000e-01 : f64, softcap = 3.000000e+01 : f64} : memref<2x8x100x64xf32>, memref<2x2x300x64xf32>{{$}}
func.func @gqa_f32_scale_softcap(%q: memref<2x8x100x64xf32>, %k: memref<2x2x300x64xf32>, %v: memref<2x2x300x64xf32>, %o: memref<2x8x100x64xf32>) {
  %s = sattn.mask.sink tokens = 1
  sattn.attention %q, %k, %v, %o mask(%s) {scale = 0.5 : f64, softcap = 30.0 : f64} : memref<2x8x100x64xf32>, memref<2x2x300x64xf32>
  return
}

// -----

// Dynamic and static dimensions mixed: only static ones must agree.
// CHECK-LABEL: func.func @mixed_dims(
// CHECK:         sattn.attention {{.*}} : memref<?x8x?x128xbf16>, memref<3x?x?x128xbf16>{{$}}
func.func @mixed_dims(%q: memref<?x8x?x128xbf16>, %k: memref<3x?x?x128xbf16>, %v: memref<3x?x?x128xbf16>, %o: memref<?x8x?x128xbf16>) {
  sattn.attention %q, %k, %v, %o : memref<?x8x?x128xbf16>, memref<3x?x?x128xbf16>
  return
}

// -----

// The delta correction and a tile plan with every shape of region.
// CHECK-LABEL: func.func @delta_and_plan(
// CHECK:         sattn.attention %{{.*}} mask(%{{.*}}) {delta = #sattn.delta<gamma = 64, tail_min = 128>, tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<>, #sattn.region<diag_lo = -2047, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 128>, #sattn.region<col_lo = 3>, #sattn.region<diag_lo = -1, diag_hi = 1, col_lo = 2, col_hi = 7>]>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>{{$}}
func.func @delta_and_plan(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) {delta = #sattn.delta<gamma = 64, tail_min = 128>, tile_plan = #sattn.tile_plan<block_m = 64, block_n = 32, regions = [#sattn.region<>, #sattn.region<diag_lo = -2047, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 128>, #sattn.region<col_lo = 3>, #sattn.region<diag_lo = -1, diag_hi = 1, col_lo = 2, col_hi = 7>]>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Edge values: gamma 1 and tail_min 0; a plan with no region (nothing
// allowed) and odd block sizes.
// CHECK-LABEL: func.func @edge_attrs(
// CHECK:         {delta = #sattn.delta<gamma = 1, tail_min = 0>, tile_plan = #sattn.tile_plan<block_m = 1, block_n = 3, regions = []>}
func.func @edge_attrs(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x64xbf16>, %v: memref<?x?x?x64xbf16>, %o: memref<?x?x?x64xbf16>) {
  sattn.attention %q, %k, %v, %o {delta = #sattn.delta<gamma = 1, tail_min = 0>, tile_plan = #sattn.tile_plan<block_m = 1, block_n = 3, regions = []>} : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// Attributes and types in other positions: the !sattn.mask type as a
// function argument type (the verifier only rejects it as attention's mask),
// attributes on a func and tile types in signatures.
// CHECK-LABEL: func.func private @types(!sattn.mask, !sattn.tile<64x128xbf16>, !sattn.tile<1x1xf32>, !sattn.tile<16x64xf16>)
// CHECK-SAME:      attributes {plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_hi = 0>]>, region = #sattn.region<col_hi = 4>}
func.func private @types(!sattn.mask, !sattn.tile<64x128xbf16>, !sattn.tile<1x1xf32>, !sattn.tile<16x64xf16>) attributes {plan = #sattn.tile_plan<block_m = 64, block_n = 64, regions = [#sattn.region<diag_hi = 0>]>, region = #sattn.region<col_hi = 4>}

// -----

// The tiled form: a program with every tile op.
// CHECK-LABEL: func.func @tiled(
// CHECK-SAME:      %[[Q:[^:]*]]: memref<?xbf16>, %[[K:[^:]*]]: memref<?xbf16>, %[[V:[^:]*]]: memref<?xbf16>, %[[O:[^:]*]]: memref<?xbf16>, %[[D:[^:]*]]: memref<?xf32>, %[[N:[^:]*]]: index, %[[SQ:[^:]*]]: index, %[[SK:[^:]*]]: index)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         sattn.program grid(%[[N]], %[[SQ]]) block_m = 64 {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: index, %[[Y:.*]]: index):
// CHECK-NEXT:      %[[LANE:.*]] = sattn.lane_id{{$}}
// CHECK-NEXT:      %[[QT:.*]] = sattn.tile.load %[[Q]][%[[C0]]] rows(%[[X]], %[[C1]], %[[N]]) : memref<?xbf16> -> <64x128xbf16>{{$}}
// CHECK-NEXT:      %[[DT:.*]] = sattn.tile.load %[[D]][%[[Y]]] rows(%[[X]], %[[C1]], %[[N]]) {row_div = 64 : i64} : memref<?xf32> -> <64x128xf32>{{$}}
// CHECK-NEXT:      %[[M0:.*]] = sattn.tile.fill 0xFF800000 : <64x1xf32>
// CHECK-NEXT:      %[[L0:.*]] = sattn.tile.fill 0.000000e+00 : <64x1xf32>
// CHECK-NEXT:      %[[A0:.*]] = sattn.tile.fill 2.500000e-01 : <64x128xf32>
// CHECK-NEXT:      %[[S:.*]] = sattn.tile.qk %[[QT]], %[[K]][%[[Y]]] keys(%[[C0]], %[[N]]) : <64x128xbf16>, memref<?xbf16> -> <64x32xf32>{{$}}
// CHECK-NEXT:      %[[S1:.*]] = sattn.tile.score_mod %[[S]] {scale = 1.250000e-01 : f64} : <64x32xf32>{{$}}
// CHECK-NEXT:      %[[S2:.*]] = sattn.tile.score_mod %[[S1]] {scale = 1.000000e+00 : f64, softcap = 5.000000e+01 : f64} : <64x32xf32>{{$}}
// CHECK-NEXT:      %[[S3:.*]] = sattn.tile.mask %[[S2]] rows(%[[X]], %[[C1]]) keys(%[[C0]]) seq(%[[SQ]], %[[SK]]) {regions = [#sattn.region<diag_hi = 0>, #sattn.region<col_hi = 4>]} : <64x32xf32>{{$}}
// CHECK-NEXT:      %[[NM:.*]], %[[NS:.*]], %[[P:.*]], %[[AL:.*]] = sattn.tile.softmax_step %[[S3]], %[[M0]], %[[L0]] {scale = 5.000000e-01 : f64} : <64x32xf32>, <64x1xf32>{{$}}
// CHECK-NEXT:      %[[A1:.*]] = sattn.tile.scale_rows %[[A0]], %[[AL]] : <64x128xf32>, <64x1xf32>{{$}}
// CHECK-NEXT:      %[[A2:.*]] = sattn.tile.pv %[[P]], %[[V]][%[[Y]]] keys(%[[C0]], %[[N]]), %[[A1]] : <64x32xf32>, memref<?xbf16>, <64x128xf32>{{$}}
// CHECK-NEXT:      %[[PB:.*]] = sattn.tile.truncf %[[P]] : <64x32xf32> to <64x32xbf16>{{$}}
// CHECK-NEXT:      %[[A3:.*]] = sattn.tile.pv %[[PB]], %[[V]][%[[Y]]] keys(%[[C0]], %[[N]]), %[[A2]] : <64x32xbf16>, memref<?xbf16>, <64x128xf32>{{$}}
// CHECK-NEXT:      %[[R:.*]] = sattn.tile.normalize %[[A3]], %[[NS]] : <64x128xf32>, <64x1xf32>{{$}}
// CHECK-NEXT:      %[[SUM:.*]] = sattn.tile.add %[[R]], %[[DT]] : <64x128xf32>{{$}}
// CHECK-NEXT:      %[[DIFF:.*]] = sattn.tile.sub %[[SUM]], %[[DT]] : <64x128xf32>{{$}}
// CHECK-NEXT:      sattn.tile.store %[[DIFF]], %[[O]][%[[C0]]] rows(%[[X]], %[[LANE]], %[[N]]) : <64x128xf32>, memref<?xbf16>{{$}}
// CHECK-NEXT:      sattn.tile.store %[[QT]], %[[O]][%[[C0]]] rows(%[[X]], %[[C1]], %[[N]]) : <64x128xbf16>, memref<?xbf16>{{$}}
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @tiled(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %d: memref<?xf32>, %n: index, %sq: index, %sk: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  sattn.program grid(%n, %sq) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %lane = sattn.lane_id
    %qt = sattn.tile.load %q[%c0] rows(%x, %c1, %n) : memref<?xbf16> -> !sattn.tile<64x128xbf16>
    %dt = sattn.tile.load %d[%y] rows(%x, %c1, %n) {row_div = 64} : memref<?xf32> -> !sattn.tile<64x128xf32>
    %m0 = sattn.tile.fill 0xFF800000 : !sattn.tile<64x1xf32>
    %l0 = sattn.tile.fill 0.0 : !sattn.tile<64x1xf32>
    %a0 = sattn.tile.fill 0.25 : !sattn.tile<64x128xf32>
    %s = sattn.tile.qk %qt, %k[%y] keys(%c0, %n) : !sattn.tile<64x128xbf16>, memref<?xbf16> -> !sattn.tile<64x32xf32>
    %s1 = sattn.tile.score_mod %s {scale = 0.125 : f64} : !sattn.tile<64x32xf32>
    %s2 = sattn.tile.score_mod %s1 {scale = 1.0 : f64, softcap = 50.0 : f64} : !sattn.tile<64x32xf32>
    %s3 = sattn.tile.mask %s2 rows(%x, %c1) keys(%c0) seq(%sq, %sk) {regions = [#sattn.region<diag_hi = 0>, #sattn.region<col_hi = 4>]} : !sattn.tile<64x32xf32>
    %nm, %ns, %p, %al = sattn.tile.softmax_step %s3, %m0, %l0 {scale = 0.5 : f64} : !sattn.tile<64x32xf32>, !sattn.tile<64x1xf32>
    %a1 = sattn.tile.scale_rows %a0, %al : !sattn.tile<64x128xf32>, !sattn.tile<64x1xf32>
    %a2 = sattn.tile.pv %p, %v[%y] keys(%c0, %n), %a1 : !sattn.tile<64x32xf32>, memref<?xbf16>, !sattn.tile<64x128xf32>
    %pb = sattn.tile.truncf %p : !sattn.tile<64x32xf32> to !sattn.tile<64x32xbf16>
    %a3 = sattn.tile.pv %pb, %v[%y] keys(%c0, %n), %a2 : !sattn.tile<64x32xbf16>, memref<?xbf16>, !sattn.tile<64x128xf32>
    %r = sattn.tile.normalize %a3, %ns : !sattn.tile<64x128xf32>, !sattn.tile<64x1xf32>
    %sum = sattn.tile.add %r, %dt : !sattn.tile<64x128xf32>
    %diff = sattn.tile.sub %sum, %dt : !sattn.tile<64x128xf32>
    sattn.tile.store %diff, %o[%c0] rows(%x, %lane, %n) : !sattn.tile<64x128xf32>, memref<?xbf16>
    sattn.tile.store %qt, %o[%c0] rows(%x, %c1, %n) : !sattn.tile<64x128xbf16>, memref<?xbf16>
  }
  return
}

// -----

// f16 and f32 flat buffers, tiles of head_dim 64; a store of an f16 tile to
// an f16 buffer; an empty program body.
// CHECK-LABEL: func.func @tiled_f16_f32(
// CHECK:         sattn.program grid(%{{.*}}, %{{.*}}) block_m = 16 {
// CHECK:           %[[QT:.*]] = sattn.tile.load %{{.*}} : memref<?xf16> -> <16x64xf16>
// CHECK:           %[[S:.*]] = sattn.tile.qk %[[QT]], %{{.*}} : <16x64xf16>, memref<?xf16> -> <16x64xf32>
// CHECK:           sattn.tile.store %[[QT]], %{{.*}} : <16x64xf16>, memref<?xf16>
// CHECK:           %[[F:.*]] = sattn.tile.load %{{.*}} : memref<?xf32> -> <16x64xf32>
// CHECK:           sattn.tile.store %[[F]], %{{.*}} : <16x64xf32>, memref<?xf32>
// CHECK:         }
// CHECK:         sattn.program grid(%{{.*}}, %{{.*}}) block_m = 1 {
// CHECK-NEXT:    ^bb0(%{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT:    }
func.func @tiled_f16_f32(%h: memref<?xf16>, %f: memref<?xf32>, %n: index) {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %qt = sattn.tile.load %h[%x] rows(%x, %y, %n) : memref<?xf16> -> !sattn.tile<16x64xf16>
    %s = sattn.tile.qk %qt, %h[%y] keys(%x, %n) : !sattn.tile<16x64xf16>, memref<?xf16> -> !sattn.tile<16x64xf32>
    sattn.tile.store %qt, %h[%x] rows(%x, %y, %n) : !sattn.tile<16x64xf16>, memref<?xf16>
    %ft = sattn.tile.load %f[%x] rows(%x, %y, %n) : memref<?xf32> -> !sattn.tile<16x64xf32>
    sattn.tile.store %ft, %f[%x] rows(%x, %y, %n) : !sattn.tile<16x64xf32>, memref<?xf32>
  }
  sattn.program grid(%n, %n) block_m = 1 {
  ^bb0(%x: index, %y: index):
  }
  return
}
