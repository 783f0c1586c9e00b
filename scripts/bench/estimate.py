"""The estimator benchmark: performance estimated before the labels arrive, mlguard against
NannyML's CBPE on the same generated logs, in the same run.

Each scenario is a labelled reference and an analysis log of WINDOWS daily windows. The model's
scores are over-confident (sigma(2.5 x) where the truth is sigma(1.5 x)), so both tools must
calibrate them on the reference. In the covariate-shift scenarios the inputs move from window
to window and the relation between inputs and labels holds (the method's assumption); in the
concept-shift scenario the relation weakens from the middle window on (it does not hold).
A share of each window's labels has arrived (LABELLED); the rest are hidden from both tools and
used to compute each window's realised metrics.

For each tool and window: the estimate, its interval (mlguard's 95% interval; NannyML's
confidence band) and the realised value of accuracy, F1 and ROC AUC on the rows awaiting labels.
Prints a Markdown table: coverage (share of windows whose realised value lies inside the
interval), mean absolute error, wall time; and whether mlguard said to trust the estimate.

    python estimate.py --mlguard BIN --nannyml-python PY [--rows-per-window N] [--windows K]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

DAY = 86_400
START = 1_777_593_600  # 2026-05-01T00:00:00Z
LABELLED = 0.1
METRICS = ["accuracy", "f1", "roc_auc"]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rows(rng, n, shift, truth):
    x = rng.standard_normal(n) + shift
    label = (rng.random(n) < sigmoid(truth * x)).astype(int)
    score = sigmoid(2.5 * x)
    return score, label


def scenario(name, seed, per_window, windows):
    """(reference score, label), and per window (score, label, labelled mask)."""
    rng = np.random.default_rng(seed)
    reference = rows(rng, 50_000, 0.0, 1.5)
    out = []
    for k in range(windows):
        if name == "covariate shift (inputs drift up)":
            shift, truth = 1.5 * k / (windows - 1), 1.5
        elif name == "covariate shift (inputs drift both ways)":
            shift, truth = 1.2 * math.sin(2 * math.pi * k / windows), 1.5
        else:  # concept shift
            shift, truth = 0.3, (1.5 if k < windows // 2 else 0.4)
        score, label = rows(rng, per_window, shift, truth)
        labelled = rng.random(per_window) < LABELLED
        out.append((score, label, labelled))
    return reference, out


def realised(score, label):
    pred = score >= 0.5
    tp = np.sum(pred & (label == 1))
    fp = np.sum(pred & (label == 0))
    fn = np.sum(~pred & (label == 1))
    accuracy = np.mean(pred == (label == 1))
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    # average ranks for ties
    s = score[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = label == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    auc = (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return {"accuracy": accuracy, "f1": f1, "roc_auc": auc}


def write_csv(path, times, score, label, labelled):
    with open(path, "w") as f:
        f.write("time,label,score\n")
        for t, s, y, l in zip(times, score, label, labelled):
            f.write(f"{t},{y if l else ''},{float(s)!r}\n")


def run_mlguard(binary, ref_path, cur_path):
    started = time.perf_counter()
    out = subprocess.run(
        [binary, "eval", cur_path, "--reference", ref_path, "--time-col", "time",
         "--window", "1d", "--format", "json", "--fail-on", "never"],
        capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - started
    if out.returncode not in (0, 1):
        sys.exit(f"mlguard failed: {out.stderr}")
    report = json.loads(out.stdout)
    e = report["estimated"]
    per_window = []
    for w in e["windows"]:
        per_window.append({m: (w[m], w["intervals"].get(m)) for m in METRICS})
    return per_window, wall, e["trusted"], e["caveats"] + [f"calibration {e['calibration']}"]


NANNY = r"""
import json, sys, time
import pandas as pd
import nannyml as nml
ref = pd.read_csv(sys.argv[1]); cur = pd.read_csv(sys.argv[2])
for df in (ref, cur):
    df["y_pred"] = (df["score"] >= 0.5).astype(int)
    df["timestamp"] = pd.to_datetime(df["time"], unit="s")
started = time.perf_counter()
est = nml.CBPE(y_pred_proba="score", y_pred="y_pred", y_true="label", timestamp_column_name="timestamp",
               metrics=["accuracy", "f1", "roc_auc"], chunk_period="D", problem_type="classification_binary")
est.fit(ref)
res = est.estimate(cur).filter(period="analysis").to_df()
wall = time.perf_counter() - started
out = []
for _, row in res.iterrows():
    w = {}
    for m in ["accuracy", "f1", "roc_auc"]:
        w[m] = (float(row[(m, "value")]), [float(row[(m, "lower_confidence_boundary")]), float(row[(m, "upper_confidence_boundary")])])
    out.append(w)
print(json.dumps({"windows": out, "wall": wall}))
"""


def run_nannyml(python, ref_path, cur_path):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(NANNY)
        script = f.name
    started = time.perf_counter()
    out = subprocess.run([python, script, ref_path, cur_path],
                         capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    os.unlink(script)
    if out.returncode != 0:
        sys.exit(f"nannyml failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["windows"], wall, result["wall"]


def summarise(estimates, truths):
    cover, err = {m: [] for m in METRICS}, {m: [] for m in METRICS}
    for est, truth in zip(estimates, truths):
        for m in METRICS:
            value, interval = est[m]
            if value is None or interval is None or truth[m] != truth[m]:
                continue
            cover[m].append(interval[0] <= truth[m] <= interval[1])
            err[m].append(abs(value - truth[m]))
    return ({m: float(np.mean(cover[m])) if cover[m] else float("nan") for m in METRICS},
            {m: float(np.mean(err[m])) if err[m] else float("nan") for m in METRICS})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlguard", required=True)
    ap.add_argument("--nannyml-python", required=True)
    ap.add_argument("--rows-per-window", type=int, default=5000)
    ap.add_argument("--windows", type=int, default=20)
    args = ap.parse_args()
    names = ["covariate shift (inputs drift up)", "covariate shift (inputs drift both ways)",
             "concept shift (from the middle window)"]
    print("| scenario | tool | coverage of the realised value (accuracy, F1, ROC AUC) | "
          "mean absolute error (accuracy, F1, ROC AUC) | says to trust it | wall time (s) |")
    print("|---|---|---|---|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for seed, name in enumerate(names, start=11):
            reference, windows = scenario(name, seed, args.rows_per_window, args.windows)
            ref_path, cur_path = f"{tmp}/ref.csv", f"{tmp}/cur.csv"
            n_ref = len(reference[0])
            write_csv(ref_path, START - DAY + np.arange(n_ref) % DAY, reference[0],
                      reference[1], np.ones(n_ref, bool))
            times, score, label, labelled = [], [], [], []
            truths = []
            for k, (s, y, l) in enumerate(windows):
                step = DAY / len(s)
                times.extend(int(START + k * DAY + i * step) for i in range(len(s)))
                score.extend(s)
                label.extend(y)
                labelled.extend(l)
                truths.append(realised(s[~l], y[~l]))
            write_csv(cur_path, times, score, label, labelled)
            ml, ml_wall, trusted, caveats = run_mlguard(args.mlguard, ref_path, cur_path)
            # NannyML estimates daily chunks of the unlabelled rows only.
            unl = f"{tmp}/unlabelled.csv"
            keep = ~np.array(labelled)
            with open(unl, "w") as f:
                f.write("time,label,score\n")
                for t, s, y in zip(np.array(times)[keep], np.array(score)[keep],
                                   np.array(label)[keep]):
                    f.write(f"{t},,{float(s)!r}\n")
            nm, nm_wall, nm_inner = run_nannyml(args.nannyml_python, ref_path, unl)
            print(f"<!-- {name}: NannyML's fit and estimate alone {nm_inner:.2f} s -->",
                  file=sys.stderr)
            for tool, est, wall, trust in [("mlguard", ml, ml_wall, "yes" if trusted else "no"),
                                           ("NannyML CBPE", nm[: len(truths)], nm_wall, "—")]:
                cover, err = summarise(est, truths)
                print(f"| {name} | {tool} | "
                      + ", ".join(f"{100 * cover[m]:.0f}%" for m in METRICS) + " | "
                      + ", ".join(f"{err[m]:.4f}" for m in METRICS) + f" | {trust} | {wall:.2f} |")
            if caveats:
                print(f"<!-- {name}: {' / '.join(caveats)} -->", file=sys.stderr)


if __name__ == "__main__":
    main()
