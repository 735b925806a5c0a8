"""One launch of the block_sparse kernel at 64k, 30% of causal blocks (for ncu)."""
import torch, bench
sattn = bench.Sattn("lib/libsattn_rt.so")
S = 65536
torch.manual_seed(1)
q, k, v = (torch.randn(1, 16, S, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
tensors = bench.compressed_layout(bench.causal_layout("layout30_causal_64k", S, q.device))
m = sattn.load("kernels/block_sparse.manifest.json")
o = torch.empty_like(q)
for _ in range(2):
    sattn.run(m, q, k, v, o, tensors)
torch.cuda.synchronize()
