"""mlguard.evaluate and the Report: the same report as `mlguard eval --format json`, the
verdict, errors with the command line's messages, saved formats and the notebook view."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

import mlguard
from conftest import ROOT, run

EXAMPLES = sorted(
    str(p.relative_to(ROOT))
    for p in (ROOT / "examples").iterdir()
    if p.suffix in (".csv", ".jsonl")
)


def test_the_examples_are_found() -> None:
    assert "examples/binary.csv" in EXAMPLES and len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_example_evaluates(path: str) -> None:
    report = mlguard.evaluate(path)
    data = report.to_dict()
    assert data["run"]["command"] == f"mlguard eval {path}"
    assert report.passed is data["gate"]["passed"]
    assert report.exit_code == (0 if report.passed else 1)
    assert report.metrics == data["metrics"]
    assert report.findings == data["findings"]
    assert isinstance(data["metrics"]["accuracy"], float)


# (input, keyword arguments, the same options as flags)
SAME_RUNS: List[Any] = [
    ("examples/binary.csv", {}, []),
    ("examples/multiclass.csv", {}, []),
    ("examples/binary.jsonl", {}, []),
    (
        "examples/collapse.csv",
        {
            "reference": Path("examples/reference.csv"),
            "time": "timestamp",
            "segment": "segment",
        },
        [
            "--reference",
            "examples/reference.csv",
            "--time-col",
            "timestamp",
            "--segment-col",
            "segment",
        ],
    ),
    (
        Path("examples/binary.csv"),
        {
            "min": {"f1": 0.99, "segment:recall": 0.5},
            "max": {"ece": 0.2},
            "checks": ["sanity", "segments"],
            "seed": 7,
            "bootstrap": 200,
            "label_col": "label",
            "segment": ["segment"],
            "skip_invalid": True,
            "scores_are_logits": False,
        },
        [
            "--min",
            "f1=0.99",
            "--min",
            "segment:recall=0.5",
            "--max",
            "ece=0.2",
            "--checks",
            "sanity,segments",
            "--seed",
            "7",
            "--bootstrap",
            "200",
            "--label-col",
            "label",
            "--segment-col",
            "segment",
            "--skip-invalid",
        ],
    ),
]


@pytest.mark.parametrize("path,options,flags", SAME_RUNS)
def test_to_dict_is_the_json_report_of_the_binary(
    binary: str, path: Any, options: Dict[str, Any], flags: List[str]
) -> None:
    report = mlguard.evaluate(path, **options)
    cli = run([binary, "eval", str(path), "--format", "json", "-q", *flags])
    assert cli.stderr == ""
    # Nothing differs, not even the command line the report echoes.
    assert report.to_dict() == json.loads(cli.stdout)
    assert report.render("json") == cli.stdout
    assert report.exit_code == cli.code


def test_a_failed_gate_is_exit_code_one(binary: str) -> None:
    report = mlguard.evaluate("examples/binary.csv", min={"accuracy": 0.999})
    assert not report.passed
    assert report.exit_code == 1
    cli = run([binary, "eval", "examples/binary.csv", "--min", "accuracy=0.999", "-q"])
    assert cli.code == 1


@pytest.mark.parametrize(
    "path,options,flags",
    [
        ("examples/missing.csv", {}, []),
        ("examples/binary.csv", {"threshold": 2}, ["--threshold", "2"]),
        ("examples/binary.csv", {"label": "nope"}, ["--label-col", "nope"]),
        ("examples/binary.csv", {"task": "regression"}, ["--task", "regression"]),
        ("examples/binary.csv", {"min": {"f2": 0.5}}, ["--min", "f2=0.5"]),
    ],
)
def test_errors_carry_the_message_of_the_binary(
    binary: str, path: str, options: Dict[str, Any], flags: List[str]
) -> None:
    with pytest.raises(mlguard.MlguardError) as caught:
        mlguard.evaluate(path, **options)
    cli = run([binary, "eval", path, "-q", *flags])
    assert cli.code == caught.value.exit_code == 2
    assert cli.stderr == f"mlguard: error: {caught.value}\n"


def test_options_eval_does_not_take_are_type_errors() -> None:
    with pytest.raises(TypeError, match="unknown option 'colour'"):
        mlguard.evaluate("examples/binary.csv", colour="red")
    with pytest.raises(TypeError, match="decides where the report is written"):
        mlguard.evaluate("examples/binary.csv", output_html="r.html")
    with pytest.raises(TypeError, match="is a switch"):
        mlguard.evaluate("examples/binary.csv", skip_invalid="yes")
    with pytest.raises(TypeError, match="both label= and label_col="):
        mlguard.evaluate("examples/binary.csv", label="label", label_col="label")
    with pytest.raises(TypeError, match="data must be a file path"):
        mlguard.evaluate(42)  # type: ignore[arg-type]


def no_temporary_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.startswith(".mlguard-")]


def test_save_writes_any_format(tmp_path: Path) -> None:
    report = mlguard.evaluate("examples/collapse.csv", segment="segment")
    report.save(tmp_path / "report.json")
    assert json.loads((tmp_path / "report.json").read_text()) == report.to_dict()
    report.save(str(tmp_path / "report.html"))
    assert (tmp_path / "report.html").read_text() == report.render("html")
    report.save(tmp_path / "summary.txt", format="markdown")
    assert (tmp_path / "summary.txt").read_text() == report.render("markdown")
    report.save(tmp_path / "junit.xml")
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")
    report.save(tmp_path / "report.txt")
    assert (tmp_path / "report.txt").read_text() == str(report)
    assert no_temporary_files(tmp_path)


def test_save_is_the_output_of_the_binary(binary: str, tmp_path: Path) -> None:
    report = mlguard.evaluate("examples/binary.csv")
    report.save(tmp_path / "python.html")
    run([binary, "eval", "examples/binary.csv", "-q", "--output-html", str(tmp_path / "cli.html")])
    assert (tmp_path / "python.html").read_bytes() == (tmp_path / "cli.html").read_bytes()


def test_save_refuses_what_it_cannot_write(binary: str, tmp_path: Path) -> None:
    report = mlguard.evaluate("examples/binary.csv")
    with pytest.raises(ValueError, match="cannot tell the report format"):
        report.save(tmp_path / "report.pdf")
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        report.save(tmp_path / "report.json", format="pdf")
    with pytest.raises(mlguard.MlguardError) as caught:
        report.save("examples/binary.csv", format="json")
    cli = run([binary, "eval", "examples/binary.csv", "-q", "-o", "examples/binary.csv"])
    assert cli.stderr == f"mlguard: error: {caught.value}\n"
    with pytest.raises(mlguard.MlguardError, match="cannot write the report"):
        report.save(tmp_path / "missing" / "report.json")
    assert no_temporary_files(tmp_path)


def test_the_notebook_shows_the_html_report_in_a_frame() -> None:
    report = mlguard.evaluate("examples/binary.csv")
    shown = report._repr_html_()
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)" [^>]*></iframe>', shown)
    assert found, shown[:200]
    assert html.unescape(found.group(1)) == report.render("html")


def test_repr_names_the_input_and_verdict() -> None:
    report = mlguard.evaluate("examples/binary.csv")
    findings = len(report.findings)
    assert repr(report) == (
        f"<mlguard.Report examples/binary.csv: passed, {findings} finding"
        f"{'' if findings == 1 else 's'}>"
    )
    assert str(report) == report.render()


def test_the_version_is_the_binarys(binary: str) -> None:
    assert run([binary, "--version"]).stdout == f"mlguard {mlguard.__version__}\n"


def test_rules_are_the_min_and_max_they_write(binary: str) -> None:
    report = mlguard.evaluate(
        "examples/binary.csv",
        segment="segment",
        rules=["f1 >= 0.99", "segment:recall>=0.5", "ece <= 0.2"],
    )
    flags = ["--min", "f1=0.99", "--min", "segment:recall=0.5", "--max", "ece=0.2"]
    flags += ["--segment-col", "segment"]
    cli = run([binary, "eval", "examples/binary.csv", "--format", "json", "-q", *flags])
    assert report.to_dict() == json.loads(cli.stdout)
    state = mlguard.State.of("examples/binary.csv")
    assert not state.report(rules="f1 >= 0.99").passed
    for bad in ("f1 > 0.8", "f1 == 0.8", "f1"):
        with pytest.raises(TypeError, match="rule"):
            mlguard.evaluate("examples/binary.csv", rules=[bad])
