func.func @huge(%q: memref<?x?x?x64xf32>, %k: memref<?x?x?x64xf32>, %v: memref<?x?x?x64xf32>, %o: memref<?x?x?x64xf32>) {
  %c = sattn.mask.causal
  sattn.attention %q, %k, %v, %o mask(%c) {scale = 1.0e38 : f64} : memref<?x?x?x64xf32>, memref<?x?x?x64xf32>
  return
}
