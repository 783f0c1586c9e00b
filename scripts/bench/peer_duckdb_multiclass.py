#!/usr/bin/env python3
"""Peer for the 5-class case of scripts/bench/realistic: DuckDB (multi-threaded CSV reader, the
file read once into a table) computing in SQL what peer_polars_multiclass.py computes: accuracy,
the confusion matrix, per-class, macro and weighted precision, recall and F1, log loss (clipped
to [eps, 1 - eps], no renormalisation) and the one-vs-rest exact ROC AUC of every class by
average ranks.

Prints one JSON object. usage: peer_duckdb_multiclass.py FILE
"""
import json
import sys

import duckdb

EPS = 2.0 ** -52


def main():
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE t AS SELECT * FROM read_csv_auto(?)", [sys.argv[1]])
    cols = [r[0] for r in con.execute("DESCRIBE t").fetchall() if r[0].startswith("proba_")]
    classes = [c[len("proba_"):] for c in cols]
    # labels compared as text, so numbered and named classes read alike
    lab = "CAST(label AS VARCHAR)"
    ranks = ", ".join(
        f"rank() OVER (ORDER BY {c}) + (count(*) OVER (PARTITION BY {c}) - 1) / 2.0 AS r{j}"
        for j, c in enumerate(cols))
    sums = ", ".join(f"sum(CASE WHEN lab = '{k}' THEN r{j} END)" for j, k in enumerate(classes))
    rank_sums = con.execute(f"SELECT {sums} FROM (SELECT {lab} AS lab, {ranks} FROM t)").fetchone()
    p_true = "CASE " + " ".join(f"WHEN {lab} = '{k}' THEN {c}" for k, c in zip(classes, cols)) + " END"
    n, log_loss = con.execute(
        f"SELECT count(*), -avg(ln(least(greatest({p_true}, {EPS!r}), {1 - EPS!r}))) FROM t").fetchone()
    index = {k: i for i, k in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for t, p, c in con.execute(
            f"SELECT {lab}, CAST(prediction AS VARCHAR), count(*) FROM t GROUP BY ALL").fetchall():
        matrix[index[t]][index[p]] = c
    per_class = {}
    for j, k in enumerate(classes):
        tp = matrix[j][j]
        support = sum(matrix[j])
        predicted = sum(r[j] for r in matrix)
        neg = n - support
        per_class[k] = {
            "precision": tp / predicted if predicted else 0.0,
            "recall": tp / support if support else 0.0,
            "f1": 2 * tp / (support + predicted) if support + predicted else 0.0,
            "support": support,
            "roc_auc": (float(rank_sums[j]) - support * (support + 1) / 2) / (support * neg)
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
        "per_class": per_class, **avg, "log_loss": log_loss,
    }, indent=1))


if __name__ == "__main__":
    main()
