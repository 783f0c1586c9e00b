#!/usr/bin/env python3
"""Tests of score.py's judging: where a finding points, and the verdicts.

    python3 scripts/diagbench/test_score.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import judge, place_matches  # noqa: E402

T = "2026-05-08T06:00:00Z"


def finding(title="", window=None, segment=None, because=(), values=None, cls=None,
            code="deployment.step_change", severity="error", category="deployment",
            feature=None):
    return {"code": code, "severity": severity, "category": category, "title": title,
            "evidence": {"location": {"segment": segment, "window": window, "class": cls,
                                      "feature": feature},
                         "because": list(because), "values": values or {}, "checks": []}}


class Place(unittest.TestCase):
    def test_the_feature_must_be_the_one_named(self):
        place = {"time": T, "feature": "amount"}
        self.assertTrue(place_matches(finding(window=T, feature="amount"), place))
        self.assertFalse(place_matches(finding(window=T, feature="age"), place))
        self.assertFalse(place_matches(finding(window=T), place))

    def test_time_within_tolerance(self):
        self.assertTrue(place_matches(finding(window="2026-05-08T10:00:00Z"),
                                      {"time": T, "tolerance_hours": 24}))
        self.assertFalse(place_matches(finding(window="2026-05-10T10:00:00Z"),
                                       {"time": T, "tolerance_hours": 24}))

    def test_a_date_is_its_whole_day(self):
        self.assertTrue(place_matches(finding(title="x (at 2026-05-08)"),
                                      {"time": T, "tolerance_hours": 1}))
        self.assertFalse(place_matches(finding(title="x (at 2026-05-07)"),
                                       {"time": T, "tolerance_hours": 1}))

    def test_window_and_title_before_evidence(self):
        f = finding(window="2026-05-01T00:00:00Z", because=[f"at {T}"])
        self.assertFalse(place_matches(f, {"time": T}))
        self.assertTrue(place_matches(finding(because=[f"the rate rose starting at {T}"]),
                                      {"time": T}))

    def test_time_range(self):
        place = {"time_from": "2026-05-02T12:00:00Z", "time_to": "2026-05-08T00:00:00Z"}
        self.assertTrue(place_matches(finding(window="2026-05-05T00:00:00Z"), place))
        self.assertFalse(place_matches(finding(window="2026-05-08T10:00:00Z"), place))

    def test_segment(self):
        self.assertTrue(place_matches(
            finding(segment={"column": "segment", "value": "android"}), {"segment": "android"}))
        self.assertTrue(place_matches(finding(title="weak (segment=android)"),
                                      {"segment": "android"}))
        self.assertFalse(place_matches(finding(title="weak (segment=android2)"),
                                       {"segment": "android"}))

    def test_version_is_the_version_column(self):
        self.assertTrue(place_matches(
            finding(segment={"column": "version", "value": "3.2.0"}), {"version": "3.2.0"}))
        self.assertFalse(place_matches(
            finding(segment={"column": "segment", "value": "3.2.0"}), {"version": "3.2.0"}))
        self.assertFalse(place_matches(finding(title="version=3.2.01"), {"version": "3.2.0"}))

    def test_classes(self):
        place = {"classes": ["cat", "dog"]}
        self.assertTrue(place_matches(finding(title="cat and dog swapped"), place))
        self.assertTrue(place_matches(finding(cls="cat"), place))
        self.assertFalse(place_matches(finding(title="class bird"), place))

    def test_no_place_any_of_all_of(self):
        self.assertTrue(place_matches(finding(), None))
        self.assertTrue(place_matches(finding(title="segment=ios"),
                                      [{"segment": "android"}, {"segment": "ios"}]))
        self.assertFalse(place_matches(finding(title="segment=ios"),
                                       {"segment": "ios", "time": T}))


class Verdict(unittest.TestCase):
    fault = {"kind": "fault", "expect": {
        "categories": ["deployment"], "codes": ["deployment.step_change"],
        "place": {"time": T, "tolerance_hours": 24},
        "forbid": {"codes": ["deployment.version_gap"], "min_severity": "warning"}}}

    def test_right(self):
        v = judge(self.fault, {"findings": [finding(window=T)]}, 1)
        self.assertTrue(v["right"])

    def test_info_never_leads(self):
        info = finding(code="data.class_imbalance", severity="info", category="data")
        v = judge(self.fault, {"findings": [info, finding(window=T)]}, 1)
        self.assertEqual(v["leading"]["code"], "deployment.step_change")

    def test_forbidden(self):
        gap = finding(code="deployment.version_gap", severity="warning",
                      segment={"column": "version", "value": "3.2.0"})
        v = judge(self.fault, {"findings": [finding(window=T), gap]}, 1)
        self.assertTrue(v["detected"] and v["leading_right"])
        self.assertFalse(v["right"])

    def test_detected_only_at_warning_or_error(self):
        v = judge(self.fault, {"findings": [finding(window=T, severity="info")]}, 0)
        self.assertFalse(v["detected"])

    def test_no_report_is_a_failure(self):
        self.assertFalse(judge(self.fault, None, None)["right"])

    def test_healthy(self):
        case = {"kind": "healthy",
                "expect": {"exit_code": 0, "warning_ok": ["training.miscalibration"]}}
        ok = finding(code="training.miscalibration", severity="warning", category="training")
        self.assertTrue(judge(case, {"findings": [ok]}, 0)["right"])
        bad = finding(code="deployment.saturated_scores", severity="warning")
        self.assertFalse(judge(case, {"findings": [ok, bad]}, 0)["right"])
        self.assertFalse(judge(case, {"findings": []}, 1)["right"])


if __name__ == "__main__":
    unittest.main()
