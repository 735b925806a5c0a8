"""A/B of two builds' block_sparse kernels on the same layouts (ours only)."""
import sys, torch, bench
sattn = bench.Sattn("lib/libsattn_rt.so")
for name, S in (("layout10_causal_64k", 65536), ("layout30_causal_64k", 65536),
                ("layout10_causal_128k", 131072)):
    torch.manual_seed(1)
    q, k, v = (torch.randn(1, 16, S, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    layout = bench.causal_layout(name, S, q.device)
    tensors = bench.compressed_layout(layout)
    pairs = bench.kept_pairs("block_sparse", S, None, layout)
    outs, row = {}, {"case": name, "fraction": layout.sum().item() / (layout.shape[0] * (layout.shape[0] + 1) / 2)}
    for label, d in (("prev", "kernels-prev"), ("new", "kernels")):
        m = sattn.load(d + "/block_sparse.manifest.json")
        o = torch.full_like(q, float("nan"))
        ms = bench.time_ms(lambda: sattn.run(m, q, k, v, o, tensors), 2, 10)
        outs[label] = o.clone()
        row[label + "_ms"] = round(ms, 3)
        row[label + "_tflops"] = round(4.0 * 128 * pairs * 16 / ms / 1e9, 1)
    row["rel_l2_new_vs_prev"] = bench.rel_l2(outs["new"], outs["prev"])
    print(row, flush=True)
