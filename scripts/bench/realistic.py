#!/usr/bin/env python3
"""Times mlguard against polars and DuckDB peers on files written as pandas writes them (see
scripts/bench/realistic); prints a Markdown table. With --check, runs each command once and
compares every metric a peer computes with mlguard's JSON report instead.

Cases, each file with its peers (the "× polars" column divides by the polars peer of the case):
- binary, 17-digit scores: `mlguard eval … --segment-col segment --min f1=0.5
  --min segment:accuracy=0.5`; the kit's peer_polars.py and peer_duckdb.py;
- the same file with every analysis: + `--time-col timestamp --id-col id --reference REF`
  (automatic windows); peer_polars_full.py;
- binary, 6-decimal scores (gen_preds.py), the mlguard command of the first case; the kit's peers;
- 5-class, 17-digit probabilities: `mlguard eval … ` (proba_* columns detected);
  peer_polars_multiclass.py and peer_duckdb_multiclass.py.
Wall time and peak RSS come from GNU time, as in measure.py; runs alternate case by case and each
figure is the median over the rounds.
"""
import argparse
import functools
import json
import math
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from measure import MLGUARD, machine, measure  # noqa: E402

RULES = ["--segment-col", "segment", "--min", "f1=0.5", "--min", "segment:accuracy=0.5"]
TOLERANCE = 1e-9


@functools.lru_cache(maxsize=None)
def rows_of(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


P17 = "polars (peer), 17-digit binary"
PALL = "polars (peer), 17-digit binary, every analysis"
P6 = "polars (peer), 6-decimal binary"
PMC = "polars (peer), 5-class 17-digit"


def cases(a):
    """(name, command, rows read, the polars case it is compared with, kind of output)."""
    def kit(name):
        return [a.python, os.path.join(a.kit, name)]

    def ours(name):
        return [a.python, os.path.join(HERE, name)]

    def mlguard(path, *extra):
        return [MLGUARD, "eval", path, *extra, "--format", "json", "--quiet"]

    b, r, s, m = a.binary, a.reference, a.six, a.multiclass
    every = ["--time-col", "timestamp", "--id-col", "id", "--reference", r]
    return [
        ("mlguard, 17-digit binary, segments and rules", mlguard(b, *RULES), b, P17, "mlguard"),
        (P17, kit("peer_polars.py") + [b], b, P17, "binary"),
        ("DuckDB (peer), 17-digit binary", kit("peer_duckdb.py") + [b], b, P17, "binary"),
        ("mlguard, 17-digit binary, every analysis", mlguard(b, *RULES, *every), b, PALL, "mlguard"),
        (PALL, ours("peer_polars_full.py") + [b, r], b, PALL, "full"),
        ("mlguard, 6-decimal binary, segments and rules", mlguard(s, *RULES), s, P6, "mlguard"),
        (P6, kit("peer_polars.py") + [s], s, P6, "binary"),
        ("DuckDB (peer), 6-decimal binary", kit("peer_duckdb.py") + [s], s, P6, "binary"),
        ("mlguard, 5-class 17-digit", mlguard(m), m, PMC, "mlguard"),
        (PMC, ours("peer_polars_multiclass.py") + [m], m, PMC, "multiclass"),
        ("DuckDB (peer), 5-class 17-digit", ours("peer_duckdb_multiclass.py") + [m], m, PMC,
         "multiclass"),
    ]


def bench(a):
    todo = cases(a)
    results = {name: [] for name, *_ in todo}
    for r in range(a.runs):
        for name, cmd, *_ in todo:  # alternate: one run of each per round
            results[name].append(measure(cmd))
            print(f"round {r + 1}: {name}: {results[name][-1][0]:.2f} s", file=sys.stderr)
    med = {n: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
           for n, v in results.items()}
    files = [("", a.binary), ("reference ", a.reference), ("", a.six), ("", a.multiclass)]
    rounds = f"{a.runs} round" + ("s" if a.runs != 1 else "")
    print(f"Medians of {rounds}, {machine()}. Files: " + ", ".join(
        f"{what}{os.path.basename(p)} ({rows_of(p):,} rows, {os.path.getsize(p) / 1e6:.0f} MB)"
        for what, p in files) + ".")
    print()
    print("| command | wall time (s) | × polars | peak RSS (MB) | bytes per row |")
    print("|---|---:|---:|---:|---:|")
    for name, _, path, polars, _ in todo:
        wall, rss = med[name]
        per_row = rss * 2**20 / rows_of(path)
        print(f"| {name} | {wall:.2f} | {wall / med[polars][0]:.2f} | {rss:.0f} | {per_row:.0f} |")
    print()
    print("mlguard commands (bytes per row divide peak RSS by the rows of the file evaluated):")
    for name, cmd, _, _, kind in todo:
        if kind == "mlguard":
            args = " ".join(os.path.basename(x) if os.sep in x else x for x in cmd[1:])
            print(f"- {name}: `mlguard {args}`")


def run_json(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return json.loads(res.stdout)


class Compare:
    """Every metric a peer shares with mlguard, with its largest absolute difference."""

    def __init__(self, peer):
        self.peer, self.count, self.worst, self.bad, self.notes = peer, 0, 0.0, [], []

    def __call__(self, what, ours, theirs):
        self.count += 1
        if ours is None or theirs is None or isinstance(ours, (list, dict, str)):
            ok = ours == theirs
            diff = 0.0 if ok else math.inf
        else:
            diff = abs(float(ours) - float(theirs))
            ok = diff <= TOLERANCE
        self.worst = max(self.worst, diff)
        if not ok:
            self.bad.append(f"{self.peer}: {what}: mlguard {ours!r}, peer {theirs!r}")


def check_binary(c, report, peer):
    met = report["metrics"]
    for k in ("accuracy", "precision", "recall", "f1", "roc_auc"):
        c(k, met[k], peer[k])
    segs = report["segments"]["segment"]
    c("segment values", sorted(segs), sorted(peer["per_segment_accuracy"]))
    for v, acc in peer["per_segment_accuracy"].items():
        c(f"segment {v} accuracy", segs.get(v, {}).get("accuracy"), acc)


def check_full(c, report, peer):
    check_binary(c, report, peer)
    segs = report["segments"]["segment"]
    for v, s in peer["per_segment"].items():
        c(f"segment {v} rows", segs[v]["rows"], s["rows"])
        c(f"segment {v} roc_auc", segs[v]["roc_auc"], s["roc_auc"])
    wins = report["windows"] or []
    c("window starts", [w["start"] for w in wins], [w["start"] for w in peer["windows"]])
    for ours, theirs in zip(wins, peer["windows"]):
        for k in ("rows", "accuracy", "f1", "roc_auc"):
            c(f"window {theirs['start']} {k}", ours[k], theirs[k])
    ids = report["audit"]["ids"]
    if ids["exact"]:
        for k in ("distinct", "duplicate_ids", "conflicting_ids"):
            c(f"ids {k}", ids[k], peer["ids"][k])
    else:  # past 2^18 distinct ids mlguard counts a hash sample of them, scaled up
        c.notes.append("ids (mlguard: estimated from a sample, `exact: false`): " + ", ".join(
            f"{k} {ids[k]} against {peer['ids'][k]}"
            + (f" ({ids[k] / peer['ids'][k] - 1:+.2%})" if peer["ids"][k] else "")
            for k in ("distinct", "duplicate_ids", "conflicting_ids")))
    drift = next(x for x in report["checks"] if x["id"] == "drift:score")
    c("score PSI against the reference", drift["values"]["psi"], peer["score_psi"])


def check_multiclass(c, report, peer):
    met = report["metrics"]
    c("accuracy", met["accuracy"], peer["accuracy"])
    c("log_loss", met["log_loss"], peer["log_loss"])
    c("confusion matrix", met["confusion_matrix"]["matrix"], peer["confusion_matrix"]["matrix"])
    c("class labels", met["confusion_matrix"]["labels"], peer["confusion_matrix"]["labels"])
    for avg in ("macro", "weighted"):
        for k in ("precision", "recall", "f1", "roc_auc"):
            c(f"{avg} {k}", met[avg][k], peer[avg][k])
    for cls, p in peer["per_class"].items():
        for k in ("precision", "recall", "f1", "support", "roc_auc"):
            c(f"class {cls} {k}", met["per_class"][cls][k], p[k])


def check(a):
    todo = cases(a)
    checks = {"binary": check_binary, "full": check_full, "multiclass": check_multiclass}
    failed = False
    print(f"| peer | against | metrics compared | largest difference | disagreements (> {TOLERANCE:g}) |")
    print("|---|---|---:|---:|---:|")
    report, report_name, problems = None, None, []
    for name, cmd, _, _, kind in todo:
        if kind == "mlguard":
            report, report_name = run_json(cmd), name
            continue
        c = Compare(name)
        checks[kind](c, report, run_json(cmd))
        print(f"| {name} | {report_name} | {c.count} | {c.worst:.3g} | {len(c.bad)} |")
        problems += [f"disagreement: {b}" for b in c.bad]
        problems += [f"not compared: {n}" for n in c.notes]
        failed |= bool(c.bad)
    if problems:
        print()
    for p in problems:
        print(f"- {p}")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True, help="17-digit binary file")
    ap.add_argument("--reference", required=True, help="17-digit binary reference file")
    ap.add_argument("--six", required=True, help="6-decimal binary file")
    ap.add_argument("--multiclass", required=True, help="17-digit 5-class file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kit", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--check", action="store_true",
                    help="compare the peers' figures with mlguard's report instead of timing")
    a = ap.parse_args()
    if a.check:
        sys.exit(check(a))
    bench(a)


if __name__ == "__main__":
    main()
