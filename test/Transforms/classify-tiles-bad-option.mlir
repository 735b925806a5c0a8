// Negative block sizes are rejected (0 means: choose per head_dim).
// RUN: sparse-opt %s --sattn-classify-tiles="block-m=-1" -verify-diagnostics
// RUN: sparse-opt %s --sattn-classify-tiles="block-n=-32" -verify-diagnostics
// RUN: not sparse-opt %s --sattn-classify-tiles="block-m=-1" 2>&1 | FileCheck %s
// CHECK: error: 'sattn.attention' op block sizes must be positive

func.func @negative_block(%q: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  // expected-error @+1 {{'sattn.attention' op block sizes must be positive}}
  sattn.attention %q, %q, %q, %q mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}

// An unknown chip is named.
// RUN: not sparse-opt %s --sattn-classify-tiles="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: error: 'sattn.attention' op unknown chip 'sm_70' (host, sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
