// Verifiers of the GPU-level ops (rings, staged products, warp roles, named
// barriers) and of !sattn.ring.
// RUN: sparse-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{ring slots must be in [1, 8], got 9}}
func.func @too_many_slots(%r: !sattn.ring<9 x 64x128xbf16, wgmma_128b, tma>) {
  return
}

// -----

// expected-error @below {{TMA fills the wgmma_128b layout only}}
func.func @tma_xor(%r: !sattn.ring<3 x 64x128xbf16, xor_chunks, tma>) {
  return
}

// -----

// expected-error @below {{releases (empty mbarriers) need a tma ring, got 2}}
func.func @cp_async_releases(%r: !sattn.ring<3 x 64x128xbf16, xor_chunks, cp_async, releases = 2>) {
  return
}

// -----

// expected-error @below {{ring elements must be bf16 or f16, got 'f32'}}
func.func @f32_ring(%r: !sattn.ring<3 x 64x128xf32, xor_chunks, cp_async>) {
  return
}

// -----

func.func @copy_into_tma_ring(%r: !sattn.ring<3 x 64x128xbf16, wgmma_128b, tma>, %b: memref<?xbf16>, %i: index) {
  // expected-error @below {{needs a ring filled by cp_async}}
  sattn.ring.copy %r[%i], %b[%i] keys(%i, %i) : !sattn.ring<3 x 64x128xbf16, wgmma_128b, tma>, memref<?xbf16>
  return
}

// -----

func.func @acquire_unreleased(%r: !sattn.ring<3 x 64x128xbf16, wgmma_128b, tma>, %i: index) {
  // expected-error @below {{needs a ring whose slots are released (releases > 0)}}
  sattn.ring.acquire %r[%i] : !sattn.ring<3 x 64x128xbf16, wgmma_128b, tma>
  return
}

// -----

func.func @qk_shapes(%q: !sattn.tile<64x64xbf16>, %r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, %i: index) {
  // expected-error @below {{shapes do not match}}
  %s = sattn.tile.mma_qk %r[%i] q(%q : !sattn.tile<64x64xbf16>) : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma> -> <64x128xf32>
  return
}

// -----

func.func @async_unwaited(%q: !sattn.tile<64x128xbf16>, %r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, %i: index) {
  // expected-error @below {{async result must have one use, a sattn.tile.mma_wait}}
  %s = sattn.tile.mma_qk %r[%i] q(%q : !sattn.tile<64x128xbf16>) {async} : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma> -> <64x128xf32>
  %t = sattn.tile.add %s, %s : <64x128xf32>
  return
}

// -----

func.func @wait_for_sync(%q: !sattn.tile<64x128xbf16>, %r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, %i: index) {
  %s = sattn.tile.mma_qk %r[%i] q(%q : !sattn.tile<64x128xbf16>) : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma> -> <64x128xf32>
  // expected-error @below {{waits for the result of an async sattn.tile.mma_qk or sattn.tile.mma_pv}}
  %w = sattn.tile.mma_wait %s pending = 0 : <64x128xf32>
  return
}

// -----

func.func @roles_outside_program() {
  // expected-error @below {{must be nested in a sattn.program}}
  sattn.warp_specialize consumers(1, registers = 232) producer(registers = 24) {
    %a = arith.constant 0 : index
  } producer {
    %b = arith.constant 0 : index
  }
  return
}

// -----

func.func @roles_bad_registers(%n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    // expected-error @below {{register counts must be multiples of 8 in [24, 256], got 20}}
    sattn.warp_specialize consumers(1, registers = 232) producer(registers = 20) {
      %a = arith.constant 0 : index
    } producer {
      %b = arith.constant 0 : index
    }
  }
  return
}

// -----

func.func @barrier_threads(%i: index) {
  // expected-error @below {{threads must be a multiple of 32 in [32, 1024], got 100}}
  sattn.named_barrier.sync warp_scheduler[%i] threads = 100
  return
}

// -----

// expected-error @below {{query_rows must be whole 64-row warpgroup blocks in the wgmma_128b layout, got 96}}
func.func @query_rows_partial(%r: !sattn.ring<3 x 64x128xbf16, wgmma_128b, tma, query_rows = 96>) {
  return
}

// -----

// expected-error @below {{query_rows must be whole 64-row warpgroup blocks in the wgmma_128b layout, got 64}}
func.func @query_rows_xor(%r: !sattn.ring<3 x 64x128xbf16, xor_chunks, cp_async, query_rows = 64>) {
  return
}

// -----

func.func @qk_without_query_tile(%r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, %i: index) {
  // expected-error @below {{needs a ring that holds the Q tile (query_rows > 0)}}
  %s = sattn.tile.mma_qk %r[%i] : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma> -> <64x128xf32>
  return
}

// -----

func.func @qk_query_rows(%r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma, query_rows = 128>, %i: index) {
  // expected-error @below {{scores have 64 rows but the ring's Q tile has 128}}
  %s = sattn.tile.mma_qk %r[%i] : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma, query_rows = 128> -> <64x128xf32>
  return
}

// -----

func.func @stage_q_without_query_tile(%r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, %q: memref<?xbf16>, %i: index) {
  // expected-error @below {{needs a ring that holds the Q tile (query_rows > 0)}}
  sattn.ring.stage_q %r, %q[%i] rows(%i, %i, %i) : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma>, memref<?xbf16>
  return
}

// -----

func.func @stage_q_element(%r: !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma, query_rows = 64>, %q: memref<?xf16>, %i: index) {
  // expected-error @below {{buffer element type 'f16' must match the ring's 'bf16'}}
  sattn.ring.stage_q %r, %q[%i] rows(%i, %i, %i) : !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma, query_rows = 64>, memref<?xf16>
  return
}

// -----

// expected-error @below {{an m16n8k16 tile needs rows in whole 16-row warps and one column or whole 8-column groups, got 24x64}}
func.func @layout_rows(%t: !sattn.tile<24x64xf32, m16n8k16>) {
  return
}

// -----

// expected-error @below {{expected a tile layout (none, m16n8k16), got 'wgmma'}}
func.func @layout_unknown(%t: !sattn.tile<64x64xf32, wgmma>) {
  return
}

// -----

func.func @work_loop_outside_program() {
  // expected-error @below {{must be nested in a sattn.program}}
  sattn.work_loop order = head_fastest {
  ^bb0(%x: index, %y: index):
  }
  return
}

// -----

func.func @work_loop_in_work_loop(%n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    sattn.work_loop order = head_fastest {
    ^bb0(%x1: index, %y1: index):
      // expected-error @below {{must not be nested in another sattn.work_loop}}
      sattn.work_loop order = head_fastest {
      ^bb0(%x2: index, %y2: index):
      }
    }
  }
  return
}

// -----

func.func @work_loop_arguments(%n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    // expected-error @below {{body must take two index arguments (x, y)}}
    sattn.work_loop order = query_tile_fastest {
    ^bb0(%t: index):
    }
  }
  return
}

// -----

// The program's own (x, y) name no instance in a persistent block.
func.func @work_loop_program_instance(%n: index) {
  sattn.program grid(%n, %n) block_m = 64 {
  ^bb0(%x: index, %y: index):
    %z = arith.addi %y, %y : index
    // expected-error @below {{needs the enclosing program's instance index #1 unused}}
    sattn.work_loop order = query_tile_fastest {
    ^bb0(%x1: index, %y1: index):
    }
  }
  return
}

// -----

// expected-error @below {{a work_order needs a persistent grid}}
func.func private @order_without_persistent() attributes {sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, work_order = head_fastest>}

// -----

// The SIMT lowering multiplies every row; only the tensor-core mainloops
// take conditional_rescale.
// expected-error @below {{conditional_rescale needs a tensor-core mainloop}}
func.func private @simt_conditional_rescale() attributes {sattn.config = #sattn.kernel_config<mainloop = simt, conditional_rescale = true>}
