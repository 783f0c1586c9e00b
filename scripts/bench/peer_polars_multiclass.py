#!/usr/bin/env python3
"""Peer for the 5-class case of scripts/bench/realistic: polars (multi-threaded CSV reader)
computing accuracy, the confusion matrix, per-class, macro and weighted precision, recall and F1,
log loss (the true class's probability clipped to [eps, 1 - eps], no renormalisation) and the
one-vs-rest exact ROC AUC of every class by average ranks (macro and weighted by support).

Classes are the suffixes of the proba_* columns; labels and predictions hold those classes.
Prints one JSON object. usage: peer_polars_multiclass.py FILE
"""
import json
import sys

import polars as pl

EPS = 2.0 ** -52


def main():
    df = pl.read_csv(sys.argv[1])
    cols = [c for c in df.columns if c.startswith("proba_")]
    classes = [c[len("proba_"):] for c in cols]
    dtype = df.schema["label"]
    keys = [pl.lit(k).cast(dtype) for k in classes]
    is_k = [pl.col("label") == k for k in keys]
    p_true = pl.when(is_k[0]).then(pl.col(cols[0]))
    for cond, col in zip(is_k[1:], cols[1:]):
        p_true = p_true.when(cond).then(pl.col(col))
    row = df.select(
        n=pl.len(),
        log_loss=-p_true.clip(EPS, 1 - EPS).log().mean(),
        **{f"rank_sum_{j}": pl.col(c).rank("average").filter(cond).sum()
           for j, (c, cond) in enumerate(zip(cols, is_k))},
    ).row(0, named=True)
    pairs = df.group_by("label", "prediction").len()
    index = {k: i for i, k in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for t, p, c in pairs.iter_rows():
        matrix[index[str(t)]][index[str(p)]] = c
    n = row["n"]
    per_class = {}
    for j, k in enumerate(classes):
        tp = matrix[j][j]
        support = sum(matrix[j])
        predicted = sum(r[j] for r in matrix)
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        neg = n - support
        per_class[k] = {
            "precision": prec, "recall": rec,
            "f1": 2 * tp / (support + predicted) if support + predicted else 0.0,
            "support": support,
            "roc_auc": (row[f"rank_sum_{j}"] - support * (support + 1) / 2) / (support * neg)
            if support and neg else None,
        }
    avg = {}
    for name in ("precision", "recall", "f1", "roc_auc"):
        vals = [(c[name], c["support"]) for c in per_class.values() if c[name] is not None]
        avg.setdefault("macro", {})[name] = sum(v for v, _ in vals) / len(vals)
        avg.setdefault("weighted", {})[name] = sum(v * s for v, s in vals) / sum(s for _, s in vals)
    print(json.dumps({
        "accuracy": sum(matrix[j][j] for j in range(len(classes))) / n,
        "confusion_matrix": {"labels": classes, "matrix": matrix},
        "per_class": per_class, **avg, "log_loss": row["log_loss"],
    }, indent=1))


if __name__ == "__main__":
    main()
