#!/usr/bin/env python3
"""Writes specs that must be rejected quickly.

usage: big_spec.py union N   a union of N windows
       big_spec.py nul       a valid spec, a NUL byte, then garbage
"""
import json
import sys

base = {"name": "big", "dtype": "f32", "head_dim": 64}
if sys.argv[1] == "union":
    n = int(sys.argv[2])
    base["mask"] = {"kind": "union",
                    "of": [{"kind": "window", "left": i, "right": 0}
                           for i in range(n)]}
    sys.stdout.write(json.dumps(base))
elif sys.argv[1] == "nul":
    sys.stdout.buffer.write(json.dumps(base).encode() + b"\0garbage")
else:
    sys.exit(f"unknown kind {sys.argv[1]}")
