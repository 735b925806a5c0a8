// sattn-lower-mainloop-wgmma: the tile ops of wgmma kernels, one warpgroup
// per 64 rows. (Inputs in the tiled form, staged first.)
// RUN: sparse-opt %s -split-input-file --sattn-pipeline-key-loops --sattn-stage-kv --sattn-assign-tile-layouts --sattn-lower-mainloop-wgmma | FileCheck %s

// One warpgroup at head_dim 64, 16 keys: both products are one inline-asm
// block each, B through shared-memory descriptors from the ring's base
// address: fence, head_dim / 16 = 4 k-steps (Q.K^T, N = 16 keys, B
// K-major; the first k-step's scale-d predicate false: the scores start
// from zero) or keys / 16 = 1 k-step (P.V, N = 64, B transposed), commit,
// wait. The launch: 128 threads; a ring of three 2 KiB slots, the 1 KiB
// alignment pad and 128 bytes of mbarriers.
// CHECK-LABEL: func.func @warpgroup(
// CHECK-SAME:      sattn.launch = #sattn.launch<threads = 128, shared_memory_bytes = 7296>
// CHECK:         sattn.ring.base_address
// CHECK:         llvm.inline_asm has_side_effects {{.*}}wgmma.fence.sync.aligned;\0Awgmma.mma_async.sync.aligned.m64n16k16.f32.bf16.bf16 {{.*}}z, 1, 1, 0;{{.*}}m64n16k16{{.*}}p, 1, 1, 0;{{.*}}m64n16k16{{.*}}m64n16k16{{.*}}wgmma.commit_group.sync.aligned;\0Awgmma.wait_group.sync.aligned 0;{{.*}}"=f,=f,=f,=f,=f,=f,=f,=f,r,
// CHECK:         llvm.inline_asm has_side_effects {{.*}}m64n64k16.f32.bf16.bf16 {{.*}}p, 1, 1, 1;\0Awgmma.commit_group.sync.aligned;\0Awgmma.wait_group.sync.aligned 0;
// CHECK-NOT:     nvvm.mma.sync
// CHECK-NOT:     sattn.tile
func.func @warpgroup(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}

// -----

// Q staged in the ring (stage_query): Q.K^T takes A through descriptors
// too, from this warpgroup's 64-row block of the ring's Q tile (at
// sattn.ring.query_offset, plus 64 x 64 elements per warpgroup), as NVVM's
// wgmma ops: fence, 4 k-steps of which the first does not scale-add D,
// commit, wait. P.V still takes P from registers (inline asm). The ring
// grows by the 8 KiB Q tile.
// Each operand's descriptors come from one base: the low word (start
// address / 16, leading offset 16 bytes = 1 << 16) built once in 32 bits
// from the shared address, each k-step adding its constant (32 bytes = 2),
// the high word (stride 1024 bytes = 64, 128-byte swizzle = 1 << 62)
// OR-ed in: 4611686293305294848 = 1 << 62 | 64 << 32.
// CHECK-LABEL: func.func @staged_query(
// CHECK-SAME:      sattn.launch = #sattn.launch<threads = 128, shared_memory_bytes = 15488>
// CHECK:         sattn.ring.stage_q
// CHECK:         %[[QOFF:.*]] = sattn.ring.query_offset
// CHECK:         %[[QADDR:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK:         %[[QMASK:.*]] = arith.andi %[[QADDR]], %c262143_i32{{.*}}
// CHECK:         %[[QSTART:.*]] = arith.shrui %[[QMASK]], %c4_i32{{.*}}
// CHECK:         %[[QLO:.*]] = arith.ori %[[QSTART]], %c65536_i32{{.*}}
// CHECK:         %[[KADDR:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK:         %[[KMASK:.*]] = arith.andi %[[KADDR]], %c262143_i32{{.*}}
// CHECK:         %[[KSTART:.*]] = arith.shrui %[[KMASK]], %c4_i32{{.*}}
// CHECK:         %[[KLO:.*]] = arith.ori %[[KSTART]], %c65536_i32{{.*}}
// CHECK:         %[[QW0:.*]] = arith.extui %[[QLO]] : i32 to i64
// CHECK:         %[[QD0:.*]] = arith.ori %[[QW0]], %c4611686293305294848_i64{{.*}}
// CHECK:         %[[KW0:.*]] = arith.extui %[[KLO]] : i32 to i64
// CHECK:         %[[KD0:.*]] = arith.ori %[[KW0]], %c4611686293305294848_i64{{.*}}
// CHECK:         %[[QLO1:.*]] = arith.addi %[[QLO]], %c2_i32{{.*}}
// CHECK:         %[[QW1:.*]] = arith.extui %[[QLO1]] : i32 to i64
// CHECK:         %[[QD1:.*]] = arith.ori %[[QW1]], %c4611686293305294848_i64{{.*}}
// CHECK:         %[[KLO1:.*]] = arith.addi %[[KLO]], %c2_i32{{.*}}
// CHECK:         %[[KW1:.*]] = arith.extui %[[KLO1]] : i32 to i64
// CHECK:         %[[KD1:.*]] = arith.ori %[[KW1]], %c4611686293305294848_i64{{.*}}
// CHECK:         nvvm.wgmma.fence.aligned
// CHECK-NEXT:    llvm.mlir.poison
// CHECK-NEXT:    %[[A0:.*]] = nvvm.wgmma.mma_async %[[QD0]], %[[KD0]], {{.*}}, <m = 64, n = 16, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-NEXT:    %[[A1:.*]] = nvvm.wgmma.mma_async %[[QD1]], %[[KD1]], %[[A0]], <m = 64, n = 16, k = 16>, D[<f32>, <one>]
// CHECK-NEXT:    %[[A2:.*]] = nvvm.wgmma.mma_async {{.*}}, %[[A1]], {{.*}} D[<f32>, <one>]
// CHECK-NEXT:    %[[A3:.*]] = nvvm.wgmma.mma_async {{.*}}, %[[A2]], {{.*}} D[<f32>, <one>]
// CHECK-NEXT:    nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:         llvm.inline_asm has_side_effects {{.*}}m64n64k16.f32.bf16.bf16 {{.*}}p, 1, 1, 1;
// CHECK-NOT:     sattn.tile
func.func @staged_query(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, stage_query = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %left = arith.subi %sk, %first : index
    %count = arith.minsi %left, %c16 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <64x16xf32>, memref<?xbf16>, <64x64xf32>
  }
  return
}


// -----

// A pipelined key loop: its asynchronous products end at the commit, and
// their results pass through wgmma.wait_group (1 for Q.K^T, whose P.V is
// still in flight; 0 for P.V), each result tied to its input so that
// nothing reads it before.
// CHECK-LABEL: func.func @pipelined(
// CHECK:         scf.for
// CHECK:           llvm.inline_asm has_side_effects {{.*}}m64n16k16{{.*}}wgmma.commit_group.sync.aligned;\0A}"
// CHECK:           llvm.inline_asm has_side_effects {{.*}}m64n64k16{{.*}}wgmma.commit_group.sync.aligned;\0A}"
// CHECK:           llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 1;", "=f,=f,=f,=f,=f,=f,=f,=f,0,1,2,3,4,5,6,7"
// CHECK:           llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;", "=f,{{.*}},31"
// Without conditional_rescale the accumulator is multiplied every tile.
// CHECK-NOT:       nvvm.vote.sync
func.func @pipelined(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 2, pipeline = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <64x1xf32>
    %l0 = sattn.tile.fill 0.0 : <64x1xf32>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %r:3 = scf.for %i = %lb to %ub step %c1 iter_args(%m = %m0, %l = %l0, %acc = %a0) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
      %nm, %ns, %p, %al = sattn.tile.softmax_step %s, %m, %l : <64x16xf32>, <64x1xf32>
      %sc = sattn.tile.scale_rows %acc, %al : <64x64xf32>, <64x1xf32>
      %o = sattn.tile.pv %p, %v[%base] keys(%first, %count), %sc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %nm, %ns, %o : !sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>
    }
    %out = sattn.tile.normalize %r#2, %r#1 : <64x64xf32>, <64x1xf32>
    sattn.tile.store %out, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
  }
  return
}

// -----

// conditional_rescale: the factors are compared with 1 (two rows a lane),
// the warp votes, and only a warp where some row's maximum grew multiplies
// the accumulator; the other branch passes it through unchanged.
// CHECK-LABEL: func.func @conditional_rescale(
// CHECK:         scf.for
// CHECK:           %[[F0:.*]] = arith.cmpf une, %{{.*}}, %[[ONE:.*]] : f32
// CHECK-NEXT:      %[[F1:.*]] = arith.cmpf une, %{{.*}}, %[[ONE]] : f32
// CHECK-NEXT:      %[[ANY:.*]] = arith.ori %[[F0]], %[[F1]] : i1
// CHECK:           %[[VOTE:.*]] = nvvm.vote.sync any %{{.*}}, %[[ANY]] -> i1
// CHECK-NEXT:      %[[ACC:.*]] = scf.if %[[VOTE]] -> (vector<32xf32>) {
// CHECK:             %[[SCALED:.*]] = arith.mulf %[[OLD:.*]], %{{.*}} : vector<32xf32>
// CHECK-NEXT:        scf.yield %[[SCALED]] : vector<32xf32>
// CHECK-NEXT:      } else {
// CHECK-NEXT:        scf.yield %[[OLD]] : vector<32xf32>
// CHECK-NEXT:      }
func.func @conditional_rescale(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %lb: index, %ub: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "lb", "ub", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 2, pipeline = true, conditional_rescale = true>} {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %c64) : memref<?xbf16> -> <64x64xbf16>
    %m0 = sattn.tile.fill 0xFF800000 : <64x1xf32>
    %l0 = sattn.tile.fill 0.0 : <64x1xf32>
    %a0 = sattn.tile.fill 0.0 : <64x64xf32>
    %r:3 = scf.for %i = %lb to %ub step %c1 iter_args(%m = %m0, %l = %l0, %acc = %a0) -> (!sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>) {
      %first = arith.muli %i, %c16 : index
      %left = arith.subi %sk, %first : index
      %count = arith.minsi %left, %c16 : index
      %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <64x64xbf16>, memref<?xbf16> -> <64x16xf32>
      %nm, %ns, %p, %al = sattn.tile.softmax_step %s, %m, %l : <64x16xf32>, <64x1xf32>
      %sc = sattn.tile.scale_rows %acc, %al : <64x64xf32>, <64x1xf32>
      %o = sattn.tile.pv %p, %v[%base] keys(%first, %count), %sc : <64x16xf32>, memref<?xbf16>, <64x64xf32>
      scf.yield %nm, %ns, %o : !sattn.tile<64x1xf32>, !sattn.tile<64x1xf32>, !sattn.tile<64x64xf32>
    }
    %out = sattn.tile.normalize %r#2, %r#1 : <64x64xf32>, <64x1xf32>
    sattn.tile.store %out, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
  }
  return
}
