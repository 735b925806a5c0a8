#!/usr/bin/env python3
"""Tables and plots from bench.py's JSON (no torch needed).

usage: report.py OUT_DIR RUN.json [RUN.json ...]
Merges the rows of several runs (later runs replace earlier rows of the same
case), writes OUT_DIR/bench.md, OUT_DIR/bench.json and OUT_DIR/bench.png.
"""
import json
import os
import sys

COLUMNS = [
    ("case", "case"), ("ours_ms", "ours ms"), ("sdpa_flash_ms", "SDPA flash ms"),
    ("sdpa_cudnn_ms", "SDPA cuDNN ms"), ("flex_ms", "Flex ms"),
    ("sdpa_flash_dense_causal_ms", "FA2 dense causal ms"),
    ("varlen_attn_ms", "varlen_attn ms"),
    ("flex_block_mask_ms", "Flex block mask build ms"),
    ("ours_tflops", "ours TFLOP/s"), ("flex_tflops", "Flex TFLOP/s"),
    ("ours_vs_flex", "ours / Flex"), ("ours_vs_fa2", "FA2 time / ours"),
    ("ours_vs_varlen", "varlen time / ours"),
    ("rel_l2_vs_pytorch", "rel L2 vs PyTorch"),
]


def derived(r):
    """Ratios, and for delta rows Flex's rate over the pairs it computes."""
    r = dict(r)
    if "ours_ms" not in r:
        return r
    if r.get("flex_ms"):
        r["ours_vs_flex"] = r["flex_ms"] / r["ours_ms"]
        if r["pattern"] == "swa_sink_delta" and "sparse_pairs_per_head" in r:
            # Flex runs the sparse pattern only (no delta correction).
            r["flex_tflops"] = (4.0 * r["D"] * r["sparse_pairs_per_head"] *
                                r["H"] / r["flex_ms"] / 1e9)
    if r.get("varlen_attn_ms"):
        r["ours_vs_varlen"] = r["varlen_attn_ms"] / r["ours_ms"]
    fa2 = r.get("sdpa_flash_ms") or r.get("sdpa_flash_dense_causal_ms")
    if fa2:
        r["ours_vs_fa2"] = fa2 / r["ours_ms"]
    return r


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def write(rows, out, meta):
    os.makedirs(out, exist_ok=True)
    rows = [derived(r) for r in rows]
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(dict(meta, rows=rows), f, indent=1)
    lines = [f"Device: {meta.get('device')}, {meta.get('date')}, torch "
             f"{meta.get('torch')}", "",
             "| " + " | ".join(h for _, h in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['case']} | error: {r['error'][:80]} |")
            continue
        lines.append("| " + " | ".join(fmt(r.get(k)) for k, _ in COLUMNS) + " |")
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing, no plot", file=sys.stderr)
        return
    ok = [r for r in rows if "ours_tflops" in r]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.8))
    for pattern, color in (("causal", "C0"), ("dense", "C1"), ("swa_sink", "C2")):
        rs = sorted((r for r in ok if r["pattern"] == pattern), key=lambda r: r["S"])
        if not rs:
            continue
        xs = [r["S"] for r in rs]
        a1.plot(xs, [r["ours_tflops"] for r in rs], "o-", color=color,
                label=f"ours, {pattern}")
        a1.plot(xs, [r.get("flex_tflops") for r in rs], "x--", color=color,
                label=f"FlexAttention, {pattern}")
        if rs[0].get("sdpa_cudnn_tflops"):
            a1.plot(xs, [r.get("sdpa_cudnn_tflops") for r in rs], "s:",
                    color=color, label=f"cuDNN, {pattern}")
    a1.set_xscale("log", base=2)
    a1.set_yscale("log")
    a1.set_xlabel("sequence length (bf16, head_dim 128, 16 heads)")
    a1.set_ylabel("effective TFLOP/s (kept pairs)")
    a1.legend(fontsize=6)
    with_fa2 = [r for r in ok if r.get("ours_vs_fa2")]
    a2.bar(range(len(with_fa2)), [r["ours_vs_fa2"] for r in with_fa2])
    a2.set_xticks(range(len(with_fa2)), [r["case"] for r in with_fa2],
                  rotation=60, fontsize=7)
    a2.set_yscale("log")
    a2.axhline(1.0, color="k", linewidth=0.8)
    a2.set_ylabel("speed-up over FlashAttention-2 (SDPA flash)")
    fig.suptitle(f"{meta.get('device')} {meta.get('date')}", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "bench.png"), dpi=110)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, meta = {}, {}
    for path in argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        meta = {k: doc.get(k) for k in ("device", "date", "torch")}
        for r in doc["rows"]:
            if r["case"] not in rows or "error" not in r:
                rows[r["case"]] = r
    order = [r for r in rows.values()]
    write(order, argv[1], meta)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
