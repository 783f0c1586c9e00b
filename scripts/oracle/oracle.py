#!/usr/bin/env python3
"""scikit-learn oracle: read fixtures/golden/cases.json and the fixture files,
write fixtures/golden/expected.json with the metrics scikit-learn computes.

Labels are canonicalised exactly as mlguard does (see docs/guide.md), handed to
scikit-learn as numbers (all classes numeric) or as canonical strings, and
the class names are written back as canonical strings.  NaN -> null.
Usage: oracle.py [--root DIR] [--verbose]   (reads/writes DIR/fixtures/golden)
"""
import argparse
import csv
import gzip
import json
import math
import os
import sys
import warnings

import numpy as np
from sklearn import metrics as M
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize
from sklearn.utils.multiclass import unique_labels

GOLDEN = "fixtures/golden"
# Default positive class of a binary task whose classes are a subset of ...
DEFAULT_POS = [({"0", "1"}, "1"), ({"-1", "1"}, "1"), ({"false", "true"}, "true"),
               ({"no", "yes"}, "yes"), ({"negative", "positive"}, "positive")]
# The negative partner of a default positive class (for log_loss's two labels
# when only the positive class occurs).
NEGATIVE_OF = {"1": "0", "true": "false", "yes": "no", "positive": "negative"}


# ------------------------------------------------------------ reading

def read_rows(path):
    """List of dicts (column -> raw value) from .csv/.tsv/.csv.gz/.jsonl."""
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    opener = gzip.open if path.endswith(".gz") else open
    sep = "\t" if path.endswith(".tsv") else ","
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=sep))


def canon(v):
    """Canonical class name of one raw cell (str from CSV, or a JSON value)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    t = str(v).strip()
    if t.lower() in ("true", "false"):
        return t.lower()
    try:
        x = float(t) if "_" not in t else math.nan  # Python allows 1_0; mlguard not
    except ValueError:
        return t
    if not math.isfinite(x):
        return t
    return str(int(x)) if x.is_integer() else repr(x)


def is_num(name):
    try:
        return math.isfinite(float(name)) and name not in ("true", "false")
    except ValueError:
        return False


class Classes:
    """Canonical names <-> the values handed to scikit-learn, and class order.

    All-integral numeric classes are passed as ints.  Anything else is passed
    as the canonical strings: scikit-learn rejects non-integral float labels
    ("Unknown label type"), so those keep numeric order only through the
    explicit labels= the oracle passes."""

    def __init__(self, names):
        self.numeric = all(is_num(n) for n in names)
        self.integral = self.numeric and all(float(n).is_integer() for n in names)

    def enc(self, name):
        return int(name) if self.integral else name

    def name(self, value):
        return canon(value.item() if hasattr(value, "item") else value)

    def order(self, names):
        return sorted(set(names), key=float if self.numeric else str)


# ------------------------------------------------------------ helpers

def num(x):
    """JSON number, or None for NaN; -0.0 written as 0.0."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x + 0.0


def common_metrics(y, p, classes, C, w):
    """Metrics that are the same for binary and multiclass.  w: the sample
    weights (None: unweighted).  With weights, support and the confusion
    matrix's `matrix` stay row counts (mlguard's rule) and `weighted` holds
    scikit-learn's weighted confusion matrix."""
    m = {
        "accuracy": num(M.accuracy_score(y, p, sample_weight=w)),
        "balanced_accuracy": num(M.balanced_accuracy_score(y, p, sample_weight=w)),
        "mcc": num(M.matthews_corrcoef(y, p, sample_weight=w)),
        "cohen_kappa": num(M.cohen_kappa_score(y, p, sample_weight=w)),
    }
    for avg in ("macro", "micro", "weighted"):
        pr, rc, f1, _ = M.precision_recall_fscore_support(
            y, p, average=avg, zero_division=0, sample_weight=w)
        m[avg] = {"precision": num(pr), "recall": num(rc), "f1": num(f1)}
    pr, rc, f1, _ = M.precision_recall_fscore_support(
        y, p, labels=classes, average=None, zero_division=0, sample_weight=w)
    sup = [int(np.sum(y == c)) for c in classes]
    m["per_class"] = {
        C.name(c): {"precision": num(pr[i]), "recall": num(rc[i]),
                    "f1": num(f1[i]), "support": sup[i]}
        for i, c in enumerate(classes)}
    cm = M.confusion_matrix(y, p, labels=classes)
    m["confusion_matrix"] = {"labels": [C.name(c) for c in classes],
                             "matrix": [[int(v) for v in row] for row in cm]}
    if w is not None:
        cw = M.confusion_matrix(y, p, labels=classes, sample_weight=w)
        m["confusion_matrix"]["weighted"] = [[num(v) for v in row] for row in cw]
    return m


def binary_metrics(y, p, s, classes, pos, beta, C, w=None):
    m = common_metrics(y, p, classes, C, w)
    kw = dict(pos_label=pos, average="binary", zero_division=0, sample_weight=w)
    m["precision"] = num(M.precision_score(y, p, **kw))
    m["recall"] = num(M.recall_score(y, p, **kw))
    m["f1"] = num(M.f1_score(y, p, **kw))
    m["fbeta"] = num(M.fbeta_score(y, p, beta=beta, **kw))
    others = [c for c in classes if c != pos]
    if others:  # specificity = recall of the negative class
        kw["pos_label"] = others[0]
        m["specificity"] = num(M.recall_score(y, p, **kw))
    else:       # only the positive class occurs: tn / (tn + fp), 0/0 -> 0
        ones = np.ones(len(y)) if w is None else w
        tn = float(np.sum(ones[(y != pos) & (p != pos)]))
        fp = float(np.sum(ones[(y != pos) & (p == pos)]))
        m["specificity"] = tn / (tn + fp) if tn + fp else 0.0
    m.update(roc_auc=None, average_precision=None, log_loss=None, brier=None)
    if s is None:
        return m, None
    m["roc_auc"] = num(M.roc_auc_score(y == pos, s, sample_weight=w))  # NaN if one class
    # scikit-learn returns 0.0 (no positives) or 1.0 (all positive) here; mlguard
    # reports null instead, like roc_auc, so a gate on it cannot pass by accident.
    # With weights, a class whose rows all weigh 0 does not occur either.
    live = np.ones(len(y), dtype=bool) if w is None else w > 0
    one_class = bool(np.all(y[live] == pos) or np.all(y[live] != pos))
    ap = M.average_precision_score(y, s, pos_label=pos, sample_weight=w)
    m["average_precision"] = None if one_class else num(ap)
    # log_loss over the two classes, columns in class order: [1-s, s] or [s, 1-s]
    pair = {C.name(c) for c in classes} | {C.name(pos)}
    if len(pair) == 1 and C.name(pos) in NEGATIVE_OF:
        pair.add(NEGATIVE_OF[C.name(pos)])
    if len(pair) == 2:
        pair = [C.enc(n) for n in C.order(pair)]
        P2 = np.column_stack([s if c == pos else 1 - s for c in pair])
        m["log_loss"] = num(M.log_loss(y, P2, labels=pair, sample_weight=w))
    m["brier"] = num(M.brier_score_loss(y, s, pos_label=pos, sample_weight=w))
    # The calibration curve counts rows, weighted or not (calibration_curve takes no
    # sample_weight, and mlguard's reliability table counts rows).
    pt, pp = calibration_curve(y, s, pos_label=pos, n_bins=15, strategy="uniform")
    cal = {"prob_true": [num(v) for v in pt], "prob_pred": [num(v) for v in pp]}
    return m, cal


def multiclass_metrics(y, p, P, pc, classes, beta, C, w=None):
    m = common_metrics(y, p, classes, C, w)
    for k in ("precision", "recall", "f1"):
        m[k] = m["macro"][k]
    m["fbeta"] = num(M.fbeta_score(y, p, beta=beta, average="macro", zero_division=0,
                                   sample_weight=w))
    m["specificity"] = None
    m.update(roc_auc=None, average_precision=None, log_loss=None, brier=None)
    for avg in ("macro", "weighted"):
        m[avg].update(roc_auc=None, average_precision=None)
    for v in m["per_class"].values():
        v.update(roc_auc=None, average_precision=None)
    if P is None:
        return m
    assert sorted(pc) == pc, "sklearn needs the proba classes in np.unique order"
    ovr = dict(multi_class="ovr", labels=pc)
    Y = label_binarize(y, classes=pc)  # one-vs-rest indicator over proba classes
    for avg in ("macro", "weighted"):
        m[avg]["roc_auc"] = num(M.roc_auc_score(y, P, average=avg, sample_weight=w, **ovr))
        m[avg]["average_precision"] = num(
            M.average_precision_score(Y, P, average=avg, sample_weight=w))
    auc = M.roc_auc_score(y, P, average=None, sample_weight=w, **ovr)
    aps = M.average_precision_score(Y, P, average=None, sample_weight=w)
    # One-vs-rest metrics of a class that never (or always) occurs among the labels
    # are undefined: mlguard reports them as null (scikit-learn: NaN AUC, 0.0 AP) and
    # takes the macro averages over the classes where they are defined.
    # (With weights: a class whose rows all weigh 0 never occurs.)
    live = np.ones(len(y)) if w is None else (w > 0).astype(float)
    defined = [0 < (Y[:, i] * live).sum() < live.sum() for i in range(len(pc))]
    for i, c in enumerate(pc):
        if C.name(c) in m["per_class"]:
            m["per_class"][C.name(c)].update(
                roc_auc=num(auc[i]) if defined[i] else None,
                average_precision=num(aps[i]) if defined[i] else None)
    if not all(defined):
        m["macro"]["roc_auc"] = num(np.mean([a for a, d in zip(auc, defined) if d]))
        m["macro"]["average_precision"] = num(np.mean([a for a, d in zip(aps, defined) if d]))
    if set(np.unique(y)) == set(pc):  # sklearn's own multiclass AP must agree
        assert abs(M.average_precision_score(y, P, sample_weight=w) - aps.mean()) < 1e-12
    m["roc_auc"] = m["macro"]["roc_auc"]
    m["average_precision"] = m["macro"]["average_precision"]
    m["log_loss"] = num(M.log_loss(y, P, labels=pc, sample_weight=w))
    # sklearn's multiclass Brier (scale_by_half='auto' -> NOT halved for >= 3
    # classes) must equal the (weighted) mean over rows of sum_k (p_k - onehot_k)^2.
    brier = M.brier_score_loss(y, P, labels=pc, sample_weight=w)
    plain = np.average(np.sum((P - Y) ** 2, axis=1), weights=w)
    assert len(pc) >= 3 and abs(brier - plain) < 1e-12
    m["brier"] = num(brier)
    return m


# ------------------------------------------------------------ intervals

def wilson_intervals(y, p, names, C, pos_name):
    """95% Wilson score intervals (statsmodels' proportion_confint) of the
    proportions mlguard reports intervals for, keyed by metric path."""
    from statsmodels.stats.proportion import proportion_confint

    def ci(count, nobs):
        if nobs == 0:
            return None
        lo, hi = proportion_confint(count, nobs, alpha=0.05, method="wilson")
        return [float(lo), float(hi)]

    out = {"accuracy": ci(int(np.sum(y == p)), len(y))}
    for n in names:
        c = C.enc(n)
        tp = int(np.sum((y == c) & (p == c)))
        out[f"per_class.{n}.precision"] = ci(tp, int(np.sum(p == c)))
        out[f"per_class.{n}.recall"] = ci(tp, int(np.sum(y == c)))
    if pos_name is not None:
        c = C.enc(pos_name)
        tp = int(np.sum((y == c) & (p == c)))
        out["precision"] = ci(tp, int(np.sum(p == c)))
        out["recall"] = ci(tp, int(np.sum(y == c)))
        out["specificity"] = ci(int(np.sum((y != c) & (p != c))), int(np.sum(y != c)))
    return {k: v for k, v in out.items() if v is not None}


# ------------------------------------------------------------ one case

def evaluate(case, root):
    rows = read_rows(os.path.join(root, case["file"]))
    ynames = [canon(r[case["label"]]) for r in rows]
    pnames = [canon(r[case["pred"]]) for r in rows] if case["pred"] else None
    s = np.array([float(r[case["score"]]) for r in rows]) if case["score"] else None
    wcol = case.get("weight")
    w = np.array([float(r[wcol]) for r in rows]) if wcol else None
    proba = {canon(k): col for k, col in (case["proba"] or {}).items()}

    # Positive class: from the case, else the default for the observed classes.
    seen = set(ynames) | set(pnames or [])
    pos_name = case["pos_label"]
    if pos_name is None and not proba:
        pos_name = next((d for pair, d in DEFAULT_POS if seen <= pair), None)
    C = Classes(seen | set(proba) | ({pos_name} if pos_name else set()))

    # Predictions: the column; else argmax over proba columns in class order
    # (np.argmax: ties -> first); else score >= threshold.
    pc = [C.enc(n) for n in C.order(proba)]
    P = np.array([[float(r[proba[C.name(c)]]) for c in pc] for r in rows]) if proba else None
    if pnames is None and proba:
        pnames = [C.name(pc[i]) for i in np.argmax(P, axis=1)]
    elif pnames is None:
        t = 0.5 if case["threshold"] is None else case["threshold"]
        others = [n for n in C.order(set(ynames) | {pos_name}) if n != pos_name]
        assert len(others) == 1, "score-only case needs both classes"
        pnames = [pos_name if v >= t else others[0] for v in s]

    y = np.array([C.enc(n) for n in ynames])
    p = np.array([C.enc(n) for n in pnames])
    names = C.order(set(ynames) | set(pnames))  # class set in mlguard's order
    classes = [C.enc(n) for n in names]
    assert sorted(names) == sorted(C.name(c) for c in unique_labels(y, p))
    beta = 1.0 if case["beta"] is None else float(case["beta"])
    multiclass = bool(proba) or len(classes) > 2
    if multiclass:
        assert set(names) <= set(proba) or not proba, "classes missing a proba column"
        m, cal, pos_name = multiclass_metrics(y, p, P, pc, classes, beta, C, w), None, None
    else:
        assert pos_name is not None, "binary case needs a positive class"
        m, cal = binary_metrics(y, p, s, classes, C.enc(pos_name), beta, C, w)
    # A weighted run leaves the (unweighted, row-count) intervals out.
    intervals = wilson_intervals(y, p, names, C, pos_name) if w is None else {}
    return {"labels": names, "task": "multiclass" if multiclass else "binary",
            "pos_label": pos_name, "metrics": m, "calibration_curve": cal,
            "intervals": intervals}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--verbose", action="store_true", help="print sklearn warnings")
    a = ap.parse_args()
    golden = os.path.join(a.root, GOLDEN)
    with open(os.path.join(golden, "cases.json")) as f:
        cases = json.load(f)
    expected = {}
    for case in cases:
        assert case["name"] not in expected, "duplicate case " + case["name"]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            expected[case["name"]] = evaluate(case, a.root)
        if a.verbose:
            for msg in sorted({str(x.message).split("\n")[0] for x in w}):
                print(f"{case['name']}: {msg}", file=sys.stderr)
    with open(os.path.join(golden, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
