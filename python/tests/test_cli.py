"""The command line from the package (`mlguard` and `python -m mlguard`) is the binary's:
the same output, messages and exit codes."""

from __future__ import annotations

from typing import List

import pytest

from conftest import run

COMMAND_LINES = [
    ["eval", "examples/binary.csv", "--format", "json", "-q"],
    ["eval", "examples/collapse.csv", "-q", "--segment-col", "segment"],
    ["eval", "examples/binary.csv", "--min", "accuracy=0.999", "-q", "--format", "markdown"],
    ["eval", "examples/missing.csv"],
    ["eval", "examples/binary.csv", "--threshold", "2"],
    ["eval"],
    ["frobnicate"],
    [],
    ["--version"],
    ["eval", "--help"],
    ["explain"],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: " ".join(a) or "(none)")
def test_the_package_runs_the_command_line_of_the_binary(
    binary: str, python_cli: List[str], args: List[str]
) -> None:
    assert run([*python_cli, *args]) == run([binary, *args])


def test_exit_codes(python_cli: List[str]) -> None:
    assert run([*python_cli, "eval", "examples/binary.csv", "-q"]).code == 0
    assert run([*python_cli, "eval", "examples/binary.csv", "-q", "--min", "f1=1"]).code == 1
    failed = run([*python_cli, "eval", "examples/missing.csv"])
    assert failed.code == 2
    assert failed.stderr.startswith("mlguard: error: examples/missing.csv")
    assert failed.stderr.count("\n") == 1
