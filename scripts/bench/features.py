#!/usr/bin/env python3
"""Input-features benchmark (see scripts/bench/features): generates the two files, times mlguard
with and without --feature-cols against the polars peer, measures peak RSS at several sizes, and
checks mlguard's `features` against the peer's figures.

  features.py generate --rows N --kind current|reference OUT
  features.py bench   --current C --reference R --python PY [--runs K]
  features.py memory  --pairs C1:R1,C2:R2,…
  features.py check   --current C --reference R --python PY

The files (numpy, written chunk by chunk with polars, so memory stays bounded): `id` (unique
integer), `time` (RFC 3339 UTC, 14 days: the current file's after the reference's), `segment`
(4 values), `label` (0/1), `score` (6 decimals, in (0, 1), loosely tied to the label), 20 numeric
features `x0..x19` with 6 decimals (normal, lognormal and uniform in turn; x1, x5, x9, x13 and
x17 have 1% empty cells) and 3 categorical ones `c0, c1, c2` (5, 20 and 200 levels, Zipf-like
shares). From the middle of the current file on, `x3` is multiplied by 100 in segment `android`
and 10% of the rows get a `c1` level the reference never has (`k_new`), so both drift paths run.
The reference has ROWS/10 rows and another seed. Wall time and peak RSS come from GNU time, as in
measure.py; runs alternate case by case and each figure is the median over the rounds.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from measure import MLGUARD, machine, measure  # noqa: E402

MLGUARD = os.environ.get("MLGUARD_BIN") or MLGUARD
NUMERIC = [f"x{i}" for i in range(20)]
CATEGORICAL = ["c0", "c1", "c2"]
FEATURES = NUMERIC + CATEGORICAL
MISSING = {"x1", "x5", "x9", "x13", "x17"}  # 1% of their cells are empty
SEGMENTS = ["web", "ios", "android", "partner"]
SEGMENT_SHARES = [0.4, 0.3, 0.2, 0.1]
DRIFT_SEGMENT = 2  # android: x3 × 100 there from the middle of the current file on
LEVELS = {
    "c0": ["red", "green", "blue", "black", "white"],
    "c1": [f"k{k:02d}" for k in range(20)],
    "c2": [f"v{k:03d}" for k in range(200)],
}
NEW_LEVEL = "k_new"  # c1, on 10% of the current file's rows from the middle on
DAY = 86400
STARTS = {"reference": 1772323200, "current": 1772323200 + 14 * DAY}  # 2026-03-01, 2026-03-15 UTC
SEEDS = {"current": 1, "reference": 2}
ID_OFFSETS = {"current": 1, "reference": 10**10}  # ids unique across both files
CHUNK = 250_000
KS_TOLERANCE = 0.02  # mlguard's histogram keeps each value to 1% (relative)


# ---------------------------------------------------------------------------------------------
# Data (numpy and polars are needed here only: the timing runs with the standard library)


def numeric(rng, i, n):
    """Feature x{i}: normal, lognormal and uniform in turn, each with its own scale."""
    kind = i % 3
    if kind == 0:
        return rng.normal(loc=i, scale=1 + i / 10, size=n)
    if kind == 1:
        return rng.lognormal(mean=i / 10, sigma=0.5 + i / 40, size=n)
    return rng.uniform(-i, 1 + i, size=n)


def generate(a):
    import numpy as np
    import polars as pl

    def zipf(k):
        p = 1.0 / np.arange(1, k + 1) ** 1.1
        return p / p.sum()

    rng = np.random.default_rng(SEEDS[a.kind])
    rows, start, current = a.rows, STARTS[a.kind], a.kind == "current"
    segments = pl.Series(SEGMENTS)
    levels = {c: pl.Series(v + ([NEW_LEVEL] if c == "c1" else [])) for c, v in LEVELS.items()}
    shares = {c: zipf(len(v)) for c, v in LEVELS.items()}
    with open(a.out, "wb") as f:
        for first in range(0, rows, CHUNK):
            n = min(CHUNK, rows - first)
            idx = np.arange(first, first + n, dtype=np.int64)
            late = idx >= rows // 2
            seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARES)
            label = (rng.random(n) < 0.3).astype(np.int8)
            x = [numeric(rng, i, n) for i in range(20)]
            z = rng.normal(size=n)
            logit = -0.8 + 1.6 * label + 0.3 * x[0] + z
            score = np.clip(1 / (1 + np.exp(-logit)), 1e-6, 1 - 1e-6)
            if current:
                x[3][late & (seg == DRIFT_SEGMENT)] *= 100
            cols = {
                "id": pl.Series("id", ID_OFFSETS[a.kind] + idx),
                "time": pl.from_epoch(pl.Series("time", start + idx * (14 * DAY) // rows),
                                      time_unit="s"),
                "segment": segments.gather(seg),
                "label": pl.Series("label", label),
                "score": pl.Series("score", score),
            }
            for i, col in enumerate(NUMERIC):
                if col in MISSING:
                    x[i][rng.random(n) < 0.01] = np.nan
                cols[col] = pl.Series(col, x[i], nan_to_null=True)
            for col, v in LEVELS.items():
                code = rng.choice(len(v), size=n, p=shares[col])
                if current and col == "c1":
                    code[late & (rng.random(n) < 0.1)] = len(v)
                cols[col] = levels[col].gather(code)
            df = pl.DataFrame([series.alias(name) for name, series in cols.items()])
            df.write_csv(f, include_header=first == 0, float_precision=6,
                         datetime_format="%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Commands


def mlguard(current, reference, features=True):
    cmd = [MLGUARD, "eval", current, "--reference", reference]
    if features:
        cmd += ["--feature-cols", ",".join(FEATURES)]
    return cmd + ["--segment-col", "segment", "--time-col", "time", "--format", "json", "--quiet"]


def peer(python, current, reference):
    return [python, os.path.join(HERE, "features_peer.py"), current, reference,
            ",".join(NUMERIC), ",".join(CATEGORICAL)]


def rows_of(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def shown(cmd):
    """A command as a reader would type it: file names without their directory, `mlguard`."""
    out = []
    for x in cmd:
        if x == MLGUARD:
            out.append("mlguard")
        elif x.endswith("features_peer.py"):
            out.append("scripts/bench/features_peer.py")
        elif os.sep in x:
            out.append(os.path.basename(x))
        else:
            out.append(x)
    return " ".join(out)


def describe(current, reference):
    parts = []
    for what, p in (("current", current), ("reference", reference)):
        rows, size = rows_of(p), os.path.getsize(p)
        parts.append(f"{what} {os.path.basename(p)} ({rows:,} rows, {size / 1e6:.0f} MB, "
                     f"{size / rows:.0f} MB per million rows)")
    return ", ".join(parts)


PEER = "polars peer"


def bench(a):
    todo = [
        ("mlguard, 23 features", mlguard(a.current, a.reference)),
        ("mlguard, no --feature-cols", mlguard(a.current, a.reference, features=False)),
        (PEER, peer(a.python, a.current, a.reference)),
    ]
    results = {name: [] for name, _ in todo}
    for r in range(a.runs):
        for name, cmd in todo:  # alternate: one run of each per round
            results[name].append(measure(cmd))
            print(f"round {r + 1}: {name}: {results[name][-1][0]:.2f} s, "
                  f"{results[name][-1][1]:.0f} MB", file=sys.stderr)
    med = {n: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
           for n, v in results.items()}
    rounds = f"{a.runs} round" + ("s" if a.runs != 1 else "")
    print(f"Medians of {rounds}, {machine()}. Files: {describe(a.current, a.reference)}.")
    print()
    print("| command | wall time (s) | × peer | peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    for name, _ in todo:
        wall, rss = med[name]
        print(f"| {name} | {wall:.2f} | {wall / med[PEER][0]:.2f} | {rss:.0f} |")
    print()
    print("Commands:")
    for name, cmd in todo:
        print(f"- {name}: `{shown(cmd)}`")


def memory(a):
    pairs = [p.split(":") for p in a.pairs.split(",")]
    print(f"One run each, {machine()}.")
    print()
    print("| current rows | reference rows | current file (MB) | wall time (s) | peak RSS (MB) |")
    print("|---:|---:|---:|---:|---:|")
    cmd = None
    for current, reference in pairs:
        cmd = mlguard(current, reference)
        wall, rss = measure(cmd)
        print(f"| {rows_of(current):,} | {rows_of(reference):,} | "
              f"{os.path.getsize(current) / 1e6:.0f} | {wall:.2f} | {rss:.0f} |", flush=True)
    print()
    print(f"Command: `{shown(cmd)}`")


# ---------------------------------------------------------------------------------------------
# Agreement


def run_json(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return json.loads(res.stdout)


class Agreement:
    """One figure compared over every feature that has it: largest difference, misses."""

    def __init__(self, figure, tolerance, how):
        self.figure, self.tolerance, self.how = figure, tolerance, how
        self.count, self.worst, self.where, self.bad = 0, 0.0, "", []

    def __call__(self, col, ours, theirs):
        self.count += 1
        if ours is None or theirs is None:
            diff = 0.0 if ours == theirs else math.inf
        elif self.how == "relative":
            diff = abs(ours - theirs) / max(abs(theirs), 1e-12)
        else:
            diff = abs(ours - theirs)
        if diff > self.worst or not self.where:
            self.worst, self.where = diff, col
        if self.tolerance is not None and diff > self.tolerance:
            self.bad.append(f"{self.figure} of {col}: mlguard {ours!r}, peer {theirs!r}")


def check(a):
    """mlguard's `features` against the peer's figures. Missing counts, minimum and maximum must
    agree exactly and the KS statistic to KS_TOLERANCE (exit 1 otherwise); the other figures are
    shown with their largest difference only, as mlguard takes them from its histogram (mean,
    quantiles) or bins differently (numeric PSI and Jensen–Shannon)."""
    ours = run_json(mlguard(a.current, a.reference))["features"]
    theirs = run_json(peer(a.python, a.current, a.reference))
    gated = [
        missing := Agreement("missing count", 0, "absolute"),
        low := Agreement("min", 0, "absolute"),
        high := Agreement("max", 0, "absolute"),
        ks := Agreement("KS statistic", KS_TOLERANCE, "absolute"),
    ]
    shown_only = [
        mean := Agreement("mean (relative to the peer's IQR)", None, "absolute"),
        quant := Agreement("quantiles 5, 25, 50, 75, 95% (relative to the larger of the peer's "
                           "value and IQR)", None,
                           "absolute"),
        ks_p := Agreement("KS p-value", None, "absolute"),
        npsi := Agreement("PSI, numeric", None, "absolute"),
        njs := Agreement("Jensen–Shannon, numeric", None, "absolute"),
        chi := Agreement("chi-square statistic (relative)", None, "relative"),
        cpsi := Agreement("PSI, categorical", None, "absolute"),
        cjs := Agreement("Jensen–Shannon, categorical", None, "absolute"),
    ]
    for col in FEATURES:
        o, t = ours[col], theirs[col]
        d = o["drift"] or {}
        missing(col, o["missing"], t["missing"])
        if col in CATEGORICAL:
            chi(col, d.get("statistic"), t["chi2"])
            cpsi(col, d.get("psi"), t["psi"])
            cjs(col, d.get("js"), t["js"])
            continue
        low(col, o["min"], t["min"])
        high(col, o["max"], t["max"])
        ks(col, d.get("statistic"), t["ks"])
        iqr = t["quantiles"][3] - t["quantiles"][1]
        mean(col, o["mean"] / iqr, t["mean"] / iqr)
        for q_ours, q_theirs in zip(o["quantiles"], t["quantiles"]):
            scale = max(abs(q_theirs), iqr)  # near zero, a relative difference means nothing
            quant(col, q_ours / scale, q_theirs / scale)
        ks_p(col, d.get("p_value"), t["p"])
        npsi(col, d.get("psi"), t["psi"])
        njs(col, d.get("js"), t["js"])
    print(f"Files: {describe(a.current, a.reference)}.")
    print()
    print("| figure | compared | largest difference (feature) | tolerance | disagreements |")
    print("|---|---:|---|---:|---:|")
    for c in gated + shown_only:
        tol = "exact" if c.tolerance == 0 else "shown only" if c.tolerance is None else f"{c.tolerance:g}"
        print(f"| {c.figure} | {c.count} | {c.worst:.3g} ({c.where}) | {tol} | "
              f"{len(c.bad) if c.tolerance is not None else '–'} |")
    problems = [b for c in gated for b in c.bad]
    if problems:
        print()
    for p in problems:
        print(f"- disagreement: {p}")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, required=True)
    g.add_argument("--kind", choices=["current", "reference"], required=True)
    g.add_argument("out")
    for name in ("bench", "check"):
        b = sub.add_parser(name)
        b.add_argument("--current", required=True)
        b.add_argument("--reference", required=True)
        b.add_argument("--python", required=True)
        b.add_argument("--runs", type=int, default=3)
    m = sub.add_parser("memory")
    m.add_argument("--pairs", required=True, help="CURRENT:REFERENCE,… one mlguard run each")
    a = ap.parse_args()
    sys.exit({"generate": generate, "bench": bench, "memory": memory, "check": check}[a.what](a))


if __name__ == "__main__":
    main()
