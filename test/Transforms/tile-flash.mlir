// sattn-tile-flash: classified attention -> kernels of tile ops.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --canonicalize --cse | FileCheck %s
// The pass alone (no cleanup) leaves no attention, no mask op and no
// source function behind.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash | FileCheck %s --check-prefix=RAW

// RAW-NOT: sattn.attention
// RAW-NOT: sattn.mask.

// Functions without attention are left alone.
// CHECK-LABEL: func.func @helper(%{{.*}}: index) -> index {
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @helper(%x: index) -> index {
  return %x : index
}

// Causal, head_dim 64, f16: one kernel with the source function's name.
// Buffers become flat memrefs, followed by B, H, Hkv, Sq, Sk.
// CHECK-LABEL: func.func @causal(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xf16>, %[[K:[^:]+]]: memref<?xf16>, %[[V:[^:]+]]: memref<?xf16>, %[[O:[^:]+]]: memref<?xf16>, %[[B:[^:]+]]: index, %[[H:[^:]+]]: index, %[[HKV:[^:]+]]: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index)
// CHECK-SAME:      attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["q", "k", "v", "o", "B", "H", "Hkv", "Sq", "Sk"]>} {
// CHECK-DAG:     %[[C63:.*]] = arith.constant 63 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// One program instance per 64 query rows and per batch*head.
// CHECK:         %[[GX:.*]] = arith.ceildivsi %[[SQ]], %[[C64]] : index
// CHECK:         %[[GY:.*]] = arith.muli %[[B]], %[[H]] : index
// CHECK:         sattn.program grid(%[[GX]], %[[GY]]) block_m = 64 {
// CHECK-NEXT:    ^bb0(%[[XB:[^:]+]]: index, %[[Y:[^:]+]]: index):
// Query tiles in reverse order (heaviest first under causal masks).
// CHECK-NEXT:      %[[LASTX:.*]] = arith.subi %[[GX]], %[[C1]] : index
// CHECK-NEXT:      %[[X:.*]] = arith.subi %[[LASTX]], %[[XB]] : index
// y = b * H + h; kv head = h / (H / Hkv), in unsigned 32 bits (B * H is at
// most 65535); bases in elements.
// CHECK-NEXT:      %[[Y32:.*]] = arith.index_castui %[[Y]] : index to i32
// CHECK-NEXT:      %[[H32:.*]] = arith.index_castui %[[H]] : index to i32
// CHECK-NEXT:      %[[HKV32:.*]] = arith.index_castui %[[HKV]] : index to i32
// CHECK-NEXT:      %[[BATCH32:.*]] = arith.divui %[[Y32]], %[[H32]] : i32
// CHECK-NEXT:      %[[BATCH:.*]] = arith.index_castui %[[BATCH32]] : i32 to index
// CHECK-NEXT:      %[[HEAD:.*]] = arith.remui %[[Y32]], %[[H32]] : i32
// CHECK-NEXT:      %[[GROUP:.*]] = arith.divui %[[H32]], %[[HKV32]] : i32
// CHECK-NEXT:      %[[KVH32:.*]] = arith.divui %[[HEAD]], %[[GROUP]] : i32
// CHECK-NEXT:      %[[KVH:.*]] = arith.index_castui %[[KVH32]] : i32 to index
// CHECK-NEXT:      %[[QROW:.*]] = arith.muli %[[Y]], %[[SQ]] : index
// CHECK-NEXT:      %[[QBASE:.*]] = arith.muli %[[QROW]], %[[C64]] : index
// CHECK-NEXT:      %[[KVB:.*]] = arith.muli %[[BATCH]], %[[HKV]] : index
// CHECK-NEXT:      %[[KVI:.*]] = arith.addi %[[KVB]], %[[KVH]] : index
// CHECK-NEXT:      %[[KVROW:.*]] = arith.muli %[[KVI]], %[[SK]] : index
// CHECK-NEXT:      %[[KVBASE:.*]] = arith.muli %[[KVROW]], %[[C64]] : index
// CHECK-NEXT:      %[[OFF:.*]] = arith.subi %[[SK]], %[[SQ]] : index
// Rows [x * 64, x * 64 + count), count = min(64, Sq - x * 64).
// CHECK-NEXT:      %[[START:.*]] = arith.muli %[[X]], %[[C64]] : index
// CHECK-NEXT:      %[[LEFT:.*]] = arith.subi %[[SQ]], %[[START]] : index
// CHECK-NEXT:      %[[COUNT:.*]] = arith.minsi %[[LEFT]], %[[C64]] : index
// CHECK-NEXT:      %[[CM1:.*]] = arith.subi %[[COUNT]], %[[C1]] : index
// CHECK-NEXT:      %[[LAST:.*]] = arith.addi %[[START]], %[[CM1]] : index
// CHECK-NEXT:      %[[QT:.*]] = sattn.tile.load %[[Q]][%[[QBASE]]] rows(%[[START]], %[[C1]], %[[COUNT]]) : memref<?xf16> -> <64x64xf16>
// Causal key range: tiles [0, ceil(min(Sk, last' + 1) / 64)), empty if <= 0.
// CHECK-NEXT:      %[[LASTK:.*]] = arith.addi %[[LAST]], %[[OFF]] : index
// CHECK-NEXT:      %[[END:.*]] = arith.addi %[[LASTK]], %[[C1]] : index
// CHECK-NEXT:      %[[HI:.*]] = arith.minsi %[[SK]], %[[END]] : index
// CHECK-NEXT:      %[[CEIL:.*]] = arith.ceildivsi %[[HI]], %[[C64]] : index
// CHECK-NEXT:      %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[HI]], %[[C0]] : index
// CHECK-NEXT:      %[[NTILES:.*]] = arith.select %[[NONEMPTY]], %[[CEIL]], %[[C0]] : index
// CHECK-NEXT:      %[[M0:.*]] = sattn.tile.fill 0xFF800000 : <64x1xf32>
// CHECK-NEXT:      %[[L0:.*]] = sattn.tile.fill 0.000000e+00 : <64x1xf32>
// CHECK-NEXT:      %[[A0:.*]] = sattn.tile.fill 0.000000e+00 : <64x64xf32>
// CHECK-NEXT:      %[[LOOP:.*]]:3 = scf.for %[[KT:[^ ]+]] = %[[C0]] to %[[NTILES]] step %[[C1]] iter_args(%[[M:[^ ]+]] = %[[M0]], %[[L:[^ ]+]] = %[[L0]], %[[A:[^ ]+]] = %[[A0]]) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>) {
// CHECK-NEXT:        %[[J0:.*]] = arith.muli %[[KT]], %[[C64]] : index
// CHECK-NEXT:        %[[KLEFT:.*]] = arith.subi %[[SK]], %[[J0]] : index
// CHECK-NEXT:        %[[KCOUNT:.*]] = arith.minsi %[[KLEFT]], %[[C64]] : index
// CHECK-NEXT:        %[[S:.*]] = sattn.tile.qk %[[QT]], %[[K]][%[[KVBASE]]] keys(%[[J0]], %[[KCOUNT]]) : <64x64xf16>, memref<?xf16> -> <64x64xf32>
// Without a softcap the scale is the softmax step's (no score_mod).
// Full iff the tile is inside Sk and its last key is at or before the first
// row's diagonal.
// CHECK-NEXT:        %[[JLAST:.*]] = arith.addi %[[J0]], %[[C63]] : index
// CHECK-NEXT:        %[[FIRSTK:.*]] = arith.addi %[[START]], %[[OFF]] : index
// CHECK-NEXT:        %[[INB:.*]] = arith.cmpi slt, %[[JLAST]], %[[SK]] : index
// CHECK-NEXT:        %[[D:.*]] = arith.subi %[[JLAST]], %[[FIRSTK]] : index
// CHECK-NEXT:        %[[BELOW:.*]] = arith.cmpi sle, %[[D]], %[[C0]] : index
// CHECK-NEXT:        %[[FULL:.*]] = arith.andi %[[INB]], %[[BELOW]] : i1
// CHECK-NEXT:        %[[MASKED:.*]] = scf.if %[[FULL]] -> (!sattn.tile<64x64xf32>) {
// CHECK-NEXT:          scf.yield %[[S]] : !sattn.tile<64x64xf32>
// CHECK-NEXT:        } else {
// CHECK-NEXT:          %[[MK:.*]] = sattn.tile.mask %[[S]] rows(%[[START]], %[[C1]]) keys(%[[J0]]) seq(%[[SQ]], %[[SK]]) {regions = [#sattn.region<diag_hi = 0>]} : <64x64xf32>
// CHECK-NEXT:          scf.yield %[[MK]] : !sattn.tile<64x64xf32>
// CHECK-NEXT:        }
// CHECK-NEXT:        %[[NM:[^ ,]+]], %[[NL:[^ ,]+]], %[[P:[^ ,]+]], %[[ALPHA:[^ ,]+]] = sattn.tile.softmax_step %[[MASKED]], %[[M]], %[[L]] {scale = 1.250000e-01 : f64} : <64x64xf32>, <64x1xf32>
// CHECK-NEXT:        %[[AS:.*]] = sattn.tile.scale_rows %[[A]], %[[ALPHA]] : <64x64xf32>, <64x1xf32>
// CHECK-NEXT:        %[[AN:.*]] = sattn.tile.pv %[[P]], %[[V]][%[[KVBASE]]] keys(%[[J0]], %[[KCOUNT]]), %[[AS]] : <64x64xf32>, memref<?xf16>, <64x64xf32>
// CHECK-NEXT:        scf.yield %[[NM]], %[[NL]], %[[AN]] : !sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[OUT:.*]] = sattn.tile.normalize %[[LOOP]]#2, %[[LOOP]]#1 : <64x64xf32>, <64x1xf32>
// CHECK-NEXT:      sattn.tile.store %[[OUT]], %[[O]][%[[QBASE]]] rows(%[[START]], %[[C1]], %[[COUNT]]) : <64x64xf32>, memref<?xf16>
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NEXT:  }
func.func @causal(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// No mask, f32, head_dim 128 (block_n 32): every key tile in [0, ceil(Sk/32))
// is visited; a tile is full iff it lies inside Sk, and only the last,
// partial one is masked (region <> only bounds j < Sk). Default scale
// 1/sqrt(128).
// CHECK-LABEL: func.func @dense(
// CHECK-SAME:      %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %[[SK:[^:]+]]: index)
// CHECK-SAME:      sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 32,
// CHECK-DAG:     %[[C31:.*]] = arith.constant 31 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         sattn.program
// CHECK:           %[[QT:.*]] = sattn.tile.load {{.*}} : memref<?xf32> -> <64x128xf32>
// CHECK-NEXT:      %[[CEIL:.*]] = arith.ceildivsi %[[SK]], %[[C32]] : index
// CHECK-NEXT:      %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[SK]], %[[C0]] : index
// CHECK-NEXT:      %[[NTILES:.*]] = arith.select %[[NONEMPTY]], %[[CEIL]], %[[C0]] : index
// CHECK:           scf.for %[[KT:[^ ]+]] = %[[C0]] to %[[NTILES]]
// CHECK-NEXT:        %[[J0:.*]] = arith.muli %[[KT]], %[[C32]] : index
// CHECK:             %[[S:.*]] = sattn.tile.qk %[[QT]], {{.*}} : <64x128xf32>, memref<?xf32> -> <64x32xf32>
// CHECK-NEXT:        %[[JLAST:.*]] = arith.addi %[[J0]], %[[C31]] : index
// CHECK-NEXT:        %[[INB:.*]] = arith.cmpi slt, %[[JLAST]], %[[SK]] : index
// CHECK-NEXT:        %[[MASKED:.*]] = scf.if %[[INB]] -> (!sattn.tile<64x32xf32>) {
// CHECK-NEXT:          scf.yield %[[S]]
// CHECK-NEXT:        } else {
// CHECK-NEXT:          sattn.tile.mask %[[S]] {{.*}} {regions = [#sattn.region<>]} : <64x32xf32>
// CHECK:             sattn.tile.softmax_step %[[MASKED]], {{.*}} {scale = 0.088388347648318433 : f64}
// CHECK-NOT:       scf.for
// CHECK:           sattn.tile.store {{.*}} : <64x128xf32>, memref<?xf32>
func.func @dense(%q: memref<?x?x?x128xf32>, %k: memref<?x?x?x128xf32>, %v: memref<?x?x?x128xf32>, %o: memref<?x?x?x128xf32>) {
  sattn.attention %q, %k, %v, %o : memref<?x?x?x128xf32>, memref<?x?x?x128xf32>
  return
}

// -----

// Two regions (sliding window | sink, both causal), bf16, scale and
// softcap: one key loop over the window's tiles and then the sink's tiles
// outside the window. Fullness is decided per region, masking uses every
// region.
// CHECK-LABEL: func.func @two_regions(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xbf16>, %[[K:[^:]+]]: memref<?xbf16>, %[[V:[^:]+]]: memref<?xbf16>, %[[O:[^:]+]]: memref<?xbf16>, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index)
// CHECK-SAME:      block_m = 64, block_n = 32
// CHECK-DAG:     %[[C31:.*]] = arith.constant 31 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[CM2047:.*]] = arith.constant -2047 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK:         sattn.program
// CHECK:           %[[OFF:.*]] = arith.subi %[[SK]], %[[SQ]] : index
// CHECK:           %[[START:.*]] = arith.muli
// CHECK:           %[[LAST:.*]] = arith.addi %[[START]],
// CHECK-NEXT:      %[[QT:.*]] = sattn.tile.load %[[Q]]{{.*}} -> <64x128xbf16>
// CHECK-NEXT:      %[[FIRSTK:.*]] = arith.addi %[[START]], %[[OFF]] : index
// CHECK-NEXT:      %[[LASTK:.*]] = arith.addi %[[LAST]], %[[OFF]] : index
// Window: keys [max(0, first' - 2047), min(Sk, last' + 1)).
// CHECK-NEXT:      %[[WLO0:.*]] = arith.addi %[[FIRSTK]], %[[CM2047]] : index
// CHECK-NEXT:      %[[WLO:.*]] = arith.maxsi %[[WLO0]], %[[C0]] : index
// CHECK-NEXT:      %[[END:.*]] = arith.addi %[[LASTK]], %[[C1]] : index
// CHECK-NEXT:      %[[WHI:.*]] = arith.minsi %[[SK]], %[[END]] : index
// CHECK-NEXT:      %[[WT0:.*]] = arith.floordivsi %[[WLO]], %[[C32]] : index
// CHECK-NEXT:      %[[WCEIL:.*]] = arith.ceildivsi %[[WHI]], %[[C32]] : index
// CHECK-NEXT:      %[[WNE:.*]] = arith.cmpi slt, %[[WLO]], %[[WHI]] : index
// CHECK-NEXT:      %[[WT1:.*]] = arith.select %[[WNE]], %[[WCEIL]], %[[WT0]] : index
// Sink: keys [0, min(Sk, 128, last' + 1)).
// CHECK-NEXT:      %[[SHI0:.*]] = arith.minsi %[[SK]], %[[C128]] : index
// CHECK-NEXT:      %[[SHI:.*]] = arith.minsi %[[SHI0]], %[[END]] : index
// CHECK-NEXT:      %[[SCEIL:.*]] = arith.ceildivsi %[[SHI]], %[[C32]] : index
// CHECK-NEXT:      %[[SNE:.*]] = arith.cmpi sgt, %[[SHI]], %[[C0]] : index
// CHECK-NEXT:      %[[ST1:.*]] = arith.select %[[SNE]], %[[SCEIL]], %[[C0]] : index
// One loop over the window's tiles, then the sink's tiles before the
// window [0, min(ST1, WT0)), then those after it [max(0, WT1), ST1).
// CHECK:           %[[BEFOREHI:.*]] = arith.minsi %[[ST1]], %[[WT0]] : index
// CHECK-NEXT:      %[[BEFORELEN:.*]] = arith.maxsi %[[BEFOREHI]], %[[C0]] : index
// CHECK-NEXT:      %[[AFTERLO:.*]] = arith.maxsi %[[WT1]], %[[C0]] : index
// CHECK-NEXT:      %[[AFTER0:.*]] = arith.subi %[[ST1]], %[[AFTERLO]] : index
// CHECK-NEXT:      %[[AFTERLEN:.*]] = arith.maxsi %[[AFTER0]], %[[C0]] : index
// CHECK-NEXT:      %[[WLEN0:.*]] = arith.subi %[[WT1]], %[[WT0]] : index
// CHECK-NEXT:      %[[WLEN:.*]] = arith.maxsi %[[WLEN0]], %[[C0]] : index
// CHECK-NEXT:      %[[BEFOREEND:.*]] = arith.addi %[[WLEN]], %[[BEFORELEN]] : index
// CHECK-NEXT:      %[[TOTAL:.*]] = arith.addi %[[BEFOREEND]], %[[AFTERLEN]] : index
// CHECK-NEXT:      %[[LOOP:.*]]:3 = scf.for %[[IT:[^ ]+]] = %[[C0]] to %[[TOTAL]] step %[[C1]]
// CHECK-NEXT:        %[[INAFTER:.*]] = arith.cmpi sge, %[[IT]], %[[BEFOREEND]] : index
// CHECK-NEXT:        %[[BEFOREKT:.*]] = arith.subi %[[IT]], %[[WLEN]] : index
// CHECK-NEXT:        %[[AFTEROFF:.*]] = arith.subi %[[IT]], %[[BEFOREEND]] : index
// CHECK-NEXT:        %[[AFTERKT:.*]] = arith.addi %[[AFTERLO]], %[[AFTEROFF]] : index
// CHECK-NEXT:        %[[SINKKT:.*]] = arith.select %[[INAFTER]], %[[AFTERKT]], %[[BEFOREKT]] : index
// CHECK-NEXT:        %[[WINKT:.*]] = arith.addi %[[WT0]], %[[IT]] : index
// CHECK-NEXT:        %[[INWIN:.*]] = arith.cmpi slt, %[[IT]], %[[WLEN]] : index
// CHECK-NEXT:        %[[KT:.*]] = arith.select %[[INWIN]], %[[WINKT]], %[[SINKKT]] : index
// CHECK-NEXT:        %[[J0:.*]] = arith.muli %[[KT]], %[[C32]] : index
// CHECK:             %[[S:.*]] = sattn.tile.qk %[[QT]], %[[K]]
// CHECK-NEXT:        %[[SM:.*]] = sattn.tile.score_mod %[[S]] {scale = 5.000000e-01 : f64, softcap = 3.000000e+01 : f64} : <64x32xf32>
// Full for the window: in Sk, j0 - last' >= -2047 and jlast - first' <= 0;
// full for the sink part: in Sk, jlast < 128 and jlast - first' <= 0.
// CHECK-NEXT:        %[[JLAST:.*]] = arith.addi %[[J0]], %[[C31]] : index
// CHECK-NEXT:        %[[INB:.*]] = arith.cmpi slt, %[[JLAST]], %[[SK]] : index
// CHECK-NEXT:        %[[DLO:.*]] = arith.subi %[[J0]], %[[LASTK]] : index
// CHECK-NEXT:        %[[GELO:.*]] = arith.cmpi sge, %[[DLO]], %[[CM2047]] : index
// CHECK-NEXT:        %[[F1:.*]] = arith.andi %[[INB]], %[[GELO]] : i1
// CHECK-NEXT:        %[[DHI:.*]] = arith.subi %[[JLAST]], %[[FIRSTK]] : index
// CHECK-NEXT:        %[[LEHI:.*]] = arith.cmpi sle, %[[DHI]], %[[C0]] : index
// CHECK-NEXT:        %[[WFULL:.*]] = arith.andi %[[F1]], %[[LEHI]] : i1
// CHECK-NEXT:        %[[INSINK:.*]] = arith.cmpi slt, %[[JLAST]], %[[C128]] : index
// CHECK-NEXT:        %[[F2:.*]] = arith.andi %[[INB]], %[[INSINK]] : i1
// CHECK-NEXT:        %[[SFULL:.*]] = arith.andi %[[F2]], %[[LEHI]] : i1
// CHECK-NEXT:        %[[FULL:.*]] = arith.ori %[[WFULL]], %[[SFULL]] : i1
// CHECK-NEXT:        %[[MASKED:.*]] = scf.if %[[FULL]] -> (!sattn.tile<64x32xf32>) {
// CHECK-NEXT:          scf.yield %[[SM]]
// CHECK-NEXT:        } else {
// CHECK-NEXT:          sattn.tile.mask %[[SM]] rows(%[[START]], %[[C1]]) keys(%[[J0]]) seq(%[[SQ]], %[[SK]]) {regions = [#sattn.region<diag_lo = -2047, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 128>]} : <64x32xf32>
// CHECK:             sattn.tile.softmax_step %[[MASKED]]
// CHECK-NEXT:        sattn.tile.scale_rows
// CHECK-NEXT:        sattn.tile.pv {{.*}}, %[[V]]
// CHECK-NEXT:        scf.yield
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[OUT:.*]] = sattn.tile.normalize %[[LOOP]]#2, %[[LOOP]]#1 : <64x128xf32>, <64x1xf32>
// CHECK-NEXT:      sattn.tile.store %[[OUT]], %[[O]]{{.*}} : <64x128xf32>, memref<?xbf16>
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @two_regions(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {scale = 0.5 : f64, softcap = 30.0 : f64} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Three regions: three loops; the third skips the tiles of the first two.
// A band with right > 0 ends at last' + right + 1.
// CHECK-LABEL: func.func @three_regions(
// CHECK-SAME:      block_m = 64, block_n = 64
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : index
// CHECK:         %[[END6:.*]] = arith.addi %{{.*}}, %[[C6]] : index
// CHECK:         %[[R1:.*]]:3 = scf.for %{{[^ ]+}} = %[[LO1:[^ ]+]] to %[[HI1:[^ ]+]] step
// CHECK-NOT:       scf.if %{{.*}} -> (!sattn.tile<64x1xf32>
// CHECK:         %[[R2:.*]]:3 = scf.for %[[KT2:[^ ]+]] = %[[LO2:[^ ]+]] to %[[HI2:[^ ]+]] step %{{[^ ]+}} iter_args(%{{[^ ]+}} = %[[R1]]#0,
// CHECK-NEXT:      %[[A:.*]] = arith.cmpi slt, %[[KT2]], %[[HI1]] : index
// CHECK-NEXT:      %[[B:.*]] = arith.cmpi sge, %[[KT2]], %[[LO1]] : index
// CHECK-NEXT:      %[[IN1:.*]] = arith.andi %[[B]], %[[A]] : i1
// CHECK-NEXT:      scf.if %[[IN1]] -> (!sattn.tile<64x1xf32>
// CHECK:         %[[R3:.*]]:3 = scf.for %[[KT3:[^ ]+]] = %{{[^ ]+}} to %{{[^ ]+}} step %{{[^ ]+}} iter_args(%{{[^ ]+}} = %[[R2]]#0,
// CHECK-NEXT:      %[[A3:.*]] = arith.cmpi slt, %[[KT3]], %[[HI1]] : index
// CHECK-NEXT:      %[[B3:.*]] = arith.cmpi sge, %[[KT3]], %[[LO1]] : index
// CHECK-NEXT:      %[[IN31:.*]] = arith.andi %[[B3]], %[[A3]] : i1
// CHECK-NEXT:      %[[C3:.*]] = arith.cmpi slt, %[[KT3]], %[[HI2]] : index
// CHECK-NEXT:      %[[D3:.*]] = arith.cmpi sge, %[[KT3]], %[[LO2]] : index
// CHECK-NEXT:      %[[IN32:.*]] = arith.andi %[[D3]], %[[C3]] : i1
// CHECK-NEXT:      %[[COV:.*]] = arith.ori %[[IN31]], %[[IN32]] : i1
// CHECK-NEXT:      scf.if %[[COV]] -> (!sattn.tile<64x1xf32>
// CHECK:           sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -3, diag_hi = 5>, #sattn.region<diag_lo = 0, diag_hi = 9>, #sattn.region<col_hi = 2>]}
// CHECK:         sattn.tile.normalize %[[R3]]#2, %[[R3]]#1
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @three_regions(%q: memref<?x?x?x64xbf16>) {
  %a = sattn.mask.window left = 3, right = 5
  %b = sattn.mask.window left = 0, right = 9
  %s = sattn.mask.sink tokens = 2
  %u = sattn.mask.union %a, %b, %s
  sattn.attention %q, %q, %q, %q mask(%u) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// Static shapes do not change the kernel ABI: flat dynamic buffers and
// runtime sizes. Each function becomes its own kernel.
// CHECK-LABEL: func.func @static_gqa(
// CHECK-SAME:      memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: memref<?xf32>, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index)
// CHECK-LABEL: func.func @second(
// CHECK-SAME:      #sattn.kernel<role = attention,
func.func @static_gqa(%q: memref<2x8x100x128xf32>, %k: memref<2x2x300x128xf32>, %v: memref<2x2x300x128xf32>, %o: memref<2x8x100x128xf32>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<2x8x100x128xf32>, memref<2x2x300x128xf32>
  return
}
func.func @second(%q: memref<?x?x?x64xbf16>) {
  sattn.attention %q, %q, %q, %q : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// The delta correction: two kernels, <f>_delta_anchor then <f>_delta_main,
// both with the f32 delta buffer after o. gamma 16, tail_min 100, head_dim
// 64: cut = Sq mod 16 + 100, mainRows = max(0, Sq - cut), anchors =
// ceil(mainRows / 16), tail = Sq - mainRows.
// CHECK-LABEL: func.func @sw_delta_anchor(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<?xf16>, %[[K:[^:]+]]: memref<?xf16>, %[[V:[^:]+]]: memref<?xf16>, %[[O:[^:]+]]: memref<?xf16>, %[[DB:[^:]+]]: memref<?xf32>, %[[B:[^:]+]]: index, %[[H:[^:]+]]: index, %{{[^:]+}}: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index)
// CHECK-SAME:      attributes {sattn.kernel = #sattn.kernel<role = delta_anchor, block_m = 64, block_n = 64, arg_names = ["q", "k", "v", "o", "delta", "B", "H", "Hkv", "Sq", "Sk"]>}
// CHECK-DAG:     %[[C1024:.*]] = arith.constant 1024 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK:         %[[REM:.*]] = arith.remsi %[[SQ]], %[[C16]] : index
// CHECK-NEXT:    %[[CUT:.*]] = arith.addi %[[REM]], %[[C100]] : index
// CHECK-NEXT:    %[[SP:.*]] = arith.subi %[[SQ]], %[[CUT]] : index
// CHECK-NEXT:    %[[MAIN:.*]] = arith.maxsi %[[SP]], %[[C0]] : index
// CHECK-NEXT:    %[[NA:.*]] = arith.ceildivsi %[[MAIN]], %[[C16]] : index
// CHECK-NEXT:    %[[TAIL:.*]] = arith.subi %[[SQ]], %[[MAIN]] : index
// Grid x: anchor tiles, then tail tiles.
// CHECK-NEXT:    %[[AT:.*]] = arith.ceildivsi %[[NA]], %[[C64]] : index
// CHECK-NEXT:    %[[TT:.*]] = arith.ceildivsi %[[TAIL]], %[[C64]] : index
// CHECK-NEXT:    %[[GX:.*]] = arith.addi %[[AT]], %[[TT]] : index
// CHECK-NEXT:    %[[GY:.*]] = arith.muli %[[B]], %[[H]] : index
// CHECK-NEXT:    sattn.program grid(%[[GX]], %[[GY]]) block_m = 64 {
// CHECK-NEXT:    ^bb0(%[[XB:[^:]+]]: index, %[[Y:[^:]+]]: index):
// Query tiles in reverse order (heaviest first under causal masks).
// CHECK-NEXT:      %[[LASTX:.*]] = arith.subi %[[GX]], %[[C1]] : index
// CHECK-NEXT:      %[[X:.*]] = arith.subi %[[LASTX]], %[[XB]] : index
// CHECK:           %[[QBASE:.*]] = arith.muli %{{.*}}, %[[C64]] : index
// One row set for both kinds of program: anchor rows x*64*16 + r*16 for
// r < min(64, anchors - x*64), or tail rows mainRows + (x - anchor tiles)
// * 64 + r for r < min(64, Sq - start).
// CHECK:           %[[ISANCHOR:.*]] = arith.cmpi slt, %[[X]], %[[AT]] : index
// CHECK-NEXT:      %[[FA:.*]] = arith.muli %[[X]], %[[C64]] : index
// CHECK-NEXT:      %[[ALEFT:.*]] = arith.subi %[[NA]], %[[FA]] : index
// CHECK-NEXT:      %[[ACOUNT:.*]] = arith.minsi %[[ALEFT]], %[[C64]] : index
// CHECK-NEXT:      %[[T:.*]] = arith.subi %[[X]], %[[AT]] : index
// CHECK-NEXT:      %[[TOFF:.*]] = arith.muli %[[T]], %[[C64]] : index
// CHECK-NEXT:      %[[TSTART:.*]] = arith.addi %[[MAIN]], %[[TOFF]] : index
// CHECK-NEXT:      %[[TLEFT:.*]] = arith.subi %[[SQ]], %[[TSTART]] : index
// CHECK-NEXT:      %[[TCOUNT:.*]] = arith.minsi %[[TLEFT]], %[[C64]] : index
// CHECK-NEXT:      %[[COUNT:.*]] = arith.select %[[ISANCHOR]], %[[ACOUNT]], %[[TCOUNT]] : index
// CHECK-NEXT:      %[[STEP:.*]] = arith.select %[[ISANCHOR]], %[[C16]], %[[C1]] : index
// CHECK-NEXT:      %[[ASTART:.*]] = arith.muli %[[X]], %[[C1024]] : index
// CHECK-NEXT:      %[[START:.*]] = arith.select %[[ISANCHOR]], %[[ASTART]], %[[TSTART]] : index
// CHECK:           %[[AQ:.*]] = sattn.tile.load %[[Q]][%[[QBASE]]] rows(%[[START]], %[[STEP]], %[[COUNT]]) : memref<?xf16> -> <64x64xf16>
// CHECK:           %[[INIT_M:.*]] = sattn.tile.fill 0xFF800000 : <64x1xf32>
// CHECK-NEXT:      %[[INIT_L:.*]] = sattn.tile.fill 0.000000e+00 : <64x1xf32>
// CHECK-NEXT:      %[[INIT_A:.*]] = sattn.tile.fill 0.000000e+00 : <64x64xf32>
// The dense causal loop, shared by both (emitted once: each copy of a key
// loop is compile time).
// CHECK-NEXT:      %[[DENSE:.*]]:3 = scf.for %{{[^ ]+}} = %[[C0]] to %{{[^ ]+}} step %[[C1]] iter_args(%{{[^ ]+}} = %[[INIT_M]], %{{[^ ]+}} = %[[INIT_L]], %{{[^ ]+}} = %[[INIT_A]]) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>)
// CHECK:             %[[S:.*]] = sattn.tile.qk %[[AQ]], %[[K]]
// CHECK-NOT:         sattn.tile.score_mod
// CHECK:             sattn.tile.mask %[[S]] rows(%[[START]], %[[STEP]]) {{.*}} {regions = [#sattn.region<diag_hi = 0>]}
// CHECK-NOT:         sattn.tile.mask
// CHECK:           %[[DOUT:.*]] = sattn.tile.normalize %[[DENSE]]#2, %[[DENSE]]#1 : <64x64xf32>, <64x1xf32>
// CHECK-NEXT:      scf.if %[[ISANCHOR]] {
// Anchors: the normalised dense result waits in the delta workspace
// (packed per head: base (y * anchors) * 64, rows x*64 ..).
// CHECK:             sattn.tile.store %[[DOUT]], %[[DB]][%[[DBASE:[0-9a-z_]+]]] rows(%[[FA]], %[[C1]], %[[COUNT]]) : <64x64xf32>, memref<?xf32>
// Then the pattern's loops: the window, then the sink tiles it did not
// visit (two loops here, unlike the main kernel: the tail is short next to
// the dense prefix, and one merged loop cost registers).
// CHECK:             scf.for
// CHECK:               sattn.tile.mask {{.*}} rows(%[[START]], %[[STEP]]) {{.*}} {regions = [#sattn.region<diag_lo = -255, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 4>]}
// CHECK:             %[[SPARSE:.*]]:3 = scf.for
// CHECK:               sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -255, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 4>]}
// delta = dense - sparse, f32, in place.
// CHECK:             %[[DIN:.*]] = sattn.tile.load %[[DB]][%[[DBASE]]] rows(%[[FA]], %[[C1]], %[[COUNT]]) : memref<?xf32> -> <64x64xf32>
// CHECK-NEXT:        %[[SOUT:.*]] = sattn.tile.normalize %[[SPARSE]]#2, %[[SPARSE]]#1 : <64x64xf32>, <64x1xf32>
// CHECK-NEXT:        %[[DELTA:.*]] = sattn.tile.sub %[[DIN]], %[[SOUT]] : <64x64xf32>
// CHECK-NEXT:        sattn.tile.store %[[DELTA]], %[[DB]][%[[DBASE]]] rows(%[[FA]], %[[C1]], %[[COUNT]]) : <64x64xf32>, memref<?xf32>
// CHECK-NEXT:      } else {
// Tail rows: the dense result, into o.
// CHECK-NEXT:        sattn.tile.store %[[DOUT]], %[[O]][%[[QBASE]]] rows(%[[START]], %[[STEP]], %[[COUNT]]) : <64x64xf32>, memref<?xf16>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
//
// The main kernel: rows below mainRows, the sparse pattern (one loop), then
// the anchor's delta: the delta buffer's row (start + r) floordiv 16.
// CHECK-LABEL: func.func @sw_delta_main(
// CHECK-SAME:      %{{[^:]+}}: memref<?xf16>, %{{[^:]+}}: memref<?xf16>, %{{[^:]+}}: memref<?xf16>, %[[O:[^:]+]]: memref<?xf16>, %[[DB:[^:]+]]: memref<?xf32>, %[[B:[^:]+]]: index, %[[H:[^:]+]]: index, %{{[^:]+}}: index, %[[SQ:[^:]+]]: index, %{{[^:]+}}: index)
// CHECK-SAME:      attributes {sattn.kernel = #sattn.kernel<role = delta_main, block_m = 64, block_n = 64, arg_names = ["q", "k", "v", "o", "delta", "B", "H", "Hkv", "Sq", "Sk"]>}
// CHECK:         %[[MAIN:.*]] = arith.maxsi
// CHECK-NEXT:    %[[NA:.*]] = arith.ceildivsi %[[MAIN]], %[[C16:.*]] : index
// CHECK-NEXT:    %[[GX:.*]] = arith.ceildivsi %[[MAIN]], %[[C64:.*]] : index
// CHECK-NEXT:    %[[GY:.*]] = arith.muli %[[B]], %[[H]] : index
// CHECK-NEXT:    sattn.program grid(%[[GX]], %[[GY]]) block_m = 64 {
// CHECK-NEXT:    ^bb0(%[[XB:[^:]+]]: index, %[[Y:[^:]+]]: index):
// Query tiles in reverse order (heaviest first under causal masks).
// CHECK-NEXT:      %[[LASTX:.*]] = arith.subi %[[GX]], %[[C1]] : index
// CHECK-NEXT:      %[[X:.*]] = arith.subi %[[LASTX]], %[[XB]] : index
// CHECK:           %[[QBASE:.*]] = arith.muli %{{.*}}, %[[C64]] : index
// CHECK:           %[[START:.*]] = arith.muli %[[X]], %[[C64]] : index
// CHECK-NEXT:      %[[LEFT:.*]] = arith.subi %[[MAIN]], %[[START]] : index
// CHECK-NEXT:      %[[COUNT:.*]] = arith.minsi %[[LEFT]], %[[C64]] : index
// CHECK:           %[[LOOP2:.*]]:3 = scf.for
// CHECK:             sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -255, diag_hi = 0>, #sattn.region<diag_hi = 0, col_hi = 4>]}
// CHECK-NOT:         scf.for
// CHECK:           %[[DROW:.*]] = arith.muli %[[Y]], %[[NA]] : index
// CHECK-NEXT:      %[[DBASE:.*]] = arith.muli %[[DROW]], %[[C64]] : index
// CHECK-NEXT:      %[[DT:.*]] = sattn.tile.load %[[DB]][%[[DBASE]]] rows(%[[START]], %{{.*}}, %[[COUNT]]) {row_div = 16 : i64} : memref<?xf32> -> <64x64xf32>
// CHECK-NEXT:      %[[OUT:.*]] = sattn.tile.normalize %[[LOOP2]]#2, %[[LOOP2]]#1
// CHECK-NEXT:      %[[SUM:.*]] = sattn.tile.add %[[OUT]], %[[DT]] : <64x64xf32>
// CHECK-NEXT:      sattn.tile.store %[[SUM]], %[[O]][%[[QBASE]]] rows(%[[START]], %{{.*}}, %[[COUNT]]) : <64x64xf32>, memref<?xf16>
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NOT:   func.func @sw(
// CHECK-NOT:   func.func @sw_delta
func.func @sw(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 255, right = 0
  %s = sattn.mask.sink tokens = 4
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 16, tail_min = 100>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// tail_min below gamma: cut = Sq mod gamma + gamma. bf16, head_dim 128
// (block_n 32), the example pattern.
// CHECK-LABEL: func.func @swa_delta_anchor(
// CHECK-SAME:      %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xf32>,
// CHECK-SAME:      sattn.kernel = #sattn.kernel<role = delta_anchor, block_m = 64, block_n = 32,
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         %[[REM:.*]] = arith.remsi %{{.*}}, %[[C64]] : index
// CHECK-NEXT:    %[[CUT:.*]] = arith.addi %[[REM]], %[[C64]] : index
// CHECK:           sattn.tile.store {{.*}} : <64x128xf32>, memref<?xf32>
// CHECK:           sattn.tile.store {{.*}} : <64x128xf32>, memref<?xbf16>
// CHECK-LABEL: func.func @swa_delta_main(
// CHECK-SAME:      #sattn.kernel<role = delta_main,
// CHECK:           sattn.tile.load {{.*}} {row_div = 64 : i64} : memref<?xf32> -> <64x128xf32>
// CHECK:           sattn.tile.add
// CHECK-NEXT:      sattn.tile.store {{.*}} : <64x128xf32>, memref<?xbf16>
func.func @swa(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 32>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Learnable sinks: the logits buffer is a kernel parameter after o (and
// before the sizes), each program reads its head's logit (h = y mod H) once,
// and normalize takes it with the row maximum.
// CHECK-LABEL: func.func @sinks(
// CHECK-SAME:      %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %{{[^:]+}}: memref<?xbf16>, %[[Z:[^:]+]]: memref<?xf32>, %{{[^:]+}}: index, %[[H:[^:]+]]: index,
// CHECK-SAME:      arg_names = ["q", "k", "v", "o", "sinks", "B", "H", "Hkv", "Sq", "Sk"]
// CHECK:         sattn.program
// CHECK:           %[[H32:.*]] = arith.index_castui %[[H]] : index to i32
// CHECK:           %[[HEAD:.*]] = arith.remui %{{.*}}, %[[H32]] : i32
// CHECK:           %[[HEADI:.*]] = arith.index_castui %[[HEAD]] : i32 to index
// CHECK:           %[[LOGIT:.*]] = memref.load %[[Z]][%[[HEADI]]] : memref<?xf32>
// CHECK:           %[[LOOP:.*]]:3 = scf.for
// CHECK:           sattn.tile.normalize %[[LOOP]]#2, %[[LOOP]]#1 sink(%[[LOGIT]], %[[LOOP]]#0 : !sattn.tile<64x1xf32>) : <64x64xf32>, <64x1xf32>
func.func @sinks(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x64xbf16>, %v: memref<?x?x?x64xbf16>, %o: memref<?x?x?x64xbf16>, %z: memref<?xf32>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) sinks(%z : memref<?xf32>) : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// ALiBi with geometric slopes: each program computes its head's slope once
// (n = the largest power of two <= H, 2^-(8(h+1)/n) or 2^-(4(2(h-n)+1)/n)); the scores
// are scaled by score_mod (the softmax step then takes scale 1) and biased
// by tile.alibi with the tile's rows and keys.
// CHECK-LABEL: func.func @alibi_geometric(
// CHECK-SAME:      arg_names = ["q", "k", "v", "o", "B", "H", "Hkv", "Sq", "Sk"]
// CHECK:           arith.shrui
// CHECK:           %[[SLOPE:.*]] = math.exp2 %{{.*}} : f32
// CHECK:           scf.for
// CHECK:             %[[S:.*]] = sattn.tile.score_mod %{{.*}} {scale = 1.250000e-01 : f64} : <64x64xf32>
// CHECK:             sattn.tile.alibi %[[S]] slope(%[[SLOPE]]) rows(%{{.*}}, %{{.*}}) keys(%{{.*}}) seq(%{{.*}}, %{{.*}}) : <64x64xf32>
// CHECK:             sattn.tile.softmax_step %{{.*}} : <64x64xf32>, <64x1xf32>
func.func @alibi_geometric(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x64xbf16>, %v: memref<?x?x?x64xbf16>, %o: memref<?x?x?x64xbf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) {alibi = #sattn<alibi geometric>} : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// ALiBi slopes from a tensor: a parameter before the sinks'; one load a
// program.
// CHECK-LABEL: func.func @alibi_tensor(
// CHECK-SAME:      %[[A:[^:]+]]: memref<?xf32>, %[[Z:[^:]+]]: memref<?xf32>, %{{[^:]+}}: index,
// CHECK-SAME:      arg_names = ["q", "k", "v", "o", "alibi_slopes", "sinks", "B", "H", "Hkv", "Sq", "Sk"]
// CHECK:           memref.load %[[Z]]
// CHECK:           %[[SLOPE:.*]] = memref.load %[[A]]
// CHECK:           sattn.tile.alibi %{{.*}} slope(%[[SLOPE]])
func.func @alibi_tensor(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x?x64xbf16>, %v: memref<?x?x?x64xbf16>, %o: memref<?x?x?x64xbf16>, %a: memref<?xf32>, %z: memref<?xf32>) {
  sattn.attention %q, %k, %v, %o alibi_slopes(%a : memref<?xf32>) sinks(%z : memref<?xf32>) {alibi = #sattn<alibi tensor>} : memref<?x?x?x64xbf16>, memref<?x?x?x64xbf16>
  return
}

// -----

// Packed documents: Nd after the sizes, one more program a document; each
// program searches cu_seqlens_q for its document (32 halvings, a load only
// while the range is not empty), clamps the offsets to the sequences, and
// runs the causal loop in the document's coordinates: q rows from its first
// query, key rows from its first key, positions and lengths its own.
// CHECK-LABEL: func.func @documents(
// CHECK-SAME:      %[[CQ:[^:]+]]: memref<?xi32>, %[[CK:[^:]+]]: memref<?xi32>, %{{[^:]+}}: index, %[[H:[^:]+]]: index, %{{[^:]+}}: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index, %[[ND:[^:]+]]: index)
// CHECK-SAME:      #sattn.kernel<role = document_attention, block_m = 64, block_n = 64, arg_names = ["q", "k", "v", "o", "cu_seqlens_q", "cu_seqlens_k", "B", "H", "Hkv", "Sq", "Sk", "Nd"]>
// CHECK:           %[[TILES:.*]] = arith.ceildivsi %[[SQ]], %c64
// CHECK:           %[[GRID:.*]] = arith.addi %[[TILES]], %[[ND]]
// CHECK:           sattn.program grid(%[[GRID]], %{{.*}}) block_m = 64
// CHECK:             %[[FOUND:.*]]:2 = scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args(%{{.*}} = %c0, %{{.*}} = %[[ND]])
// CHECK:               scf.if
// CHECK:                 memref.load %[[CQ]]
// CHECK:                 arith.floordivsi %{{.*}}, %c64
// CHECK:             %[[PREV:.*]] = arith.subi %[[FOUND]]#0, %c1
// CHECK:             %[[D:.*]] = arith.maxsi %[[PREV]], %c0
// CHECK:             %[[Q0RAW:.*]] = memref.load %[[CQ]]
// CHECK:             %[[Q0CAST:.*]] = arith.index_cast %[[Q0RAW]]
// CHECK:             %[[Q0LO:.*]] = arith.maxsi %[[Q0CAST]], %c0
// CHECK:             %[[QSTART:.*]] = arith.minsi %[[Q0LO]], %[[SQ]]
// CHECK:             memref.load %[[CK]]
// CHECK:             %[[K0LO:.*]] = arith.maxsi %{{.*}}, %c0
// CHECK:             %[[KSTART:.*]] = arith.minsi %[[K0LO]], %[[SK]]
// CHECK:             %[[POS:.*]] = arith.muli %{{.*}}, %c64
// CHECK:             %[[QLEN:.*]] = arith.subi %{{.*}}, %[[QSTART]]
// CHECK:             %[[ROWS:.*]] = arith.select %{{.*}}, %{{.*}}, %c0
// CHECK:             %[[ANY:.*]] = arith.cmpi sgt, %[[ROWS]], %c0
// CHECK:             %[[KLEN:.*]] = arith.select %[[ANY]], %{{.*}}, %c0
// CHECK:             %[[START:.*]] = arith.addi %[[QSTART]], %[[POS]]
// CHECK:             sattn.tile.load %{{.*}} rows(%[[START]], %c1, %{{.*}})
// CHECK:             scf.for %{{.*}} = %c0 to %{{.*}}
// CHECK:               %[[J0:.*]] = arith.muli %{{.*}}, %c64
// CHECK:               %[[FIRST:.*]] = arith.addi %[[KSTART]], %[[J0]]
// CHECK:               %[[LEFT:.*]] = arith.subi %[[SK]], %[[FIRST]]
// CHECK:               %[[COUNT:.*]] = arith.minsi %[[LEFT]], %c64
// CHECK:               sattn.tile.qk %{{.*}} keys(%[[FIRST]], %[[COUNT]])
// CHECK:               sattn.tile.mask %{{.*}} rows(%[[POS]], %c1) keys(%[[J0]]) seq(%[[QLEN]], %[[KLEN]]) {regions = [#sattn.region<diag_hi = 0>]}
// CHECK:               sattn.tile.pv %{{.*}} keys(%[[FIRST]], %[[COUNT]])
// CHECK:             sattn.tile.store %{{.*}} rows(%[[START]], %c1, %{{.*}})
func.func @documents(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>, %cq: memref<?xi32>, %ck: memref<?xi32>) {
  %d = sattn.mask.documents %cq, %ck : memref<?xi32>, memref<?xi32>
  %c = sattn.mask.causal
  %i = sattn.mask.intersect %d, %c
  sattn.attention %q, %k, %v, %o mask(%i) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// A block layout: LB and LH after the sizes; the program's layout row from
// its batch row, head and query block (0 where a size is 1), then one loop
// over its partial blocks' key tiles (a block of 128 keys is two tiles of
// 64: tile = index * 2 + e mod 2), masked with the partial regions where
// not full, and one over its full blocks' with the rest of the mask.
// CHECK-LABEL: func.func @block_layout(
// CHECK-SAME:      %[[N:[^:]+]]: memref<?xi32>, %[[I:[^:]+]]: memref<?xi32>, %[[FN:[^:]+]]: memref<?xi32>, %[[FI:[^:]+]]: memref<?xi32>, %{{[^:]+}}: index, %[[H:[^:]+]]: index, %{{[^:]+}}: index, %[[SQ:[^:]+]]: index, %[[SK:[^:]+]]: index, %[[LB:[^:]+]]: index, %[[LH:[^:]+]]: index)
// CHECK-SAME:      #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["q", "k", "v", "o", "kv_num_blocks", "kv_indices", "full_kv_num_blocks", "full_kv_indices", "B", "H", "Hkv", "Sq", "Sk", "LB", "LH"]>
// CHECK:           sattn.program
// CHECK:             %[[MB:.*]] = arith.ceildivsi %[[SQ]], %c128
// CHECK:             %[[NB:.*]] = arith.ceildivsi %[[SK]], %c128
// CHECK:             arith.cmpi sle, %[[LB]], %c1
// CHECK:             arith.cmpi sle, %[[LH]], %c1
// CHECK:             %[[COUNT:.*]] = memref.load %[[N]]
// CHECK:             scf.for %[[E:.*]] = %c0 to %{{.*}} step %c1
// CHECK:               %[[ENTRY:.*]] = arith.divsi %[[E]], %c2
// CHECK:               memref.load %[[I]]
// CHECK:               arith.remsi %[[E]], %c2
// CHECK:               sattn.tile.qk
// CHECK:               sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_hi = 0>]}
// CHECK:               sattn.tile.pv
// CHECK:             memref.load %[[FN]]
// CHECK:             scf.for
// CHECK:               memref.load %[[FI]]
// CHECK:               sattn.tile.qk
// CHECK:               sattn.tile.mask {{.*}} {regions = [#sattn.region<>]}
// CHECK:               sattn.tile.pv
func.func @block_layout(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>, %n: memref<?xi32>, %i: memref<?xi32>, %fn: memref<?xi32>, %fi: memref<?xi32>) {
  %c = sattn.mask.causal
  %l = sattn.mask.block_layout %n, %i, %fn, %fi block = 128 x 128 partial(%c) : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>
  sattn.attention %q, %k, %v, %o mask(%l) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// -----

// The delta correction with a reference mask: the anchor kernel's dense
// loop (anchor and tail rows) masks with the reference's regions, its
// sparse loop and the main kernel with the pattern's.
// CHECK-LABEL: func.func @delta_reference_delta_anchor(
// CHECK:           sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_hi = 0, chunk = 100>]}
// CHECK:           sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -8, diag_hi = 8>]}
// CHECK-LABEL: func.func @delta_reference_delta_main(
// CHECK-NOT:       chunk = 100
// CHECK:           sattn.tile.mask {{.*}} {regions = [#sattn.region<diag_lo = -8, diag_hi = 8>]}
func.func @delta_reference(%q: memref<?x?x?x64xf16>) {
  %w = sattn.mask.window left = 8, right = 8
  %c = sattn.mask.causal
  %ch = sattn.mask.chunk size = 100
  %r = sattn.mask.intersect %c, %ch
  sattn.attention %q, %q, %q, %q mask(%w) reference(%r) {delta = #sattn.delta<gamma = 16, tail_min = 64>} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
