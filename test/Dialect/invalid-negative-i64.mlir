// Negative values of the I64Attr arguments must be rejected.
//
// BUG: ODS generates unsigned getters for I64Attr (`uint64_t getLeft()`,
// getRight, getTokens, getBlockM, getRowDiv), so the checks in
// dialect/lib/SattnOps.cpp and SattnTileOps.cpp (`getLeft() < 0`,
// `getTokens() < 1`, `getBlockM() <= 0`, `getRowDiv() < 1`) compare unsigned
// values: negative numbers wrap to huge ones and pass. Every case below
// verifies today. The consequence downstream: `window left = -3` normalises
// to diag_lo = 3 > diag_hi and `sink tokens = -4` to col_hi = -4, both
// silently dropped as empty regions by sattn-classify-tiles, so the
// attention produces all-zero rows instead of an error. Fix: compare
// `(int64_t)getLeft()` or use the IntegerAttr's getInt()/getSInt().
//
// RUN: sparse-opt %s -split-input-file -verify-diagnostics

func.func @window_negative_left() {
  // expected-error @+1 {{'sattn.mask.window' op left extent must be >= 0, got -1}}
  %w = sattn.mask.window left = -1, right = 0
  return
}

// -----

func.func @window_negative_right() {
  // expected-error @+1 {{'sattn.mask.window' op right extent must be >= 0, got -7}}
  %w = sattn.mask.window left = 3, right = -7
  return
}

// -----

func.func @sink_negative_tokens() {
  // expected-error @+1 {{'sattn.mask.sink' op tokens must be >= 1, got -4}}
  %s = sattn.mask.sink tokens = -4
  return
}

// -----

func.func @program_block_m_negative(%n: index) {
  // expected-error @+1 {{'sattn.program' op block_m must be positive, got -1}}
  sattn.program grid(%n, %n) block_m = -1 {
  ^bb0(%x: index, %y: index):
  }
  return
}

// -----

func.func @load_row_div_negative(%b: memref<?xf32>, %i: index) {
  // expected-error @+1 {{'sattn.tile.load' op row_div must be >= 1, got -64}}
  %t = sattn.tile.load %b[%i] rows(%i, %i, %i) {row_div = -64} : memref<?xf32> -> !sattn.tile<64x128xf32>
  return
}

// -----

func.func @window_dilation_zero() {
  // expected-error @+1 {{'sattn.mask.window' op dilation must be >= 1, got 0}}
  %w = sattn.mask.window left = 3, right = 0 dilation = 0
  return
}

// -----

func.func @window_dilation_negative() {
  // expected-error @+1 {{'sattn.mask.window' op dilation must be >= 1, got -2}}
  %w = sattn.mask.window left = 3, right = 0 dilation = -2
  return
}

// -----

func.func @chunk_size_zero() {
  // expected-error @+1 {{'sattn.mask.chunk' op chunk size must be >= 1, got 0}}
  %c = sattn.mask.chunk size = 0
  return
}

// -----

func.func @chunk_size_negative() {
  // expected-error @+1 {{'sattn.mask.chunk' op chunk size must be >= 1, got -500}}
  %c = sattn.mask.chunk size = -500
  return
}

// -----

// expected-error @+1 {{region chunk must be >= 1, got 0}}
func.func @region_chunk_zero() attributes {r = #sattn.region<chunk = 0>} {
  return
}

// -----

// expected-error @+1 {{region dilation must be >= 2 (absent for 1), got 1}}
func.func @region_dilation_one() attributes {r = #sattn.region<dilation = 1>} {
  return
}
