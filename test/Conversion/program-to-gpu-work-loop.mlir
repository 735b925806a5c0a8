// sattn-program-to-gpu: a persistent block's work loop runs instances
// t = blockIdx.x, + gridDim.x, ... below grid_x * grid_y (unsigned 32-bit),
// each split into (x, y) in the loop's order; the program's own block ids
// are then unused.
// RUN: sparse-opt %s -split-input-file --sattn-program-to-gpu | FileCheck %s

// head_fastest: y = t mod grid_y, x = t / grid_y.
// CHECK-LABEL: gpu.func @heads(
// CHECK:         %[[GX:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:    %[[GY:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:    %[[N:.*]] = arith.muli %[[GX]], %[[GY]] : i32
// CHECK-NEXT:    %[[B:.*]] = gpu.block_id  x
// CHECK-NEXT:    %[[B32:.*]] = arith.index_castui %[[B]] : index to i32
// CHECK-NEXT:    %[[G:.*]] = gpu.grid_dim  x
// CHECK-NEXT:    %[[G32:.*]] = arith.index_castui %[[G]] : index to i32
// CHECK-NEXT:    scf.for unsigned %[[T:.*]] = %[[B32]] to %[[N]] step %[[G32]]  : i32 {
// CHECK-NEXT:      %[[IN:.*]] = arith.remui %[[T]], %[[GY]] : i32
// CHECK-NEXT:      %[[Y:.*]] = arith.index_castui %[[IN]] : i32 to index
// CHECK-NEXT:      %[[OUT:.*]] = arith.divui %[[T]], %[[GY]] : i32
// CHECK-NEXT:      %[[X:.*]] = arith.index_castui %[[OUT]] : i32 to index
// CHECK-NEXT:      %[[ROW:.*]] = arith.muli %[[X]], %{{.*}} : index
// CHECK-NEXT:      %[[AT:.*]] = arith.addi %[[ROW]], %[[Y]] : index
// CHECK:           memref.store %{{.*}}, %{{.*}}[%[[AT]]]
// CHECK-NOT:     gpu.block_id  y
func.func @heads(%a: memref<?xf32>, %gx: index, %gy: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["a", "gx", "gy"]>, sattn.launch = #sattn.launch<threads = 128, persistent = true>} {
  sattn.program grid(%gx, %gy) block_m = 64 {
  ^bb0(%x: index, %y: index):
    sattn.work_loop order = head_fastest {
    ^bb0(%x1: index, %y1: index):
      %row = arith.muli %x1, %gy : index
      %at = arith.addi %row, %y1 : index
      %f = arith.constant 1.0 : f32
      memref.store %f, %a[%at] : memref<?xf32>
    }
  }
  return
}

// -----

// query_tile_fastest: x = t mod grid_x, y = t / grid_x.
// CHECK-LABEL: gpu.func @tiles(
// CHECK:         %[[GX:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK:         scf.for unsigned %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}}  : i32 {
// CHECK-NEXT:      %[[IN:.*]] = arith.remui %[[T]], %[[GX]] : i32
// CHECK-NEXT:      %[[X:.*]] = arith.index_castui %[[IN]] : i32 to index
// CHECK-NEXT:      %[[OUT:.*]] = arith.divui %[[T]], %[[GX]] : i32
// CHECK-NEXT:      %[[Y:.*]] = arith.index_castui %[[OUT]] : i32 to index
// CHECK-NEXT:      %[[ROW:.*]] = arith.muli %[[X]], %{{.*}} : index
// CHECK-NEXT:      arith.addi %[[ROW]], %[[Y]] : index
func.func @tiles(%a: memref<?xf32>, %gx: index, %gy: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["a", "gx", "gy"]>, sattn.launch = #sattn.launch<threads = 128, persistent = true>} {
  sattn.program grid(%gx, %gy) block_m = 64 {
  ^bb0(%x: index, %y: index):
    sattn.work_loop order = query_tile_fastest {
    ^bb0(%x1: index, %y1: index):
      %row = arith.muli %x1, %gy : index
      %at = arith.addi %row, %y1 : index
      %f = arith.constant 1.0 : f32
      memref.store %f, %a[%at] : memref<?xf32>
    }
  }
  return
}
