"""Shared fixtures: the repository's examples, and the command lines to compare with.

Every test runs in the repository's root, so that paths such as ``examples/binary.csv`` read
the same in a report from Python and one from the command line. ``MLGUARD_BIN`` names the Rust
binary (scripts/python-test builds it); the tests that compare with it are skipped without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Run(NamedTuple):
    """How a command line ended."""

    code: int
    stdout: str
    stderr: str


def run(argv: List[str]) -> Run:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(autouse=True)
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def binary() -> str:
    """The Rust binary."""
    path = os.environ.get("MLGUARD_BIN")
    if not path:
        pytest.skip("MLGUARD_BIN is not set (scripts/python-test sets it)")
    return path


@pytest.fixture(params=["command", "module"])
def python_cli(request: pytest.FixtureRequest) -> List[str]:
    """The command line from the package: the installed `mlguard` command, or
    `python -m mlguard`."""
    if request.param == "module":
        return [sys.executable, "-m", "mlguard"]
    command = shutil.which("mlguard", path=str(Path(sys.executable).parent))
    assert command, "the package installs an `mlguard` command beside its Python"
    return [command]
