"""Tables as input: a pandas or polars DataFrame, a pyarrow Table or RecordBatchReader gives the
report the same rows give as a file, named after its type; errors name the table."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import mlguard
from conftest import run

FLAGS = ["--id-col", "id", "--time-col", "timestamp", "--segment-col", "segment"]
OPTIONS: Dict[str, Any] = {"id_col": "id", "time": "timestamp", "segment": "segment"}


def comparable(report: Dict[str, Any], shift: int) -> Dict[str, Any]:
    """A report without what names its input, with a file's line numbers turned into row
    numbers (``shift`` 1: the header's line), as a table numbers its rows from 1."""

    def rows(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, v in value.items():
                if key == "line" and isinstance(v, int):
                    out[key] = v - shift
                elif key == "lines" and isinstance(v, list):
                    out[key] = [line - shift for line in v]
                else:
                    out[key] = rows(v)
            return out
        if isinstance(value, list):
            return [rows(v) for v in value]
        return value

    report = dict(report)
    del report["input"]
    report["run"] = {k: v for k, v in report["run"].items() if k != "command"}
    return rows(report)


TABLES: Dict[str, Callable[[str], Any]] = {
    "pandas.DataFrame": pd.read_csv,
    "polars.DataFrame": pl.read_csv,
    "pyarrow.Table": lambda path: pa.Table.from_pandas(pd.read_csv(path), preserve_index=False),
    "pyarrow.RecordBatchReader": lambda path: pa.Table.from_pandas(
        pd.read_csv(path), preserve_index=False
    ).to_reader(max_chunksize=700),
}


def as_pandas_writes(tmp_path: Any, example: str) -> str:
    """The example as pandas writes it: the file a DataFrame of it is equivalent to (numbers
    in their shortest form, `0.11` for `0.1100`)."""
    path = str(tmp_path / example.replace("/", "-"))
    pd.read_csv(example).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind", TABLES)
def test_a_table_gives_the_report_of_its_file(binary: str, kind: str, tmp_path: Any) -> None:
    path = as_pandas_writes(tmp_path, "examples/binary.csv")
    cli = run([binary, "eval", path, "--format", "json", "-q", *FLAGS])
    table = TABLES[kind](path)
    report = mlguard.evaluate(table, **OPTIONS).to_dict()
    assert report["input"]["path"] == f"<{kind}>"
    assert report["input"]["rows"] == json.loads(cli.stdout)["input"]["rows"]
    assert comparable(report, 0) == comparable(json.loads(cli.stdout), 1)


def test_a_reference_table_gives_the_checks_of_its_file(binary: str, tmp_path: Any) -> None:
    data = as_pandas_writes(tmp_path, "examples/collapse.csv")
    reference = as_pandas_writes(tmp_path, "examples/reference.csv")
    cli = run([binary, "eval", data, "--format", "json", "-q", "--reference", reference, *FLAGS])
    report = mlguard.evaluate(
        pd.read_csv(data), reference=pl.read_csv(reference), **OPTIONS
    ).to_dict()
    assert comparable(report, 0) == comparable(json.loads(cli.stdout), 1)


def test_tables_are_released_and_their_names_reused() -> None:
    frame = pd.read_csv("examples/binary.csv")
    first = mlguard.evaluate(frame)
    second = mlguard.evaluate(frame, reference=frame)
    assert first.to_dict()["input"]["path"] == "<pandas.DataFrame>"
    assert second.to_dict()["input"]["path"] == "<pandas.DataFrame>"
    assert first.metrics == second.metrics


def test_problems_name_the_table_and_its_row() -> None:
    frame = pd.DataFrame({"a": [1, 0], "b": [0.5, 0.25]})
    with pytest.raises(mlguard.MlguardError, match=r"^<pandas\.DataFrame>: no label column"):
        mlguard.evaluate(frame)
    bad = pd.DataFrame({"label": [1, 0, 1], "score": [0.5, 7.0, 0.25]})
    with pytest.raises(mlguard.MlguardError, match=r"^<pandas\.DataFrame>: row 2: "):
        mlguard.evaluate(bad)
    skipped = mlguard.evaluate(bad, skip_invalid=True).to_dict()
    assert skipped["input"]["rows_skipped"] == 1


def test_nulls_are_missing_cells() -> None:
    # A null label is a label not arrived yet: the row waits for it, no flag needed.
    frame = pl.DataFrame({"label": [1, None, 0, 1], "score": [0.9, 0.8, 0.1, 0.6]})
    report = mlguard.evaluate(frame).to_dict()
    assert report["input"]["rows"] == 3
    assert report["input"]["rows_skipped"] == 1
    assert report["input"]["rows_awaiting_labels"] == 1


def test_what_is_not_a_table_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="data must be a file path or a table"):
        mlguard.evaluate({"label": object()})
    with pytest.raises(TypeError, match="reference must be a file path or a table"):
        mlguard.evaluate("examples/binary.csv", reference=3.5)


def test_the_command_line_reads_the_parquet_file_pandas_writes(
    binary: str, tmp_path: Any
) -> None:
    frame = pd.read_csv("examples/binary.csv")
    parquet = tmp_path / "preds.parquet"
    frame.to_parquet(parquet)
    from_file = run([binary, "eval", str(parquet), "--format", "json", "-q", *FLAGS])
    assert from_file.code in (0, 1), from_file.stderr
    from_frame = mlguard.evaluate(frame, **OPTIONS).to_dict()
    assert comparable(json.loads(from_file.stdout), 0) == comparable(from_frame, 0)
    feather = tmp_path / "preds.feather"
    frame.to_feather(feather)
    from_feather = mlguard.evaluate(feather, **OPTIONS).to_dict()
    assert comparable(from_feather, 0) == comparable(from_frame, 0)

