"""mlguard from Python: evaluate classification model predictions with exact metrics,
release gates, anomaly checks and a diagnosis.

>>> import mlguard
>>> report = mlguard.evaluate("predictions.csv", segment="country", min={"f1": 0.8})
>>> report.passed, report.metrics["f1"]

``evaluate`` runs the same evaluation as ``mlguard eval`` (the same options, defaults,
``mlguard.toml`` and messages) and returns a :class:`Report`. The ``mlguard`` command and
``python -m mlguard`` run the command line itself.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from mlguard import _options
from mlguard._native import MlguardError, __version__
from mlguard._native import evaluate as _evaluate
from mlguard.report import Report
from mlguard.state import State

__all__ = ["MlguardError", "Report", "State", "__version__", "evaluate"]

PathLike = Union[str, "os.PathLike[str]"]
"""A file path: a string or a path object such as :class:`pathlib.Path`."""

Data = Any
"""Predictions: a file path, or a table — a pandas or polars DataFrame, a pyarrow Table,
RecordBatch or RecordBatchReader, or any object with the Arrow PyCapsule interface
(``__arrow_c_stream__``)."""

def evaluate(
    data: Data,
    *,
    label: Optional[str] = None,
    prediction: Optional[str] = None,
    score: Optional[str] = None,
    segment: Union[str, Sequence[str], None] = None,
    time: Optional[str] = None,
    reference: Optional[Data] = None,
    min: Optional[Mapping[str, float]] = None,  # noqa: A002 - the name of --min
    max: Optional[Mapping[str, float]] = None,  # noqa: A002 - the name of --max
    rules: Union[str, Sequence[str], None] = None,
    config: Optional[PathLike] = None,
    **options: Any,
) -> Report:
    """Evaluate the predictions in ``data`` as ``mlguard eval data`` would, and return the
    report. ``data`` is a file (CSV, TSV or JSON Lines, plain or compressed; Parquet or Arrow;
    a directory of Parquet parts) or a table: a pandas or polars DataFrame, a pyarrow Table,
    RecordBatch or RecordBatchReader, or any object with the Arrow PyCapsule interface. A
    table is read in place, without a copy, and its columns are read as those of a Parquet
    file are; the report names it ``<pandas.DataFrame>``, say.

    ``label``, ``prediction``, ``score``, ``segment`` (one column or several) and ``time``
    name the columns of those roles (``--label-col``, ``--pred-col``, ``--score-col``,
    ``--segment-col``, ``--time-col``); by default they are detected. ``reference`` is a
    reference run (a file or a table) or a saved profile (``--reference``). ``min`` and ``max`` are release rules
    by metric path, e.g. ``min={"f1": 0.8, "segment:recall": 0.7}`` (``--min f1=0.8``);
    ``rules`` writes the same as comparisons, ``rules=["f1 >= 0.8", "ece <= 0.05"]``.
    ``config`` is a configuration file (``--config``); as on the command line,
    ``./mlguard.toml`` is read when it exists and none is named.

    Every other option of ``mlguard eval`` is a keyword named after its flag:
    ``pos_label="yes"`` for ``--pos-label yes``, ``skip_invalid=True`` for
    ``--skip-invalid``, ``checks=["sanity", "windows"]``, ``max_drop={"f1": 0.02}``. Options
    that decide where the command line writes its report (``format``, ``output``,
    ``output_html``, …) are not taken: use :meth:`Report.save` or :meth:`Report.render`.

    Raises :class:`MlguardError` with the command line's one-line message for a problem it
    would report (exit code 2), and :class:`TypeError` for an option it does not take.
    """
    # Tables are taken without a copy and held until the evaluation returns.
    held: list = []
    path = _options.input_path(data, "data", held)
    if reference is not None:
        reference = _options.input_path(reference, "reference", held)
    if rules is not None:
        written = _options.rules(rules)
        min = {**(min or {}), **written["min"]} or None
        max = {**(max or {}), **written["max"]} or None
    named: Dict[str, Any] = {"reference": reference, "min": min, "max": max, "config": config}
    columns = {"label": label, "prediction": prediction, "score": score, "segment": segment}
    columns["time"] = time
    for name, value in _options.named({**columns, **options}).items():
        if named.get(name) is None:
            named[name] = value
    return Report(_evaluate(path, _options.given(named)))
