"""mlguard.State: the states of parts merge into the report of the whole, as `mlguard eval
--save-state` and `mlguard merge` give it; states are the bytes of state files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pandas as pd
import pytest

import mlguard
from conftest import run

OPTIONS: Dict[str, Any] = {"segment": "segment", "time": "timestamp", "id_col": "id"}


def without_input(report: Dict[str, Any]) -> Dict[str, Any]:
    report = dict(report)
    del report["input"]
    del report["run"]
    return report


def test_the_states_of_parts_merge_into_the_report_of_the_whole() -> None:
    frame = pd.read_csv("examples/binary.csv")
    whole = mlguard.evaluate(frame, **OPTIONS).to_dict()
    parts = [frame.iloc[i : i + 700] for i in range(0, len(frame), 700)]
    states = [mlguard.State.of(part, **OPTIONS) for part in parts]
    merged = mlguard.State.merge_all(states).report().to_dict()
    assert merged["input"]["rows"] == whole["input"]["rows"]
    for key in ("metrics", "intervals", "segments", "windows", "checks", "findings"):
        assert merged[key] == whole[key], key
    # A chain of pairwise merges gives the same state as the tree.
    chained = states[0].merge(*states[1:])
    assert chained.report().to_dict()["metrics"] == whole["metrics"]


def test_a_state_is_the_file_save_state_writes(binary: str, tmp_path: Path) -> None:
    state = mlguard.State.of("examples/binary.csv", segment="segment")
    path = tmp_path / "part.state"
    path.write_bytes(state.to_bytes())
    cli = run([binary, "merge", str(path), "--format", "json", "-q"])
    assert cli.code in (0, 1), cli.stderr
    from_cli = json.loads(cli.stdout)
    from_api = mlguard.State.from_bytes(path.read_bytes()).report().to_dict()
    assert without_input(from_cli) == without_input(from_api)
    saved = tmp_path / "cli.state"
    done = run([binary, "eval", "examples/binary.csv", "--segment-col", "segment", "-q",
                "--save-state", str(saved)])
    assert done.code in (0, 1), done.stderr
    assert saved.read_bytes() == state.to_bytes()


def test_report_options_apply_when_the_state_is_reported() -> None:
    state = mlguard.State.of("examples/binary.csv")
    strict = state.report(min={"accuracy": 0.999})
    assert not strict.passed and strict.exit_code == 1
    assert state.report().passed


def test_states_read_differently_do_not_merge() -> None:
    a = mlguard.State.of("examples/binary.csv", segment="segment")
    b = mlguard.State.of("examples/binary.csv")
    with pytest.raises(mlguard.MlguardError, match="segment columns"):
        a.merge(b)
    with pytest.raises(mlguard.MlguardError):
        mlguard.State.from_bytes(b"not a state").report()
    with pytest.raises(ValueError):
        mlguard.State.merge_all([])
