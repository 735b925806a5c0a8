// sattn-lower-rings: rings and their fills as NVVM. (Inputs in the tiled
// form: staged, warp-specialised and lowered to fragments first.)
// RUN: sparse-opt %s -split-input-file -verify-diagnostics --sattn-stage-kv --sattn-warp-specialize --sattn-assign-tile-layouts --sattn-lower-mainloop-wgmma --sattn-lower-mainloop-mma-sync --sattn-lower-rings | FileCheck %s

// cp.async: the ring is a view at the start of the dynamic shared memory,
// 1536 bf16 (K 0, K 1, V). A whole tile (count == 16) is copied without row
// guards; otherwise rows past count get a source size of 0. Each wait is
// wait_group N and a CTA barrier.
// CHECK-LABEL: func.func @cp_async(
// CHECK:         %[[RAW:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:         %[[SM:.*]] = memref.view %[[RAW]][%c0{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1536xbf16, #gpu.address_space<workgroup>>
// CHECK:         %[[WHOLE:.*]] = arith.cmpi eq, %arg7, %{{.*}} : index
// CHECK-NEXT:    scf.if %[[WHOLE]] {
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg1[%{{.*}}], %[[SM]][%{{.*}}], 8 {bypassL1}
// CHECK:         } else {
// CHECK-COUNT-2:   nvgpu.device_async_copy %arg1[%{{.*}}], %[[SM]][%{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:         nvvm.cp.async.commit.group
// CHECK-NEXT:    nvvm.cp.async.wait.group 0
// CHECK-NEXT:    gpu.barrier
// CHECK:         nvgpu.device_async_copy %arg2
// CHECK:         nvvm.cp.async.commit.group
// CHECK:         nvgpu.ldmatrix %[[SM]]
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK-NEXT:    gpu.barrier
// CHECK-NOT:     sattn.ring
func.func @cp_async(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %o: memref<?xbf16>, %n: index, %base: index, %first: index, %count: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 16, block_n = 16, arg_names = ["q", "k", "v", "o", "n", "base", "first", "count"]>, sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>} {
  sattn.program grid(%n, %n) block_m = 16 {
  ^bb0(%x: index, %y: index):
    %c1 = arith.constant 1 : index
    %qt = sattn.tile.load %q[%base] rows(%x, %c1, %count) : memref<?xbf16> -> <16x32xbf16>
    %a0 = sattn.tile.fill 0.0 : <16x32xf32>
    %s = sattn.tile.qk %qt, %k[%base] keys(%first, %count) : <16x32xbf16>, memref<?xbf16> -> <16x16xf32>
    %a1 = sattn.tile.pv %s, %v[%base] keys(%first, %count), %a0 : <16x16xf32>, memref<?xbf16>, <16x32xf32>
    sattn.tile.store %a1, %o[%base] rows(%x, %c1, %count) : <16x32xf32>, memref<?xbf16>
  }
  return
}

// -----

// TMA with a producer: the mbarriers first (128 bytes: 3 "full" barriers
// of one arrival, 3 "empty" barriers of one arrival per consumer
// warpgroup, initialised by thread 0 and published by a CTA barrier), then
// the slots from the next 1024-byte boundary. Each thread's parity word
// starts with the empty barriers' bits set (56 = 0b111000): a first acquire
// waits for the phase before a fresh barrier's first, which it reports
// complete. A fill announces the slot's bytes (16 keys x 64 x 2 = 2048) and
// issues one bulk tensor copy per 64-column box at (0, first, head); a
// wait is try_wait on the parity; a release is one arrival by each
// consumer warpgroup's first thread.
// CHECK-LABEL: func.func @tma(
// CHECK:         %[[RAW:.*]] = gpu.dynamic_shared_memory
// CHECK:         memref.view %[[RAW]][%c128{{.*}}][]
// CHECK:         memref.extract_aligned_pointer_as_index
// CHECK:         arith.remsi %{{.*}}, %c1024
// CHECK:         %[[PHASES:.*]] = memref.alloca() : memref<i32>
// CHECK-NEXT:    %[[INIT:.*]] = arith.constant 56 : i32
// CHECK-NEXT:    memref.store %[[INIT]], %[[PHASES]][] : memref<i32>
// CHECK:         scf.if
// CHECK-COUNT-6:   nvvm.mbarrier.init %{{.*}}, %c1_i32
// CHECK:           nvvm.fence.mbarrier.init
// CHECK:         gpu.barrier
// CHECK-NEXT:    sattn.warp_specialize
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           llvm.inline_asm has_side_effects {{.*}}m64n16k16
// CHECK:           %[[LEADER:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK-NEXT:      scf.if %[[LEADER]] {
// CHECK:             nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// CHECK:         } producer {
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c2048_i32
// CHECK:           nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg8, %{{.*}}, box[%c0_i32{{.*}}, %{{.*}}, %{{.*}}]
// CHECK-NOT:     sattn.ring
func.func @tma(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 24, consumer_registers = 232, min_ctas_per_sm = 2>} {
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
    sattn.tile.store %a1, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
  }
  return
}

// -----

// The Q tile in the ring (stage_query): after the three 2 KiB slots (from
// the pad, element pad + 3 * 1024), 64 x 64 elements, so the view holds
// 3072 + 4096 elements and the 1 KiB pad. The consumer warpgroup copies
// its 64 rows with cp.async (4096 elements = 512 chunks, 4 per lane, rows
// past the count zero-filled), waits for them, fences them for the async
// proxy and meets on its query_staged barrier (128 threads); the producer
// copies nothing.
// CHECK-LABEL: func.func @tma_staged_query(
// CHECK:         memref.view {{.*}} to memref<7680xbf16, #gpu.address_space<workgroup>>
// CHECK:         sattn.warp_specialize
// CHECK-COUNT-4:   nvgpu.device_async_copy
// CHECK:           nvvm.cp.async.commit.group
// CHECK-NEXT:      nvvm.cp.async.wait.group 0
// CHECK-NEXT:      nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT:      sattn.named_barrier.sync query_staged[%{{.*}}] threads = 128
// CHECK:           nvvm.wgmma.mma_async
// CHECK:         } producer {
// CHECK-NOT:       nvgpu.device_async_copy
// CHECK-NOT:     sattn.ring
func.func @tma_staged_query(%q: memref<?xbf16>, %k: memref<?xbf16>, %v: memref<?xbf16>, %n: index, %base: index, %first: index, %sk: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 16, arg_names = ["q", "k", "v", "n", "base", "first", "Sk"]>, sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 24, consumer_registers = 232, min_ctas_per_sm = 2, stage_query = true>} {
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
    sattn.tile.store %a1, %q[%base] rows(%x, %c1, %c64) : <64x64xf32>, memref<?xbf16>
  }
  return
}
