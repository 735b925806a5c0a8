// sattn-choose-kernel-config: the policy's decisions for each kernel, as
// #sattn.kernel_config (lib/Compiler/TileToGPU/Policy).
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a" | FileCheck %s --check-prefix=H
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a block-m=128" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a" | FileCheck %s --check-prefix=TWO
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a block-m=128" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a stage-query=0" | FileCheck %s --check-prefix=TWOR
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a block-m=128" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a persistent=1" 2>/dev/null | FileCheck %s --check-prefix=TWOP
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a block-m=128" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a persistent=1" 2>&1 >/dev/null | FileCheck %s --check-prefix=TWOPWARN
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_80" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_80" | FileCheck %s --check-prefix=A
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a producer=0 pipeline=1" 2>&1 | FileCheck %s --check-prefix=PIPE
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_90a" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_90a pipeline=1" 2>&1 | FileCheck %s --check-prefix=PIPEP
// RUN: sparse-opt %s -split-input-file --sattn-classify-tiles="chip=sm_80" --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_80 pipeline=1" 2>&1 | FileCheck %s --check-prefix=DROP

// Dense on sm_90a: wgmma and TMA, one warpgroup filling its own stages
// (no producer for a kernel without a mask).
// H-LABEL: func.func @dense(
// H-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>
// Two consumer warpgroups (128 rows): a producer with 24 registers, 240
// for each consumer, one CTA per SM, rings of three (with the Q tile, 225
// KiB), ping-pong, and Q.K^T reading Q from shared memory.
// TWO-LABEL: func.func @dense(
// TWO-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true, stage_query = true>
// Without Q staged (stage-query=0) the rest is the same.
// TWOR-LABEL: func.func @dense(
// TWOR-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true>
// A persistent grid asked for (persistent=1), which one CTA per SM takes,
// in the hardware's order of instances: the producer keeps 40 registers
// (its loop over instances), each consumer 232.
// TWOP-LABEL: func.func @dense(
// TWOP-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 3, value_stages = 3, producer = true, producer_registers = 40, consumer_registers = 232, min_ctas_per_sm = 1, ping_pong = true, stage_query = true, persistent = true>
// sm_80: mma.sync with cp.async.
// A-LABEL: func.func @dense(
// A-SAME:      sattn.config = #sattn.kernel_config<mainloop = mma_sync, staging = cp_async, key_stages = 2, value_stages = 1>
// Pipelining asked for: two value slots (P.V of tile i-1 reads one while
// V[i] fills the other), released on barriers.
// PIPE-LABEL: func.func @dense(
// PIPE-SAME:      key_stages = 2, value_stages = 2, pipeline = true>
// Not on mma.sync (sm_80): reported, not applied.
// DROP: warning: option not applied to this kernel: pipelined key loops (needs wgmma with TMA staging)
// DROP-NOT: pipeline = true
func.func @dense(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  sattn.attention %q, %k, %v, %o : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// Causal: a producer warpgroup; the key range [0, diagonal) leaves the
// producer 24 registers and the consumer 232 (two CTAs per SM).
// H-LABEL: func.func @causal(
// H-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 24, consumer_registers = 232, min_ctas_per_sm = 2>
// Pipelined with a producer: four slots of 32 KiB leave room for one CTA
// per SM, whose consumer warpgroup gets the 248-register cap.
// PIPEP-LABEL: func.func @causal(
// PIPEP-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 2, producer = true, producer_registers = 24, consumer_registers = 248, min_ctas_per_sm = 1, pipeline = true>
// Two consumer warpgroups under a causal mask on a persistent grid: the
// same order (every query tile of a head before the next head).
// TWOP-LABEL: func.func @causal(
// TWOP-SAME:      stage_query = true, persistent = true>
func.func @causal(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// A window and sinks bound the keys from below and in two pieces: the
// producer keeps 32 registers. The delta anchor kernel fills its own
// stages; the main kernel gets the producer.
// H-LABEL: func.func @swa_delta_delta_anchor(
// H-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1>
// H-LABEL: func.func @swa_delta_delta_main(
// H-SAME:      sattn.config = #sattn.kernel_config<mainloop = wgmma, staging = tma, key_stages = 2, value_stages = 1, producer = true, producer_registers = 32, consumer_registers = 224, min_ctas_per_sm = 2>
func.func @swa_delta(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  %c = sattn.mask.causal
  %w = sattn.mask.window left = 2047, right = 0
  %s = sattn.mask.sink tokens = 128
  %u = sattn.mask.union %w, %s
  %m = sattn.mask.intersect %c, %u
  sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// f32 has no tensor-core form: the SIMT lowering takes the kernel, and the
// note says why; a persistent grid asked for is reported.
// TWOPWARN: warning: option not applied to this kernel: a persistent grid (no tensor cores for this kernel: keys that are not bf16 or f16)
// H-LABEL: func.func @dense_f32(
// H-SAME:      sattn.config = #sattn.kernel_config<mainloop = simt, note = "SIMT: keys that are not bf16 or f16">
func.func @dense_f32(%q: memref<?x?x?x64xf32>, %k: memref<?x?x?x64xf32>, %v: memref<?x?x?x64xf32>, %o: memref<?x?x?x64xf32>) {
  sattn.attention %q, %k, %v, %o : memref<?x?x?x64xf32>, memref<?x?x?x64xf32>
  return
}

// -----

// A softcap's tanh needs the consumers' 240 registers: two consumer
// warpgroups keep a block per instance, and the producer 24, even when a
// persistent grid is asked for (reported).
// TWOPWARN: warning: option not applied to this kernel: a persistent grid (a softcap's consumers need 240 registers)
// TWOP-LABEL: func.func @softcap(
// TWOP-SAME:      producer_registers = 24, consumer_registers = 240, min_ctas_per_sm = 1, ping_pong = true, stage_query = true>
func.func @softcap(%q: memref<?x?x?x128xbf16>, %k: memref<?x?x?x128xbf16>, %v: memref<?x?x?x128xbf16>, %o: memref<?x?x?x128xbf16>) {
  sattn.attention %q, %k, %v, %o {softcap = 30.0 : f64} : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
  return
}

// -----

// An unknown chip is an error.
// RUN: not sparse-opt %s -split-input-file --sattn-classify-tiles --sattn-tile-flash --canonicalize --cse --sattn-choose-kernel-config="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: sattn-choose-kernel-config: unknown chip 'sm_70'
