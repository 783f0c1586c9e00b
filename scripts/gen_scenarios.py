#!/usr/bin/env python3
"""Generate labelled prediction logs with known, injected anomalies, to test mlguard's
statistical checks (tests/integration/anomalies.rs).

Usage:
    python3 scripts/gen_scenarios.py SCENARIO SEED ROWS OUT.csv

Standard library only and deterministic: every file comes from random.Random(SEED) alone,
so the same arguments always give a byte-identical file.

Every file has the columns id,timestamp,segment,label,prediction,score,version:
  id          1..ROWS
  timestamp   RFC 3339 UTC, strictly increasing, distinct whole seconds spread over the 14 days
              2026-03-01T00:00:00Z .. 2026-03-15T00:00:00Z
  segment     web, ios, android or partner, equally likely
  label       0 or 1
  prediction  1 when score >= 0.5, else 0 (the model's decision at the default threshold)
  score       the model's probability of class 1, printed with 4 decimals
  version     the model version that served the row: v2 for every fifth id, else v1

The model (every scenario starts from it):
  A latent feature x = +S (label 1) or -S (label 0), plus N(0, 1) noise, with S = 1.2.
  The model's logit is 2 S x + ln(0.25 / 0.75): the Bayes-optimal, calibrated logit for the
  training prior of 25% positives (ROC AUC ~0.955, accuracy ~0.906, predicted positive share
  ~0.23 against 0.25 labels).

Scenarios:
  clean         labels Bernoulli(0.25), the model as above in all 4 segments. Any seed.
  weak_segment  as clean, but in the `partner` segment the latent classes are far less
                separated (S = 0.5 instead of 1.2; the model's logit is unchanged): partner's
                accuracy ~0.75 against ~0.91 elsewhere, a drop of ~0.15.
  score_shift   as clean, but every logit is shifted up by +2.5 (scores rise, predictions follow
                them at the 0.5 threshold, labels are unchanged). Compare with a clean reference:
                the score distribution drifts (PSI well above 0.25).
  prior_shift   labels Bernoulli(0.5) instead of 0.25, with the same model (still calibrated for
                25% positives). Compare with a clean reference: the share of class 1 moves
                0.25 -> 0.5 (label PSI ~0.27).
  collapse      as clean until COLLAPSE_AT = 2026-03-08T00:00:00Z (half-way); from then on the
                model ignores its input: logits N(3, 1), so ~99.9% of those rows are predicted
                class 1. Overall about 60% of predictions are 1 against 25% of labels.
  outage        as clean, except for the six hours from OUTAGE_AT = 2026-03-08T00:00:00Z, when
                the model ignores its input as in collapse; then it recovers. About 90 rows of
                5,000: one 12-hour window's accuracy falls to about 0.57, too brief a fault for
                a step change in the error rate.
  degenerate    labels Bernoulli(0.25) (mixed), but the model always predicts class 0: its logit
                is -2.2 + 0.4 x (weakly informative), capped below 0 so that every score is
                below 0.5.

Scenarios with a known cause, for the diagnosis (tests/integration/diagnosis.rs):
  label_noise   as clean, but after the score is drawn 20% of the labels are flipped (the model
                still sees the true class): data quality.
  underfit      labels Bernoulli(0.5); the model barely separates them (S = 0.1, no prior
                offset): ROC AUC ~0.56, balanced accuracy ~0.54 — training.
  overfit_train as clean but with S = 2.5: the same model's predictions on its training data,
                accuracy ~0.99 against ~0.91 on clean data — training (use as --train).
  overconfident as clean, but the logit is multiplied by 3 (same predictions, over-confident
                probabilities): training, miscalibration.
  version_gap   as clean, but rows served by version v2 come from the weak model of
                weak_segment (S = 0.5): deployment, a bad model version.
  duplicates    as clean, but after each row, with probability 0.1, an identical copy of it:
                data quality.
  missing       as clean, but 5% of the labels are empty (run with --skip-invalid): data
                quality.
  nan_scores    as clean, but 5% of the scores are written as NaN (run with --skip-invalid):
                malformed model output, deployment.
Multiclass scenarios write the columns id,label,prediction,proba_a,proba_b,proba_c,proba_d
instead (probabilities with 4 decimals, summing to 1 up to rounding):
  multiclass    labels a, b, c, d with shares 0.3, 0.3, 0.3, 0.1; the prediction is the label
                with probability 0.85, else another class uniformly. The predicted class gets
                probability U(0.5, 0.95); when that class is not d, d gets U(0.005, 0.03); the
                rest is split at random between the remaining classes.
  proba_shift   as multiclass, but whenever d is not the predicted class its probability is
                raised by U(0.05, 0.12), taken from the predicted class alone: d's probability
                drifts (PSI far above 0.25) while the other classes' barely move.
"""

import math
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
DAYS = 14
COLLAPSE_AT = datetime(2026, 3, 8, tzinfo=timezone.utc)
OUTAGE_AT = COLLAPSE_AT
OUTAGE_END = datetime(2026, 3, 8, 6, tzinfo=timezone.utc)
SEGMENTS = ["web", "ios", "android", "partner"]
WEAK_SEGMENT = "partner"
SEPARATION = 1.2
WEAK_SEPARATION = 0.5
TRAIN_PRIOR = 0.25
SCORE_SHIFT = 2.5
HEADER = ["id", "timestamp", "segment", "label", "prediction", "score", "version"]
SCENARIOS = [
    "clean", "weak_segment", "score_shift", "prior_shift", "collapse", "outage", "degenerate",
    "label_noise", "underfit", "overfit_train", "overconfident", "version_gap", "duplicates",
    "missing", "nan_scores",
]
FLIP_RATE = 0.20
UNDERFIT_SEPARATION = 0.1
TRAIN_SEPARATION = 2.5
OVERCONFIDENCE = 3.0
DUPLICATE_RATE = 0.1
MISSING_RATE = 0.05
MULTICLASS_SCENARIOS = ["multiclass", "proba_shift"]
CLASSES = ["a", "b", "c", "d"]
CLASS_SHARES = [0.3, 0.3, 0.3, 0.1]
MULTICLASS_HEADER = ["id", "label", "prediction"] + [f"proba_{c}" for c in CLASSES]


def sigmoid(z):
    # Both branches avoid overflow for large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def timestamps(rng, n):
    """n distinct whole seconds drawn uniformly from the 14 days, increasing."""
    offsets = sorted(rng.sample(range(DAYS * 86400), n))
    return [START + timedelta(seconds=s) for s in offsets]


def model_logit(rng, label, separation):
    """The calibrated model's logit for one row whose latent classes are +/-separation apart."""
    x = (separation if label else -separation) + rng.gauss(0.0, 1.0)
    return 2.0 * SEPARATION * x + math.log(TRAIN_PRIOR / (1.0 - TRAIN_PRIOR))


def row(rng, scenario, ts, version):
    """(segment, label, score) of one row. Draws happen in the same order in every scenario
    (the diagnosis scenarios draw more after the shared ones)."""
    segment = SEGMENTS[rng.randrange(len(SEGMENTS))]
    positive_rate = 0.5 if scenario in ("prior_shift", "underfit") else 0.25
    label = 1 if rng.random() < positive_rate else 0
    if scenario == "underfit":
        x = (UNDERFIT_SEPARATION if label else -UNDERFIT_SEPARATION) + rng.gauss(0.0, 1.0)
        z = 2.0 * UNDERFIT_SEPARATION * x
    elif scenario == "overfit_train":
        x = (TRAIN_SEPARATION if label else -TRAIN_SEPARATION) + rng.gauss(0.0, 1.0)
        z = 2.0 * TRAIN_SEPARATION * x + math.log(TRAIN_PRIOR / (1.0 - TRAIN_PRIOR))
    elif scenario == "overconfident":
        z = OVERCONFIDENCE * model_logit(rng, label, SEPARATION)
    elif scenario == "version_gap" and version == "v2":
        z = model_logit(rng, label, WEAK_SEPARATION)
    elif scenario == "weak_segment" and segment == WEAK_SEGMENT:
        z = model_logit(rng, label, WEAK_SEPARATION)
    elif scenario == "score_shift":
        z = model_logit(rng, label, SEPARATION) + SCORE_SHIFT
    elif scenario == "collapse" and ts >= COLLAPSE_AT:
        z = rng.gauss(3.0, 1.0)
    elif scenario == "outage" and OUTAGE_AT <= ts < OUTAGE_END:
        z = rng.gauss(3.0, 1.0)
    elif scenario == "degenerate":
        x = (SEPARATION if label else -SEPARATION) + rng.gauss(0.0, 1.0)
        z = min(-2.2 + 0.4 * x, -0.01)
    else:
        z = model_logit(rng, label, SEPARATION)
    score = round(sigmoid(z), 4)
    if scenario == "degenerate":
        score = min(score, 0.4999)  # rounding must not lift a score to the threshold
    if scenario == "label_noise" and rng.random() < FLIP_RATE:
        label = 1 - label
    return segment, label, score


def generate(scenario, seed, rows):
    """The rows of a scenario, as lists of printable fields."""
    rng = random.Random(seed)
    out = []
    for i, ts in enumerate(timestamps(rng, rows), start=1):
        version = "v2" if i % 5 == 0 else "v1"
        segment, label, score = row(rng, scenario, ts, version)
        fields = [
            str(i),
            ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            segment,
            str(label),
            "1" if score >= 0.5 else "0",
            f"{score:.4f}",
            version,
        ]
        if scenario == "missing" and rng.random() < MISSING_RATE:
            fields[3] = ""
        if scenario == "nan_scores" and rng.random() < MISSING_RATE:
            fields[5] = "NaN"
        out.append(fields)
        if scenario == "duplicates" and rng.random() < DUPLICATE_RATE:
            out.append(list(fields))
    return out


def multiclass_row(rng, scenario):
    """(label, prediction, probabilities) of one multiclass row."""
    label = rng.choices(range(len(CLASSES)), weights=CLASS_SHARES)[0]
    pred = label
    if rng.random() >= 0.85:
        pred = rng.choice([k for k in range(len(CLASSES)) if k != label])
    d = len(CLASSES) - 1
    proba = [0.0] * len(CLASSES)
    proba[pred] = rng.uniform(0.5, 0.95)
    rest = [k for k in range(len(CLASSES)) if k != pred]
    if pred != d:
        proba[d] = rng.uniform(0.005, 0.03)
        rest.remove(d)
    left = 1.0 - sum(proba)
    cut = rng.random()
    for k, share in zip(rest, [cut, 1.0 - cut] if len(rest) == 2 else
                        [cut * 0.5, cut * 0.5, 1.0 - cut]):
        proba[k] = left * share
    if scenario == "proba_shift" and pred != d:
        moved = rng.uniform(0.05, 0.12)
        proba[d] += moved
        proba[pred] -= moved
    return label, pred, proba


def generate_multiclass(scenario, seed, rows):
    """The rows of a multiclass scenario, as lists of printable fields."""
    rng = random.Random(seed)
    out = []
    for i in range(1, rows + 1):
        label, pred, proba = multiclass_row(rng, scenario)
        out.append([str(i), CLASSES[label], CLASSES[pred]] + [f"{p:.4f}" for p in proba])
    return out


def main(argv):
    if len(argv) == 5 and argv[1] in MULTICLASS_SCENARIOS:
        scenario, seed, rows, path = argv[1], int(argv[2]), int(argv[3]), argv[4]
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(",".join(MULTICLASS_HEADER) + "\n")
            for fields in generate_multiclass(scenario, seed, rows):
                f.write(",".join(fields) + "\n")
        return 0
    if len(argv) != 5 or argv[1] not in SCENARIOS:
        sys.stderr.write(
            f"usage: {argv[0]} SCENARIO SEED ROWS OUT.csv\n"
            f"  SCENARIO: {', '.join(SCENARIOS + MULTICLASS_SCENARIOS)}\n"
        )
        return 2
    scenario, seed, rows, path = argv[1], int(argv[2]), int(argv[3]), argv[4]
    if not 1 <= rows <= DAYS * 86400:
        sys.stderr.write(f"ROWS must be in 1..{DAYS * 86400}\n")
        return 2
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(HEADER) + "\n")
        for fields in generate(scenario, seed, rows):
            f.write(",".join(fields) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
