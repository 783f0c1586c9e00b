//! The catalogue of finding codes: what each means, how it is detected, its typical causes and
//! the standard remedies. `mlguard explain` prints it; the diagnosis takes titles, categories
//! and standard remedies from it, so a code's documentation and its findings cannot disagree.

use serde::Serialize;

/// The part of the system a finding blames.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The data: labels, rows, the population the model sees.
    Data,
    /// The model as trained: fit, calibration, decision threshold.
    Training,
    /// The model as served: inputs, pipeline, environment, resources.
    Deployment,
}

impl Category {
    /// The category's name, as in the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Category::Data => "data",
            Category::Training => "training",
            Category::Deployment => "deployment",
        }
    }
}

/// One finding code and its documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodeInfo {
    /// Stable code, `category.name`.
    pub code: &'static str,
    /// The category it blames.
    pub category: Category,
    /// One-line summary.
    pub summary: &'static str,
    /// What the finding means.
    pub meaning: &'static str,
    /// How mlguard detects it: the checks and the thresholds.
    pub detection: &'static str,
    /// Typical causes.
    pub causes: &'static str,
    /// Standard remedies, most useful first (computed remedies are added by the diagnosis).
    pub remedies: &'static [&'static str],
}

use Category::{Data, Deployment, Training};

/// Every finding code, grouped by category.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "data.missing_values",
        category: Data,
        summary: "rows were skipped for missing or invalid labels, predictions or scores",
        meaning: "Some rows could not be evaluated (they were skipped with --skip-invalid), so \
                  the metrics describe only the rest. If the missing rows are not random, the \
                  metrics are biased.",
        detection: "check data:missing — the share of skipped rows, by reason; warns from 1% \
                    and fails from 10% of the rows read.",
        causes: "a join that lost labels, late-arriving ground truth, a serving error that \
                 logged no prediction, NaN scores from a numerical fault.",
        remedies: &[
            "fill or drop the rows listed in the issues export (--export-issues), then re-run",
            "check whether the missing rows share a segment or a time window (join, logging or \
             labelling delay)",
        ],
    },
    CodeInfo {
        code: "data.label_delay",
        category: Data,
        summary: "labels are missing in one segment or period more than elsewhere",
        meaning: "Rows without a label (skipped with --skip-invalid) gather in one place: the \
                  latest rows, whose labels have not arrived yet, or one segment whose labels \
                  never arrive. The metrics of that place, and the overall metrics, rest on \
                  the labelled rows only, which are not a random sample of it.",
        detection: "check data:label_delay — the share of rows without a label in each segment \
                    value and in each contiguous run of time windows, against the rest, by a \
                    one-sided two-proportion z-test (Bonferroni over the places tried); a place \
                    stands out at twice the rest's share and --min-effect above it. The place \
                    with the most excess missing labels is reported; warns, and fails when 10% \
                    or more of the rows read have no label.",
        causes: "ground truth that arrives days after the prediction (chargebacks, churn, \
                 manual review), a labelling pipeline that stopped, a join key that one \
                 segment's rows do not carry.",
        remedies: &[
            "for the latest rows: wait for their labels and re-run, and read the windows \
             before the period's start (the metrics of later rows are not comparable yet)",
            "for one segment: find why its labels are not joined (the join key, the labelling \
             queue, the client that logs it) before reading its metrics",
        ],
    },
    CodeInfo {
        code: "data.duplicate_rows",
        category: Data,
        summary: "identical rows appear more than once",
        meaning: "The same record is counted several times, which over-weights it in every \
                  metric and, in training data, leaks evaluation rows into training.",
        detection: "check data:duplicates — whole-record fingerprints; warns from 1% and fails \
                    from 10% duplicate rows. Exact up to 65,536 distinct rows, a uniform hash \
                    sample beyond (the share is then an estimate).",
        causes: "a retried export or logging step, an append that ran twice, a join that fanned \
                 out.",
        remedies: &[
            "deduplicate the rows listed in the issues export (--export-issues)",
            "make the logging or export step idempotent (a unique request id)",
        ],
    },
    CodeInfo {
        code: "data.duplicate_ids",
        category: Data,
        summary: "the same id appears on several rows",
        meaning: "Rows that should be unique by --id-col repeat. When their labels agree the \
                  rows are over-weighted; when they disagree see data.conflicting_labels.",
        detection: "check data:ids — ids seen more than once; warns when any id repeats.",
        causes: "a retried request logged twice, a join on a non-unique key, several \
                 predictions logged for one entity.",
        remedies: &[
            "deduplicate by id, keeping the latest prediction",
            "check the join keys of the evaluation set",
        ],
    },
    CodeInfo {
        code: "data.conflicting_labels",
        category: Data,
        summary: "one id carries different labels",
        meaning: "The ground truth contradicts itself: rows with the same --id-col value have \
                  different labels, so at least one of them is wrong.",
        detection: "check data:ids — ids with more than one distinct label; fails from 1% of \
                    the ids.",
        causes: "annotators disagreeing, a label that changed over time and was logged twice, a \
                 join that mixed entities.",
        remedies: &[
            "send the conflicting ids listed in the issues export for adjudication",
            "define which label wins (latest, majority) and apply it before evaluating",
        ],
    },
    CodeInfo {
        code: "data.unseen_classes",
        category: Data,
        summary: "the model predicts classes the labels never contain, or never predicts a class",
        meaning: "The label set and the prediction set differ: either the model emits a class \
                  the ground truth does not know (a renamed or retired class, a label mapping \
                  mismatch) or a labelled class is never predicted.",
        detection: "check data:classes — classes present on one side only; warns.",
        causes: "a label encoding that differs between training and evaluation, a retired \
                 class, a class too rare for the model to ever predict.",
        remedies: &[
            "check the label mapping used in training against the evaluation labels",
            "for a class never predicted: collect more examples of it or re-weight it in training",
        ],
    },
    CodeInfo {
        code: "data.class_imbalance",
        category: Data,
        summary: "one class is rare",
        meaning: "A class makes up under 1% of the labels. Accuracy is then dominated by the \
                  majority class and says little; the rare class's recall and precision matter.",
        detection: "check data:imbalance — the smallest class share; warns below 1%.",
        causes: "the real population (fraud, failures), or a sampling step that dropped the \
                 rare class.",
        remedies: &[
            "judge the model by per-class recall, balanced accuracy, average precision or MCC, \
             not accuracy",
            "re-weight or resample the rare class in training, and tune the decision threshold",
        ],
    },
    CodeInfo {
        code: "data.prior_shift",
        category: Data,
        summary: "the class mix moved against the reference",
        meaning: "The share of each label differs from the reference run (label or prior \
                  shift): the population changed, so metrics that depend on class balance \
                  (accuracy, precision, F1) move even if the model did not change.",
        detection: "check drift:label — chi-square test and PSI of the label distribution \
                    against --reference. Combined with a metric drop and stable scores it is \
                    the leading cause.",
        causes: "seasonality, a new market or customer mix, a change in how rows are sampled \
                 for labelling.",
        remedies: &[
            "re-estimate the priors and adjust the decision threshold (or the scores by prior \
             correction) for the new mix",
            "retrain on recent data if the shift persists",
        ],
    },
    CodeInfo {
        code: "data.label_noise",
        category: Data,
        summary: "many labels look wrong",
        meaning: "Rows whose label the model contradicts with confidence are more frequent than \
                  the model's own uncertainty explains: some ground-truth labels are probably \
                  wrong, which depresses every metric and, in training data, the model.",
        detection: "check data:label_noise — confident learning: per-class threshold = the mean \
                    probability the model gives a class on rows labelled with it; a row is \
                    suspect when another class reaches its threshold and its own does not. The \
                    excess over the count a calibrated model would produce is the estimated \
                    noise; warns from 5% and fails from 10% (significant at alpha). Over-confidence also \
                    produces confidently contradicted rows, so with miscalibration the \
                    finding's confidence is lower.",
        causes: "annotation errors, ambiguous guidelines, labels inferred by a heuristic, a \
                 label lagging reality.",
        remedies: &[
            "review and relabel the rows listed in the issues export (--export-issues), most \
             suspicious first",
            "train with noise-robust methods or drop confidently mislabelled rows from training",
        ],
    },
    CodeInfo {
        code: "data.population_shift",
        category: Data,
        summary: "the mix of segments changed; each segment performs as before",
        meaning: "The overall metric moved because the population moved: more rows now come \
                  from segments where the model was always weaker (or fewer from those where \
                  it is strong). Each segment's accuracy is what it was in the reference, so \
                  the model did not get worse; the traffic did.",
        detection: "check segment:COLUMN:mix (--segment-col columns; a version's share moves \
                    with every rollout) — the segment shares against the reference's \
                    (chi-square, Cohen's w at least 0.1), the overall accuracy drop against \
                    the reference significant, and at least half of it undone when the current \
                    segments' accuracies are weighted by the reference's mix.",
        causes: "a marketing campaign, a new partner, a seasonal change in who is scored.",
        remedies: &[
            "report metrics per segment or standardised to a fixed mix before comparing periods",
            "if the weaker segments now matter more, improve the model for them (more training data, features)",
        ],
    },
    CodeInfo {
        code: "data.segment_degraded",
        category: Data,
        summary: "a segment got worse than it was in the reference",
        meaning: "One segment's accuracy fell against its own accuracy in the reference, and \
                  it is now below the rest: something changed for that segment's rows — its \
                  inputs, its population, or the way it is served.",
        detection: "check segment:COLUMN=VALUE:drop — a weak segment (see data.weak_segment) \
                    whose accuracy is also significantly below its reference accuracy \
                    (one-sided two-proportion z-test) by at least --min-effect.",
        causes: "a feature broken or missing for that segment (a client release, a regional \
                 data source), a change in who that segment's users are.",
        remedies: &[
            "compare the segment's inputs before and after the drop (feature missing rates and ranges)",
        ],
    },
    CodeInfo {
        code: "data.weak_segment",
        category: Data,
        summary: "a segment performs significantly worse than the rest",
        meaning: "One value of a --segment-col has accuracy (or the --segment-metric) below the \
                  rest of the data by more than --min-effect, beyond sampling noise.",
        detection: "check segment:COL=VALUE:weak — one-sided two-proportion z-test, \
                    Benjamini–Hochberg over all segments; a warning, since without a \
                    reference nothing says whether the gap is new. With --reference, a \
                    segment that was as weak there is context (the check passes and says so) \
                    and one that got worse is data.segment_degraded.",
        causes: "the segment is under-represented in training data, its inputs differ \
                 (language, device, partner feed), or its labels are noisier.",
        remedies: &[
            "collect or up-weight training data for the segment",
            "compare the segment's inputs with the rest (missing features, different formats)",
            "consider a per-segment threshold or model",
        ],
    },
    CodeInfo {
        code: "data.broken_feature",
        category: Data,
        summary: "an input feature is broken against the reference",
        meaning: "One of the model's input features (--feature-cols) no longer looks like a \
                  feature: it is missing far more often than in the reference, it holds one \
                  value in every row where the reference varied, or its cells stopped being \
                  numbers. The model still scores these rows, from inputs it was not trained on.",
        detection: "check feature:NAME:quality — the missing share up by at least --min-effect \
                    (one-sided two-proportion z-test against the reference, Bonferroni over the \
                    features; fails from four times --min-effect), a constant where the \
                    reference had several values, one value in half of the cells (30 points \
                    above the reference's commonest), or 1% of a numeric feature's cells not \
                    numbers (fails from 5%). With windows (--time-col), the finding is dated to \
                    the window the feature broke in.",
        causes: "a pipeline bug (a join that lost a source, a default written for every row, a \
                 renamed field), missing values imputed before scoring, a schema change upstream.",
        remedies: &[
            "fix the pipeline that produces the feature, then backfill or re-score the rows it broke (the issues export, --export-issues, lists them)",
            "until it is fixed, stop serving from the broken feature (fall back to a model without it)",
        ],
    },
    CodeInfo {
        code: "data.feature_drift",
        category: Data,
        summary: "an input feature's distribution moved against the reference",
        meaning: "One of the model's input features (--feature-cols) is distributed differently \
                  from the reference: new values, a shifted range, other category shares. The \
                  model now scores inputs unlike those it was validated on; when its scores or \
                  accuracy moved too, this feature is where to look first.",
        detection: "check feature:NAME:drift — KS (numeric) or chi-square (categorical) against \
                    the reference at α divided by the number of features, and an effect: PSI \
                    from 0.1 (0.25 fails), a KS distance of 0.1, 5% of the values beyond the \
                    reference's range, or new categories holding 5% of the rows. The finding \
                    names the one segment value the drift is confined to, the window it started \
                    in (with --time-col), and the share of the mean score's shift the feature \
                    explains.",
        causes: "a unit or scale change (cents for euros, ×100), a new data source or client \
                 version, a change in the population, a new category the model never saw.",
        remedies: &[
            "if the values changed meaning (a unit, a code list), fix or convert them upstream and re-score the rows beyond the reference's range or in new categories (--export-issues lists them)",
            "if the population really changed, retrain on data that includes the new distribution",
        ],
    },
    CodeInfo {
        code: "data.concept_drift",
        category: Data,
        summary: "the metrics dropped while score and label distributions held",
        meaning: "Performance fell against the reference although the model's outputs and the \
                  class mix look the same: the relation between inputs and labels changed \
                  (concept drift), or the model itself is worse on the same population.",
        detection: "a failing regression check (regression:accuracy, regression:paired, \
                    regression:max_drop:*) with no score, prediction or label drift; or \
                    window:gradual_change — the error rate rose over many windows: a ramp \
                    (flat, linear rise, flat; weighted least squares over every onset and end) \
                    fits better than the best step by χ² ≥ 10.83 after the windows' \
                    dispersion, and spans at least a tenth of the windows. Located at the \
                    ramp's onset.",
        causes: "changed user behaviour or policy, a new model version that regressed, a \
                 labelling rule that changed.",
        remedies: &[
            "retrain on recent labelled data, and compare with the reference model on the same \
             rows",
            "check whether the labelling rules changed between the runs",
        ],
    },
    CodeInfo {
        code: "data.estimated_drop",
        category: Data,
        summary: "the performance estimated for rows awaiting labels is below the reference's",
        meaning: "The labels of the latest rows have not arrived, but their scores, calibrated \
                  on the labelled reference, already say that the model will be measured \
                  worse on them: the population moved towards inputs where the model is less \
                  sure or less right (covariate shift). The drop is an estimate: a change in \
                  the relation between scores and labels (concept shift) is invisible to it.",
        detection: "check estimated:drop — the estimated F1, accuracy or ROC AUC of the rows \
                    awaiting labels (confidence-based performance estimation, see \
                    estimated in the report) is --min-effect or more below the reference's \
                    realised value and the estimate's 95% interval lies below it; fails from \
                    twice --min-effect when nothing says the estimate cannot be trusted. The \
                    message names what moved: the mean score, the scores' confidence, the mix \
                    of segments.",
        causes: "a new population of users or items, a marketing campaign or season, a segment \
                 whose share grew, an upstream change in the inputs.",
        remedies: &[
            "read which segment or score range the rows awaiting labels moved to, and check \
             the input features there (--feature-cols) before the labels arrive",
            "if the new population is there to stay, label a sample of it and retrain on it",
        ],
    },
    CodeInfo {
        code: "training.overfitting",
        category: Training,
        summary: "the model is much better on its training data than here",
        meaning: "Accuracy on the training predictions (--train) exceeds accuracy here by more \
                  than --min-effect, beyond sampling noise: the model memorised its training \
                  set.",
        detection: "check training:overfitting — two-proportion z-test of the train-vs-\
                    evaluation accuracy gap; when significant, warns from --min-effect and \
                    fails from twice it.",
        causes: "too flexible a model for the data, too many epochs, leakage of the target \
                 into training features, too little training data.",
        remedies: &[
            "regularise (weight decay, dropout, smaller trees, early stopping)",
            "choose hyper-parameters by k-fold cross-validation and grid or random search on \
             the validation score, not the training score",
            "get more training data or augment it; check training features for target leakage",
        ],
    },
    CodeInfo {
        code: "training.underfitting",
        category: Training,
        summary: "the model is no better than a trivial baseline",
        meaning: "Balanced accuracy is within --min-effect of the 1/k of a constant prediction \
                  (without scores, or with a weak ranking), or ROC AUC is below 0.6: the model \
                  has barely learned the signal. If its training predictions are as poor, the \
                  model is too simple.",
        detection: "check training:baseline — fails when the 95% interval of balanced accuracy \
                    reaches 1/k or that of ROC AUC reaches 0.5 (not better than chance), warns \
                    when better but by less than the margins; with --train, fails when the \
                    training accuracy is within --min-effect of the majority share.",
        causes: "too simple a model, uninformative or broken features, too strong \
                 regularisation, training stopped early, labels shuffled against inputs.",
        remedies: &[
            "increase capacity (more features, deeper model) and reduce regularisation",
            "tune hyper-parameters by cross-validated grid search",
            "check that features reach the model (a constant or missing feature column)",
        ],
    },
    CodeInfo {
        code: "training.miscalibration",
        category: Training,
        summary: "predicted probabilities do not match observed frequencies",
        meaning: "The expected calibration error is high: among rows scored p, the positive \
                  share is not p. Thresholds, expected-value decisions and probability-based \
                  alerts are then wrong even if ranking (AUC) is fine.",
        detection: "check training:calibration — ECE over 10 equal-width bins; warns from \
                    0.05 and fails from 0.25 (with at least --min-rows rows). Direction from \
                    the reliability table.",
        causes: "over-confident deep models, class re-weighting or resampling in training, a \
                 prior shift since training.",
        remedies: &[
            "recalibrate on held-out data: temperature scaling or Platt scaling (the fitted \
             parameters and the ECE they give are computed from this file)",
            "or isotonic regression when plenty of held-out data exists",
        ],
    },
    CodeInfo {
        code: "training.threshold",
        category: Training,
        summary: "the decision threshold is far from the best one",
        meaning: "A different score threshold would give a clearly higher F1 on this data \
                  than the one behind the predictions.",
        detection: "check training:threshold — F1 at the best-F1 threshold against the F1 of \
                    the evaluated predictions; warns from a gain of 0.05.",
        causes: "the default 0.5 threshold used with imbalanced classes or a miscalibrated \
                 model, a threshold tuned on old data.",
        remedies: &[
            "move the threshold to the best-F1 one computed here (validate it on held-out \
             data first), or to the one meeting --target-precision / --target-recall",
        ],
    },
    CodeInfo {
        code: "training.prediction_bias",
        category: Training,
        summary: "classes are predicted at rates far from their frequency",
        meaning: "The share of each predicted class differs from the share of each label by a \
                  medium effect or more, while the labels themselves have not shifted: the \
                  model systematically over- or under-predicts some classes.",
        detection: "check sanity:prediction_distribution — chi-square goodness of fit, fails \
                    from Cohen's w = 0.3.",
        causes: "a mis-set decision threshold, class weights in training, miscalibration.",
        remedies: &[
            "tune the decision threshold or class weights",
            "recalibrate the scores, then re-derive the predictions",
        ],
    },
    CodeInfo {
        code: "deployment.serving_skew",
        category: Deployment,
        summary: "the model's outputs shifted and its metrics dropped while the labels held",
        meaning: "Scores (or predictions) moved against the reference and performance dropped, \
                  but the label distribution did not change: the model is seeing different \
                  inputs than it was validated on — typically training/serving skew.",
        detection: "a failing regression check together with score or prediction drift \
                    (drift:score, drift:prediction, drift:proba:*) and a passing drift:label; \
                    or, located in one segment, segment:COLUMN=VALUE:scores — the segment's \
                    scores moved against the same segment in the reference (KS on 100 bins, \
                    D ≥ 0.1) while the other segments' did not and the scores still match \
                    the segment's labels (another model, or another artefact, for that \
                    traffic).",
        causes: "a feature computed differently online and offline, a changed upstream \
                 feed or unit, a stale feature store, a different model artefact or \
                 preprocessing version in serving.",
        remedies: &[
            "compare the served features with the training features for the same rows \
             (feature parity check)",
            "check the model and preprocessing versions deployed against the ones validated",
            "roll back the serving change, then retrain if the new inputs are legitimate",
        ],
    },
    CodeInfo {
        code: "deployment.score_drift",
        category: Deployment,
        summary: "the score distribution drifted against the reference",
        meaning: "The model's scores are distributed differently than in the reference run \
                  (KS and PSI), though no metric drop was shown to go with it.",
        detection: "check drift:score (and drift:proba:* for each class) — KS test and PSI on \
                    reference deciles; warns from PSI 0.1, fails from 0.25.",
        causes: "input drift (a changed population or feed), a changed preprocessing step, a \
                 new model version.",
        remedies: &[
            "find which input features moved (compare feature distributions with the \
             reference)",
            "collect fresh labels for the drifted period to see whether accuracy followed",
        ],
    },
    CodeInfo {
        code: "deployment.prediction_drift",
        category: Deployment,
        summary: "the predicted-class mix drifted against the reference while labels held",
        meaning: "The model predicts the classes in different proportions than in the \
                  reference, though the labels did not shift.",
        detection: "check drift:prediction — chi-square test and PSI of predicted classes, \
                    with drift:label passing.",
        causes: "input drift, a changed threshold or post-processing in serving.",
        remedies: &[
            "check the serving threshold and post-processing against the validated ones",
            "compare the inputs with the reference",
        ],
    },
    CodeInfo {
        code: "deployment.collapse",
        category: Deployment,
        summary: "the model predicts (almost) one class only",
        meaning: "At least 99% of the predictions are one class while the labels are mixed: \
                  the model's output has collapsed.",
        detection: "check sanity:degenerate_predictions.",
        causes: "a missing or constant input feature in serving, a broken model artefact, a \
                 threshold set outside the score range, a default value returned on errors.",
        remedies: &[
            "check the serving inputs for constant or missing features and the service logs \
             for fallbacks",
            "verify the deployed artefact and threshold, and roll back if it changed",
        ],
    },
    CodeInfo {
        code: "deployment.inverted_scores",
        category: Deployment,
        summary: "the scores rank the classes backwards",
        meaning: "The scores are lower for the positive class than for the other: they look \
                  like the other class's probability (or 1 − p). Predictions that come from \
                  another column can still be right, so accuracy may look fine while every \
                  score-based metric, threshold and calibration is wrong.",
        detection: "check sanity:inverted_scores — ROC AUC below 0.4 with its upper 95% bound \
                    (Hanley–McNeil) below 0.5, overall or in one segment or version whose \
                    peers rank well.",
        causes: "predict_proba[:, 0] logged instead of [:, 1], --pos-label naming the class \
                 the score is not for, a serving change that logs 1 − p, a label encoding \
                 flipped between training and serving.",
        remedies: &[
            "log the positive class's probability (scikit-learn: predict_proba(X)[:, list(model.classes_).index(pos_label)]) or name the class the score is for with --pos-label",
            "if one version or segment is affected, compare its serving code with the others'",
        ],
    },
    CodeInfo {
        code: "deployment.class_permutation",
        category: Deployment,
        summary: "predictions are systematically mapped to other classes",
        meaning: "Most rows of two or more classes are predicted as one other class each, as \
                  if the class index were mapped wrongly: the model may be fine and its \
                  output decoded with the wrong class list.",
        detection: "check sanity:class_permutation — in the confusion matrix (overall, or from \
                    one report window on), at least two classes with 10 rows or more have \
                    half their rows or more predicted as one other class.",
        causes: "a class list sorted differently at serving than in training, an off-by-one in \
                 a label encoder, a swapped mapping after a release.",
        remedies: &[
            "compare the class order of the serving decoder with model.classes_ (scikit-learn) or the training label encoder",
        ],
    },
    CodeInfo {
        code: "deployment.score_resolution",
        category: Deployment,
        summary: "the scores lost their resolution",
        meaning: "From some time on, the scores take only a handful of distinct values \
                  (rounded or truncated), where before nearly every row had its own. Ranking \
                  metrics, thresholds and calibration degrade; ties hide the model's order.",
        detection: "check sanity:score_resolution — distinct scores per report window: from \
                    a window on, fewer than 3 in 10 rows have a distinct score, where the \
                    earlier windows had 8 in 10 or more (or, without a time column, 3 times \
                    fewer distinct scores per row than the reference).",
        causes: "a serving or logging change that rounds floats (a format string, a float16 \
                 cast, a database column with fewer decimals).",
        remedies: &[
            "log the scores at full precision (a float64 column, or 17 significant digits in text)",
        ],
    },
    CodeInfo {
        code: "deployment.step_change",
        category: Deployment,
        summary: "performance changed abruptly at a point in time",
        meaning: "The error rate steps up at one time (CUSUM change point) and stays there: \
                  something changed at that moment.",
        detection: "check window:change_point — the split of the hourly (or row) windows \
                    where the cumulative sum of errors above the overall rate peaks (CUSUM); \
                    the error rates before and after it compared by a two-proportion z-test, \
                    Bonferroni-corrected over the candidate splits, and a rise of at least \
                    --min-effect.",
        causes: "a deployment, a feature pipeline change, an upstream outage, a data-source \
                 switch at that time.",
        remedies: &[
            "compare the inputs before and after the change time (feature availability, \
             formats, upstream sources)",
            "roll back the change, or retrain on data after it if it is permanent",
        ],
    },
    CodeInfo {
        code: "deployment.degraded_window",
        category: Deployment,
        summary: "some time windows perform significantly worse",
        meaning: "One or more time windows have accuracy significantly below the rows before \
                  them.",
        detection: "check window:worse — one-sided two-proportion z-tests per window, \
                    Benjamini–Hochberg.",
        causes: "an incident in that period (outage, partial feature loss), a burst of unusual \
                 traffic.",
        remedies: &[
            "inspect the windows named in the evidence: incidents, traffic mix, feature \
             availability",
        ],
    },
    CodeInfo {
        code: "deployment.abnormal_outputs",
        category: Deployment,
        summary: "outputs out of range, invalid, or outlying",
        meaning: "Scores far outside their usual range (robust z), invalid scores skipped, or \
                  probability rows not summing to 1 — the model or its post-processing emits \
                  malformed output.",
        detection: "checks sanity:score_outliers (robust z > 3.5 on the logit scale against \
                    every class's scores, above 5% of rows), sanity:probability_sums, and sanity:invalid_scores \
                    (scores skipped by --skip-invalid as NaN, infinite or out of range: warns \
                    on any, fails from 10%).",
        causes: "numerical overflow, a softmax applied twice or not at all, a serialisation \
                 bug, default values on errors.",
        remedies: &[
            "check the model's output layer and post-processing (softmax, clipping, rounding)",
            "look at the outlying rows' inputs for extreme or missing features",
        ],
    },
    CodeInfo {
        code: "deployment.saturated_scores",
        category: Deployment,
        summary: "many scores are exactly 0 or 1",
        meaning: "A share of scores sits exactly at 0 or 1, which a well-behaved probabilistic \
                  model rarely emits: log loss explodes and thresholds lose meaning.",
        detection: "check sanity:score_saturation — warns from 5% of the scores.",
        causes: "clipping or rounding in serving, over-confident training, a rule engine \
                 overriding the model.",
        remedies: &[
            "remove rounding and clipping from serving output",
            "recalibrate (temperature scaling) if the model itself is over-confident",
        ],
    },
    CodeInfo {
        code: "deployment.version_gap",
        category: Deployment,
        summary: "one model version or environment performs worse than the rest",
        meaning: "Rows served by one value of --version-col (or --env-col) are significantly \
                  less accurate than the others.",
        detection: "check segment:COL=VALUE:weak on a --version-col or --env-col column.",
        causes: "a regressed model version, a different preprocessing in one environment, a \
                 canary with a broken dependency.",
        remedies: &[
            "compare the artefact and configuration of that version or environment with the \
             others",
            "route traffic away from it (roll back) until fixed",
        ],
    },
    CodeInfo {
        code: "deployment.latency",
        category: Deployment,
        summary: "serving latency exceeds its objective",
        meaning: "A latency percentile from --latency-col is above --latency-slo-ms.",
        detection: "checks latency:p95 / latency:p99 against the objective.",
        causes: "resource starvation (CPU, memory, GPU), a larger model, cold starts, a slow \
                 dependency.",
        remedies: &[
            "allocate more resources or scale out; check the slowest segments and windows",
            "profile the model server; consider a smaller or quantised model",
        ],
    },
];

/// The documentation of a code.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed_by_their_category() {
        for (i, c) in CODES.iter().enumerate() {
            assert!(
                c.code.starts_with(&format!("{}.", c.category.name())),
                "{}",
                c.code
            );
            assert!(
                CODES[..i].iter().all(|o| o.code != c.code),
                "{} twice",
                c.code
            );
            assert!(!c.remedies.is_empty(), "{} has no remedy", c.code);
        }
    }
}
