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
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from mlguard._native import MlguardError, __version__
from mlguard._native import evaluate as _evaluate
from mlguard._native import table as _table
from mlguard.report import Report

__all__ = ["MlguardError", "Report", "__version__", "evaluate"]

PathLike = Union[str, "os.PathLike[str]"]
"""A file path: a string or a path object such as :class:`pathlib.Path`."""

Data = Any
"""Predictions: a file path, or a table — a pandas or polars DataFrame, a pyarrow Table,
RecordBatch or RecordBatchReader, or any object with the Arrow PyCapsule interface
(``__arrow_c_stream__``)."""

# Short names for the column roles, as the [columns] section of mlguard.toml names them.
_COLUMN_OPTIONS = {
    "label": "label_col",
    "prediction": "pred_col",
    "score": "score_col",
    "segment": "segment_col",
    "time": "time_col",
}


def _text(value: Any) -> str:
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def _option(value: Any) -> Optional[List[str]]:
    """An option's value as the native module takes it: None for a switch that is on, else
    its values as text (a mapping gives KEY=VALUE pairs, as --min f1=0.8 does)."""
    if value is True:
        return None
    if isinstance(value, Mapping):
        return [f"{key}={_text(v)}" for key, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value]
    return [_text(value)]


def _kind(data: Any) -> str:
    """How a table is named in messages and in the report: its package and type."""
    cls = type(data)
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def _input(data: Any, what: str, held: list) -> str:
    """The path mlguard reads ``data`` from: the path itself, or the name of the table it was
    taken into (kept alive in ``held`` for the evaluation)."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    if not hasattr(data, "__arrow_c_stream__"):
        # Objects with only the array interface (a pyarrow RecordBatch before 15, a pandas
        # DataFrame before 2.2) go through pyarrow, when it is installed.
        try:
            import pyarrow
        except ImportError:
            raise TypeError(
                f"{what} must be a file path or a table with the Arrow PyCapsule interface "
                f"(pandas >= 2.2, polars, pyarrow), not {type(data).__name__}"
            ) from None
        try:
            data = pyarrow.table(data)
        except (TypeError, ValueError, pyarrow.ArrowException) as e:
            raise TypeError(
                f"{what} must be a file path or a table, not {type(data).__name__} ({e})"
            ) from None
    table = _table(data, _kind(data))
    held.append(table)
    return table.name


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
    by metric path, e.g. ``min={"f1": 0.8, "segment:recall": 0.7}`` (``--min f1=0.8``).
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
    path = _input(data, "data", held)
    if reference is not None:
        reference = _input(reference, "reference", held)
    named: Dict[str, Any] = {
        "reference": reference,
        "min": min,
        "max": max,
        "config": config,
    }
    short = {
        "label": label,
        "prediction": prediction,
        "score": score,
        "segment": segment,
        "time": time,
    }
    for name, value in short.items():
        option = _COLUMN_OPTIONS[name]
        if value is not None and options.get(option) is not None:
            raise TypeError(f"evaluate() got both {name}= and {option}=: give one")
        named[option] = value
    for name, value in options.items():
        if named.get(name) is None:
            named[name] = value
    given: List[Tuple[str, Optional[List[str]]]] = [
        (name, _option(value))
        for name, value in named.items()
        if value is not None and value is not False
    ]
    return Report(_evaluate(path, given))
