#!/usr/bin/env python3
"""Times mlguard and polars on one Parquet file (see scripts/bench/parquet); prints a table.

The polars peer is the shared kit's `peer_polars.py` with its reader pointed at Parquet, so both
tools compute what they compute on CSV. Wall time and peak RSS come from GNU time, as in
measure.py; each figure is the median over the runs.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import MLGUARD, machine, measure  # noqa: E402

PEER = """
import runpy, sys
import polars as pl
pl.read_csv = pl.read_parquet
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kit", required=True)
    ap.add_argument("--python", required=True)
    a = ap.parse_args()
    peer = os.path.join(a.kit, "peer_polars.py")
    base = [MLGUARD, "eval", a.file, "--format", "json", "--quiet"]
    cases = {
        "mlguard, segments": base + ["--segment-col", "segment"],
        "mlguard, segments, time windows, ids": base + [
            "--segment-col", "segment", "--time-col", "timestamp", "--id-col", "id"],
        "polars (peer)": [a.python, "-c", PEER, peer, a.file],
    }
    results = {name: [] for name in cases}
    for r in range(a.runs):
        for name, cmd in cases.items():
            results[name].append(measure(cmd))
            print(f"round {r + 1}: {name}: {results[name][-1][0]:.2f} s", file=sys.stderr)
    med = {n: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
           for n, v in results.items()}
    polars = med["polars (peer)"][0]
    size = os.path.getsize(a.file) / 1e6
    print(f"{os.path.basename(a.file)} ({size:.0f} MB), medians of {a.runs} runs, {machine()}")
    print()
    print("| command | wall time (s) | × polars | peak RSS (MB) | per-round × polars |")
    print("|---|---:|---:|---:|---|")
    for name, (wall, rss) in med.items():
        rounds = ", ".join(f"{w / p[0]:.2f}" for (w, _), p in zip(results[name], results["polars (peer)"]))
        print(f"| {name} | {wall:.2f} | {wall / polars:.2f} | {rss:.0f} | {rounds} |")


if __name__ == "__main__":
    main()
