#!/usr/bin/env python3
"""Writes a function with a large mask DAG for the classification limits.

usage: mask_dag.py chain N   causal, then N unions each of the previous mask
       mask_dag.py reuse N   window, then N unions each of the previous mask
                             twice (2^N paths from the root, N + 1 ops)
       mask_dag.py wide N    one union of the same window N times
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
ty = "memref<?x?x?x64xf32>"
out = [f"func.func @{kind}(%q: {ty}, %k: {ty}, %v: {ty}, %o: {ty}) {{"]
if kind == "chain":
    out.append("  %m0 = sattn.mask.causal")
    out += [f"  %m{i} = sattn.mask.union %m{i - 1}" for i in range(1, n + 1)]
    root = f"%m{n}"
elif kind == "reuse":
    out.append("  %m0 = sattn.mask.window left = 3, right = 0")
    out += [f"  %m{i} = sattn.mask.union %m{i - 1}, %m{i - 1}"
            for i in range(1, n + 1)]
    root = f"%m{n}"
elif kind == "wide":
    out.append("  %w = sattn.mask.window left = 3, right = 0")
    out.append("  %m = sattn.mask.union " + ", ".join(["%w"] * n))
    root = "%m"
else:
    sys.exit(f"unknown kind {kind}")
out.append(f"  sattn.attention %q, %k, %v, %o mask({root}) : {ty}, {ty}")
out.append("  return")
out.append("}")
print("\n".join(out))
