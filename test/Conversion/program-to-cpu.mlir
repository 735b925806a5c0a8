// sattn-program-to-cpu: the program grid and the lanes become loops.
// RUN: sparse-opt %s -split-input-file --sattn-program-to-cpu | FileCheck %s

// Hand-written SIMT kernel: grid y outermost, then grid x, then the
// block_m lanes; every lane_id (nested ones too) is the lane loop's
// induction variable. Buffers become pointers as on the GPU.
// CHECK-LABEL: func.func @k(
// CHECK-SAME:      %[[P:[^:]+]]: !llvm.ptr, %[[GX:[^:]+]]: index, %[[GY:[^:]+]]: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 32, block_n = 32, arg_names = ["a", "gx", "gy"]>} {
// CHECK:         %[[BUF:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:    scf.for %[[Y:[^ ]+]] = %[[C0]] to %[[GY]] step %[[ONE]] {
// CHECK-NEXT:      scf.for %[[X:[^ ]+]] = %[[C0]] to %[[GX]] step %[[ONE]] {
// CHECK-NEXT:        %[[C32:.*]] = arith.constant 32 : index
// CHECK-NEXT:        scf.for %[[L:[^ ]+]] = %[[C0]] to %[[C32]] step %[[ONE]] {
// CHECK-NEXT:          %[[I:.*]] = arith.addi %[[X]], %[[L]] : index
// CHECK-NEXT:          %[[J:.*]] = arith.addi %[[I]], %[[Y]] : index
// CHECK-NEXT:          %[[V:.*]] = vector.load %[[BUF]][%[[J]]] : memref<?xf32>, vector<4xf32>
// CHECK-NEXT:          %[[E:.*]] = math.exp2 %[[V]] : vector<4xf32>
// CHECK-NEXT:          vector.store %[[E]], %[[BUF]][%[[Y]]] : memref<?xf32>, vector<4xf32>
// CHECK-NEXT:          scf.for
// CHECK-NEXT:            vector.extract
// CHECK-NEXT:            memref.store %{{.*}}, %[[BUF]][%[[L]]] : memref<?xf32>
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// Non-kernel functions keep their memref signature.
// CHECK-LABEL: func.func @host(%{{[^:]+}}: memref<?xf32>)
// CHECK-NOT:     sattn.program
// CHECK-NOT:     sattn.lane_id
func.func @k(%a: memref<?xf32>, %gx: index, %gy: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 32, block_n = 32, arg_names = ["a", "gx", "gy"]>} {
  %c1 = arith.constant 1 : index
  sattn.program grid(%gx, %gy) block_m = 32 {
  ^bb0(%x: index, %y: index):
    %l = sattn.lane_id
    %c = arith.addi %x, %l : index
    %d = arith.addi %c, %y : index
    %v = vector.load %a[%d] : memref<?xf32>, vector<4xf32>
    %e = math.exp2 %v : vector<4xf32>
    vector.store %e, %a[%y] : memref<?xf32>, vector<4xf32>
    scf.for %i = %c1 to %gx step %c1 {
      %l2 = sattn.lane_id
      %f = vector.extract %e[0] : f32 from vector<4xf32>
      memref.store %f, %a[%l2] : memref<?xf32>
    }
  }
  return
}
func.func @host(%a: memref<?xf32>) {
  return
}

// -----

// Generated kernels: each program becomes the three loops (lanes up to
// block_m = 64), in both delta kernels; math.exp2 stays (the CPU lowers it
// with the rest).
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --canonicalize --cse --sattn-lower-tiles-simt --canonicalize --cse --sattn-program-to-cpu | FileCheck %s --check-prefix=PIPE
// PIPE-LABEL: func.func @swa_delta_anchor(
// PIPE-SAME:      %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %[[B:[^:]+]]: index, %[[H:[^:]+]]: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index)
// PIPE-SAME:      #sattn.kernel<role = delta_anchor
// PIPE:         %[[GY:.*]] = arith.muli %[[B]], %[[H]] : index
// PIPE:         scf.for %[[Y:[^ ]+]] = %{{.*}} to %[[GY]] step
// PIPE-NEXT:      scf.for %[[XB:[^ ]+]] = %{{.*}} to %{{.*}} step
// PIPE-NEXT:        %[[C64:.*]] = arith.constant 64 : index
// PIPE-NEXT:        scf.for %[[L:[^ ]+]] = %{{.*}} to %[[C64]] step
// The program's own index is the grid loop's, reversed (heaviest first).
// PIPE:               %[[X:.*]] = arith.subi %{{.*}}, %[[XB]] : index
// PIPE:               arith.cmpi slt, %[[X]],
// PIPE:               math.exp2
// PIPE-LABEL: func.func @swa_delta_main(
// PIPE-SAME:      #sattn.kernel<role = delta_main
// PIPE:         scf.for
// PIPE-NEXT:      scf.for
// PIPE-NEXT:        arith.constant 64 : index
// PIPE-NEXT:        scf.for
// PIPE-NOT:     sattn.program
// PIPE-NOT:     sattn.lane_id
// PIPE-NOT:     sattn.tile
// PIPE-NOT:     gpu.
func.func @swa(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}
