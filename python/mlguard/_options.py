"""How keyword arguments become the options of the command line, and tables the inputs it
reads (shared by :func:`mlguard.evaluate` and :class:`mlguard.State`)."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from mlguard._native import table as _table

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


def input_path(data: Any, what: str, held: list) -> str:
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



def named(options: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword arguments with the short names of column roles (``label=``, ``segment=``…)
    turned into option names; a role given both ways is a TypeError."""
    out: Dict[str, Any] = {}
    for name, value in options.items():
        option = _COLUMN_OPTIONS.get(name, name)
        if value is None:
            continue
        if option in out and option != name:
            raise TypeError(f"evaluate() got both {name}= and {option}=: give one")
        if option != name and options.get(option) is not None:
            raise TypeError(f"evaluate() got both {name}= and {option}=: give one")
        out[option] = value
    return out


def given(options: Dict[str, Any]) -> List[Tuple[str, Optional[List[str]]]]:
    """The options as the native module takes them, leaving out those not given."""
    return [
        (name, _option(value))
        for name, value in options.items()
        if value is not None and value is not False
    ]


_RULE = re.compile(r"^\s*([A-Za-z0-9_:.\-]+)\s*(>=|<=|=>|=<|>|<|==|=)\s*([^\s].*?)\s*$")


def rules(rules: Any) -> Dict[str, Dict[str, str]]:
    """Release rules written as comparisons, ``"f1 >= 0.8"`` or ``"segment:recall >= 0.7"``,
    as the ``min`` and ``max`` options they stand for (``--min f1=0.8``)."""
    if isinstance(rules, str):
        rules = [rules]
    out: Dict[str, Dict[str, str]] = {"min": {}, "max": {}}
    for rule in rules:
        match = _RULE.match(str(rule))
        if match is None or match.group(2) in ("==", "="):
            raise TypeError(
                f"rule {rule!r} is not METRIC >= VALUE or METRIC <= VALUE "
                f"(for example 'f1 >= 0.8' or 'segment:ece <= 0.05')"
            )
        metric, op, value = match.groups()
        if op in (">", "<"):
            raise TypeError(
                f"rule {rule!r}: use {op}= (a rule fails the gate when the metric is beyond "
                f"its bound, and equal to it passes)"
            )
        out["min" if op in (">=", "=>") else "max"][metric] = value
    return out
