func.func @from_mlir(%q: memref<?x?x?x64xf16>, %k: memref<?x?x?x64xf16>, %v: memref<?x?x?x64xf16>, %o: memref<?x?x?x64xf16>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) {softcap = 20.0 : f64} : memref<?x?x?x64xf16>, memref<?x?x?x64xf16>
  return
}
