// sattn-program-to-gpu: SIMT kernels -> gpu.func kernels in one gpu.module.
// RUN: sparse-opt %s -split-input-file --sattn-program-to-gpu | FileCheck %s

// A hand-written SIMT kernel: the exact conversion.
// CHECK-LABEL: module attributes {gpu.container_module} {
// Functions that are not kernels stay where they are, math.exp2 included.
// CHECK-NEXT:    func.func @host(%[[HX:.*]]: f32) -> f32 {
// CHECK-NEXT:      math.exp2 %[[HX]] : f32
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.module @sattn_kernels {
// Buffers become !llvm.ptr, sizes stay index, in the same order; the
// block is as many threads as #sattn.launch says; the sattn.* attributes
// are kept.
// CHECK-NEXT:      gpu.func @k(%[[P:.*]]: !llvm.ptr, %[[N:.*]]: index) kernel attributes {known_block_size = array<i32: 32, 1, 1>, nvvm.maxntid = array<i32: 32, 1, 1>, sattn.kernel = #sattn.kernel<role = attention, block_m = 32, block_n = 32, arg_names = ["a", "n"]>, sattn.launch = #sattn.launch<threads = 32>} {
// The flat memref descriptor rebuilt from the pointer: offset 0, stride 1.
// CHECK-NEXT:        %[[D0:.*]] = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[D1:.*]] = llvm.insertvalue %[[P]], %[[D0]][0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[D2:.*]] = llvm.insertvalue %[[P]], %[[D1]][1] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT:        %[[D3:.*]] = llvm.insertvalue %[[ZERO]], %[[D2]][2] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[SIZE:.*]] = llvm.mlir.constant(9223372036854775807 : i64) : i64
// CHECK-NEXT:        %[[D4:.*]] = llvm.insertvalue %[[SIZE]], %[[D3]][3, 0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:        %[[D5:.*]] = llvm.insertvalue %[[ONE]], %[[D4]][4, 0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:        %[[BUF:.*]] = builtin.unrealized_conversion_cast %[[D5]] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
// Grid x / y -> block ids, lanes -> thread id x (where the lane_id was).
// CHECK-NEXT:        %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[BX:.*]] = gpu.block_id  x
// CHECK-NEXT:        %[[BY:.*]] = gpu.block_id  y
// CHECK-NEXT:        %[[TX:.*]] = gpu.thread_id  x
// CHECK-NEXT:        %[[I:.*]] = arith.addi %[[BX]], %[[TX]] : index
// CHECK-NEXT:        %[[V:.*]] = vector.load %[[BUF]][%[[I]]] : memref<?xf32>, vector<4xf32>
// exp2 goes to NVVM's ex2.approx.ftz.f32 (one MUFU.EX2), element by element
// for a vector.
// CHECK-NEXT:        %[[V0:.*]] = vector.extract %[[V]][0] : f32 from vector<4xf32>
// CHECK-NEXT:        %[[E0:.*]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"(%[[V0]]) : (f32) -> f32
// CHECK-COUNT-3:     llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK-NEXT:        %[[E:.*]] = vector.from_elements %[[E0]], %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK-NEXT:        %[[S:.*]] = vector.extract %[[E]][0] : f32 from vector<4xf32>
// CHECK-NEXT:        %[[E2:.*]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"(%[[S]]) : (f32) -> f32
// CHECK-NEXT:        %[[B:.*]] = vector.broadcast %[[E2]] : f32 to vector<4xf32>
// CHECK-NEXT:        vector.store %[[B]], %[[BUF]][%[[BY]]] : memref<?xf32>, vector<4xf32>
// A lane_id in a nested region becomes its own thread_id there.
// CHECK-NEXT:        scf.for %{{.*}} = %[[C1]] to %[[N]] step %[[C1]] {
// CHECK-NEXT:          %[[TX2:.*]] = gpu.thread_id  x
// CHECK-NEXT:          memref.store %{{.*}}, %[[BUF]][%[[TX2]]] : memref<?xf32>
// CHECK-NEXT:        }
// CHECK-NEXT:        gpu.return
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NOT:   sattn.program
// CHECK-NOT:   sattn.lane_id
func.func @k(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 32, block_n = 32, arg_names = ["a", "n"]>, sattn.launch = #sattn.launch<threads = 32>} {
  %c1 = arith.constant 1 : index
  sattn.program grid(%n, %n) block_m = 32 {
  ^bb0(%x: index, %y: index):
    %l = sattn.lane_id
    %c = arith.addi %x, %l : index
    %v = vector.load %a[%c] : memref<?xf32>, vector<4xf32>
    %e = math.exp2 %v : vector<4xf32>
    %s = vector.extract %e[0] : f32 from vector<4xf32>
    %s2 = math.exp2 %s : f32
    %b = vector.broadcast %s2 : f32 to vector<4xf32>
    vector.store %b, %a[%y] : memref<?xf32>, vector<4xf32>
    scf.for %i = %c1 to %n step %c1 {
      %l2 = sattn.lane_id
      memref.store %s2, %a[%l2] : memref<?xf32>
    }
  }
  return
}
func.func @host(%x: f32) -> f32 {
  %e = math.exp2 %x : f32
  return %e : f32
}

// -----

// No kernel: nothing changes (no gpu.module, no container attribute).
// CHECK-LABEL: module {
// CHECK-NEXT:    func.func @plain(
// CHECK-NOT:     gpu.module
func.func @plain(%a: memref<?xf32>) {
  return
}

// -----

// Generated kernels (the delta pair): both in one gpu.module, in order,
// every buffer a pointer (the f32 delta buffer too), 64 threads per block.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --canonicalize --cse --sattn-lower-tiles-simt --canonicalize --cse --sattn-program-to-gpu | FileCheck %s --check-prefix=PIPE
// The third chunk of the split input:
// PIPE:       {{^// -{5}$}}
// PIPE:       {{^// -{5}$}}
// PIPE-NEXT:  module attributes {gpu.container_module} {
// PIPE-NEXT:    gpu.module @sattn_kernels {
// PIPE-NEXT:      gpu.func @swa_delta_anchor(%{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index, %{{[^:]+}}: index) kernel attributes {known_block_size = array<i32: 64, 1, 1>, nvvm.maxntid = array<i32: 64, 1, 1>, sattn.kernel = #sattn.kernel<role = delta_anchor, block_m = 64, block_n = 32, arg_names = ["q", "k", "v", "o", "delta", "B", "H", "Hkv", "Sq", "Sk"]>, sattn.launch = #sattn.launch<threads = 64>} {
// Five descriptors: q, k, v, o as bf16, the delta as f32.
// PIPE-COUNT-4:   builtin.unrealized_conversion_cast {{.*}} to memref<?xbf16>
// PIPE-NEXT:      llvm.mlir.poison
// PIPE:           builtin.unrealized_conversion_cast {{.*}} to memref<?xf32>
// PIPE:           gpu.block_id  x
// PIPE:           gpu.block_id  y
// PIPE:           gpu.thread_id  x
// PIPE-COUNT-32:  llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"({{.*}}) : (f32) -> f32
// PIPE-NEXT:      vector.from_elements {{.*}} : vector<32xf32>
// PIPE:           gpu.return
// PIPE-NEXT:    }
// PIPE-NEXT:    gpu.func @swa_delta_main(
// PIPE-SAME:        kernel attributes {known_block_size = array<i32: 64, 1, 1>, nvvm.maxntid = array<i32: 64, 1, 1>,
// PIPE-SAME:        #sattn.kernel<role = delta_main
// PIPE:           gpu.return
// PIPE-NEXT:    }
// PIPE-NEXT:  }
// PIPE-NEXT: }
// PIPE-NOT:   math.exp2
// PIPE-NOT:   func.func
// PIPE-NOT:   sattn.program
// PIPE-NOT:   sattn.lane_id
func.func @swa(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// 16-row programs give 16-thread blocks; the grid math stays before the
// block ids.
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="block-m=16" --sattn-tile-flash --canonicalize --cse --sattn-lower-tiles-simt --canonicalize --cse --sattn-program-to-gpu | FileCheck %s --check-prefix=SMALL
// SMALL-LABEL: gpu.func @small_blocks(
// SMALL-SAME:      known_block_size = array<i32: 16, 1, 1>, nvvm.maxntid = array<i32: 16, 1, 1>, {{.*}}block_m = 16
// SMALL:           %[[C16:.*]] = arith.constant 16 : index
// SMALL:           arith.ceildivsi %{{.*}}, %[[C16]] : index
// SMALL:           gpu.block_id  x
// SMALL-NOT:       sattn.
func.func @small_blocks(%q: memref<?x?x?x64xf32>) {
  %c = sattn.mask.causal
  sattn.attention %q, %q, %q, %q mask(%c) : memref<?x?x?x64xf32>, memref<?x?x?x64xf32>
  return
}
