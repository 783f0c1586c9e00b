#!/usr/bin/env python3
"""Peer for the features benchmark: polars (with numpy and scipy for the tests) computing what
`mlguard eval CURRENT --reference REFERENCE --feature-cols …` computes for each feature: missing
count, min, max, mean, quantiles; against the reference, KS (numeric) or chi-square
(categorical), PSI over the reference's deciles (or the categories) and the Jensen–Shannon
distance.

usage: features_peer.py CURRENT REFERENCE NUMERIC,COLS CATEGORICAL,COLS
"""
import json
import sys

import numpy as np
import polars as pl
from scipy import stats
from scipy.spatial.distance import jensenshannon


def psi(e, a):
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


numeric, categorical = sys.argv[3].split(","), sys.argv[4].split(",")
# only the feature columns are read, numbers as Float64 and categories as text
schema = {**{c: pl.Float64 for c in numeric}, **{c: pl.Utf8 for c in categorical}}
cur, ref = (pl.read_csv(f, columns=numeric + categorical, schema_overrides=schema)
            for f in sys.argv[1:3])
out = {}
for col in numeric:
    a, b = ref[col].drop_nulls().to_numpy(), cur[col].drop_nulls().to_numpy()
    edges = np.unique(np.quantile(a, np.linspace(0, 1, 11)))
    ea = np.histogram(a, edges)[0] / len(a)
    eb = np.histogram(np.clip(b, edges[0], edges[-1]), edges)[0] / len(b)
    ks = stats.ks_2samp(a, b)
    out[col] = {"missing": cur[col].null_count(), "min": float(b.min()), "max": float(b.max()),
                "mean": float(b.mean()), "quantiles": np.quantile(b, [.05, .25, .5, .75, .95]).tolist(),
                "ks": float(ks.statistic), "p": float(ks.pvalue), "psi": psi(ea, eb),
                "js": float(jensenshannon(ea, eb, base=2))}
for col in categorical:
    ca = ref[col].cast(pl.Utf8).value_counts()
    cb = cur[col].cast(pl.Utf8).value_counts()
    j = ca.join(cb, on=col, how="full", coalesce=True).fill_null(0)
    na, nb = j["count"].to_numpy(), j["count_right"].to_numpy()
    chi = stats.chi2_contingency(np.vstack([na, nb]) + 0)
    out[col] = {"missing": cur[col].null_count(), "chi2": float(chi.statistic), "p": float(chi.pvalue),
                "psi": psi(na / na.sum(), nb / nb.sum()),
                "js": float(jensenshannon(na / na.sum(), nb / nb.sum(), base=2))}
print(json.dumps(out))
