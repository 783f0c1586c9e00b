#!/usr/bin/env python3
"""Compare the JSON files of two golden trees: the same keys, lists, strings and integers, and
floats equal to 1e-13 relative (numpy's sums may differ in the last bit between processors).

usage: same_json.py DIR_A DIR_B   (exit 1 and one line per difference when they differ)
"""
import json
import math
import os
import sys

REL = 1e-13


def compare(a, b, path, out):
    if isinstance(a, bool) or isinstance(b, bool) or not (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
    ):
        if type(a) is not type(b):
            out.append(f"{path}: {a!r} vs {b!r}")
        elif isinstance(a, dict):
            if list(a) != list(b):
                out.append(f"{path}: keys {list(a)} vs {list(b)}")
            else:
                for k in a:
                    compare(a[k], b[k], f"{path}.{k}", out)
        elif isinstance(a, list):
            if len(a) != len(b):
                out.append(f"{path}: {len(a)} items vs {len(b)}")
            else:
                for i, (x, y) in enumerate(zip(a, b)):
                    compare(x, y, f"{path}[{i}]", out)
        elif a != b:
            out.append(f"{path}: {a!r} vs {b!r}")
        return
    if isinstance(a, int) and isinstance(b, int):
        if a != b:
            out.append(f"{path}: {a} vs {b}")
    elif not math.isclose(a, b, rel_tol=REL, abs_tol=0.0):
        out.append(f"{path}: {a!r} vs {b!r}")


def main(argv):
    left, right = argv[1], argv[2]
    names = sorted(
        {n for d in (left, right) for n in os.listdir(d) if n.endswith(".json")}
    )
    out = []
    for name in names:
        a_path, b_path = os.path.join(left, name), os.path.join(right, name)
        if not (os.path.exists(a_path) and os.path.exists(b_path)):
            out.append(f"{name}: only in one tree")
            continue
        with open(a_path) as fa, open(b_path) as fb:
            compare(json.load(fa), json.load(fb), name, out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
