// The GPU-level ops and !sattn.ring print and parse back unchanged.
// RUN: sparse-opt %s | sparse-opt | FileCheck %s

// CHECK-LABEL: func.func @staged(
// CHECK:         %[[R:.*]] = sattn.ring.alloc : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>
// CHECK:         sattn.warp_specialize consumers(2, registers = 240) producer(registers = 24) {
// CHECK:           sattn.ring.wait %[[R]][%{{.*}}]
// CHECK:           %[[S:.*]] = sattn.tile.mma_qk %[[R]][%{{.*}}] q(%{{.*}} : !sattn.tile<128x128xbf16>) {async} : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2> -> <128x128xf32>
// CHECK:           sattn.named_barrier.arrive warp_scheduler[%{{.*}}] threads = 256
// CHECK:           sattn.tile.mma_wait %[[S]] pending = 0 : <128x128xf32>
// CHECK:           sattn.ring.release %[[R]][%{{.*}}]
// CHECK:         } producer {
// CHECK:           sattn.ring.acquire %[[R]][%{{.*}}]
// CHECK:           sattn.ring.load %[[R]][%{{.*}}], %{{.*}}[%{{.*}}, %{{.*}}] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>, !llvm.ptr
func.func @staged(%q: !sattn.tile<128x128xbf16>, %map: !llvm.ptr, %n: index, %i: index) {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    %r = sattn.ring.alloc : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>
    sattn.warp_specialize consumers(2, registers = 240) producer(registers = 24) {
      sattn.ring.wait %r[%i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>
      sattn.named_barrier.sync warp_scheduler[%i] threads = 256
      %s = sattn.tile.mma_qk %r[%i] q(%q : !sattn.tile<128x128xbf16>) {async} : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2> -> <128x128xf32>
      sattn.named_barrier.arrive warp_scheduler[%i] threads = 256
      %w = sattn.tile.mma_wait %s pending = 0 : <128x128xf32>
      sattn.ring.release %r[%i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>
    } producer {
      sattn.ring.acquire %r[%i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>
      sattn.ring.load %r[%i], %map[%i, %i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>, !llvm.ptr
    }
  }
  return
}

// CHECK-LABEL: func.func @cp_async(
// CHECK:         sattn.ring.copy %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] keys(%{{.*}}, %{{.*}}) : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>, memref<?xf16>
// CHECK:         sattn.ring.commit
// CHECK:         sattn.ring.wait_copies %{{.*}} pending = 1
// CHECK:         sattn.ring.buffer %{{.*}} : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async> -> memref<12288xf16, #gpu.address_space<workgroup>>
// CHECK:         sattn.ring.slot_offset
// CHECK:         sattn.tile.mma_pv
func.func @cp_async(%r: !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>, %b: memref<?xf16>, %i: index, %p: !sattn.tile<64x64xf32>, %acc: !sattn.tile<64x64xf32>) {
  sattn.ring.copy %r[%i], %b[%i] keys(%i, %i) : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>, memref<?xf16>
  sattn.ring.commit %r : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>
  sattn.ring.wait_copies %r pending = 1 : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>
  %buf = sattn.ring.buffer %r : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async> -> memref<12288xf16, #gpu.address_space<workgroup>>
  %off = sattn.ring.slot_offset %r[%i] : !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>
  %o = sattn.tile.mma_pv %p, %r[%i], %acc : <64x64xf32>, !sattn.ring<3 x 64x64xf16, xor_chunks, cp_async>, <64x64xf32>
  return
}

// A ring that holds the Q tile: stage_q fills it, query_offset locates it,
// and a product without q reads it.
// CHECK-LABEL: func.func @staged_query(
// CHECK:         sattn.ring.stage_q %{{.*}}, %{{.*}}[%{{.*}}] rows(%{{.*}}, %{{.*}}, %{{.*}}) : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>, memref<?xbf16>
// CHECK:         sattn.ring.query_offset %{{.*}} : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>
// CHECK:         sattn.tile.mma_qk %{{.*}}[%{{.*}}] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128> -> <128x128xf32>
func.func @staged_query(%r: !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>, %q: memref<?xbf16>, %i: index) {
  sattn.ring.stage_q %r, %q[%i] rows(%i, %i, %i) : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>, memref<?xbf16>
  %o = sattn.ring.query_offset %r : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128>
  %s = sattn.tile.mma_qk %r[%i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2, query_rows = 128> -> <128x128xf32>
  return
}

// A persistent block's loop over program instances.
// CHECK-LABEL: func.func @work_loop(
// CHECK:         sattn.program grid(%{{.*}}, %{{.*}}) block_m = 128 {
// CHECK:           sattn.work_loop order = head_fastest {
// CHECK-NEXT:      ^bb0(%[[X:.*]]: index, %[[Y:.*]]: index):
// CHECK-NEXT:        arith.addi %[[X]], %[[Y]] : index
// CHECK:           sattn.work_loop order = query_tile_fastest {
func.func @work_loop(%n: index) {
  sattn.program grid(%n, %n) block_m = 128 {
  ^bb0(%x: index, %y: index):
    sattn.work_loop order = head_fastest {
    ^bb0(%x1: index, %y1: index):
      %s = arith.addi %x1, %y1 : index
    }
    sattn.work_loop order = query_tile_fastest {
    ^bb0(%x2: index, %y2: index):
      %t = arith.addi %x2, %y2 : index
    }
  }
  return
}
