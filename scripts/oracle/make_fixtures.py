#!/usr/bin/env python3
"""Write the golden fixture files and fixtures/golden/cases.json.

Standard library only and fully deterministic: every file is drawn from its
own random.Random(seed), values are written as fixed-precision text, and the
gzip file is written with mtime=0.  Run from the repository root, or pass
--root DIR to write DIR/fixtures/golden instead (used by `run --check`).

To add a case: write its file with one of the helpers below and append a
case(...) entry in main(); then run scripts/oracle/run.
"""
import argparse
import csv
import gzip
import io
import json
import os
import random

GOLDEN = "fixtures/golden"


# --------------------------------------------------------------- writers

def to_text(rows, header, sep=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r[h] for h in header])
    return buf.getvalue()


def to_jsonl(rows, header, types):
    """One JSON object per line; types[h] converts the text cell to a JSON value."""
    lines = [json.dumps({h: types.get(h, str)(r[h]) for h in header}) for r in rows]
    return "\n".join(lines) + "\n"


class Out:
    def __init__(self, root):
        self.dir = os.path.join(root, GOLDEN)
        os.makedirs(self.dir, exist_ok=True)
        self.cases = []

    def write(self, name, text, gz=False):
        path = os.path.join(self.dir, name)
        data = text.encode("utf-8")
        if gz:
            # filename='' and mtime=0 keep the gzip header byte-identical.
            with open(path, "wb") as f, gzip.GzipFile(
                filename="", mode="wb", fileobj=f, mtime=0
            ) as g:
                g.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        return f"{GOLDEN}/{name}"

    def case(self, name, file, label, pred=None, score=None, proba=None,
             args=(), pos_label=None, beta=None, threshold=None, weight=None):
        self.cases.append({
            "name": name, "file": file, "args": list(args), "label": label,
            "pred": pred, "score": score, "proba": proba,
            "pos_label": pos_label, "beta": beta, "threshold": threshold,
            "weight": weight,
        })


# ------------------------------------------------------------ generators

def clamp01(x):
    return min(1.0, max(0.0, x))


def binary_rows(rng, n, n_pos, lab=("0", "1"), flip=0.08, digits=4,
                cols=("label", "y_pred", "score")):
    """n rows with exactly n_pos positives.  score ~ Beta, higher for
    positives; prediction = (score >= 0.5) with a fraction `flip` flipped so
    that it is not just a thresholded score.  lab = (negative, positive)."""
    ys = [1] * n_pos + [0] * (n - n_pos)
    rng.shuffle(ys)
    lc, pc, sc = cols
    rows = []
    for y in ys:
        s = rng.betavariate(4, 2) if y else rng.betavariate(2, 4)
        s = round(clamp01(s), digits)
        p = int(s >= 0.5)
        if rng.random() < flip:
            p = 1 - p
        row = {lc: lab[y], sc: f"{s:.{digits}f}"}
        if pc:
            row[pc] = lab[p]
        rows.append(row)
    return rows


def dirichlet_int(rng, alphas, total=10**6):
    """Probabilities as integers summing exactly to `total` (so the decimal
    text of each row sums to exactly 1)."""
    g = [rng.gammavariate(a, 1.0) for a in alphas]
    s = sum(g)
    k = [int(x / s * total) for x in g]
    k[k.index(max(k))] += total - sum(k)
    return k


def fmt_p(k, total=10**6):
    return f"{k / total:.6f}"


def argmax_first(values):
    """Index of the first maximum (tie -> earliest in class order)."""
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def multiclass_rows(rng, n, classes, label_weights, cols, pred_noise=0.1,
                    concentration=6.0):
    """Labels drawn with label_weights; probabilities ~ Dirichlet boosted
    on the true class; prediction = argmax, replaced by a random class with
    probability pred_noise.  cols = (label col, pred col or None)."""
    lc, pc = cols
    rows = []
    for _ in range(n):
        yi = rng.choices(range(len(classes)), weights=label_weights)[0]
        alphas = [1.0] * len(classes)
        alphas[yi] += concentration * rng.random()
        k = dirichlet_int(rng, alphas)
        row = {lc: classes[yi]}
        for c, ki in zip(classes, k):
            row[f"proba_{c}"] = fmt_p(ki)
        if pc:
            pi = argmax_first(k)
            if rng.random() < pred_noise:
                pi = rng.randrange(len(classes))
            row[pc] = classes[pi]
        rows.append(row)
    return rows


def add_weights(rng, rows, column="weight", zeros=0.05):
    """A weight column: mostly in (0, 4] with three decimals, a few exactly 0 and a few
    large (up to 50), so that weighting changes every metric."""
    for r in rows:
        u = rng.random()
        if u < zeros:
            w = 0.0
        elif u < zeros + 0.05:
            w = rng.uniform(10, 50)
        else:
            w = rng.uniform(0.001, 4)
        r[column] = f"{w:.3f}"
    return rows


# ------------------------------------------------------------------ cases

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    out = Out(ap.parse_args().root)

    # 1 + 19 + 20: balanced 0/1 with score and prediction, in four formats.
    rows = binary_rows(random.Random(1), 1000, 500)
    for i, r in enumerate(rows):
        r["id"] = str(i + 1)
    hdr = ["id", "label", "y_pred", "score"]
    f = out.write("binary_balanced.csv", to_text(rows, hdr))
    out.case("binary_balanced", f, "label", "y_pred", "score")
    f2 = out.write("binary_balanced.tsv", to_text(rows, hdr, sep="\t"))
    out.case("binary_balanced_tsv", f2, "label", "y_pred", "score")
    types = {"id": int, "label": int, "y_pred": int, "score": float}
    f2 = out.write("binary_balanced.jsonl", to_jsonl(rows, hdr, types))
    out.case("binary_balanced_jsonl", f2, "label", "y_pred", "score")
    f2 = out.write("binary_balanced.csv.gz", to_text(rows, hdr), gz=True)
    out.case("binary_balanced_csv_gz", f2, "label", "y_pred", "score")
    out.case("binary_balanced_beta_2", f, "label", "y_pred", "score",
             args=["--beta", "2"], beta=2.0)
    out.case("binary_balanced_beta_0_5", f, "label", "y_pred", "score",
             args=["--beta", "0.5"], beta=0.5)

    # 2: 2% positives (60 of 3000).
    cols = ("y_true", "prediction", "y_score")
    rows = binary_rows(random.Random(2), 3000, 60, cols=cols, flip=0.02, digits=6)
    f = out.write("binary_imbalanced.csv", to_text(rows, list(cols)))
    out.case("binary_imbalanced", f, *cols)

    # 3: positive class never predicted (precision 0/0 -> zero_division=0).
    cols = ("target", "pred", "proba")
    rows = binary_rows(random.Random(3), 200, 60, cols=cols)
    for r in rows:
        r["pred"] = "0"
    f = out.write("binary_never_predict_positive.csv", to_text(rows, list(cols)))
    out.case("binary_never_predict_positive", f, *cols)

    # 4: positive class never occurs in labels but is predicted.
    cols = ("actual", "y_pred", "score")
    rows = binary_rows(random.Random(4), 100, 0, cols=cols, flip=0.1)
    f = out.write("binary_positive_absent.csv", to_text(rows, list(cols)))
    out.case("binary_positive_absent", f, *cols)

    # 5, 6: single class everywhere (all 0 / all 1), with scores.
    for name, v, seed, pc in (("single_class_all_zero", "0", 5, "y_pred"),
                              ("single_class_all_one", "1", 6, "pred")):
        rng = random.Random(seed)
        rows = [{"label": v, pc: v, "score": f"{rng.random():.4f}"}
                for _ in range(50)]
        f = out.write(f"{name}.csv", to_text(rows, ["label", pc, "score"]))
        out.case(name, f, "label", pc, "score")

    # 7, 8: all correct / all wrong (scores agree with the prediction).
    for name, seed, wrong, cols in (
            ("all_correct", 7, False, ("y_true", "y_pred", "y_score")),
            ("all_wrong", 8, True, ("label", "prediction", "score"))):
        rng = random.Random(seed)
        rows = []
        for i in range(100):
            y = i % 3 == 0
            p = (not y) if wrong else y
            s = rng.uniform(0.55, 1.0) if p else rng.uniform(0.0, 0.45)
            rows.append({cols[0]: str(int(y)), cols[1]: str(int(p)),
                         cols[2]: f"{s:.4f}"})
        f = out.write(f"{name}.csv", to_text(rows, list(cols)))
        out.case(name, f, *cols)

    # 9: string labels, yes/no (default positive 'yes') and cat/dog (--pos-label cat).
    rows = binary_rows(random.Random(9), 300, 120, lab=("no", "yes"))
    f = out.write("strings_yes_no.csv", to_text(rows, ["label", "y_pred", "score"]))
    out.case("strings_yes_no", f, "label", "y_pred", "score")
    cols = ("target", "prediction", "score")
    rows = binary_rows(random.Random(10), 300, 140, lab=("dog", "cat"), cols=cols)
    f = out.write("strings_cat_dog.csv", to_text(rows, list(cols)))
    out.case("strings_cat_dog_pos_cat", f, *cols, args=["--pos-label", "cat"],
             pos_label="cat")

    # 10: labels 1/0 but predictions written 1.0/0.0 (same classes).
    rows = binary_rows(random.Random(11), 200, 90)
    for r in rows:
        r["y_pred"] += ".0"
    f = out.write("one_vs_one_point_zero.csv", to_text(rows, ["label", "y_pred", "score"]))
    out.case("one_vs_one_point_zero", f, "label", "y_pred", "score")

    # 11: labels -1/1.
    cols = ("y_true", "y_pred", "score")
    rows = binary_rows(random.Random(12), 200, 80, lab=("-1", "1"), cols=cols)
    f = out.write("labels_minus_one_one.csv", to_text(rows, list(cols)))
    out.case("labels_minus_one_one", f, *cols)

    # 12: booleans, lower case and capitalised (predictions upper case there).
    rows = binary_rows(random.Random(13), 200, 70, lab=("false", "true"))
    f = out.write("booleans_lower.csv", to_text(rows, ["label", "y_pred", "score"]))
    out.case("booleans_lower", f, "label", "y_pred", "score")
    rows = binary_rows(random.Random(14), 200, 110, lab=("False", "True"))
    for r in rows:
        r["y_pred"] = r["y_pred"].upper()
    f = out.write("booleans_capitalised.csv", to_text(rows, ["label", "y_pred", "score"]))
    out.case("booleans_capitalised", f, "label", "y_pred", "score")

    # 13: multiclass 0..4 with proba_0..proba_4 and a prediction column.
    classes = ["0", "1", "2", "3", "4"]
    rows = multiclass_rows(random.Random(15), 1000, classes, [3, 2, 2, 1, 1],
                              ("label", "y_pred"))
    hdr = ["label", "y_pred"] + [f"proba_{c}" for c in classes]
    f = out.write("multiclass_int5.csv", to_text(rows, hdr))
    out.case("multiclass_int5", f, "label", "y_pred",
             proba={c: f"proba_{c}" for c in classes})

    # 14: proba classes 0..3; class 3 never a label (but sometimes predicted,
    # with a high proba_3), class 2 never predicted.
    rng = random.Random(16)
    rows = multiclass_rows(rng, 300, classes[:4], [2, 2, 1, 0],
                              ("y_true", "prediction"), pred_noise=0.0)
    for r in rows:
        if r["prediction"] == "2":
            r["prediction"] = rng.choice(["0", "1"])
        if rng.random() < 0.06:
            k = dirichlet_int(rng, [1, 1, 1, 12])
            r.update({f"proba_{c}": fmt_p(x) for c, x in zip(classes[:4], k)})
            r["prediction"] = "3"
    hdr = ["y_true", "prediction"] + [f"proba_{c}" for c in classes[:4]]
    f = out.write("multiclass_absent_class.csv", to_text(rows, hdr))
    out.case("multiclass_absent_class", f, "y_true", "prediction",
             proba={c: f"proba_{c}" for c in classes[:4]})

    # 15: labels 1, 2, 9, 10 (numeric order puts 10 last).
    classes = ["1", "2", "9", "10"]
    rows = multiclass_rows(random.Random(17), 400, classes, [1, 1, 1, 1],
                              ("target", "pred"))
    hdr = ["target", "pred"] + [f"proba_{c}" for c in classes]
    f = out.write("multiclass_numeric_sort.csv", to_text(rows, hdr))
    out.case("multiclass_numeric_sort", f, "target", "pred",
             proba={c: f"proba_{c}" for c in classes})

    # 16: string classes, no prediction column (argmax), columns in file in a
    # different order from the label order, and rows with exact ties.
    classes = ["bird", "cat", "dog", "fish"]
    rng = random.Random(18)
    rows = multiclass_rows(rng, 500, classes, [1, 2, 2, 1], ("actual", None))
    ties = [  # probabilities in class order bird, cat, dog, fish
        [250000, 250000, 250000, 250000],
        [100000, 100000, 400000, 400000],   # dog/fish tie -> dog
        [0, 450000, 100000, 450000],        # cat/fish tie -> cat
        [400000, 100000, 100000, 400000],   # bird/fish tie -> bird
        [300000, 300000, 300000, 100000],
        [0, 0, 500000, 500000],
    ]
    for i, r in enumerate(rows):
        if i % 10 == 3:
            r.update({f"proba_{c}": fmt_p(x)
                      for c, x in zip(classes, ties[(i // 10) % len(ties)])})
    hdr = ["actual", "proba_fish", "proba_cat", "proba_bird", "proba_dog"]
    f = out.write("multiclass_strings_argmax.csv", to_text(rows, hdr))
    out.case("multiclass_strings_argmax", f, "actual", None,
             proba={c: f"proba_{c}" for c in classes})

    # Extra: non-integral numeric labels written in several spellings, with
    # surrounding spaces (trimmed): 0.5, 1 (as 1 / 1.0), 2.5 (as 2.5 / 2.50).
    rng = random.Random(19)
    spell = {0: ["0.5", " 0.50"], 1: ["1", "1.0 "], 2: ["2.5", "2.50"]}
    rows = []
    for _ in range(60):
        y = rng.randrange(3)
        p = y if rng.random() < 0.7 else rng.randrange(3)
        rows.append({"label": rng.choice(spell[y]), "y_pred": rng.choice(spell[p])})
    f = out.write("multiclass_fractional_labels.csv", to_text(rows, ["label", "y_pred"]))
    out.case("multiclass_fractional_labels", f, "label", "y_pred")

    # 17: score only, prediction = score >= threshold; 3 decimals so that
    # scores of exactly 0.3 and 0.5 occur.
    rows = binary_rows(random.Random(20), 500, 200, digits=3, cols=("label", None, "score"))
    for i in range(6):  # make sure the threshold values themselves occur
        rows[i]["score"] = "0.300" if i % 2 else "0.500"
    f = out.write("binary_score_only.csv", to_text(rows, ["label", "score"]))
    out.case("binary_score_only_default_threshold", f, "label", None, "score")
    out.case("binary_score_only_threshold_0_3", f, "label", None, "score",
             args=["--threshold", "0.3"], threshold=0.3)

    # 18: many exact ties (1 decimal, including 0.0 and 1.0) ...
    cols = ("y_true", "y_pred", "score")
    rows = binary_rows(random.Random(21), 400, 150, digits=1, cols=cols)
    rows[0]["score"], rows[1]["score"] = "0.0", "1.0"
    f = out.write("binary_score_ties.csv", to_text(rows, list(cols)))
    out.case("binary_score_ties", f, *cols)
    # ... and all-equal scores (every row predicted positive at 0.5).
    rng = random.Random(22)
    rows = [{"label": str(int(rng.random() < 0.3)), "score": "0.5"} for _ in range(60)]
    f = out.write("binary_score_all_equal.csv", to_text(rows, ["label", "score"]))
    out.case("binary_score_all_equal", f, "label", None, "score")

    # 21: probabilities within 1e-15 of 0 and 1 (log_loss clipping at eps),
    # some of them confidently wrong.
    near = ["0", "1e-16", "2.220446049250313e-16", "5e-16", "1e-15", "0.000000000000001",
            "1", "0.9999999999999999", "0.9999999999999998", "0.999999999999999",
            "1.0", "0.5"]
    rows = []
    for i in range(40):
        rows.append({"label": str((i // len(near)) % 2), "score": near[i % len(near)]})
    f = out.write("binary_near_zero_one.csv", to_text(rows, ["label", "score"]))
    out.case("binary_near_zero_one", f, "label", None, "score")

    # Sample weights (--weight-col): binary with scores and predictions, ...
    rows = add_weights(random.Random(31), binary_rows(random.Random(30), 800, 300))
    hdr = ["label", "y_pred", "score", "weight"]
    f = out.write("weighted_binary.csv", to_text(rows, hdr))
    out.case("weighted_binary", f, "label", "y_pred", "score",
             args=["--weight-col", "weight"], weight="weight")
    out.case("weighted_binary_beta_2", f, "label", "y_pred", "score",
             args=["--weight-col", "weight", "--beta", "2"], beta=2.0, weight="weight")
    # ... scores only (predictions at the threshold), weights named in another case ...
    rows = binary_rows(random.Random(32), 500, 150, digits=3, cols=("label", None, "score"))
    rows = add_weights(random.Random(33), rows, column="w", zeros=0.1)
    f = out.write("weighted_score_only.csv", to_text(rows, ["label", "score", "w"]))
    out.case("weighted_score_only", f, "label", None, "score",
             args=["--weight-col", "w"], weight="w")
    # ... string classes with --pos-label ...
    cols = ("target", "prediction", "score")
    rows = binary_rows(random.Random(34), 400, 170, lab=("ham", "spam"), cols=cols)
    rows = add_weights(random.Random(35), rows, column="sample_weight")
    f = out.write("weighted_strings.csv",
                  to_text(rows, list(cols) + ["sample_weight"]))
    out.case("weighted_strings_pos_spam", f, *cols,
             args=["--weight-col", "sample_weight", "--pos-label", "spam"],
             pos_label="spam", weight="sample_weight")
    # ... multiclass probabilities with a prediction column ...
    classes = ["0", "1", "2", "3"]
    rows = multiclass_rows(random.Random(36), 700, classes, [3, 2, 2, 1],
                           ("label", "y_pred"))
    rows = add_weights(random.Random(37), rows)
    hdr = ["label", "y_pred"] + [f"proba_{c}" for c in classes] + ["weight"]
    f = out.write("weighted_multiclass.csv", to_text(rows, hdr))
    out.case("weighted_multiclass", f, "label", "y_pred",
             proba={c: f"proba_{c}" for c in classes},
             args=["--weight-col", "weight"], weight="weight")
    # ... and string classes predicted by the argmax of their probabilities.
    classes = ["bird", "cat", "dog"]
    rows = multiclass_rows(random.Random(38), 600, classes, [1, 2, 2], ("actual", None))
    rows = add_weights(random.Random(39), rows, zeros=0.1)
    hdr = ["actual", "proba_dog", "proba_bird", "proba_cat", "weight"]
    f = out.write("weighted_multiclass_strings.csv", to_text(rows, hdr))
    out.case("weighted_multiclass_strings", f, "actual", None,
             proba={c: f"proba_{c}" for c in classes},
             args=["--weight-col", "weight"], weight="weight")

    # Weights that leave a class out: every row labelled 3 weighs 0 (class 3 is still
    # predicted, with weight), so its recall and one-vs-rest metrics are undefined.
    classes = ["0", "1", "2", "3"]
    rows = multiclass_rows(random.Random(40), 400, classes, [2, 2, 1, 1],
                           ("label", "y_pred"), pred_noise=0.2)
    rows = add_weights(random.Random(41), rows, zeros=0.0)
    for r in rows:
        if r["label"] == "3":
            r["weight"] = "0.000"
    hdr = ["label", "y_pred"] + [f"proba_{c}" for c in classes] + ["weight"]
    f = out.write("weighted_zero_class.csv", to_text(rows, hdr))
    out.case("weighted_zero_class", f, "label", "y_pred",
             proba={c: f"proba_{c}" for c in classes},
             args=["--weight-col", "weight"], weight="weight")

    with open(os.path.join(out.dir, "cases.json"), "w") as fh:
        json.dump(out.cases, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
