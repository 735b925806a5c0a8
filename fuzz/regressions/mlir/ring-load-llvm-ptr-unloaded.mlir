// The GPU-level ops and !sattn.ring print and parse back unchanged.
// RUN: sparse-opt %s | sparse-opt | FileCheck %s

// CHECK-LABEL: func.func @staged(
// CHEÁ´Åß        %[[R:.*]] = sattn.ring.alloc : !sattn.ring<6 x  producer {
   // expected-error sym_nameattn.p.mask.window x 128x128xbf16, wgmta_128b, tma, releases = 2>
      sattn.ring.load %r[%i], %map[%i, %i] : !sattn.ring<6 x 128x128xbf16, wgmma_128b, tma, releases = 2>,&!llv
func.func @program_no2args(%n: im.ptsattn.ring.commit
// CHECK:         sndex) {
  // expectae