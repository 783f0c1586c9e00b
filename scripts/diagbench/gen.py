#!/usr/bin/env python3
"""Generate the diagnosis benchmark: prediction logs of real scikit-learn models, with known
faults injected, and healthy logs with none.

    gen.py [--out target/diagbench] [--only NAME[,NAME]] [--list]

Every case is a directory OUT/cases/NAME holding
  current.csv     the log to evaluate: the model's predictions on held-out rows over 14 days
  reference.csv   (optional) the same model on an earlier, healthy fortnight
  train.csv       (optional) the same model's predictions on its own training rows
  case.json       name, kind (fault or healthy), family (the fault kind or healthy group),
                  story, the extra mlguard flags, what a right diagnosis is (expect), and
                  facts about the model and the injection (meta)

The logs are written as pandas writes them (`df.to_csv(index=False)`: floats as their
shortest round-trip repr, up to 17 significant digits; a label column with empty cells turns
into floats, 0.0/1.0, as it does in pandas). Columns: id, timestamp (RFC 3339 UTC), segment
(device), region, version (the app version, rolled out over time), label, prediction, and
score (binary: the probability of the positive class) or proba_<class> (multiclass).

Faults are injected where they happen in a real system: by changing the inputs the model sees
from some time, in some segment or version, and predicting again (a feature multiplied by 10,
zeroed, defaulted), or by changing what is served or logged (inverted or rounded scores,
swapped classes, missing or duplicated rows, flipped labels). Everything is deterministic:
each case draws from its own numpy generator seeded by its name, and every model has a fixed
random_state.

The expectations (case.json "expect") are the spec the diagnosis is judged against; see
docs/diagnosis-benchmark.md for what each field means and how score.py applies it.
"""
import os

# One thread for the models' numerical kernels: the benchmark shares two cores with builds,
# and results must not depend on the thread count.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import fnmatch  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402
from functools import lru_cache  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=FutureWarning)

UTC = timezone.utc
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CUR_START = datetime(2026, 5, 1, tzinfo=UTC)  # current log: 2026-05-01 .. 2026-05-15
REF_START = CUR_START - 14 * DAY  # reference: the fortnight before
TRAIN_START = CUR_START - 60 * DAY  # training rows: March and early April
DAYS = 14
CUR_END = CUR_START + DAYS * DAY

DEVICES = ["web", "ios", "android", "partner"]
DEVICE_SHARES = [0.45, 0.25, 0.22, 0.08]
REGIONS = ["us", "eu", "apac", "latam"]
REGION_SHARES = [0.40, 0.35, 0.15, 0.10]
# Share of traffic by hour of day (UTC): a day peak and a night trough.
HOURLY = np.array([3, 2, 2, 2, 2, 3, 4, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 6, 6, 5, 4, 3], float)
HOURLY /= HOURLY.sum()

# When a step fault starts, by seed: whole hours, away from the ends of the fortnight.
STEP_AT = [CUR_START + 7 * DAY + 6 * HOUR, CUR_START + 5 * DAY + 18 * HOUR,
           CUR_START + 9 * DAY + 12 * HOUR]
# The model family of the fault cases, by seed: the diagnosis must not depend on it.
FAULT_FAMILY = ["hgb", "lr", "rf"]

FEATURES = ["amount", "account_age_days", "sessions_7d", "basket_size", "discount_rate",
            "page_views", "time_on_site_s", "support_tickets", "distance_km", "items_returned",
            "rating_avg", "promo_clicks"]


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Mixed into every random stream of the logs when set (--salt): the same faults, models and
# worlds with other draws of rows, labels and fault details — a replication on data the
# diagnosis was not tuned on.
SALT = ""


def rng_for(*parts):
    parts = parts + (SALT,) if SALT else parts
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


# ------------------------------------------------------------------------------------ worlds

@dataclass
class World:
    """A data set split into the model's training rows and a pool of held-out rows."""
    name: str
    classes: list            # class names in label order (what the label column holds)
    pos_label: object        # the positive class of a binary task (None for multiclass)
    X_train: pd.DataFrame
    y_train: np.ndarray      # class indices into `classes`
    X_pool: pd.DataFrame
    y_pool: np.ndarray
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def binary(self):
        return len(self.classes) == 2

    @property
    def pos(self):
        return self.classes.index(self.pos_label) if self.binary else None


def with_units(Z, rng, names):
    """Give standardised features plausible units: x = scale * (z + 4), so a zero is far below
    anything seen in training (as a defaulted or zeroed feature is in real data)."""
    scale = rng.uniform(0.5, 25.0, Z.shape[1])
    return pd.DataFrame((Z + 4.0) * scale, columns=names)


def split(X, y, n_train, rng):
    order = rng.permutation(len(y))
    tr, po = order[:n_train], order[n_train:]
    return (X.iloc[tr].reset_index(drop=True), y[tr], X.iloc[po].reset_index(drop=True), y[po])


def augment(X, y, n, rng, bandwidth=0.25):
    """Grow a small held-out set to n rows by a smoothed bootstrap: each new row is a held-out
    row drawn at random plus Gaussian noise of `bandwidth` times its class's standard deviation
    per feature (a kernel density estimate of each class, sampled). Unlike interpolation
    between neighbours (SMOTE), this keeps the classes' spread, so the grown set is as hard as
    the held-out rows, not easier. Features that are never negative stay non-negative. The
    originals are kept; no new row is an exact copy."""
    Xv = X.to_numpy(float)
    nonneg = (Xv >= 0).all(0)
    parts_X, parts_y = [Xv], [y]
    need = n - len(y)
    classes, counts = np.unique(y, return_counts=True)
    for c, cnt in zip(classes, counts):
        m = int(round(need * cnt / len(y)))
        if m <= 0:
            continue
        Xc = Xv[y == c]
        sd = Xc.std(0)
        base = Xc[rng.integers(0, len(Xc), m)]
        new = base + rng.normal(0, 1, base.shape) * (bandwidth * sd)
        new[:, nonneg] = np.abs(new[:, nonneg])
        parts_X.append(new)
        parts_y.append(np.full(m, c))
    Xa = np.vstack(parts_X)
    ya = np.concatenate(parts_y)
    order = rng.permutation(len(ya))
    return pd.DataFrame(Xa[order], columns=X.columns), ya[order]


@lru_cache(maxsize=None)
def synth_world(seed, flip_y=0.03, n_classes=2):
    """make_classification with named features in plausible units: 36,000 rows, 12,000 to
    train on, the rest held out. Binary: 30% positives."""
    rng = rng_for("synth", seed, flip_y, n_classes)
    if n_classes == 2:
        Z, y = make_classification(n_samples=36000, n_features=12, n_informative=6,
                                   n_redundant=2, n_clusters_per_class=2, weights=[0.7],
                                   flip_y=flip_y, class_sep=1.0, random_state=seed)
        classes, pos = [0, 1], 1
    else:
        Z, y = make_classification(n_samples=36000, n_features=12, n_informative=8,
                                   n_redundant=2, n_classes=n_classes, n_clusters_per_class=1,
                                   weights=[0.35, 0.3, 0.2, 0.15][:n_classes], flip_y=flip_y,
                                   class_sep=1.2, random_state=seed)
        classes, pos = ["bird", "cat", "dog", "fish"][:n_classes], None
    X = with_units(Z, rng, FEATURES)
    Xt, yt, Xp, yp = split(X, y, 12000, rng)
    return World(f"make_classification(seed={seed}, flip_y={flip_y}, classes={n_classes})",
                 classes, pos, Xt, yt, Xp, yp)


@lru_cache(maxsize=None)
def logistic_world(seed):
    """Rows whose label follows a known logistic model of the features, so that the
    feature-label relation itself can be changed (concept drift): 36,000 rows, 12,000 to
    train on. The latent standardised features and coefficients are kept in `extra`."""
    rng = rng_for("logistic", seed)
    d = 10
    A = rng.normal(0, 0.4, (d, d))
    cov = A @ A.T + np.eye(d)
    sd = np.sqrt(np.diag(cov))
    cov = cov / np.outer(sd, sd)
    Z = rng.multivariate_normal(np.zeros(d), cov, 36000)
    beta = np.array([2.0, -1.5, 1.2, 0.8, -0.6, 0.5, 0.0, 0.0, 0.3, 0.0])
    b0 = -1.2
    y = (rng.random(len(Z)) < 1 / (1 + np.exp(-(Z @ beta + b0)))).astype(int)
    X = with_units(Z, rng, FEATURES[:d])
    order = rng.permutation(len(y))
    tr, po = order[:12000], order[12000:]
    w = World(f"logistic ground truth (seed={seed})", [0, 1], 1,
              X.iloc[tr].reset_index(drop=True), y[tr], X.iloc[po].reset_index(drop=True),
              y[po])
    w.extra = {"Z_pool": Z[po], "beta": beta, "b0": b0}
    return w


@lru_cache(maxsize=None)
def bundled_world(name, seed, pool=14000):
    """A data set bundled with scikit-learn: 60% to train on, the held-out 40% grown to
    `pool` rows by interpolation (see augment)."""
    rng = rng_for("bundled", name, seed)
    if name == "breast_cancer":
        d = load_breast_cancer()
        # sklearn's target is 1 for benign; the positive class here is the disease.
        classes = ["benign", "malignant"]
        y = np.where(d.target == 1, 0, 1)
        pos = "malignant"
    elif name == "wine":
        d = load_wine()
        classes = ["barolo", "grignolino", "barbera"]
        y, pos = d.target, None
    elif name == "iris":
        d = load_iris()
        classes = ["setosa", "versicolor", "virginica"]
        y, pos = d.target, None
    elif name == "digits":
        d = load_digits()
        classes = [str(i) for i in range(10)]
        y, pos = d.target, None
    else:
        raise ValueError(name)
    cols = [str(c).replace(" ", "_") for c in (d.feature_names if hasattr(d, "feature_names")
                                              else range(d.data.shape[1]))]
    X = pd.DataFrame(d.data, columns=cols)
    Xt, yt, Xh, yh = split(X, y, int(round(0.6 * len(y))), rng)
    Xp, yp = augment(Xh, yh, pool, rng)
    return World(f"{name} (seed={seed}, {len(yh)} held-out rows grown to {pool})", classes,
                 pos, Xt, yt, Xp, yp)


# ------------------------------------------------------------------------------------ models

def make_model(family, seed, n_train):
    if family == "lr":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    if family == "rf":
        return RandomForestClassifier(n_estimators=100, min_samples_leaf=5, n_jobs=1,
                                      random_state=seed)
    if family == "hgb":
        return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1,
                                              random_state=seed)
    if family == "svc":
        return make_pipeline(StandardScaler(), SVC(C=1.0, probability=True, random_state=seed))
    if family == "nb":
        return GaussianNB()
    if family == "mlp":
        # Early stopping holds out 10% of the training rows: only worth it on larger sets.
        return make_pipeline(StandardScaler(), MLPClassifier(
            hidden_layer_sizes=(32, 16), alpha=1e-3, early_stopping=n_train > 2000,
            max_iter=300 if n_train > 2000 else 1000, random_state=seed))
    # Over-fitted models for the overfitting fault: no depth limit, no early stopping.
    if family == "rf_deep":
        return RandomForestClassifier(n_estimators=100, min_samples_leaf=1, max_features=0.5,
                                      n_jobs=1, random_state=seed)
    if family == "hgb_deep":
        return HistGradientBoostingClassifier(max_iter=400, learning_rate=0.2,
                                              max_leaf_nodes=127, min_samples_leaf=2,
                                              early_stopping=False, random_state=seed)
    if family == "tree":
        return DecisionTreeClassifier(min_samples_leaf=1, random_state=seed)
    if family == "prior":
        return DummyClassifier(strategy="prior")
    raise ValueError(family)


MODEL_NAMES = {"lr": "LogisticRegression", "rf": "RandomForestClassifier",
               "hgb": "HistGradientBoostingClassifier", "svc": "SVC(probability=True)",
               "nb": "GaussianNB", "mlp": "MLPClassifier", "rf_deep": "deep RandomForest",
               "hgb_deep": "deep HistGradientBoosting", "tree": "DecisionTreeClassifier",
               "prior": "DummyClassifier(prior)"}

# SVC's Platt scaling fits five extra models: train it on fewer rows to keep the run short.
MAX_TRAIN = {"svc": 4000}

_models = {}


def fitted(world, family, seed):
    key = (world.name, family, seed)
    if key not in _models:
        n = min(len(world.y_train), MAX_TRAIN.get(family, 20000))
        m = make_model(family, seed, n)
        m.fit(world.X_train.iloc[:n], world.y_train[:n])
        _models[key] = (m, n)
    return _models[key][0]


def proba(model, X):
    return np.asarray(model.predict_proba(X), float)


def logit(p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return np.log(p) - np.log1p(-p)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@lru_cache(maxsize=None)
def _importance(world_name, family, seed):
    """Features by how much accuracy falls when each is shuffled (permutation importance on
    3,000 held-out rows), most important first."""
    world = _worlds[world_name]
    model = fitted(world, family, seed)
    rng = rng_for("importance", world_name, family, seed)
    X = world.X_pool.iloc[:3000].copy()
    y = world.y_pool[:3000]
    base = np.mean(proba(model, X).argmax(1) == y)
    drops = []
    for c in X.columns:
        Xs = X.copy()
        Xs[c] = rng.permutation(Xs[c].to_numpy())
        drops.append(base - np.mean(proba(model, Xs).argmax(1) == y))
    return tuple(X.columns[np.argsort(drops)[::-1]])


_worlds = {}


def important(world, family, seed, k=1):
    _worlds[world.name] = world
    return list(_importance(world.name, family, seed)[:k])


def ece(p, y, bins=15):
    """Expected calibration error of positive-class probabilities, bins as mlguard's."""
    idx = np.clip(np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], p, side="left"), 0,
                  bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(p[m].mean() - y[m].mean())
    return total / len(p)


# ------------------------------------------------------------------------------------ logs

def times(rng, n, start):
    """n times over 14 days from start, with a daily traffic cycle, sorted."""
    day = rng.integers(0, DAYS, n)
    hour = rng.choice(24, n, p=HOURLY)
    sec = rng.integers(0, 3600, n)
    off = np.sort(day * 86400 + hour * 3600 + sec)
    return pd.to_datetime(start) + pd.to_timedelta(off, unit="s")


def rollout(rng, t, versions, mid, width=DAY):
    """App versions: `versions` = (lingering, old, new): 8% of rows stay on an old client, the
    rest move from old to new along a logistic curve whose midpoint is `mid`."""
    lingering, old, new = versions
    hours = (t - pd.Timestamp(mid)).total_seconds().to_numpy() / 3600
    share_new = 1 / (1 + np.exp(-hours / (width / HOUR / 3)))
    u = rng.random(len(t))
    out = np.where(u < share_new * 0.92, new, old).astype(object)
    out[rng.random(len(t)) < 0.08] = lingering
    return out


@dataclass
class Log:
    """One prediction log being built: its rows' features, labels and metadata."""
    world: World
    X: pd.DataFrame
    y: np.ndarray
    meta: pd.DataFrame          # id, timestamp, segment, region, version
    P: np.ndarray = None        # probabilities, one column per class in label order
    pred: np.ndarray = None     # predicted class index
    label_missing: np.ndarray = None
    rows: np.ndarray = None     # the pool rows, in log order
    logged: bool = False        # whether the log carries the model's inputs as served

    @property
    def t(self):
        return self.meta["timestamp"]

    def after(self, when):
        return (self.t >= pd.Timestamp(when)).to_numpy()

    def seg(self, column, value):
        return (self.meta[column] == value).to_numpy()

    def predict(self, model):
        self.P = proba(model, self.X)
        self.pred = self.P.argmax(1)
        return self

    def frame(self):
        w = self.world
        df = self.meta.copy()
        df["timestamp"] = [iso(x) for x in df["timestamp"]]
        cls = np.array(w.classes, dtype=object)
        label = pd.Series(cls[self.y])
        if self.label_missing is not None and self.label_missing.any():
            label[self.label_missing] = np.nan
            if all(isinstance(c, int) for c in w.classes):
                label = label.astype(float)  # as pandas leaves an int column with gaps
        df["label"] = label.to_numpy()
        df["prediction"] = cls[self.pred]
        if w.binary:
            df["score"] = self.P[:, w.pos]
        else:
            for j, c in enumerate(w.classes):
                df[f"proba_{c}"] = self.P[:, j]
        if self.logged:
            for c in self.X.columns:
                df[c] = self.X[c].to_numpy()
        return df

    def accuracy(self):
        keep = np.ones(len(self.y), bool) if self.label_missing is None else ~self.label_missing
        return float(np.mean(self.pred[keep] == self.y[keep]))


def new_log(world, rows, rng, start, id0, versions, mid, segment_of=None):
    """A log of the pool rows `rows`, with times from `start`, devices, regions and the app
    rollout. `segment_of` forces the device of some rows (an array of names or None)."""
    n = len(rows)
    t = times(rng, n, start)
    order = rng.permutation(n)  # rows arrive in random order over the fortnight
    rows = np.asarray(rows)[order]
    seg = rng.choice(DEVICES, n, p=DEVICE_SHARES).astype(object)
    if segment_of is not None:
        forced = np.asarray(segment_of, dtype=object)[order]
        seg = np.where(pd.isna(forced), seg, forced)
    meta = pd.DataFrame({
        "id": id0 + np.arange(n),
        "timestamp": t,
        "segment": seg,
        "region": rng.choice(REGIONS, n, p=REGION_SHARES),
        "version": rollout(rng, t, versions, mid),
    })
    return Log(world, world.X_pool.iloc[rows].reset_index(drop=True).copy(),
               world.y_pool[rows].copy(), meta, rows=rows)


CUR_VERSIONS = ("3.0.4", "3.1.0", "3.2.0")
REF_VERSIONS = ("3.0.4", "3.0.4", "3.1.0")


@dataclass
class Periods:
    current: Log
    reference: Log = None
    train: Log = None


def periods(world, rng, n_cur=10000, n_ref=6000, reference=True, train=True,
            rollout_mid=None, cur_rows=None, ref_rows=None, cur_segments=None,
            ref_segments=None):
    """The current log, and optionally the reference and training logs, of one world. The
    pool's first half feeds the reference, the second half the current log, so the two share
    no row."""
    half = len(world.y_pool) // 2
    if cur_rows is None:
        cur_rows = half + rng.choice(len(world.y_pool) - half, n_cur, replace=False)
    if ref_rows is None:
        ref_rows = rng.choice(half, n_ref, replace=False)
    mid = rollout_mid or (CUR_START + 6 * DAY)
    cur = new_log(world, cur_rows, rng, CUR_START, 5_000_000, CUR_VERSIONS, mid, cur_segments)
    ref = (new_log(world, ref_rows, rng, REF_START, 4_000_000, REF_VERSIONS,
                   REF_START + 7 * DAY, ref_segments) if reference else None)
    tr = None
    if train:
        n = min(len(world.y_train), 12000)
        tw = World(world.name, world.classes, world.pos_label, world.X_train, world.y_train,
                   world.X_train.iloc[:n], world.y_train[:n])
        tr = new_log(tw, np.arange(n), rng, TRAIN_START, 1_000_000, REF_VERSIONS,
                     TRAIN_START + 7 * DAY)
        tr.meta["timestamp"] = times(rng, n, TRAIN_START)  # no rollout story in training
        tr.meta["version"] = "3.0.4"
    return Periods(cur, ref, tr)


# ------------------------------------------------------------------------------------ cases

@dataclass
class Case:
    name: str
    kind: str                  # fault | healthy
    family: str                # fault kind or healthy group
    story: str
    expect: dict
    logs: Periods
    flags: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def write(self, root):
        d = os.path.join(root, "cases", self.name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        files = {"current": self.logs.current, "reference": self.logs.reference,
                 "train": self.logs.train}
        facts = dict(self.meta)
        for key, log in files.items():
            if log is None:
                continue
            df = log.frame()
            df.to_csv(os.path.join(d, f"{key}.csv"), index=False)
            facts[f"{key}_rows"] = len(df)
            facts[f"{key}_accuracy"] = round(log.accuracy(), 4)
        doc = {"name": self.name, "kind": self.kind, "family": self.family,
               "story": self.story, "flags": ["--segment-col", "region"] + self.flags,
               "expect": self.expect, "meta": facts}
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


def fault(categories, codes, place=None, forbid=None):
    e = {"categories": categories, "codes": codes, "place": place}
    if forbid:
        e["forbid"] = forbid
    return e


def at(t, hours=24):
    return {"time": iso(t), "tolerance_hours": hours}


def model_meta(world, family, seed):
    m = fitted(world, family, seed)
    return {"data": world.name, "model": MODEL_NAMES[family],
            "trained_on_rows": _models[(world.name, family, seed)][1],
            "model_detail": repr(m)[:300]}


def binary_world(seed):
    return synth_world(seed)


def standard(seed, **kw):
    """The binary world, model and logs most faults start from."""
    family = FAULT_FAMILY[seed]
    w = binary_world(seed)
    m = fitted(w, family, seed)
    rng = rng_for("logs", kw.pop("tag"), seed)
    logs = periods(w, rng, **kw)
    return w, m, family, rng, logs


def predict_all(logs, model):
    for log in (logs.current, logs.reference, logs.train):
        if log is not None:
            log.predict(model)


def ignore_input(log, mask, world, rng):
    """The model's inputs replaced by defaults: every feature at its training mean, with a
    little noise (a feature service that returns defaults)."""
    mu = world.X_train.mean()
    sd = world.X_train.std()
    n = int(mask.sum())
    noise = rng.normal(0, 0.02, (n, len(mu))) * sd.to_numpy()
    log.X.loc[mask, :] = mu.to_numpy() + noise


# Each builder takes the seed and returns a Case.

def c_collapse(seed):
    T = STEP_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="collapse")
    cur = logs.current
    ignore_input(cur, cur.after(T), w, rng)
    predict_all(logs, m)
    return Case(f"collapse-s{seed}", "fault", "collapse",
                f"from {iso(T)} the feature service returns defaults: the model ignores its "
                "input and predicts one class",
                fault(["deployment"], ["deployment.collapse", "deployment.step_change"], at(T)),
                logs, meta={**model_meta(w, fam, seed), "fault_at": iso(T)})


def c_feature_x10(seed):
    T = STEP_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="x10")
    f = important(w, fam, seed)[0]
    cur = logs.current
    cur.X.loc[cur.after(T), f] *= 10
    predict_all(logs, m)
    return Case(f"feature_x10-s{seed}", "fault", "feature_x10",
                f"from {iso(T)} the feature '{f}' arrives in other units (x10)",
                fault(["deployment", "data"], ["deployment.step_change",
                                               "deployment.serving_skew",
                                               "deployment.score_drift"], at(T)),
                logs, meta={**model_meta(w, fam, seed), "fault_at": iso(T), "feature": f})


def c_feature_zeroed_version(seed):
    T = STEP_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="zeroed", rollout_mid=T)
    f = important(w, fam, seed)[0]
    cur = logs.current
    cur.X.loc[cur.after(T), f] = 0.0
    predict_all(logs, m)
    new = cur.meta["version"] == CUR_VERSIONS[2]
    share_at = float(new[(cur.t >= pd.Timestamp(T) - 3 * HOUR)
                         & (cur.t < pd.Timestamp(T) + 3 * HOUR)].mean())
    return Case(f"feature_zeroed_version_confounded-s{seed}", "fault",
                "feature_zeroed_version_confounded",
                f"from {iso(T)} the feature '{f}' is zeroed for every version; app version "
                f"{CUR_VERSIONS[2]} rolls out at the same time (half the rows at {iso(T)}), so "
                "version and time are confounded",
                fault(["deployment", "data"], ["deployment.step_change",
                                               "deployment.serving_skew"], at(T),
                      forbid={"codes": ["deployment.version_gap"], "min_severity": "warning"}),
                logs, meta={**model_meta(w, fam, seed), "fault_at": iso(T), "feature": f,
                            "new_version_share_at_fault": round(share_at, 3)})


SEGMENT_BY_SEED = ["android", "ios", "partner"]


def c_segment_broken_since(seed):
    T = STEP_AT[seed]
    s = SEGMENT_BY_SEED[seed]
    w, m, fam, rng, logs = standard(seed, tag="segbroken")
    f = important(w, fam, seed)[0]
    cur = logs.current
    cur.X.loc[cur.after(T) & cur.seg("segment", s), f] = 0.0
    predict_all(logs, m)
    return Case(f"segment_broken_since-s{seed}", "fault", "segment_broken_since",
                f"from {iso(T)} the {s} client stops sending '{f}' (it arrives as 0); "
                f"{s} was fine in the reference",
                fault(["deployment", "data"],
                      ["data.weak_segment", "data.segment_degraded", "deployment.step_change", "deployment.version_gap",
                       "deployment.serving_skew", "deployment.degraded_window"],
                      {"segment": s}),
                logs, meta={**model_meta(w, fam, seed), "fault_at": iso(T), "feature": f,
                            "segment": s})


def c_weak_segment_vs_reference(seed):
    s = ["ios", "android", "web"][seed]
    w, m, fam, rng, logs = standard(seed, tag="weakseg")
    fs = important(w, fam, seed, 2)
    cur = logs.current
    mask = cur.seg("segment", s)
    for f in fs:
        sd = w.X_train[f].std()
        cur.X.loc[mask, f] += rng.normal(0, 1.0 * sd, int(mask.sum()))
    predict_all(logs, m)
    return Case(f"weak_segment_vs_reference-s{seed}", "fault", "weak_segment_vs_reference",
                f"for the whole fortnight the {s} segment's features {fs} are noisy (a client "
                f"bug); {s} was as good as the rest in the reference",
                fault(["data", "deployment"], ["data.weak_segment", "data.segment_degraded", "deployment.serving_skew"],
                      {"segment": s}),
                logs, meta={**model_meta(w, fam, seed), "features": fs, "segment": s})


OVERCONFIDENT_FAMILY = ["hgb", "lr", "mlp"]


def c_overconfident(seed):
    # Models whose own probabilities are close to calibrated (a random forest's are
    # under-confident, and sharpening them would only mend that).
    fam = OVERCONFIDENT_FAMILY[seed]
    w = synth_world(seed, 0.1)  # noisier labels: more rows where confidence matters
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "overconf", seed)
    logs = periods(w, rng)
    predict_all(logs, m)
    before = ece(logs.current.P[:, 1], logs.current.y)
    for log in (logs.current, logs.reference, logs.train):
        p = sigmoid(3 * logit(log.P[:, 1]))
        log.P = np.column_stack([1 - p, p])
        log.pred = (p > 0.5).astype(int)
    return Case(f"overconfident-s{seed}", "fault", "overconfident",
                "the model's logits are three times too large (temperature 1/3): the same "
                "decisions, over-confident probabilities, in every period",
                fault(["training"], ["training.miscalibration"]),
                logs, meta={**model_meta(w, fam, seed), "logit_scale": 3,
                            "ece_before": round(before, 4),
                            "ece": round(ece(logs.current.P[:, 1], logs.current.y), 4)})


def c_underfit_prior(seed):
    w = binary_world(seed)
    m = fitted(w, "prior", seed)
    rng = rng_for("logs", "underfit", seed)
    logs = periods(w, rng, reference=False)
    predict_all(logs, m)
    for log in (logs.current, logs.train):
        p = np.clip(log.P[:, 1] + rng.normal(0, 0.003, len(log.y)), 0, 1)
        log.P = np.column_stack([1 - p, p])
        log.pred = (p > 0.5).astype(int)
    return Case(f"underfit_prior-s{seed}", "fault", "underfit_prior",
                "the model learnt nothing: it scores every row at the base rate (plus noise "
                "below 0.01), on its training rows as in production, from the first hour",
                fault(["training"], ["training.underfitting"],
                      forbid={"codes": ["deployment.collapse"], "min_severity": "warning"}),
                logs, meta={**model_meta(w, "prior", seed),
                            "base_rate": round(float(w.y_train.mean()), 4)})


def c_other_class_scores(seed):
    fam = ["lr", "rf", "hgb"][seed]
    w = bundled_world("breast_cancer", seed)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "otherclass", seed)
    logs = periods(w, rng, n_cur=5000, reference=False, train=False)
    predict_all(logs, m)
    cur = logs.current
    cur.P = cur.P[:, ::-1].copy()  # the score column holds P(benign), not P(malignant)
    cur.pred = 1 - cur.P.argmax(1)  # the prediction column is still the model's own
    return Case(f"other_class_scores-s{seed}", "fault", "other_class_scores",
                "the score column holds the probability of 'benign' (predict_proba[:, 1] of "
                "scikit-learn's encoding) while the positive class is 'malignant'; the "
                "prediction column is right",
                fault(["deployment"], ["deployment.inverted_scores"]), logs,
                flags=["--pos-label", "malignant"], meta=model_meta(w, fam, seed))


def c_inverted_scores_version(seed):
    w, m, fam, rng, logs = standard(seed, tag="invversion")
    predict_all(logs, m)
    cur = logs.current
    v = CUR_VERSIONS[2]
    mask = cur.seg("version", v)
    cur.P[mask] = cur.P[mask][:, ::-1]
    cur.pred[mask] = cur.P[mask].argmax(1)
    return Case(f"inverted_scores_version-s{seed}", "fault", "inverted_scores_version",
                f"app version {v} serves 1 - p as the score, and its predictions follow the "
                "inverted score",
                fault(["deployment"], ["deployment.inverted_scores"], {"version": v}), logs,
                meta={**model_meta(w, fam, seed), "version": v,
                      "version_share": round(float(mask.mean()), 3)})


RAMP_FROM = CUR_START + 2 * DAY
RAMP_TO = CUR_START + 12 * DAY


def c_gradual_drift(seed):
    fam = FAULT_FAMILY[seed]
    w = logistic_world(seed)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "gradual", seed)
    logs = periods(w, rng)
    cur = logs.current
    # New labels from a relation that moves over ten days: the strongest feature's effect
    # fades and turns round, the second one's doubles.
    beta, b0 = w.extra["beta"], w.extra["b0"]
    beta2 = beta.copy()
    beta2[0], beta2[1] = -beta[0], 2 * beta[1]
    frac = np.clip((cur.t - pd.Timestamp(RAMP_FROM)).dt.total_seconds().to_numpy()
                   / (RAMP_TO - RAMP_FROM).total_seconds(), 0, 1)
    Zc = w.extra["Z_pool"][cur.rows]
    z = Zc @ beta * (1 - frac) + Zc @ beta2 * frac + b0
    drifted = frac > 0
    newy = (rng.random(len(z)) < sigmoid(z)).astype(int)
    cur.y = np.where(drifted, newy, cur.y)
    predict_all(logs, m)
    mid = RAMP_FROM + (RAMP_TO - RAMP_FROM) / 2
    return Case(f"gradual_drift-s{seed}", "fault", "gradual_drift",
                f"the feature-label relation drifts from {iso(RAMP_FROM)} to {iso(RAMP_TO)}: "
                "the strongest feature's effect fades and reverses (concept drift); inputs "
                "and scores do not move",
                fault(["data", "deployment"], ["data.concept_drift", "deployment.step_change",
                                               "deployment.degraded_window"],
                      {"time_from": iso(RAMP_FROM - 12 * HOUR), "time_to": iso(mid)}),
                logs, meta={**model_meta(w, fam, seed), "ramp_from": iso(RAMP_FROM),
                            "ramp_to": iso(RAMP_TO)})


def c_score_rounding(seed):
    T = STEP_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="rounding")
    predict_all(logs, m)
    cur = logs.current
    mask = cur.after(T)
    p = np.round(cur.P[mask, 1], 1)
    cur.P[mask] = np.column_stack([1 - p, p])
    return Case(f"score_rounding-s{seed}", "fault", "score_rounding",
                f"from {iso(T)} the score is serialised with one decimal; the predictions are "
                "still the model's own",
                fault(["deployment"], ["deployment.score_resolution"], at(T)), logs,
                meta={**model_meta(w, fam, seed), "fault_at": iso(T)})


def c_labels_missing_segment(seed):
    s = ["partner", "android", "ios"][seed]
    w, m, fam, rng, logs = standard(seed, tag="labmissseg")
    predict_all(logs, m)
    cur = logs.current
    cur.label_missing = cur.seg("segment", s) & (rng.random(len(cur.y)) < 0.6)
    return Case(f"labels_missing_segment-s{seed}", "fault", "labels_missing_segment",
                f"60% of the {s} segment's labels never arrive (empty label cells)",
                fault(["data"], ["data.label_delay", "data.missing_values"], {"segment": s}),
                logs, flags=["--skip-invalid"],
                meta={**model_meta(w, fam, seed), "segment": s,
                      "missing_share": round(float(cur.label_missing.mean()), 4)})


def c_labels_missing_recent(seed):
    w, m, fam, rng, logs = standard(seed, tag="labmissrecent")
    predict_all(logs, m)
    cur = logs.current
    # Labels arrive 1 to 3 days after the prediction: the last days are partly unlabelled.
    delay = rng.uniform(1, 3, len(cur.y)) * 86400
    age = (pd.Timestamp(CUR_END) - cur.t).dt.total_seconds().to_numpy()
    cur.label_missing = age < delay
    return Case(f"labels_missing_recent-s{seed}", "fault", "labels_missing_recent",
                "labels arrive 1 to 3 days after the prediction: the last three days are "
                "partly, the last day wholly, unlabelled",
                fault(["data"], ["data.label_delay"],
                      {"time_from": iso(CUR_END - 3 * DAY - 12 * HOUR),
                       "time_to": iso(CUR_END - DAY)}),
                logs, flags=["--skip-invalid"],
                meta={**model_meta(w, fam, seed),
                      "missing_share": round(float(cur.label_missing.mean()), 4)})


def c_retry_duplicates(seed):
    region = ["apac", "eu", "latam"][seed]
    d0 = CUR_START + [3, 6, 8][seed] * DAY
    w, m, fam, rng, logs = standard(seed, tag="retrydup")
    predict_all(logs, m)
    cur = logs.current
    hit = cur.seg("region", region) & (cur.t >= pd.Timestamp(d0)).to_numpy() & \
        (cur.t < pd.Timestamp(d0 + 4 * DAY)).to_numpy() & (rng.random(len(cur.y)) < 0.5)
    # Each hit row is written twice, back to back: a logging retry.
    rep = np.where(hit, 2, 1)
    idx = np.repeat(np.arange(len(cur.y)), rep)
    cur.X = cur.X.iloc[idx].reset_index(drop=True)
    cur.y = cur.y[idx]
    cur.meta = cur.meta.iloc[idx].reset_index(drop=True)
    cur.P, cur.pred = cur.P[idx], cur.pred[idx]
    return Case(f"retry_duplicates-s{seed}", "fault", "retry_duplicates",
                f"from {iso(d0)} for four days a logging retry in region {region} writes half "
                "of its rows twice (identical rows, same id)",
                fault(["data"], ["data.duplicate_rows"], {"segment": region}), logs,
                meta={**model_meta(w, fam, seed), "region": region, "from": iso(d0),
                      "duplicate_rows": int(hit.sum())})


def multiclass_world(seed):
    return [lambda: synth_world(seed, 0.03, 4), lambda: bundled_world("wine", seed),
            lambda: bundled_world("iris", seed)][seed]()


def c_class_swap_after(seed):
    T = STEP_AT[seed]
    w = multiclass_world(seed)
    fam = ["hgb", "lr", "rf"][seed]
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "classswap", seed)
    n = 10000 if seed == 0 else 5000
    logs = periods(w, rng, n_cur=n, n_ref=min(n, 6000))
    predict_all(logs, m)
    cur = logs.current
    a, b = (1, 2) if seed == 0 else (0, 1)  # cat/dog; barolo/grignolino; setosa/versicolor
    mask = cur.after(T)
    perm = np.arange(len(w.classes))
    perm[a], perm[b] = b, a
    cur.P[mask] = cur.P[mask][:, perm]
    cur.pred[mask] = perm[cur.pred[mask]]
    names = [w.classes[a], w.classes[b]]
    return Case(f"class_swap_after-s{seed}", "fault", "class_swap_after",
                f"from {iso(T)} the serving label map swaps {names[0]} and {names[1]}: their "
                "predictions and probability columns trade places",
                fault(["deployment"], ["deployment.class_permutation",
                                       "deployment.step_change"], at(T)), logs,
                meta={**model_meta(w, fam, seed), "fault_at": iso(T), "classes": names})


def c_class_shift_by_one(seed):
    w = [lambda: bundled_world("digits", seed), lambda: synth_world(seed, 0.03, 4),
         lambda: bundled_world("wine", seed)][seed]()
    fam = ["lr", "hgb", "rf"][seed]
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "classshift", seed)
    logs = periods(w, rng, n_cur=6000, reference=False)
    predict_all(logs, m)
    cur = logs.current
    k = len(w.classes)
    cur.P = np.roll(cur.P, 1, axis=1)  # column j holds the probability of class j - 1
    cur.pred = (cur.pred + 1) % k
    return Case(f"class_shift_by_one-s{seed}", "fault", "class_shift_by_one",
                "the serving label map is off by one: every predicted class index, and the "
                "probability columns, are shifted by one class, for the whole period; the "
                "training predictions (scored offline) are right",
                fault(["deployment"], ["deployment.class_permutation"]), logs,
                meta=model_meta(w, fam, seed))


OUTAGE_AT = [CUR_START + 8 * DAY + 9 * HOUR, CUR_START + 4 * DAY + 14 * HOUR,
             CUR_START + 10 * DAY + 12 * HOUR]


def c_outage(seed):
    O = OUTAGE_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="outage", n_cur=12000)
    cur = logs.current
    mask = cur.after(O) & ~cur.after(O + 6 * HOUR)
    ignore_input(cur, mask, w, rng)
    predict_all(logs, m)
    return Case(f"outage-s{seed}", "fault", "outage",
                f"from {iso(O)} for six hours the feature service is down (defaults only), "
                "then it recovers",
                fault(["deployment"], ["deployment.degraded_window"], at(O, 12)), logs,
                meta={**model_meta(w, fam, seed), "outage_from": iso(O),
                      "outage_rows": int(mask.sum())})


def c_old_model_segment(seed):
    s = SEGMENT_BY_SEED[seed]
    w, m, fam, rng, logs = standard(seed, tag="oldmodel")
    predict_all(logs, m)
    # The old model: a logistic regression on five of the features, trained on 1,500 rows.
    cols = list(w.X_train.columns[[1, 3, 5, 7, 9]])
    old = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    old.fit(w.X_train[cols].iloc[:1500], w.y_train[:1500])
    cur = logs.current
    mask = cur.seg("segment", s)
    cur.P[mask] = proba(old, cur.X.loc[mask, cols])
    cur.pred[mask] = cur.P[mask].argmax(1)
    return Case(f"old_model_segment-s{seed}", "fault", "old_model_segment",
                f"the {s} traffic is routed to an older, weaker model (5 features) for the "
                f"whole fortnight; in the reference {s} got the current model",
                fault(["deployment"], ["deployment.version_gap", "deployment.serving_skew",
                                       "deployment.score_drift"], {"segment": s}), logs,
                meta={**model_meta(w, fam, seed), "segment": s,
                      "old_model": "LogisticRegression on 5 features, 1500 rows"})


HARD_SHARE = 0.25


def mixed_rows(world, model, rows, n, hard_share, rng):
    """n of the pool rows `rows` for a log in which a share `hard_share` is the 'partner'
    segment. The pool is split once by the model's margin |logit|: the 25% of rows where it
    is smallest are the partner population (ambiguous cases), the rest are the other devices'
    population; each period draws uniformly from both, so every segment is as hard in one
    period as in another and only the mix can change. Returns (rows, devices)."""
    z = np.abs(logit(proba(model, world.X_pool)[:, 1]))
    hard_pool = z <= np.quantile(z, HARD_SHARE)
    rows = np.asarray(rows)
    n_hard = int(round(n * hard_share))
    hard = rng.choice(rows[hard_pool[rows]], n_hard, replace=False)
    rest = rng.choice(rows[~hard_pool[rows]], n - n_hard, replace=False)
    others = np.array(["web", "ios", "android"], dtype=object)
    p = np.array(DEVICE_SHARES[:3]) / sum(DEVICE_SHARES[:3])
    seg = np.concatenate([np.full(n_hard, "partner", dtype=object),
                          rng.choice(others, n - n_hard, p=p)])
    return np.concatenate([hard, rest]), seg


def partner_accuracy(logs):
    acc = {}
    for key, log in (("reference", logs.reference), ("current", logs.current)):
        p = log.seg("segment", "partner")
        acc[key] = {"partner": round(float(np.mean(log.pred[p] == log.y[p])), 4),
                    "rest": round(float(np.mean(log.pred[~p] == log.y[~p])), 4)}
    return acc


def c_population_shift(seed):
    fam = FAULT_FAMILY[seed]
    w = binary_world(seed)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "popshift", seed)
    half = len(w.y_pool) // 2
    ref_rows, ref_seg = mixed_rows(w, m, np.arange(half), 6000, 0.08, rng)
    cur_rows, cur_seg = mixed_rows(w, m, np.arange(half, len(w.y_pool)), 8000, 0.30, rng)
    logs = periods(w, rng, cur_rows=cur_rows, ref_rows=ref_rows, cur_segments=cur_seg,
                   ref_segments=ref_seg)
    predict_all(logs, m)
    acc = partner_accuracy(logs)
    return Case(f"population_shift-s{seed}", "fault", "population_shift",
                "the partner segment, always the hardest, grows from 8% to 30% of the "
                "traffic; every segment is as good as in the reference",
                fault(["data"], ["data.population_shift"], {"segment": "partner"},
                      forbid={"categories": ["deployment"], "min_severity": "error"}), logs,
                meta={**model_meta(w, fam, seed), "partner_share": [0.08, 0.30],
                      "accuracy_by_segment": acc})


def c_label_noise(seed):
    w, m, fam, rng, logs = standard(seed, tag="labelnoise")
    predict_all(logs, m)
    cur = logs.current
    flip = rng.random(len(cur.y)) < 0.2
    cur.y = np.where(flip, 1 - cur.y, cur.y)
    return Case(f"label_noise-s{seed}", "fault", "label_noise",
                "a new labelling vendor: 20% of the current labels are flipped at random; the "
                "reference's labels are clean",
                fault(["data"], ["data.label_noise"]), logs,
                meta={**model_meta(w, fam, seed), "flipped": round(float(flip.mean()), 4)})


def rows_with_prior(world, rows, n, prior, rng):
    pos = rows[world.y_pool[rows] == 1]
    neg = rows[world.y_pool[rows] == 0]
    k = int(round(n * prior))
    return np.concatenate([rng.choice(pos, k, replace=False),
                           rng.choice(neg, n - k, replace=False)])


def c_prior_shift(seed):
    fam = FAULT_FAMILY[seed]
    w = binary_world(seed)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "priorshift", seed)
    half = len(w.y_pool) // 2
    ref_rows = rows_with_prior(w, np.arange(half), 6000, 0.25, rng)
    cur_rows = rows_with_prior(w, np.arange(half, len(w.y_pool)), 7000, 0.5, rng)
    logs = periods(w, rng, cur_rows=cur_rows, ref_rows=ref_rows)
    predict_all(logs, m)
    return Case(f"prior_shift-s{seed}", "fault", "prior_shift",
                "the class mix moves: 25% positives in the reference, 50% now; the "
                "class-conditional inputs are unchanged",
                fault(["data"], ["data.prior_shift"]), logs,
                meta={**model_meta(w, fam, seed), "positive_rate": [0.25, 0.5]})


def c_overfit(seed):
    fam = ["rf_deep", "hgb_deep", "tree"][seed]
    w = synth_world(seed, 0.2)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "overfit", seed)
    logs = periods(w, rng)
    predict_all(logs, m)
    return Case(f"overfit-s{seed}", "fault", "overfit",
                "a model grown without limits on noisy labels (20% random): near-perfect on "
                "its training rows, much worse on new ones, in both periods",
                fault(["training"], ["training.overfitting"]), logs,
                meta=model_meta(w, fam, seed))


def c_serving_skew(seed):
    T = STEP_AT[seed]
    w, m, fam, rng, logs = standard(seed, tag="skew")
    predict_all(logs, m)
    cur = logs.current
    mask = cur.after(T)
    p = sigmoid(logit(cur.P[mask, 1]) + 2)
    cur.P[mask] = np.column_stack([1 - p, p])
    cur.pred[mask] = (p > 0.5).astype(int)
    return Case(f"serving_skew-s{seed}", "fault", "serving_skew",
                f"from {iso(T)} a preprocessing change adds 2 to every logit; the predictions "
                "follow the shifted score",
                fault(["deployment"], ["deployment.serving_skew", "deployment.step_change",
                                       "deployment.score_drift"], at(T)), logs,
                meta={**model_meta(w, fam, seed), "fault_at": iso(T), "logit_shift": 2})


def c_conflicting_labels(seed):
    w, m, fam, rng, logs = standard(seed, tag="conflict")
    predict_all(logs, m)
    cur = logs.current
    n = len(cur.y)
    # 4% of predictions are logged again 1-3 days later with a corrected (flipped) label,
    # appended instead of replacing the first record.
    pick = np.sort(rng.choice(n, int(0.04 * n), replace=False))
    later = cur.meta.iloc[pick].copy()
    later["timestamp"] = later["timestamp"] + pd.to_timedelta(
        rng.uniform(1, 3, len(pick)) * 86400, unit="s")
    keep = later["timestamp"] < pd.Timestamp(CUR_END)
    pick, later = pick[keep.to_numpy()], later[keep]
    meta = pd.concat([cur.meta, later], ignore_index=True)
    order = np.argsort(meta["timestamp"].to_numpy(), kind="stable")
    idx = np.concatenate([np.arange(n), pick])[order]
    y = np.concatenate([cur.y, 1 - cur.y[pick]])[order]
    cur.meta = meta.iloc[order].reset_index(drop=True)
    cur.X = cur.X.iloc[idx].reset_index(drop=True)
    cur.y, cur.P, cur.pred = y, cur.P[idx], cur.pred[idx]
    return Case(f"conflicting_labels-s{seed}", "fault", "conflicting_labels",
                "label corrections are appended instead of replacing the first record: 4% of "
                "ids appear twice, with different labels",
                fault(["data"], ["data.conflicting_labels", "data.duplicate_ids"]), logs,
                meta={**model_meta(w, fam, seed), "conflicting_ids": int(len(pick))})


FEATURE_CODES = ["data.feature_drift", "data.broken_feature"]


def log_inputs(case):
    """The case's logs carry the model's inputs as served, read with --feature-cols."""
    for log in (case.logs.current, case.logs.reference, case.logs.train):
        if log is not None:
            log.logged = True
    case.flags = case.flags + ["--feature-cols", ",".join(case.logs.current.X.columns)]
    case.story += "; the logs carry the model's inputs (--feature-cols)"
    return case


def logged(build, family):
    """A fault case whose logs carry the model's inputs: the leading finding must also name
    the broken feature (`place.feature`), and the feature findings detect it."""
    def make(seed):
        case = log_inputs(build(seed))
        case.name = case.name.replace(case.family, family, 1)
        case.family = family
        e = case.expect
        place = dict(e["place"] or {})
        place["feature"] = case.meta["feature"]
        case.expect = fault(["data", "deployment"], FEATURE_CODES + e["codes"], place,
                            e.get("forbid"))
        return case
    return make


FAULTS = [
    ("collapse", c_collapse),
    ("feature_x10", c_feature_x10),
    ("feature_zeroed_version_confounded", c_feature_zeroed_version),
    ("segment_broken_since", c_segment_broken_since),
    ("weak_segment_vs_reference", c_weak_segment_vs_reference),
    ("overconfident", c_overconfident),
    ("underfit_prior", c_underfit_prior),
    ("other_class_scores", c_other_class_scores),
    ("inverted_scores_version", c_inverted_scores_version),
    ("gradual_drift", c_gradual_drift),
    ("score_rounding", c_score_rounding),
    ("labels_missing_segment", c_labels_missing_segment),
    ("labels_missing_recent", c_labels_missing_recent),
    ("retry_duplicates", c_retry_duplicates),
    ("class_swap_after", c_class_swap_after),
    ("class_shift_by_one", c_class_shift_by_one),
    ("outage", c_outage),
    ("old_model_segment", c_old_model_segment),
    ("population_shift", c_population_shift),
    ("label_noise", c_label_noise),
    ("prior_shift", c_prior_shift),
    ("overfit", c_overfit),
    ("serving_skew", c_serving_skew),
    ("conflicting_labels", c_conflicting_labels),
    ("feature_x10_logged", logged(c_feature_x10, "feature_x10_logged")),
    ("feature_zeroed_version_confounded_logged",
     logged(c_feature_zeroed_version, "feature_zeroed_version_confounded_logged")),
    ("segment_broken_since_logged",
     logged(c_segment_broken_since, "segment_broken_since_logged")),
]

# ------------------------------------------------------------------------------------ healthy

HEALTHY_FAMILIES = ["lr", "rf", "hgb", "svc", "nb", "mlp"]
ECE_OK = 0.04  # a model whose held-out ECE reaches this may rightly warn of miscalibration


def h_model(family, data, seed):
    w = bundled_world("breast_cancer", seed) if data == "breast_cancer" else synth_world(seed)
    m = fitted(w, family, seed)
    rng = rng_for("logs", "healthy", family, data, seed)
    n_cur, n_ref = (5000, 3000) if data == "breast_cancer" else (10000, 6000)
    logs = periods(w, rng, n_cur=n_cur, n_ref=n_ref)
    predict_all(logs, m)
    pool_p = proba(m, w.X_pool)[:, w.pos]
    pool_y = (w.y_pool == w.pos).astype(float)
    e = ece(pool_p, pool_y)
    ok = ["training.miscalibration"] if (family == "nb" or e >= ECE_OK) else []
    train_acc = float(np.mean(logs.train.pred == logs.train.y))
    pool_acc = float(np.mean(proba(m, w.X_pool).argmax(1) == w.y_pool))
    flags = ["--pos-label", "malignant"] if data == "breast_cancer" else []
    return Case(f"healthy-{family}-{data}-s{seed}", "healthy", f"{family}-{data}",
                f"{MODEL_NAMES[family]} on {data}: no fault",
                {"exit_code": 0, "warning_ok": ok}, logs, flags=flags,
                meta={**model_meta(w, family, seed), "pool_ece": round(e, 4),
                      "train_accuracy": round(train_acc, 4),
                      "pool_accuracy": round(pool_acc, 4)})


def h_features(seed):
    """A healthy model of the fault cases' family whose logs carry its inputs."""
    case = log_inputs(h_model(FAULT_FAMILY[seed], "synth", seed))
    case.name = f"healthy-features-s{seed}"
    case.family = "features"
    return case


BALANCES = [0.01, 0.02, 0.05, 0.10, 0.25, 0.50]
CAL_ROWS = [2000, 20000, 200000]


def calibrated_world(prior, n, seed):
    """Scores whose logit is N(mu, 2) with mu set so the mean score is `prior`; each label is
    drawn as Bernoulli(score), so the scores are calibrated by construction."""
    rng = rng_for("calibrated", prior, n, seed)
    lo, hi = -20.0, 5.0
    zs = rng.normal(0, 2.0, 20000)
    for _ in range(60):
        mu = (lo + hi) / 2
        if sigmoid(zs + mu).mean() < prior:
            lo = mu
        else:
            hi = mu
    return mu, rng


def h_calibrated(prior, seed):
    n = CAL_ROWS[seed]
    mu, rng = calibrated_world(prior, n, seed)
    w = World(f"calibrated scores (prior {prior})", [0, 1], 1, pd.DataFrame(), np.zeros(0, int),
              pd.DataFrame(), np.zeros(0, int))

    def log(m, start, id0, versions, mid):
        z = rng.normal(mu, 2.0, m)
        p = sigmoid(z)
        y = (rng.random(m) < p).astype(int)
        t = times(rng, m, start)
        meta = pd.DataFrame({"id": id0 + np.arange(m), "timestamp": t,
                             "segment": rng.choice(DEVICES, m, p=DEVICE_SHARES),
                             "region": rng.choice(REGIONS, m, p=REGION_SHARES),
                             "version": rollout(rng, t, versions, mid)})
        lg = Log(w, pd.DataFrame(index=range(m)), y, meta)
        lg.P = np.column_stack([1 - p, p])
        lg.pred = (p >= 0.5).astype(int)
        return lg

    cur = log(n, CUR_START, 5_000_000, CUR_VERSIONS, CUR_START + 6 * DAY)
    ref = log(min(n, 100000), REF_START, 4_000_000, REF_VERSIONS, REF_START + 7 * DAY)
    tr = log(min(n, 20000), TRAIN_START, 1_000_000, REF_VERSIONS, TRAIN_START + 7 * DAY)
    tr.meta["version"] = "3.0.4"
    tag = f"p{int(round(prior * 100)):02d}"
    return Case(f"healthy-calibrated-{tag}-s{seed}", "healthy", f"calibrated-{tag}",
                f"calibrated scores, {prior:.0%} positives, {n} rows: no fault",
                {"exit_code": 0, "warning_ok": []}, Periods(cur, ref, tr),
                meta={"data": w.name, "model": "label ~ Bernoulli(score)", "logit_mean":
                      round(mu, 4), "logit_sd": 2.0})


def h_weak_segment(seed):
    fam = FAULT_FAMILY[seed]
    w = binary_world(seed)
    m = fitted(w, fam, seed)
    rng = rng_for("logs", "stableweak", seed)
    half = len(w.y_pool) // 2
    ref_rows, ref_seg = mixed_rows(w, m, np.arange(half), 6000, 0.08, rng)
    cur_rows, cur_seg = mixed_rows(w, m, np.arange(half, len(w.y_pool)), 8000, 0.08, rng)
    logs = periods(w, rng, cur_rows=cur_rows, ref_rows=ref_rows, cur_segments=cur_seg,
                   ref_segments=ref_seg)
    predict_all(logs, m)
    return Case(f"healthy-stable_weak_segment-s{seed}", "healthy", "stable_weak_segment",
                "the partner segment holds the ambiguous cases and is weaker than the rest, "
                "exactly as weak as in the reference (8% of the traffic in both): no fault, "
                "though a warning about the weak segment is fair",
                {"exit_code": 0, "warning_ok": ["data.weak_segment"]}, logs,
                meta={**model_meta(w, fam, seed), "accuracy_by_segment":
                      partner_accuracy(logs)})


def all_cases():
    """(name, builder) of every case, in a fixed order."""
    out = []
    for kind, fn in FAULTS:
        for s in range(3):
            out.append((f"{kind}-s{s}", kind, lambda fn=fn, s=s: fn(s)))
    for data in ["breast_cancer", "synth"]:
        for fam in HEALTHY_FAMILIES:
            for s in range(3):
                out.append((f"healthy-{fam}-{data}-s{s}", f"healthy-{fam}-{data}",
                            lambda fam=fam, data=data, s=s: h_model(fam, data, s)))
    for prior in BALANCES:
        tag = f"p{int(round(prior * 100)):02d}"
        for s in range(3):
            out.append((f"healthy-calibrated-{tag}-s{s}", f"healthy-calibrated-{tag}",
                        lambda prior=prior, s=s: h_calibrated(prior, s)))
    for s in range(3):
        out.append((f"healthy-stable_weak_segment-s{s}", "healthy-stable_weak_segment",
                    lambda s=s: h_weak_segment(s)))
    for s in range(3):
        out.append((f"healthy-features-s{s}", "healthy-features",
                    lambda s=s: h_features(s)))
    return out


def selected(cases, only):
    if not only:
        return cases
    pats = [p.strip() for p in only.split(",") if p.strip()]
    return [c for c in cases if any(fnmatch.fnmatchcase(c[0], p) or c[1] == p for p in pats)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="target/diagbench")
    ap.add_argument("--only", help="case names, fault kinds or globs, comma-separated")
    ap.add_argument("--list", action="store_true", help="list the case names and exit")
    ap.add_argument("--salt", default="",
                    help="mix TEXT into the logs' random draws (a replication on fresh data)")
    args = ap.parse_args()
    global SALT
    SALT = args.salt
    cases = selected(all_cases(), args.only)
    if args.list:
        for name, _, _ in cases:
            print(name)
        return 0
    if not cases:
        print(f"gen.py: no case matches {args.only!r}", file=sys.stderr)
        return 2
    os.makedirs(os.path.join(args.out, "cases"), exist_ok=True)
    t0 = time.time()
    for name, _, build in cases:
        t = time.time()
        case = build()
        assert case.name == name, (case.name, name)
        case.write(args.out)
        print(f"  {name:48s} {time.time() - t:5.1f}s", file=sys.stderr)
    print(f"generated {len(cases)} cases in {time.time() - t0:.0f}s into {args.out}/cases",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
