// sattn-lower-tiles-simt: tile ops -> one query row per lane.
// Single ops, hand-written, without cleanup: the exact lowering shape.
// RUN: sparse-opt %s -split-input-file --sattn-lower-tiles-simt | FileCheck %s

// A tile<R x C> becomes vector<C> (a scalar when C == 1). Loads and stores
// guard the lane's row with lane < count and address
// base + (start + lane * step) * C with 16-byte aligned vector accesses.
// CHECK-LABEL: func.func @fill_load_store(
// CHECK-SAME:      %[[IN:[^:]+]]: memref<?xbf16>, %[[OUT:[^:]+]]: memref<?xbf16>, %[[N:[^:]+]]: index, %[[BASE:[^:]+]]: index, %[[START:[^:]+]]: index, %[[STEP:[^:]+]]: index)
// CHECK:         sattn.program grid(%[[N]], %[[N]]) block_m = 64 {
// CHECK-NEXT:    ^bb0(%[[X:[^:]+]]: index, %{{[^:]+}}: index):
// CHECK-NEXT:      %[[LANE:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[VALID:.*]] = arith.cmpi slt, %[[LANE]], %[[N]] : index
// CHECK-NEXT:      %[[R:.*]] = arith.muli %[[LANE]], %[[STEP]] : index
// CHECK-NEXT:      %[[POS:.*]] = arith.addi %[[START]], %[[R]] : index
// CHECK-NEXT:      %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT:      %[[ROW:.*]] = arith.muli %[[POS]], %[[C128]] : index
// CHECK-NEXT:      %[[OFF:.*]] = arith.addi %[[BASE]], %[[ROW]] : index
// CHECK-NEXT:      %[[T:.*]] = scf.if %[[VALID]] -> (vector<128xbf16>) {
// CHECK-NEXT:        %[[V:.*]] = vector.load %[[IN]][%[[OFF]]] {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK-NEXT:        scf.yield %[[V]] : vector<128xbf16>
// CHECK-NEXT:      } else {
// CHECK-NEXT:        %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<128xbf16>
// CHECK-NEXT:        scf.yield %[[Z]] : vector<128xbf16>
// CHECK-NEXT:      }
// A store of a bf16 tile to a bf16 buffer: no conversion.
// CHECK-NEXT:      %[[LANE2:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[VALID2:.*]] = arith.cmpi slt, %[[LANE2]], %[[N]] : index
// CHECK-NEXT:      %[[R2:.*]] = arith.muli %[[LANE2]], %[[STEP]] : index
// CHECK-NEXT:      %[[POS2:.*]] = arith.addi %[[START]], %[[R2]] : index
// CHECK-NEXT:      %[[C128B:.*]] = arith.constant 128 : index
// CHECK-NEXT:      %[[ROW2:.*]] = arith.muli %[[POS2]], %[[C128B]] : index
// CHECK-NEXT:      %[[OFF2:.*]] = arith.addi %[[BASE]], %[[ROW2]] : index
// CHECK-NEXT:      scf.if %[[VALID2]] {
// CHECK-NEXT:        vector.store %[[T]], %[[OUT]][%[[OFF2]]] {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK-NEXT:      }
// A fill is a splat constant; an f32 tile stored to bf16 is truncated.
// CHECK-NEXT:      %[[F:.*]] = arith.constant dense<2.500000e+00> : vector<128xf32>
// CHECK-NEXT:      %[[FT:.*]] = arith.truncf %[[F]] : vector<128xf32> to vector<128xbf16>
// CHECK-NEXT:      %[[LANE3:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[VALID3:.*]] = arith.cmpi slt, %[[LANE3]], %[[N]] : index
// CHECK-NEXT:      %[[R3:.*]] = arith.muli %[[LANE3]], %[[STEP]] : index
// CHECK-NEXT:      %[[POS3:.*]] = arith.addi %[[X]], %[[R3]] : index
// CHECK:           scf.if %[[VALID3]] {
// CHECK-NEXT:        vector.store %[[FT]], %[[OUT]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<128xbf16>
// CHECK-NEXT:      }
// A one-column tile is a scalar.
// CHECK-NEXT:      arith.constant 0xFF800000 : f32
// CHECK-NEXT:    }
// CHECK-NOT:     sattn.tile
func.func @fill_load_store(%in: memref<?xbf16>, %out: memref<?xbf16>, %n: index, %base: index, %start: index, %step: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %t = sattn.tile.load %in[%base] rows(%start, %step, %n) : memref<?xbf16> -> !sattn.tile<64x128xbf16>
    sattn.tile.store %t, %out[%base] rows(%start, %step, %n) : !sattn.tile<64x128xbf16>, memref<?xbf16>
    %f = sattn.tile.fill 2.5 : !sattn.tile<64x128xf32>
    sattn.tile.store %f, %out[%base] rows(%x, %step, %n) : !sattn.tile<64x128xf32>, memref<?xbf16>
    %r = sattn.tile.fill 0xFF800000 : !sattn.tile<64x1xf32>
  }
  return
}

// -----

// row_div: the row read is (start + lane * step) floordiv row_div.
// CHECK-LABEL: func.func @row_div(
// CHECK-SAME:      %[[D:[^:]+]]: memref<?xf32>, %[[N:[^:]+]]: index, %[[BASE:[^:]+]]: index, %[[START:[^:]+]]: index)
// CHECK:           %[[LANE:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[VALID:.*]] = arith.cmpi slt, %[[LANE]], %[[N]] : index
// CHECK-NEXT:      %[[R:.*]] = arith.muli %[[LANE]], %{{.*}} : index
// CHECK-NEXT:      %[[POS:.*]] = arith.addi %[[START]], %[[R]] : index
// CHECK-NEXT:      %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT:      %[[ANCHOR:.*]] = arith.divsi %[[POS]], %[[C16]] : index
// CHECK-NEXT:      %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT:      %[[ROW:.*]] = arith.muli %[[ANCHOR]], %[[C64]] : index
// CHECK-NEXT:      %[[OFF:.*]] = arith.addi %[[BASE]], %[[ROW]] : index
// CHECK-NEXT:      scf.if %[[VALID]] -> (vector<64xf32>) {
// CHECK-NEXT:        vector.load %[[D]][%[[OFF]]] {alignment = 16 : i64} : memref<?xf32>, vector<64xf32>
// The store has no row_div and no conversion (f32 to f32).
// CHECK:           %[[LANE2:.*]] = sattn.lane_id
// CHECK-NOT:       arith.divsi
// CHECK-NOT:       arith.truncf
// CHECK:           vector.store {{.*}} : memref<?xf32>, vector<64xf32>
func.func @row_div(%d: memref<?xf32>, %n: index, %base: index, %start: index) {
  %c1 = arith.constant 1 : index
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %t = sattn.tile.load %d[%base] rows(%start, %c1, %n) {row_div = 16} : memref<?xf32> -> !sattn.tile<64x64xf32>
    sattn.tile.store %t, %d[%base] rows(%start, %c1, %n) : !sattn.tile<64x64xf32>, memref<?xf32>
  }
  return
}

// -----

// The compute ops, one after the other.
// CHECK-LABEL: func.func @compute(
// CHECK-SAME:      %[[QB:[^:]+]]: memref<?xf16>, %[[K:[^:]+]]: memref<?xf16>, %[[BASE:[^:]+]]: index, %[[FIRST:[^:]+]]: index, %[[COUNT:[^:]+]]: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index, %[[START:[^:]+]]: index, %[[STEP:[^:]+]]: index, %[[N:[^:]+]]: index)
// CHECK:           %[[Q:.*]] = scf.if %{{.*}} -> (vector<64xf16>) {
// CHECK:           %[[M0:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:      %[[L0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[A0:.*]] = arith.constant dense<0.000000e+00> : vector<64xf32>
//
// qk: a rolled loop over the 16 key columns, key row min(first + c, last)
// (never past the last valid key), f32 dot product, 0 past count.
// CHECK-NEXT:      %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[FC:.*]] = arith.addi %[[FIRST]], %[[COUNT]] : index
// CHECK-NEXT:      %[[LAST:.*]] = arith.subi %[[FC]], %[[C1]] : index
// CHECK-NEXT:      %[[S0:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT:      %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:      %[[S:.*]] = scf.for %[[C:[^ ]+]] = %[[C0]] to %[[C16]] step %[[ONE]] iter_args(%[[ACC:[^ ]+]] = %[[S0]]) -> (vector<16xf32>) {
// CHECK-NEXT:        %[[J:.*]] = arith.addi %[[FIRST]], %[[C]] : index
// CHECK-NEXT:        %[[JC:.*]] = arith.minsi %[[J]], %[[LAST]] : index
// CHECK-NEXT:        %[[D:.*]] = arith.constant 64 : index
// CHECK-NEXT:        %[[KROW:.*]] = arith.muli %[[JC]], %[[D]] : index
// CHECK-NEXT:        %[[KOFF:.*]] = arith.addi %[[BASE]], %[[KROW]] : index
// CHECK-NEXT:        %[[KV:.*]] = vector.load %[[K]][%[[KOFF]]] {alignment = 16 : i64} : memref<?xf16>, vector<64xf16>
// CHECK-NEXT:        %[[K32:.*]] = arith.extf %[[KV]] : vector<64xf16> to vector<64xf32>
// CHECK-NEXT:        %[[Q32:.*]] = arith.extf %[[Q]] : vector<64xf16> to vector<64xf32>
// CHECK-NEXT:        %[[PROD:.*]] = arith.mulf %[[Q32]], %[[K32]] : vector<64xf32>
// CHECK-NEXT:        %[[DOT:.*]] = vector.reduction <add>, %[[PROD]] fastmath<reassoc> : vector<64xf32> into f32
// CHECK-NEXT:        %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:        %[[INC:.*]] = arith.cmpi slt, %[[C]], %[[COUNT]] : index
// CHECK-NEXT:        %[[DOT2:.*]] = arith.select %[[INC]], %[[DOT]], %[[ZERO]] : f32
// CHECK-NEXT:        %[[NEXT:.*]] = vector.insert %[[DOT2]], %[[ACC]] [%[[C]]] : f32 into vector<16xf32>
// CHECK-NEXT:        scf.yield %[[NEXT]] : vector<16xf32>
// CHECK-NEXT:      }
//
// score_mod: s * scale, then element by element x = s / c and c * tanh(x),
// tanh(x) = 1 - 2 / (exp2(x * 2 log2(e)) + 1), or x + x^3 P(x^2) where
// x^2 < 0.55^2 (P's coefficients of x^0 and x^2 close to tanh's Taylor
// series, -1/3 and 2/15).
// CHECK-NEXT:      %[[SCALE:.*]] = arith.constant dense<1.250000e-01> : vector<16xf32>
// CHECK-NEXT:      %[[SS:.*]] = arith.mulf %[[S]], %[[SCALE]] : vector<16xf32>
// CHECK-NEXT:      %[[INVC:.*]] = arith.constant 2.000000e-02 : f32
// CHECK-NEXT:      %[[K2:.*]] = arith.constant 2.885390e+00 : f32
// CHECK-NEXT:      %[[ONEF:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      %[[SWITCH:.*]] = arith.constant 3.025000e-01 : f32
// CHECK-NEXT:      %[[CAP:.*]] = arith.constant 5.000000e+01 : f32
// CHECK-NEXT:      %[[P4:.*]] = arith.constant -0.00627{{[0-9]*}} : f32
// CHECK-NEXT:      %[[P3:.*]] = arith.constant 0.0210{{[0-9]*}} : f32
// CHECK-NEXT:      %[[P2:.*]] = arith.constant -0.0538{{[0-9]*}} : f32
// CHECK-NEXT:      %[[P1:.*]] = arith.constant 0.1333{{[0-9]*}} : f32
// CHECK-NEXT:      %[[P0:.*]] = arith.constant -0.33333{{[0-9]*}} : f32
// CHECK-NEXT:      %[[S0:.*]] = vector.extract %[[SS]][0] : f32 from vector<16xf32>
// CHECK-NEXT:      %[[X:.*]] = arith.mulf %[[S0]], %[[INVC]] : f32
// CHECK-NEXT:      %[[U:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:      %[[USE:.*]] = arith.cmpf olt, %[[U]], %[[SWITCH]] : f32
// CHECK-NEXT:      %[[H1:.*]] = arith.mulf %[[P4]], %[[U]] : f32
// CHECK-NEXT:      %[[H2:.*]] = arith.addf %[[H1]], %[[P3]] : f32
// CHECK-NEXT:      %[[H3:.*]] = arith.mulf %[[H2]], %[[U]] : f32
// CHECK-NEXT:      %[[H4:.*]] = arith.addf %[[H3]], %[[P2]] : f32
// CHECK-NEXT:      %[[H5:.*]] = arith.mulf %[[H4]], %[[U]] : f32
// CHECK-NEXT:      %[[H6:.*]] = arith.addf %[[H5]], %[[P1]] : f32
// CHECK-NEXT:      %[[H7:.*]] = arith.mulf %[[H6]], %[[U]] : f32
// CHECK-NEXT:      %[[PX:.*]] = arith.addf %[[H7]], %[[P0]] : f32
// CHECK-NEXT:      %[[X3:.*]] = arith.mulf %[[X]], %[[U]] : f32
// CHECK-NEXT:      %[[X3P:.*]] = arith.mulf %[[X3]], %[[PX]] : f32
// CHECK-NEXT:      %[[SMALL:.*]] = arith.addf %[[X]], %[[X3P]] : f32
// CHECK-NEXT:      %[[E0:.*]] = arith.mulf %[[X]], %[[K2]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp2 %[[E0]] : f32
// CHECK-NEXT:      %[[EP1:.*]] = arith.addf %[[E]], %[[ONEF]] : f32
// CHECK-NEXT:      %[[FR:.*]] = arith.divf %[[TWO]], %[[EP1]] fastmath<afn> : f32
// CHECK-NEXT:      %[[LARGE:.*]] = arith.subf %[[ONEF]], %[[FR]] : f32
// CHECK-NEXT:      %[[TANH:.*]] = arith.select %[[USE]], %[[SMALL]], %[[LARGE]] : f32
// CHECK-NEXT:      %[[R0:.*]] = arith.mulf %[[TANH]], %[[CAP]] : f32
// CHECK-NEXT:      vector.extract %[[SS]][1] : f32 from vector<16xf32>
// CHECK:           vector.extract %[[SS]][15] : f32 from vector<16xf32>
// CHECK:           %[[SC:.*]] = vector.from_elements %[[R0]], {{.*}} : vector<16xf32>
//
// mask: i = start + lane * step, i' = i + Sk - Sq, j = first + iota,
// keep = (OR over regions of AND over bounds) and j < Sk.
// CHECK-NEXT:      %[[LANE:.*]] = sattn.lane_id
// CHECK-NEXT:      %[[LS:.*]] = arith.muli %[[LANE]], %[[STEP]] : index
// CHECK-NEXT:      %[[I:.*]] = arith.addi %[[START]], %[[LS]] : index
// CHECK-NEXT:      %[[KOFFS:.*]] = arith.subi %[[SK]], %[[SQ]] : index
// CHECK-NEXT:      %[[IK:.*]] = arith.addi %[[I]], %[[KOFFS]] : index
// CHECK-NEXT:      %[[IOTA:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xindex>
// CHECK-NEXT:      %[[FB:.*]] = vector.broadcast %[[FIRST]] : index to vector<16xindex>
// CHECK-NEXT:      %[[JV:.*]] = arith.addi %[[FB]], %[[IOTA]] : vector<16xindex>
// CHECK-NEXT:      %[[IB:.*]] = vector.broadcast %[[IK]] : index to vector<16xindex>
// CHECK-NEXT:      %[[DIAG:.*]] = arith.subi %[[JV]], %[[IB]] : vector<16xindex>
// CHECK-NEXT:      %[[NONE:.*]] = arith.constant dense<false> : vector<16xi1>
// CHECK-NEXT:      %[[ALL:.*]] = arith.constant dense<true> : vector<16xi1>
// CHECK-NEXT:      %[[CM3:.*]] = arith.constant -3 : index
// CHECK-NEXT:      %[[BM3:.*]] = vector.broadcast %[[CM3]] : index to vector<16xindex>
// CHECK-NEXT:      %[[GE:.*]] = arith.cmpi sge, %[[DIAG]], %[[BM3]] : vector<16xindex>
// CHECK-NEXT:      %[[IN0:.*]] = arith.andi %[[ALL]], %[[GE]] : vector<16xi1>
// CHECK-NEXT:      %[[CZ:.*]] = arith.constant 0 : index
// CHECK-NEXT:      %[[BZ:.*]] = vector.broadcast %[[CZ]] : index to vector<16xindex>
// CHECK-NEXT:      %[[LE:.*]] = arith.cmpi sle, %[[DIAG]], %[[BZ]] : vector<16xindex>
// CHECK-NEXT:      %[[IN1:.*]] = arith.andi %[[IN0]], %[[LE]] : vector<16xi1>
// CHECK-NEXT:      %[[ANY1:.*]] = arith.ori %[[NONE]], %[[IN1]] : vector<16xi1>
// CHECK-NEXT:      %[[ALL2:.*]] = arith.constant dense<true> : vector<16xi1>
// CHECK-NEXT:      %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT:      %[[B2:.*]] = vector.broadcast %[[C2]] : index to vector<16xindex>
// CHECK-NEXT:      %[[GE2:.*]] = arith.cmpi sge, %[[JV]], %[[B2]] : vector<16xindex>
// CHECK-NEXT:      %[[IN2:.*]] = arith.andi %[[ALL2]], %[[GE2]] : vector<16xi1>
// CHECK-NEXT:      %[[C4:.*]] = arith.constant 4 : index
// CHECK-NEXT:      %[[B4:.*]] = vector.broadcast %[[C4]] : index to vector<16xindex>
// CHECK-NEXT:      %[[LT4:.*]] = arith.cmpi slt, %[[JV]], %[[B4]] : vector<16xindex>
// CHECK-NEXT:      %[[IN3:.*]] = arith.andi %[[IN2]], %[[LT4]] : vector<16xi1>
// CHECK-NEXT:      %[[ANY2:.*]] = arith.ori %[[ANY1]], %[[IN3]] : vector<16xi1>
// CHECK-NEXT:      %[[SKB:.*]] = vector.broadcast %[[SK]] : index to vector<16xindex>
// CHECK-NEXT:      %[[INSEQ:.*]] = arith.cmpi slt, %[[JV]], %[[SKB]] : vector<16xindex>
// CHECK-NEXT:      %[[KEEP:.*]] = arith.andi %[[ANY2]], %[[INSEQ]] : vector<16xi1>
// CHECK-NEXT:      %[[NINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK-NEXT:      %[[SMASK:.*]] = arith.select %[[KEEP]], %[[SC]], %[[NINF]] : vector<16xi1>, vector<16xf32>
//
// softmax_step: m' = max(m, rowmax(s)); a row with m' = -inf subtracts 0
// and gets alpha = 1; p = exp2((s - m') log2 e), l' = l alpha + sum(p).
// CHECK-NEXT:      %[[TMAX:.*]] = vector.reduction <maxnumf>, %[[SMASK]] : vector<16xf32> into f32
// CHECK-NEXT:      %[[NMAX:.*]] = arith.maxnumf %[[M0]], %[[TMAX]] : f32
// CHECK-NEXT:      %[[NINFS:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:      %[[NOKEY:.*]] = arith.cmpf oeq, %[[NMAX]], %[[NINFS]] : f32
// CHECK-NEXT:      %[[ZS:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[SAFE:.*]] = arith.select %[[NOKEY]], %[[ZS]], %[[NMAX]] : f32
// CHECK-NEXT:      %[[LOG2E:.*]] = arith.constant dense<1.44269502> : vector<16xf32>
// CHECK-NEXT:      %[[SAFEV:.*]] = vector.broadcast %[[SAFE]] : f32 to vector<16xf32>
// CHECK-NEXT:      %[[SD:.*]] = arith.subf %[[SMASK]], %[[SAFEV]] : vector<16xf32>
// CHECK-NEXT:      %[[SDL:.*]] = arith.mulf %[[SD]], %[[LOG2E]] : vector<16xf32>
// CHECK-NEXT:      %[[P:.*]] = math.exp2 %[[SDL]] : vector<16xf32>
// CHECK-NEXT:      %[[LOG2ES:.*]] = arith.constant 1.44269502 : f32
// CHECK-NEXT:      %[[MD:.*]] = arith.subf %[[M0]], %[[SAFE]] : f32
// CHECK-NEXT:      %[[MDL:.*]] = arith.mulf %[[MD]], %[[LOG2ES]] : f32
// CHECK-NEXT:      %[[AE:.*]] = math.exp2 %[[MDL]] : f32
// CHECK-NEXT:      %[[ONES:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[ALPHA:.*]] = arith.select %[[NOKEY]], %[[ONES]], %[[AE]] : f32
// CHECK-NEXT:      %[[PSUM:.*]] = vector.reduction <add>, %[[P]] fastmath<reassoc> : vector<16xf32> into f32
// CHECK-NEXT:      %[[LA:.*]] = arith.mulf %[[L0]], %[[ALPHA]] : f32
// CHECK-NEXT:      %[[NSUM:.*]] = arith.addf %[[LA]], %[[PSUM]] : f32
//
// scale_rows: acc * alpha.
// CHECK-NEXT:      %[[ALPHAV:.*]] = vector.broadcast %[[ALPHA]] : f32 to vector<64xf32>
// CHECK-NEXT:      %[[AS:.*]] = arith.mulf %[[A0]], %[[ALPHAV]] : vector<64xf32>
//
// pv: a rolled loop over the key columns; acc += p[c] * v[row] (0 past count).
// CHECK-NEXT:      %[[PC1:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[PFC:.*]] = arith.addi %[[FIRST]], %[[COUNT]] : index
// CHECK-NEXT:      %[[PLAST:.*]] = arith.subi %[[PFC]], %[[PC1]] : index
// CHECK:           %[[PV:.*]] = scf.for %[[PCOL:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[PACC:[^ ]+]] = %[[AS]]) -> (vector<64xf32>) {
// CHECK-NEXT:        %[[PJ:.*]] = arith.addi %[[FIRST]], %[[PCOL]] : index
// CHECK-NEXT:        %[[PJC:.*]] = arith.minsi %[[PJ]], %[[PLAST]] : index
// CHECK-NEXT:        %[[PD:.*]] = arith.constant 64 : index
// CHECK-NEXT:        %[[VROW:.*]] = arith.muli %[[PJC]], %[[PD]] : index
// CHECK-NEXT:        %[[VOFF:.*]] = arith.addi %[[BASE]], %[[VROW]] : index
// CHECK-NEXT:        %[[VV:.*]] = vector.load %[[K]][%[[VOFF]]] {alignment = 16 : i64} : memref<?xf16>, vector<64xf16>
// CHECK-NEXT:        %[[PCV:.*]] = vector.extract %[[P]][%[[PCOL]]] : f32 from vector<16xf32>
// CHECK-NEXT:        %[[PZ:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:        %[[PIN:.*]] = arith.cmpi slt, %[[PCOL]], %[[COUNT]] : index
// CHECK-NEXT:        %[[PSEL:.*]] = arith.select %[[PIN]], %[[PCV]], %[[PZ]] : f32
// CHECK-NEXT:        %[[V32:.*]] = arith.extf %[[VV]] : vector<64xf16> to vector<64xf32>
// CHECK-NEXT:        %[[PB:.*]] = vector.broadcast %[[PSEL]] : f32 to vector<64xf32>
// CHECK-NEXT:        %[[FMA:.*]] = vector.fma %[[PB]], %[[V32]], %[[PACC]] : vector<64xf32>
// CHECK-NEXT:        scf.yield %[[FMA]] : vector<64xf32>
// CHECK-NEXT:      }
//
// normalize: acc * (l == 0 ? 0 : 1 / l).
// CHECK-NEXT:      %[[NZ:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[LZ:.*]] = arith.cmpf oeq, %[[NSUM]], %[[NZ]] : f32
// CHECK-NEXT:      %[[N1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[INV:.*]] = arith.divf %[[N1]], %[[NSUM]] : f32
// CHECK-NEXT:      %[[NZ2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[INVS:.*]] = arith.select %[[LZ]], %[[NZ2]], %[[INV]] : f32
// CHECK-NEXT:      %[[INVV:.*]] = vector.broadcast %[[INVS]] : f32 to vector<64xf32>
// CHECK-NEXT:      %[[OUT:.*]] = arith.mulf %[[PV]], %[[INVV]] : vector<64xf32>
//
// sub and add are elementwise; the f32 result is truncated for the store.
// CHECK-NEXT:      %[[SUB:.*]] = arith.subf %[[OUT]], %[[A0]] : vector<64xf32>
// CHECK-NEXT:      %[[ADD:.*]] = arith.addf %[[SUB]], %[[OUT]] : vector<64xf32>
// CHECK-NEXT:      %[[TR:.*]] = arith.truncf %[[ADD]] : vector<64xf32> to vector<64xf16>
// CHECK:           vector.store %[[TR]], %[[K]]
// CHECK-NOT:     sattn.tile
func.func @compute(%qb: memref<?xf16>, %k: memref<?xf16>, %base: index, %first: index, %count: index, %sq: index, %sk: index, %start: index, %step: index, %n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %q = sattn.tile.load %qb[%base] rows(%start, %step, %n) : memref<?xf16> -> !sattn.tile<64x64xf16>
    %m = sattn.tile.fill 0xFF800000 : !sattn.tile<64x1xf32>
    %l = sattn.tile.fill 0.0 : !sattn.tile<64x1xf32>
    %acc = sattn.tile.fill 0.0 : !sattn.tile<64x64xf32>
    %s = sattn.tile.qk %q, %k[%base] keys(%first, %count) : !sattn.tile<64x64xf16>, memref<?xf16> -> !sattn.tile<64x16xf32>
    %s1 = sattn.tile.score_mod %s {scale = 0.125 : f64, softcap = 50.0 : f64} : !sattn.tile<64x16xf32>
    %s2 = sattn.tile.mask %s1 rows(%start, %step) keys(%first) seq(%sq, %sk) {regions = [#sattn.region<diag_lo = -3, diag_hi = 0>, #sattn.region<col_lo = 2, col_hi = 4>]} : !sattn.tile<64x16xf32>
    %nm, %ns, %p, %al = sattn.tile.softmax_step %s2, %m, %l : !sattn.tile<64x16xf32>, !sattn.tile<64x1xf32>
    %a1 = sattn.tile.scale_rows %acc, %al : !sattn.tile<64x64xf32>, !sattn.tile<64x1xf32>
    %a2 = sattn.tile.pv %p, %k[%base] keys(%first, %count), %a1 : !sattn.tile<64x16xf32>, memref<?xf16>, !sattn.tile<64x64xf32>
    %r = sattn.tile.normalize %a2, %ns : !sattn.tile<64x64xf32>, !sattn.tile<64x1xf32>
    %d = sattn.tile.sub %r, %acc : !sattn.tile<64x64xf32>
    %e = sattn.tile.add %d, %r : !sattn.tile<64x64xf32>
    sattn.tile.store %e, %k[%base] rows(%start, %step, %n) : !sattn.tile<64x64xf32>, memref<?xf16>
  }
  return
}

// -----

// Without softcap, score_mod is one multiplication; a region without bounds
// only checks j < Sk; loop-carried tiles convert with the loop.
// CHECK-LABEL: func.func @no_softcap_loop(
// CHECK:           %[[S:.*]] = scf.for {{.*}} -> (vector<32xf32>) {
// CHECK:             scf.yield %{{.*}} : vector<32xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[SCALE:.*]] = arith.constant dense<5.000000e-01> : vector<32xf32>
// CHECK-NEXT:      %[[SS:.*]] = arith.mulf %[[S]], %[[SCALE]] : vector<32xf32>
// CHECK-NOT:       math.exp2
// CHECK:           %[[NONE:.*]] = arith.constant dense<false> : vector<32xi1>
// CHECK-NEXT:      %[[ALL:.*]] = arith.constant dense<true> : vector<32xi1>
// CHECK-NEXT:      %[[ANY:.*]] = arith.ori %[[NONE]], %[[ALL]] : vector<32xi1>
// CHECK-NEXT:      %[[SKB:.*]] = vector.broadcast %{{.*}} : index to vector<32xindex>
// CHECK-NEXT:      %[[INSEQ:.*]] = arith.cmpi slt, %{{.*}}, %[[SKB]] : vector<32xindex>
// CHECK-NEXT:      %[[KEEP:.*]] = arith.andi %[[ANY]], %[[INSEQ]] : vector<32xi1>
// CHECK:           %[[LOOP:.*]]:2 = scf.for %{{.*}} iter_args(%[[X:[^ ]+]] = %{{.*}}, %[[Y:[^ ]+]] = %{{.*}}) -> (f32, vector<128xf32>) {
// CHECK-NEXT:        %[[XX:.*]] = arith.addf %[[X]], %[[X]] : f32
// CHECK-NEXT:        %[[YY:.*]] = arith.subf %[[Y]], %[[Y]] : vector<128xf32>
// CHECK-NEXT:        scf.yield %[[XX]], %[[YY]] : f32, vector<128xf32>
// CHECK-NEXT:      }
// CHECK-NOT:     sattn.tile
// CHECK-NOT:     !sattn.tile
func.func @no_softcap_loop(%qb: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %q = sattn.tile.load %qb[%c0] rows(%c0, %c1, %n) : memref<?xf32> -> !sattn.tile<64x128xf32>
    %s = sattn.tile.qk %q, %qb[%c0] keys(%c0, %n) : !sattn.tile<64x128xf32>, memref<?xf32> -> !sattn.tile<64x32xf32>
    %s1 = sattn.tile.score_mod %s {scale = 0.5 : f64} : !sattn.tile<64x32xf32>
    %s2 = sattn.tile.mask %s1 rows(%c0, %c1) keys(%c0) seq(%n, %n) {regions = [#sattn.region<>]} : !sattn.tile<64x32xf32>
    %a = sattn.tile.fill 0.0 : !sattn.tile<64x1xf32>
    %b = sattn.tile.fill 0.0 : !sattn.tile<64x128xf32>
    %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%u = %a, %v = %b) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x128xf32>) {
      %u2 = sattn.tile.add %u, %u : !sattn.tile<64x1xf32>
      %v2 = sattn.tile.sub %v, %v : !sattn.tile<64x128xf32>
      scf.yield %u2, %v2 : !sattn.tile<64x1xf32>, !sattn.tile<64x128xf32>
    }
    sattn.tile.store %r#1, %qb[%c0] rows(%c0, %c1, %n) : !sattn.tile<64x128xf32>, memref<?xf32>
  }
  return
}

// -----

// normalize with a sink: acc / (l + exp2((z - m) log2 e)), still 0 where
// l == 0.
// CHECK-LABEL: func.func @normalize_sink(
// CHECK-SAME:      %[[Z:[^:]+]]: f32
// CHECK:           %[[L:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      %[[M:.*]] = arith.constant -1.000000e+00 : f32
// CHECK:           %[[LZ:.*]] = arith.cmpf oeq, %[[L]], %{{.*}} : f32
// CHECK-NEXT:      %[[LOG2E:.*]] = arith.constant 1.44269502 : f32
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[Z]], %[[M]] : f32
// CHECK-NEXT:      %[[X:.*]] = arith.mulf %[[D]], %[[LOG2E]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp2 %[[X]] : f32
// CHECK-NEXT:      %[[DEN:.*]] = arith.addf %[[L]], %[[E]] : f32
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[INV:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK:           arith.select %[[LZ]], %{{.*}}, %[[INV]] : f32
func.func @normalize_sink(%o: memref<?xf32>, %n: index, %z: f32) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %acc = sattn.tile.fill 3.0 : <64x64xf32>
    %l = sattn.tile.fill 2.0 : <64x1xf32>
    %m = sattn.tile.fill -1.0 : <64x1xf32>
    %r = sattn.tile.normalize %acc, %l sink(%z, %m : !sattn.tile<64x1xf32>) : <64x64xf32>, <64x1xf32>
    sattn.tile.store %r, %o[%x] rows(%x, %n, %n) : !sattn.tile<64x64xf32>, memref<?xf32>
  }
  return
}

// -----

// tile.alibi: the lane's i' = start + lane * step + Sk - Sq; j - i' as a
// vector (first - i' + iota), converted, and one fma with the slope.
// CHECK-LABEL: func.func @alibi(
// CHECK-SAME:      %[[SLOPE:[^:]+]]: f32
// CHECK:           %[[DIST:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK-NEXT:      %[[D64:.*]] = arith.index_cast %[[DIST]] : vector<16xindex> to vector<16xi64>
// CHECK-NEXT:      %[[DF:.*]] = arith.sitofp %[[D64]] : vector<16xi64> to vector<16xf32>
// CHECK-NEXT:      %[[SV:.*]] = vector.broadcast %[[SLOPE]] : f32 to vector<16xf32>
// CHECK-NEXT:      math.fma %[[SV]], %[[DF]], %{{.*}} : vector<16xf32>
func.func @alibi(%o: memref<?xf32>, %n: index, %slope: f32) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %s = sattn.tile.fill 1.0 : <64x16xf32>
    %r = sattn.tile.alibi %s slope(%slope) rows(%x, %n) keys(%y) seq(%n, %n) : <64x16xf32>
    %acc = sattn.tile.fill 0.0 : <64x16xf32>
    %l = sattn.tile.fill 1.0 : <64x1xf32>
    %out = sattn.tile.normalize %r, %l : <64x16xf32>, <64x1xf32>
    sattn.tile.store %out, %o[%x] rows(%x, %n, %n) : !sattn.tile<64x16xf32>, memref<?xf32>
  }
  return
}

// -----

// A chunk bounds the lane's keys by C floor(i'/C) and that plus C; a
// dilation keeps the keys whose diagonal d = j - i' has d rem n == 0.
// CHECK-LABEL: func.func @mask_grids(
// CHECK:         %[[DIAG:.*]] = arith.subi %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:         %[[CS:.*]] = arith.floordivsi %{{.*}}, %c100 : index
// CHECK:         arith.cmpi sge, %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:         arith.cmpi slt, %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:         %[[REM:.*]] = arith.remsi %[[DIAG]], %{{.*}} : vector<16xindex>
// CHECK:         arith.cmpi eq, %[[REM]], %{{.*}} : vector<16xindex>
func.func @mask_grids(%qb: memref<?xf16>, %k: memref<?xf16>, %base: index, %first: index, %count: index, %sq: index, %sk: index, %start: index, %step: index, %n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %q = sattn.tile.load %qb[%base] rows(%start, %step, %n) : memref<?xf16> -> !sattn.tile<64x64xf16>
    %s = sattn.tile.qk %q, %k[%base] keys(%first, %count) : !sattn.tile<64x64xf16>, memref<?xf16> -> !sattn.tile<64x16xf32>
    %s2 = sattn.tile.mask %s rows(%start, %step) keys(%first) seq(%sq, %sk) {regions = [#sattn.region<diag_hi = 0, chunk = 100>, #sattn.region<diag_lo = -40, dilation = 3>]} : !sattn.tile<64x16xf32>
    %acc = sattn.tile.fill 0.0 : !sattn.tile<64x64xf32>
    %a2 = sattn.tile.pv %s2, %k[%base] keys(%first, %count), %acc : !sattn.tile<64x16xf32>, memref<?xf16>, !sattn.tile<64x64xf32>
    sattn.tile.store %a2, %k[%base] rows(%start, %step, %n) : !sattn.tile<64x64xf32>, memref<?xf16>
  }
  return
}
