"""The report of an evaluation: its verdict, its JSON form as Python data, and every format
the command line writes, rendered by the same code."""

from __future__ import annotations

import html
import json
import os
from typing import Any, Dict, List, Optional, Union

from mlguard._native import Evaluation


class Report:
    """The finished report of :func:`mlguard.evaluate`.

    ``to_dict()`` is the JSON report (``mlguard eval --format json``) as Python data;
    ``passed`` and ``exit_code`` are the gate's verdict; ``save`` writes any format the
    command line writes. In Jupyter the HTML report shows inline.
    """

    __slots__ = ("_evaluation",)

    def __init__(self, evaluation: Evaluation) -> None:
        self._evaluation = evaluation

    @property
    def passed(self) -> bool:
        """Whether the gate passed: no rule and no check failed."""
        return self._evaluation.passed

    @property
    def exit_code(self) -> int:
        """The exit code ``mlguard eval`` ends with for this report: 0 passed, 1 gate failed."""
        return self._evaluation.exit_code

    def to_dict(self) -> Dict[str, Any]:
        """The JSON report as Python data (a new copy on each call)."""
        report: Dict[str, Any] = json.loads(self._evaluation.render("json"))
        return report

    @property
    def metrics(self) -> Dict[str, Any]:
        """The report's ``metrics``: every metric by name (``None`` where one cannot be computed)."""
        metrics: Dict[str, Any] = self.to_dict()["metrics"]
        return metrics

    @property
    def findings(self) -> List[Dict[str, Any]]:
        """The diagnosis's findings, most important first, each with its code, severity,
        evidence and remedies."""
        findings: List[Dict[str, Any]] = self.to_dict()["findings"]
        return findings

    def render(self, format: str = "text") -> str:  # noqa: A002 - the name of --format
        """The report in ``format`` (text, json, markdown, junit, html or github), as the
        command line writes it (the text report without colour)."""
        return self._evaluation.render(format)

    def save(
        self,
        path: Union[str, "os.PathLike[str]"],
        format: Optional[str] = None,  # noqa: A002 - the name of --format
    ) -> None:
        """Write the report to ``path`` in ``format``, or in the format the file name's
        extension names (.txt, .json, .md, .xml for JUnit, .html). The file is written
        atomically, as the command line writes it, and never over the evaluated input."""
        self._evaluation.save(os.fspath(path), format)

    def _repr_html_(self) -> str:
        # The report is a page of its own (with its own styles, script and content policy):
        # an inline frame keeps it from the notebook's page and the notebook's from it.
        page = html.escape(self.render("html"), quote=True)
        return (
            f'<iframe srcdoc="{page}" title="mlguard report" '
            'style="width: 100%; height: 720px; border: 0;"></iframe>'
        )

    def __str__(self) -> str:
        return self.render("text")

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "gate failed"
        findings = len(self.findings)
        return (
            f"<mlguard.Report {self._evaluation.input}: {verdict}, "
            f"{findings} finding{'' if findings == 1 else 's'}>"
        )
