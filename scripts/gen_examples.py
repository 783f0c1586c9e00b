#!/usr/bin/env python3
"""Generate the example prediction logs used to demo and test mlguard.

Usage:
    python3 scripts/gen_examples.py [OUTDIR]      (OUTDIR defaults to examples/)

Standard library only and fully deterministic: every file comes from its own
random.Random with a fixed seed, so reruns produce byte-identical output.

Files written:
  binary.csv      5,000 rows of a fraud/churn-style binary classifier over 14 days
                  (2026-03-01 .. 2026-03-15): id,timestamp,segment,label,prediction,score.
                  ~25% positives, ROC AUC ~0.90, scores slightly over-confident,
                  prediction = score >= 0.5. The `partner` segment (~10% of rows)
                  has poorly separated scores: accuracy ~0.10 below the others.
  reference.csv   5,000 rows from the same model over the previous 14 days
                  (2026-02-15 .. 2026-03-01), without the weak partner segment:
                  a validated reference run for drift / regression comparisons.
  multiclass.csv  3,000 rows: id,timestamp,label,prediction,proba_bird,proba_cat,
                  proba_dog,proba_fish. Labels 0.4/0.3/0.2/0.1, accuracy ~0.8;
                  each row's printed probabilities sum to exactly 1.0000 and
                  prediction is their argmax (ties go to the alphabetically first).
  collapse.csv    6,000 rows like binary.csv over 6 days (2026-03-01 .. 2026-03-07);
                  from 2026-03-04T12:00:00Z on, the model collapses: scores ignore
                  the label and are shifted up, so most predictions are 1.
  binary.jsonl    the first 200 rows of binary.csv as JSON Lines.
  features.csv    6,000 rows of a credit model with its input features over 6 days
                  (2026-03-01 .. 2026-03-07): id,timestamp,device,income,age,plan,label,
                  score. From 2026-03-04T00:00:00Z on, the android app sends income in
                  cents (x100), and the model scores those rows from the wrong value.
  features-reference.csv
                  6,000 rows of the same model over the previous fortnight, healthy.
"""

import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

SEGMENTS = [("web", 0.45), ("ios", 0.25), ("android", 0.20), ("partner", 0.10)]
CLASSES = ["bird", "cat", "dog", "fish"]  # alphabetical: argmax ties go to the first
CLASS_WEIGHTS = [0.4, 0.3, 0.2, 0.1]
BINARY_HEADER = ["id", "timestamp", "segment", "label", "prediction", "score"]


def utc(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def timestamps(rng, start, days, n):
    """n distinct uniform-random whole seconds in [start, start + days), increasing."""
    offsets = sorted(rng.sample(range(days * 86400), n))
    return [start + timedelta(seconds=s) for s in offsets]


def fmt_ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def binary_score(rng, label, separation):
    """Latent score: +/-separation by label plus unit noise, squashed by a logistic
    whose slope (2.6) is steeper than the calibrated one (2 * separation ~ 1.9): over-confident."""
    x = (separation if label else -separation) + rng.gauss(0.0, 1.0)
    return sigmoid(2.6 * (x - 0.55))


def binary_rows(rng, start, days, n, weak_partner=True, collapse_at=None):
    rows = []
    for i, ts in enumerate(timestamps(rng, start, days, n), start=1):
        segment = rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
        label = 1 if rng.random() < 0.25 else 0
        if collapse_at is not None and ts >= collapse_at:
            score = sigmoid(rng.gauss(1.2, 1.0))  # uninformative, shifted up
        elif weak_partner and segment == "partner":
            score = binary_score(rng, label, 0.55)
        else:
            score = binary_score(rng, label, 0.95)
        score = round(score, 4)
        rows.append([i, fmt_ts(ts), segment, label, int(score >= 0.5), f"{score:.4f}"])
    return rows


def multiclass_rows(rng, start, days, n):
    rows = []
    for i, ts in enumerate(timestamps(rng, start, days, n), start=1):
        label = rng.choices(range(len(CLASSES)), CLASS_WEIGHTS)[0]
        logits = [rng.gauss(0.0, 1.0) + (1.9 if k == label else 0.0) for k in range(len(CLASSES))]
        exps = [math.exp(z) for z in logits]
        # Work in units of 1e-4 so the printed values sum to exactly 1.0000.
        units = [round(10000 * e / sum(exps)) for e in exps]
        top = max(range(len(units)), key=lambda k: (units[k], -k))
        units[top] += 10000 - sum(units)
        pred = max(range(len(units)), key=lambda k: (units[k], -k))
        probas = [f"{u // 10000}.{u % 10000:04d}" for u in units]
        rows.append([i, fmt_ts(ts), CLASSES[label], CLASSES[pred]] + probas)
    return rows


FEATURES_HEADER = ["id", "timestamp", "device", "income", "age", "plan", "label", "score"]


def feature_rows(rng, start, days, n, cents_from=None):
    """A credit model over its inputs: the true default probability rises with a low income
    and youth; the model scores the income it is sent. From `cents_from` on, android sends
    the income in cents."""
    rows = []
    for i, ts in enumerate(timestamps(rng, start, days, n), start=1):
        device = rng.choices(["web", "ios", "android"], [0.5, 0.25, 0.25])[0]
        income = math.exp(rng.gauss(10.6, 0.45))
        age = rng.randint(19, 75)
        plan = rng.choices(["basic", "plus", "premium"], [0.6, 0.3, 0.1])[0]

        def risk(income):
            z = -1.2 - 1.8 * (math.log(income) - 10.6) - 0.03 * (age - 45)
            z += {"basic": 0.3, "plus": 0.0, "premium": -0.4}[plan]
            return sigmoid(z)

        label = 1 if rng.random() < risk(income) else 0
        sent = income
        if cents_from is not None and ts >= cents_from and device == "android":
            sent = income * 100
        score = round(risk(sent), 4)
        rows.append([i, fmt_ts(ts), device, f"{sent:.2f}", age, plan, label, f"{score:.4f}"])
    return rows


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")


def write_jsonl(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            fields = []
            for key, v in zip(header, row):
                # Integers and the already-formatted score are JSON numbers as is.
                value = json.dumps(v) if key in ("timestamp", "segment") else str(v)
                fields.append(f"{json.dumps(key)}: {value}")
            f.write("{" + ", ".join(fields) + "}\n")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "examples"
    os.makedirs(outdir, exist_ok=True)
    out = lambda name: os.path.join(outdir, name)

    binary = binary_rows(random.Random(1001), utc("2026-03-01T00:00:00Z"), 14, 5000)
    write_csv(out("binary.csv"), BINARY_HEADER, binary)
    write_jsonl(out("binary.jsonl"), BINARY_HEADER, binary[:200])

    reference = binary_rows(random.Random(1002), utc("2026-02-15T00:00:00Z"), 14, 5000,
                            weak_partner=False)
    write_csv(out("reference.csv"), BINARY_HEADER, reference)

    multi = multiclass_rows(random.Random(1003), utc("2026-03-01T00:00:00Z"), 14, 3000)
    write_csv(out("multiclass.csv"),
              ["id", "timestamp", "label", "prediction"] + [f"proba_{c}" for c in CLASSES], multi)

    collapse = binary_rows(random.Random(1004), utc("2026-03-01T00:00:00Z"), 6, 6000,
                           collapse_at=utc("2026-03-04T12:00:00Z"))
    write_csv(out("collapse.csv"), BINARY_HEADER, collapse)

    features = feature_rows(random.Random(1005), utc("2026-03-01T00:00:00Z"), 6, 6000,
                            cents_from=utc("2026-03-04T00:00:00Z"))
    write_csv(out("features.csv"), FEATURES_HEADER, features)
    features_ref = feature_rows(random.Random(1006), utc("2026-02-15T00:00:00Z"), 14, 6000)
    write_csv(out("features-reference.csv"), FEATURES_HEADER, features_ref)


if __name__ == "__main__":
    main()
