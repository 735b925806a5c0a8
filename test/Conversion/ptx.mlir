// The whole GPU lowering down to PTX (and to a cubin through ptxas).
// REQUIRES: ptxas
//
// RUN: sparse-opt %s --pass-pipeline='builtin.module(sattn-classify-tiles,sattn-tile-flash,canonicalize,cse,sattn-lower-tiles-simt,canonicalize,cse,sattn-program-to-gpu,nvvm-attach-target{chip=sm_90a features=+ptx80 O=3},arith-expand,convert-scf-to-cf,expand-strided-metadata,lower-affine,gpu.module(convert-gpu-to-nvvm),reconcile-unrealized-casts,gpu-module-to-binary{format=isa})' | sed -e 's/\\0A/\n/g' | FileCheck %s --check-prefixes=PTX,SM90 --implicit-check-not=__nv_
// RUN: sparse-opt %s --pass-pipeline='builtin.module(sattn-classify-tiles,sattn-tile-flash,canonicalize,cse,sattn-lower-tiles-simt,canonicalize,cse,sattn-program-to-gpu,nvvm-attach-target{chip=sm_80 features=+ptx80 O=3},arith-expand,convert-scf-to-cf,expand-strided-metadata,lower-affine,gpu.module(convert-gpu-to-nvvm),reconcile-unrealized-casts,gpu-module-to-binary{format=isa})' | sed -e 's/\\0A/\n/g' | FileCheck %s --check-prefixes=PTX,SM80 --implicit-check-not=__nv_
// ptxas assembles it (format=bin runs the toolkit's ptxas).
// RUN: sparse-opt %s --pass-pipeline='builtin.module(sattn-classify-tiles,sattn-tile-flash,canonicalize,cse,sattn-lower-tiles-simt,canonicalize,cse,sattn-program-to-gpu,nvvm-attach-target{chip=sm_90a features=+ptx80 O=3},arith-expand,convert-scf-to-cf,expand-strided-metadata,lower-affine,gpu.module(convert-gpu-to-nvvm),reconcile-unrealized-casts,gpu-module-to-binary{format=bin toolkit=%cuda_toolkit})' | FileCheck %s --check-prefix=BIN

// The PTX is the `assembly` string of the gpu.binary (its escaped newlines
// turned back into lines by sed).
// PTX:        gpu.binary @sattn_kernels
// SM90-SAME:    #nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">
// SM80-SAME:    #nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// PTX-SAME:     assembly = "
// PTX:        {{^}}.version 8.0
// SM90-NEXT:  {{^}}.target sm_90a
// SM80-NEXT:  {{^}}.target sm_80
// PTX-NEXT:   {{^}}.address_size 64
// One entry per kernel, with the ABI's parameters: 4 pointers then the 5
// sizes, and 64 threads per block.
// PTX:        {{^}}.visible .entry causal(
// PTX-NEXT:     .param .u64 .ptr .align 1 causal_param_0,
// PTX-NEXT:     .param .u64 .ptr .align 1 causal_param_1,
// PTX-NEXT:     .param .u64 .ptr .align 1 causal_param_2,
// PTX-NEXT:     .param .u64 .ptr .align 1 causal_param_3,
// PTX-NEXT:     .param .u64 causal_param_4,
// PTX-NEXT:     .param .u64 causal_param_5,
// PTX-NEXT:     .param .u64 causal_param_6,
// PTX-NEXT:     .param .u64 causal_param_7,
// PTX-NEXT:     .param .u64 causal_param_8
// PTX-NEXT:   )
// PTX-NEXT:   .maxntid 64, 1, 1
// Block and thread ids.
// PTX-DAG:      %ctaid.x;
// PTX-DAG:      %ctaid.y;
// PTX-DAG:      %tid.x;
// 16-byte loads of the rows.
// PTX-DAG:      ld.global.v4.b32
// exp2 -> the hardware approximation with flush to zero (the non-ftz form
// costs a compare and two multiplies more per element), no libdevice call
// (no __nv_* anywhere: --implicit-check-not).
// PTX-DAG:      ex2.approx.ftz.f32
// PTX-NOT:      .entry
// PTX-NOT:      gpu.module
// PTX-NOT:      func.func

// BIN:        gpu.binary @sattn_kernels
// BIN-SAME:     chip = "sm_90a"
// BIN-SAME:     bin = "\7FELF
func.func @causal(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
