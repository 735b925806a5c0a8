#!/usr/bin/env python3
"""Side-by-side forward-attention benchmark on one GPU, in one process.

Times our compiled patterns (cubins + manifests from `sparse-opt --emit=cubin`,
launched through the runtime's C interface, libsattn_rt.so) and the peers on
the same random inputs: PyTorch SDPA with the flash and the cuDNN backends,
and FlexAttention (torch.compile'd). Checks our output against PyTorch's on
the same inputs (relative L2 < 1e-2). Timings: CUDA events, warm-up, median
of repeats. Effective TFLOP/s count 4*D FLOPs per kept (query, key) pair, as
in shared/notes/anchors.md.

usage: bench.py --lib libsattn_rt.so --kernels DIR [--cases NAME,...]
                [--out DIR] [--reps N]
DIR holds <pattern>.manifest.json/.cubin for: causal, dense, causal_d64, swa_sink,
swa_sink_delta, chunked_local, packed_documents (examples/specs/, bench/specs/).
packed_documents runs 16 random documents (offsets at launch) against
FlexAttention's document mask_mod and PyTorch's varlen_attn.
"""
import argparse
import ctypes
import gc
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

import report
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

WINDOW, SINKS, GAMMA, TAIL_MIN = 2048, 128, 64, 128
CHUNK = 8192  # examples/specs/chunked_local.json (Llama 4's attention_chunk)

# (name, pattern, S, H, D); batch 1, bf16.
CASES = [
    ("causal_4k", "causal", 4096, 16, 128),
    ("causal_16k", "causal", 16384, 16, 128),
    ("causal_64k", "causal", 65536, 16, 128),
    ("dense_4k", "dense", 4096, 16, 128),
    ("dense_16k", "dense", 16384, 16, 128),
    ("dense_64k", "dense", 65536, 16, 128),
    ("swa_sink_16k", "swa_sink", 16384, 16, 128),
    ("swa_sink_64k", "swa_sink", 65536, 16, 128),
    ("swa_sink_128k", "swa_sink", 131072, 16, 128),
    ("swa_sink_delta_128k", "swa_sink_delta", 131072, 16, 128),
    ("swa_sink_delta_1m", "swa_sink_delta", 1048576, 8, 128),
    ("causal_d64_16k", "causal_d64", 16384, 16, 64),
    ("chunked_local_64k", "chunked_local", 65536, 16, 128),
    ("chunked_local_128k", "chunked_local", 131072, 16, 128),
    ("docs16_causal_16k", "packed_documents", 16384, 16, 128),
    ("docs16_causal_64k", "packed_documents", 65536, 16, 128),
    ("docs16_causal_128k", "packed_documents", 131072, 16, 128),
    ("layout10_causal_64k", "block_sparse", 65536, 16, 128),
    ("layout30_causal_64k", "block_sparse", 65536, 16, 128),
    ("layout10_causal_128k", "block_sparse", 131072, 16, 128),
    ("layout30_causal_128k", "block_sparse", 131072, 16, 128),
    ("layout_ashape_vs_128k", "block_sparse", 131072, 16, 128),
]
DOCUMENTS = 16
LAYOUT_BLOCK = 128  # examples/specs/block_sparse.json


class SattnTensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("data", ctypes.c_void_p),
                ("dtype", ctypes.c_char_p), ("ndim", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class Sattn:
    """Our kernels through the runtime's C interface."""

    def __init__(self, lib_path):
        self.lib = ctypes.CDLL(lib_path)
        self.lib.sattn_module_load.restype = ctypes.c_void_p
        self.lib.sattn_module_load.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                               ctypes.c_size_t]
        self.lib.sattn_module_launch.restype = ctypes.c_int
        self.lib.sattn_module_launch.argtypes = (
            [ctypes.c_void_p] + [ctypes.c_int64] * 6 + [ctypes.c_void_p] * 6 +
            [ctypes.c_char_p, ctypes.c_size_t])
        self.lib.sattn_module_launch_tensors.restype = ctypes.c_int
        self.lib.sattn_module_launch_tensors.argtypes = (
            [ctypes.c_void_p] + [ctypes.c_int64] * 6 + [ctypes.c_void_p] * 5 +
            [ctypes.POINTER(SattnTensor), ctypes.c_size_t, ctypes.c_void_p,
             ctypes.c_char_p, ctypes.c_size_t])
        self.modules = {}

    def load(self, path):
        if path not in self.modules:
            err = ctypes.create_string_buffer(1024)
            m = self.lib.sattn_module_load(path.encode(), err, len(err))
            if not m:
                raise RuntimeError(err.value.decode())
            self.modules[path] = m
        return self.modules[path]

    def run(self, module, q, k, v, o, tensors=None):
        """tensors: {name: torch tensor} the pattern reads at launch."""
        B, H, S, D = q.shape
        err = ctypes.create_string_buffer(1024)
        stream = torch.cuda.current_stream().cuda_stream
        if not tensors:
            rc = self.lib.sattn_module_launch(
                module, B, H, k.shape[1], S, k.shape[2], D, q.data_ptr(),
                k.data_ptr(), v.data_ptr(), o.data_ptr(), None, stream, err,
                len(err))
        else:
            shapes = [(ctypes.c_int64 * t.dim())(*t.shape) for t in tensors.values()]
            args = (SattnTensor * len(tensors))(*[
                SattnTensor(n.encode(), t.data_ptr(),
                            b"i32" if t.dtype == torch.int32 else b"f32",
                            t.dim(), shape)
                for (n, t), shape in zip(tensors.items(), shapes)])
            rc = self.lib.sattn_module_launch_tensors(
                module, B, H, k.shape[1], S, k.shape[2], D, q.data_ptr(),
                k.data_ptr(), v.data_ptr(), o.data_ptr(), None, args,
                len(tensors), stream, err, len(err))
        if rc != 0:
            raise RuntimeError(err.value.decode())


def time_ms(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(True), torch.cuda.Event(True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def swa_sink_mask(b, h, q_idx, kv_idx):
    causal = kv_idx <= q_idx
    return causal & ((q_idx - kv_idx < WINDOW) | (kv_idx < SINKS))


def chunked_local_mask(b, h, q_idx, kv_idx):
    return (kv_idx <= q_idx) & (q_idx // CHUNK == kv_idx // CHUNK)


def random_documents(S, n, device):
    """n documents of random lengths >= 1 covering S tokens: cu_seqlens."""
    cuts = torch.randperm(S - 1)[: n - 1].sort().values + 1
    return torch.cat([torch.tensor([0]), cuts, torch.tensor([S])]).to(
        device=device, dtype=torch.int32)


def causal_layout(name, S, device):
    """A causal block layout of LAYOUT_BLOCK blocks as a [Mb, Nb] bool map:
    layoutNN keeps the diagonal and each block below it with probability
    NN% (of the causal blocks, about NN% listed); layout_ashape_vs is
    MInference's A-shape + vertical-slash (a sink block, four local blocks,
    four vertical and four slash lines of blocks)."""
    n = S // LAYOUT_BLOCK
    r = torch.arange(n, device=device).view(-1, 1)
    c = torch.arange(n, device=device).view(1, -1)
    below = c <= r
    if "ashape" in name:
        verticals = torch.randint(0, n, (4,), device=device)
        slashes = torch.randint(4, n, (4,), device=device)
        keep = (c < 1) | (r - c < 4)
        keep |= (c.unsqueeze(-1) == verticals).any(-1)
        keep |= ((r - c).unsqueeze(-1) == slashes).any(-1)
    else:
        density = int(name[len("layout"):].split("_")[0]) / 100
        keep = torch.rand(n, n, device=device) < density
        keep |= r == c
    return keep & below


def compressed_layout(keep):
    """FlexAttention's compressed form of a causal map: the diagonal
    blocks partial (the causal mask applies), the ones below it full; each
    [1, 1, Mb(, Nb)] int32, listed blocks first in ascending order."""
    n = keep.shape[0]
    diag = torch.eye(n, dtype=torch.bool, device=keep.device) & keep
    full = keep & ~diag
    def lists(m):
        counts = m.sum(-1, dtype=torch.int32)
        indices = torch.argsort((~m).to(torch.int8), dim=-1, stable=True)
        return (counts.view(1, 1, n).contiguous(),
                indices.to(torch.int32).view(1, 1, n, n).contiguous())
    kv_num, kv_idx = lists(diag)
    full_num, full_idx = lists(full)
    return {"kv_num_blocks": kv_num, "kv_indices": kv_idx,
            "full_kv_num_blocks": full_num, "full_kv_indices": full_idx}


def kept_pairs(pattern, S, cu=None, layout=None):
    """Kept (query, key) pairs per head, in closed form."""
    if pattern == "block_sparse":
        n = layout.shape[0]
        diag = int(torch.diagonal(layout).sum().item())
        below = int(layout.sum().item()) - diag
        b = LAYOUT_BLOCK
        return below * b * b + diag * b * (b + 1) // 2
    if pattern == "packed_documents":
        lengths = (cu[1:] - cu[:-1]).double()
        return int((lengths * (lengths + 1) / 2).sum().item())
    if pattern == "dense":
        return S * S
    if pattern == "chunked_local":
        full, rest = divmod(S, CHUNK)
        return full * CHUNK * (CHUNK + 1) // 2 + rest * (rest + 1) // 2
    if pattern in ("causal", "causal_d64"):
        return S * (S + 1) // 2
    i = torch.arange(S, dtype=torch.float64)
    window = torch.clamp(i + 1, max=WINDOW)
    sinks = torch.clamp(torch.clamp(i - WINDOW + 1, min=0), max=SINKS)
    sparse = int((window + sinks).sum().item())
    if pattern == "swa_sink":
        return sparse
    cut = S % GAMMA + max(TAIL_MIN, GAMMA)
    sp = max(0, S - cut)
    anchors = sum(a + 1 for a in range(0, sp, GAMMA))
    tail = sum(r + 1 for r in range(sp, S))
    # Sparse rows below sp, plus the dense work of the anchors and the tail.
    sparse_main = int((window[:sp] + sinks[:sp]).sum().item())
    return sparse_main + anchors + tail


def flex_fn(mask_mod, S_q, S_k, device, row=None):
    # _compile=True builds the block mask blockwise; the eager path
    # materialises S_q x S_k (128 GiB at 128k). With `row`, the build time
    # of a second build (the first one compiles) goes in as
    # flex_block_mask_ms: FlexAttention pays it whenever the mask changes.
    build = lambda: create_block_mask(mask_mod, None, None, S_q, S_k,
                                      device=device, _compile=True)
    block_mask = build()
    if row is not None:
        torch.cuda.synchronize()
        start = time.time()
        block_mask = build()
        torch.cuda.synchronize()
        row["flex_block_mask_ms"] = (time.time() - start) * 1e3
    compiled = torch.compile(flex_attention)
    return lambda q, k, v: compiled(q, k, v, block_mask=block_mask)


def delta_reference(q, k, v, sparse):
    """The delta correction composed from PyTorch ops (methods.md), f32."""
    S = q.shape[2]
    cut = S % GAMMA + max(TAIL_MIN, GAMMA)
    sp = S - cut
    out = sparse(q, k, v).float()
    if sp > 0:
        anchors = torch.arange(0, sp, GAMMA, device=q.device)
        qa = q[:, :, anchors].contiguous()
        dense_anchor = flex_fn(lambda b, h, qi, ki: ki <= anchors[qi],
                               qa.shape[2], S, q.device)(qa, k, v).float()
        delta = dense_anchor - out[:, :, anchors]
        rows = torch.arange(sp, device=q.device) // GAMMA
        out[:, :, :sp] += delta[:, :, rows]
    start = max(sp, 0)
    qt = q[:, :, start:].contiguous()
    out[:, :, start:] = flex_fn(lambda b, h, qi, ki: ki <= qi + start,
                                qt.shape[2], S, q.device)(qt, k, v).float()
    return out


def rel_l2(a, b):
    return ((a.float() - b.float()).norm() / b.float().norm()).item()


def run_case(name, pattern, S, H, D, sattn, kernels, reps):
    torch.manual_seed(hash(name) % 2**31)
    q, k, v = (torch.randn(1, H, S, D, device="cuda", dtype=torch.bfloat16)
               for _ in range(3))
    o = torch.full_like(q, float("nan"))
    module = sattn.load(os.path.join(kernels, pattern + ".manifest.json"))
    tensors, cu, layout = None, None, None
    if pattern == "packed_documents":
        cu = random_documents(S, DOCUMENTS, q.device)
        tensors = {"cu_seqlens_q": cu.view(1, -1), "cu_seqlens_k": cu.view(1, -1)}
    if pattern == "block_sparse":
        layout = causal_layout(name, S, q.device)
        tensors = compressed_layout(layout)
    ours = lambda: sattn.run(module, q, k, v, o, tensors)
    row = {"case": name, "pattern": pattern, "S": S, "H": H, "D": D,
           "kept_pairs_per_head": kept_pairs(pattern, S, cu, layout)}
    if layout is not None:
        n = layout.shape[0]
        row["layout_blocks_listed"] = int(layout.sum().item())
        row["layout_fraction_of_causal_blocks"] = (
            row["layout_blocks_listed"] / (n * (n + 1) // 2))
    if cu is not None:
        row["documents"] = DOCUMENTS
        row["document_lengths"] = (cu[1:] - cu[:-1]).tolist()
    if pattern == "swa_sink_delta":
        row["sparse_pairs_per_head"] = kept_pairs("swa_sink", S)
    slow = S * S * H > 2**36  # our SIMT kernels: few repeats on big cases
    row["ours_ms"] = time_ms(ours, 1, 2 if slow else reps)
    peers = {}
    causal = pattern != "dense"
    if pattern in ("causal", "dense", "causal_d64"):
        for label, backend in (("sdpa_flash", SDPBackend.FLASH_ATTENTION),
                               ("sdpa_cudnn", SDPBackend.CUDNN_ATTENTION)):
            def sdpa(backend=backend):
                with sdpa_kernel(backend):
                    return F.scaled_dot_product_attention(q, k, v,
                                                          is_causal=causal)
            try:
                peers[label] = time_ms(sdpa, 3, reps)
            except Exception as e:  # a backend may not support a shape
                peers[label] = None
                row[label + "_error"] = str(e)[:200]
        mask = (lambda b, h, qi, ki: ki <= qi) if causal else (
            lambda b, h, qi, ki: qi >= 0)
        flex = flex_fn(mask, S, S, q.device)
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            reference = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    elif pattern == "chunked_local":
        flex = flex_fn(chunked_local_mask, S, S, q.device)
        reference = flex(q, k, v)
    elif pattern == "block_sparse":
        # FlexAttention's BlockMask from the same lists, its mask_mod causal
        # on the partial (diagonal) blocks; the build from the lists is
        # timed as flex_block_mask_ms.
        from torch.nn.attention.flex_attention import BlockMask
        build = lambda: BlockMask.from_kv_blocks(
            tensors["kv_num_blocks"], tensors["kv_indices"],
            tensors["full_kv_num_blocks"], tensors["full_kv_indices"],
            BLOCK_SIZE=LAYOUT_BLOCK, mask_mod=lambda b, h, qi, ki: ki <= qi,
            seq_lengths=(S, S))
        build()
        torch.cuda.synchronize()
        start = time.time()
        block_mask = build()
        torch.cuda.synchronize()
        row["flex_block_mask_ms"] = (time.time() - start) * 1e3
        compiled = torch.compile(flex_attention)
        flex = lambda q, k, v: compiled(q, k, v, block_mask=block_mask)
        reference = flex(q, k, v)
    elif pattern == "packed_documents":
        doc = torch.searchsorted(cu[1:], torch.arange(S, device=q.device,
                                                      dtype=torch.int32),
                                 right=True)
        flex = flex_fn(lambda b, h, qi, ki: (doc[qi] == doc[ki]) & (ki <= qi),
                       S, S, q.device, row)
        reference = flex(q, k, v)
        try:
            from torch.nn.attention.varlen import varlen_attn
            # Packed [T, H, D] layout; cu_seqlens as int32 on the device.
            qp, kp, vp = (t[0].transpose(0, 1).contiguous() for t in (q, k, v))
            longest = int((cu[1:] - cu[:-1]).max().item())
            # Causal: window_size=(-1, 0) from PyTorch 2.10 (2.11 has no
            # is_causal), is_causal=True before it.
            try:
                varlen_attn(qp, kp, vp, cu, cu, longest, longest,
                            window_size=(-1, 0))
                causal_kw = {"window_size": (-1, 0)}
            except TypeError:
                causal_kw = {"is_causal": True}
            varlen = lambda: varlen_attn(qp, kp, vp, cu, cu, longest, longest,
                                         **causal_kw)
            peers["varlen_attn"] = time_ms(varlen, 3, reps)
            row["rel_l2_varlen_vs_flex"] = rel_l2(
                varlen().transpose(0, 1).unsqueeze(0), reference)
        except Exception as e:  # not in every PyTorch
            peers["varlen_attn"] = None
            row["varlen_attn_error"] = str(e)[:200]
    else:
        flex = flex_fn(swa_sink_mask, S, S, q.device)
        reference = (flex(q, k, v) if pattern == "swa_sink"
                     else delta_reference(q, k, v, flex))
        # FA2 dense causal on the same shape: the paper's comparison point.
        if pattern == "swa_sink_delta":
            def fa2():
                with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                    return F.scaled_dot_product_attention(q, k, v, is_causal=True)
            peers["sdpa_flash_dense_causal"] = time_ms(fa2, 1, 2 if slow else reps)
    peers["flex"] = time_ms(lambda: flex(q, k, v), 3, reps)
    row.update({p + "_ms": t for p, t in peers.items()})
    ours()
    torch.cuda.synchronize()
    row["rel_l2_vs_pytorch"] = rel_l2(o, reference)
    row["all_finite"] = bool(torch.isfinite(o).all().item())
    flops = 4.0 * D * row["kept_pairs_per_head"] * H
    row["ours_tflops"] = flops / row["ours_ms"] / 1e9
    for p, t in peers.items():
        if t and not p.endswith("dense_causal"):
            row[p + "_tflops"] = flops / t / 1e9
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--kernels", required=True)
    ap.add_argument("--cases", default="")
    ap.add_argument("--out", default=os.environ.get("OUT", "bench-out"))
    ap.add_argument("--reps", type=int, default=10)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    wanted = set(filter(None, args.cases.split(",")))
    sattn = Sattn(args.lib)
    device = torch.cuda.get_device_name()
    rows = []
    for name, pattern, S, H, D in CASES:
        if wanted and name not in wanted:
            continue
        t0 = time.time()
        try:
            row = run_case(name, pattern, S, H, D, sattn, args.kernels, args.reps)
        except Exception as e:
            row = {"case": name, "pattern": pattern, "S": S, "error": str(e)[:300]}
        row["wall_s"] = round(time.time() - t0, 1)
        print(json.dumps(row), flush=True)
        rows.append(row)
        # Compiled FlexAttention closures keep their block masks (and graphs)
        # alive: at 1M tokens the delta reference needs the memory back.
        torch._dynamo.reset()
        gc.collect()
        torch.cuda.empty_cache()
    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump({"device": device, "date": time.strftime("%Y-%m-%d"),
                   "torch": torch.__version__, "rows": rows}, f, indent=1)
    report.write(rows, args.out, {"device": device,
                                  "date": time.strftime("%Y-%m-%d"),
                                  "torch": torch.__version__})
    bad = [r["case"] for r in rows
           if "error" in r or not r.get("all_finite") or r["rel_l2_vs_pytorch"] >= 1e-2]
    print("correctness:", "all cases within 1e-2" if not bad else f"FAILED {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
