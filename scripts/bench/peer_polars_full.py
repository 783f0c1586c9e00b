#!/usr/bin/env python3
"""Peer for the "every analysis" case of scripts/bench/realistic: polars (with numpy for the PSI
bins) computing what `mlguard eval CURRENT --segment-col segment --time-col timestamp --id-col id
--reference REFERENCE` computes that a hand-written peer can match exactly.

- the kit's binary metrics (`peer_polars.py`): accuracy, precision, recall, F1, exact ROC AUC by
  average ranks, per-segment accuracy;
- per segment: rows and ROC AUC;
- per time window: rows, accuracy, F1 and ROC AUC, in the windows mlguard chooses without
  `--window`: one-hour windows from the epoch (the width doubling while more than 4,096 would be
  needed), grouped into the first of 1h, 2h, 6h, 12h, 1d, 2d, 7d, 14d, 30d, 90d, 365d that is a
  multiple of that width and gives at most 50 windows over the span;
- the id column: distinct ids, ids on more than one row, ids with more than one label;
- PSI of the score against the reference's score over 10 reference-quantile bins (inner edges
  are the reference values at ranks ceil(n·i/10), duplicates dropped; bins are right-closed;
  shares floored at 1e-4).

Prints one JSON object. usage: peer_polars_full.py CURRENT REFERENCE
"""
import datetime
import json
import math
import sys

import numpy as np
import polars as pl

NICE = [3600, 7200, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000,
        31_536_000]


def window_width(ts):
    """Seconds per report window, as mlguard picks it without --window."""
    hours = (ts // 3600).unique()
    base = 1
    while (hours // base).n_unique() > 4096:
        base *= 2
    keys = hours // base
    units = 3600 * base
    span = (keys.max() - keys.min() + 1) * units
    for w in NICE:
        if w % units == 0 and (span + w - 1) // w <= 50:
            return w
    return units * max(1, (span // units + 49) // 50)


def auc(rank_sum, pos, n):
    neg = n - pos
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg) if pos and neg else None


def f1(tp, pos, pred_pos):
    return 2 * tp / (pos + pred_pos) if pos + pred_pos else None


def counts():
    """Rows, correct predictions, positives, predicted positives, true positives and the
    positives' rank sum (average ranks of the score), over all rows or per group."""
    return dict(
        n=pl.len(),
        correct=(pl.col("label") == pl.col("prediction")).sum(),
        pos=pl.col("label").sum(),
        pred_pos=pl.col("prediction").sum(),
        tp=(pl.col("label") * pl.col("prediction")).sum(),
        rank_sum=pl.col("score").rank("average").filter(pl.col("label") == 1).sum(),
    )


def groups(df, key):
    return df.group_by(key).agg(**counts()).sort(key)


def psi(reference, current):
    ref = np.sort(reference)
    n = len(ref)
    edges = []
    for i in range(1, 10):
        v = ref[math.ceil(n * i / 10) - 1]
        if not edges or edges[-1] != v:
            edges.append(v)
    if edges and edges[-1] >= ref[-1]:
        edges.pop()
    edges = np.array(edges)
    e = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / n
    a = np.bincount(np.searchsorted(edges, current, side="left"), minlength=len(edges) + 1)
    a = a / len(current)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def main():
    df = pl.read_csv(sys.argv[1])
    ref = pl.read_csv(sys.argv[2], columns=["score"])
    width = window_width(df["timestamp"])
    df = df.with_columns(window=pl.col("timestamp") // width)
    total = df.select(**counts()).row(0, named=True)
    n = total["n"]
    tp, pos, pred_pos = total["tp"], total["pos"], total["pred_pos"]
    seg = groups(df, "segment")
    win = groups(df, "window")
    ids = df.group_by("id").agg(n=pl.len(), labels=pl.col("label").n_unique()).select(
        distinct=pl.len(), duplicate_ids=(pl.col("n") > 1).sum(),
        conflicting_ids=(pl.col("labels") > 1).sum()).row(0, named=True)
    out = {
        "accuracy": total["correct"] / n,
        "precision": tp / pred_pos,
        "recall": tp / pos,
        "f1": f1(tp, pos, pred_pos),
        "roc_auc": auc(total["rank_sum"], pos, n),
        "per_segment_accuracy": {r["segment"]: r["correct"] / r["n"] for r in seg.iter_rows(named=True)},
        "per_segment": {r["segment"]: {"rows": r["n"], "roc_auc": auc(r["rank_sum"], r["pos"], r["n"])}
                        for r in seg.iter_rows(named=True)},
        "window_seconds": width,
        "windows": [{
            "start": datetime.datetime.fromtimestamp(r["window"] * width, datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "rows": r["n"], "accuracy": r["correct"] / r["n"], "f1": f1(r["tp"], r["pos"], r["pred_pos"]),
            "roc_auc": auc(r["rank_sum"], r["pos"], r["n"]),
        } for r in win.iter_rows(named=True)],
        "ids": ids,
        "score_psi": psi(ref["score"].to_numpy(), df["score"].to_numpy()),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
