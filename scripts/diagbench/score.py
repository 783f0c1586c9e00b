#!/usr/bin/env python3
"""Run mlguard on every generated case of the diagnosis benchmark and judge its diagnosis.

    score.py [--bin PATH] [--dir target/diagbench] [--only NAME[,NAME]] [--cases FILE]
             [--ci] [--table docs/diagnosis-benchmark.md [--label TEXT]]

For each case directory (see gen.py) it runs

    BIN eval current.csv [--reference reference.csv] [--train train.csv] --label-col label
        --time-col timestamp --segment-col segment --version-col version --id-col id
        FLAGS --format json -o out.json

and judges the report's `findings` against case.json's `expect`:

  fault    detected      one of expect.codes is among the findings at warning or error
           leading right the first finding at warning or error has one of expect.categories
                         and matches expect.place (see place_matches)
           clean         no finding that expect.forbid rules out
           right         all three
  healthy  right         exit code 0, no finding at error, and no finding at warning except
                         the codes in expect.warning_ok

A run that crashes, times out or writes no report is a failure of its case, never an
exception here. Writes DIR/results.json and prints one line per case and a summary per fault
kind and healthy group. Exits 0, except with --ci: then 1 when a case is not right.
"""
import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

SEVERITY = {"info": 0, "warning": 1, "error": 2}
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                     r"(?:Z|[+-]\d{2}:?\d{2})?)?")
TIMEOUT = 300


def parse_time(text):
    """A datetime (UTC) and the length of time the text names: a date-time is a point
    (hours=0), a bare date the whole day (24)."""
    text = text.strip()
    if len(text) == 10:
        d = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        return d, 24
    t = text.replace(" ", "T").replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", t):
        t = t[:-2] + ":" + t[-2:]
    d = datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc), 0


def times_in(texts):
    out = []
    for text in texts:
        for m in TIME_RE.finditer(text or ""):
            try:
                out.append(parse_time(m.group(0)))
            except ValueError:
                pass
    return out


def finding_texts(f):
    """Where a finding may name its place: the location's window, the title, and the
    evidence's check ids, value keys and messages, most specific first."""
    ev = f.get("evidence") or {}
    loc = ev.get("location") or {}
    primary = [loc.get("window") or "", f.get("title") or ""]
    secondary = list(ev.get("checks") or []) + list((ev.get("values") or {}).keys()) + \
        list(ev.get("because") or [])
    return primary, secondary


def segment_matches(f, value, column=None):
    loc = (f.get("evidence") or {}).get("location") or {}
    seg = loc.get("segment")
    if seg and str(seg.get("value")) == value and (column is None or seg.get("column") == column):
        return True
    primary, secondary = finding_texts(f)
    col = re.escape(column) if column else r"[\w.-]+"
    pat = re.compile(rf"(?<![\w.-]){col}={re.escape(value)}(?![\w.])")
    return any(pat.search(t) for t in primary + secondary)


def time_matches(f, lo, hi):
    """Some time the finding names falls within [lo, hi] (a date counts as its whole day).
    The location's window and the title are read first; the evidence only when they name no
    time, so a finding that points elsewhere is not saved by a stray date in its numbers."""
    primary, secondary = finding_texts(f)
    found = times_in(primary) or times_in(secondary)
    for t, span in found:
        if t <= hi and t + timedelta(hours=span) >= lo:
            return True
    return False


def place_matches(f, place):
    """Whether the finding `f` points at `place`: None or {} (anywhere), a list (any of),
    or a dict whose keys must all match: segment (+ column), version, time (+
    tolerance_hours), time_from/time_to, classes, feature."""
    if not place:
        return True
    if isinstance(place, list):
        return any(place_matches(f, p) for p in place)
    ok = True
    if "segment" in place:
        ok &= segment_matches(f, place["segment"], place.get("column"))
    if "version" in place:
        ok &= segment_matches(f, place["version"], "version")
    if "time" in place:
        t, _ = parse_time(place["time"])
        tol = timedelta(hours=place.get("tolerance_hours", 24))
        ok &= time_matches(f, t - tol, t + tol)
    if "time_from" in place or "time_to" in place:
        lo = parse_time(place["time_from"])[0] if "time_from" in place else \
            datetime.min.replace(tzinfo=timezone.utc)
        hi = parse_time(place["time_to"])[0] if "time_to" in place else \
            datetime.max.replace(tzinfo=timezone.utc)
        ok &= time_matches(f, lo, hi)
    if "feature" in place:
        loc = (f.get("evidence") or {}).get("location") or {}
        ok &= loc.get("feature") == place["feature"]
    if "classes" in place:
        loc = (f.get("evidence") or {}).get("location") or {}
        primary, secondary = finding_texts(f)
        texts = " ".join(primary + secondary)
        named = [c for c in place["classes"]
                 if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w.])", texts)]
        ok &= loc.get("class") in place["classes"] or \
            len(named) >= min(2, len(place["classes"]))
    return ok


def place_text(f):
    loc = (f.get("evidence") or {}).get("location") or {}
    if loc.get("feature"):
        where = f" {loc['segment']['column']}={loc['segment']['value']}" \
            if loc.get("segment") else ""
        when = f" since {loc['window']}" if loc.get("window") else ""
        return f"feature {loc['feature']}{where}{when}"
    if loc.get("segment"):
        return f"{loc['segment']['column']}={loc['segment']['value']}"
    if loc.get("window"):
        return f"at {loc['window']}"
    if loc.get("class"):
        return f"class {loc['class']}"
    return "-"


def command(bin_path, case_dir, case):
    cmd = [bin_path, "eval", os.path.join(case_dir, "current.csv")]
    for key, flag in (("reference", "--reference"), ("train", "--train")):
        p = os.path.join(case_dir, f"{key}.csv")
        if os.path.exists(p):
            cmd += [flag, p]
    cmd += ["--label-col", "label", "--time-col", "timestamp", "--segment-col", "segment",
            "--version-col", "version", "--id-col", "id"]
    cmd += case.get("flags", [])
    cmd += ["--quiet", "--format", "json", "-o", os.path.join(case_dir, "out.json")]
    return cmd


def judge(case, report, code):
    """The verdict on one case from its report (None when there is none) and exit code."""
    exp = case["expect"]
    findings = (report or {}).get("findings") or []
    serious = [f for f in findings if SEVERITY.get(f.get("severity"), 0) >= 1]
    lead = serious[0] if serious else None
    v = {"exit_code": code, "ran": report is not None,
         "leading": None if lead is None else {
             "code": lead.get("code"), "severity": lead.get("severity"),
             "category": lead.get("category"), "place": place_text(lead),
             "title": lead.get("title")},
         "findings": [{"code": f.get("code"), "severity": f.get("severity"),
                       "category": f.get("category"), "place": place_text(f),
                       "confidence": f.get("confidence")} for f in findings]}
    if report is None:
        v.update(right=False, detected=False, leading_right=False, clean=False)
        return v
    if case["kind"] == "fault":
        codes = set(exp.get("codes", []))
        v["detected"] = any(f.get("code") in codes for f in serious)
        v["leading_right"] = (lead is not None
                              and lead.get("category") in exp.get("categories", [])
                              and place_matches(lead, exp.get("place")))
        forbid = exp.get("forbid") or {}
        floor = SEVERITY[forbid.get("min_severity", "warning")]
        bad = [f for f in findings if SEVERITY.get(f.get("severity"), 0) >= floor and (
            f.get("code") in forbid.get("codes", [])
            or f.get("category") in forbid.get("categories", []))]
        v["forbidden"] = [f"{f['code']} ({f['severity']})" for f in bad]
        v["clean"] = not bad
        v["right"] = v["detected"] and v["leading_right"] and v["clean"]
    else:
        ok = exp.get("warning_ok", [])
        errors = [f for f in findings if f.get("severity") == "error"]
        warns = [f for f in findings if f.get("severity") == "warning"
                 and not (ok is True or f.get("code") in ok)]
        v["errors"] = [f"{f['code']} {place_text(f)}" for f in errors]
        v["warnings"] = [f"{f['code']} {place_text(f)}" for f in warns]
        v["right"] = code == exp.get("exit_code", 0) and not errors and not warns
    return v


def run_case(bin_path, case_dir):
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    out = os.path.join(case_dir, "out.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = command(bin_path, case_dir, case)
    t0 = time.time()
    err = ""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        code, err = p.returncode, p.stderr.strip()
    except subprocess.TimeoutExpired:
        code, err = None, f"timed out after {TIMEOUT}s"
    except OSError as e:
        code, err = None, str(e)
    secs = time.time() - t0
    report = None
    if code in (0, 1) and os.path.exists(out):
        try:
            with open(out) as f:
                report = json.load(f)
        except ValueError as e:
            err = f"unreadable report: {e}"
    v = judge(case, report, code)
    v.update(name=case["name"], kind=case["kind"], family=case["family"],
             expect=case["expect"], seconds=round(secs, 2),
             command=" ".join(cmd), stderr=err[-2000:] if report is None else "")
    return v


def verdict_word(v):
    if not v["ran"]:
        return "CRASH"
    if v["kind"] == "healthy":
        return "ok" if v["right"] else "FALSE ALARM"
    if v["right"]:
        return "right"
    parts = []
    parts.append("detected" if v["detected"] else "missed")
    if not v["leading_right"]:
        parts.append("lead wrong")
    if not v["clean"]:
        parts.append("forbidden " + ",".join(v["forbidden"]))
    return "; ".join(parts)


def line(v):
    lead = v["leading"]
    lt = "(none)" if lead is None else f"{lead['code']} [{lead['severity']}] {lead['place']}"
    return f"{v['name']:46s} {verdict_word(v):24s} {lt}"


def pct(k, n):
    return f"{k}/{n}"


def summary(results):
    """Rows of the fault table and the healthy table, as lists of cells."""
    faults, healthy = {}, {}
    for v in results:
        (faults if v["kind"] == "fault" else healthy).setdefault(v["family"], []).append(v)
    frows = []
    for fam, vs in faults.items():
        exp = vs[0]["expect"]
        n = len(vs)
        frows.append([fam, "/".join(exp.get("categories", [])),
                      ", ".join(exp.get("codes", [])),
                      pct(sum(v["detected"] for v in vs), n),
                      pct(sum(v["leading_right"] for v in vs), n),
                      pct(sum(v["right"] for v in vs), n)])
    hrows = []
    for fam, vs in healthy.items():
        n = len(vs)
        hrows.append([fam, str(n), str(sum(bool(v.get("errors")) or not v["ran"] for v in vs)),
                      str(sum(bool(v.get("warnings")) for v in vs)),
                      str(sum(v["exit_code"] != 0 for v in vs))])
    return frows, hrows


def totals(results):
    f = [v for v in results if v["kind"] == "fault"]
    h = [v for v in results if v["kind"] == "healthy"]
    return {
        "fault_cases": len(f),
        "detected": sum(v["detected"] for v in f),
        "leading_right": sum(v["leading_right"] for v in f),
        "right": sum(v["right"] for v in f),
        "healthy_cases": len(h),
        "healthy_right": sum(v["right"] for v in h),
        "healthy_with_error": sum(bool(v.get("errors")) or not v["ran"] for v in h),
        "healthy_with_warning": sum(bool(v.get("warnings")) for v in h),
        "healthy_exit_nonzero": sum(v["exit_code"] != 0 for v in h),
    }


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths))]
    for r in rows:
        out.append("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
    return "\n".join(out)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


FAULT_HEADER = ["fault kind", "expected category", "expected codes", "detected",
                "leading right", "right"]
HEALTHY_HEADER = ["healthy group", "runs", "with error", "with warning", "exit ≠ 0"]


def problems(v):
    """What keeps a fault case from being right, in words."""
    if not v["ran"]:
        return "mlguard failed"
    out = []
    if not v["detected"]:
        out.append("not detected")
    if not v["leading_right"]:
        out.append("leading finding wrong")
    if not v["clean"]:
        out.append("forbidden " + ", ".join(f"`{x}`" for x in v["forbidden"]))
    return ", ".join(out)


def lead_text(v):
    lead = v["leading"]
    if lead is None:
        return "no finding at warning or error"
    return f"`{lead['code']}` ({lead['severity']}, {lead['place']})"


def markdown(results, label):
    frows, hrows = summary(results)
    t = totals(results)
    frows = [[f"`{r[0]}`", r[1], ", ".join(f"`{c}`" for c in r[2].split(", ")), *r[3:]]
             for r in frows]
    hrows = [[f"`{r[0]}`", *r[1:]] for r in hrows]
    version = results[0].get("tool_version", "?") if results else "?"
    parts = [
        f"Run of mlguard {version} ({label}): {t['fault_cases']} fault cases, "
        f"{t['detected']} detected, {t['leading_right']} with the right leading finding, "
        f"{t['right']} right in full; {t['healthy_cases']} healthy cases, "
        f"{t['healthy_right']} without a false alarm.",
        "",
        md_table(FAULT_HEADER, frows),
        "",
        md_table(HEALTHY_HEADER, hrows),
        "",
        "### Still missed",
        "",
        "Fault kinds not right in every seed, with what each seed's report leads with:",
        "",
    ]
    by_kind = {}
    for v in results:
        if v["kind"] == "fault":
            by_kind.setdefault(v["family"], []).append(v)
    missed = []
    for fam, vs in by_kind.items():
        wrong = [v for v in vs if not v["right"]]
        if not wrong:
            continue
        seeds = "; ".join(f"{v['name'].rsplit('-', 1)[-1]} {problems(v)}, leads with "
                          f"{lead_text(v)}" for v in wrong)
        missed.append(f"- `{fam}` ({len(vs) - len(wrong)}/{len(vs)} right): {seeds}")
    parts += missed or ["- none"]
    parts += ["", "### False alarms", "",
              "Healthy groups with a finding at error, or at warning beyond `warning_ok`:", ""]
    by_group = {}
    for v in results:
        if v["kind"] == "healthy" and not v["right"]:
            by_group.setdefault(v["family"], []).append(v)
    alarms = []
    for fam, vs in by_group.items():
        what = {}
        for v in vs:
            for x in [f"`{e.split()[0]}` (error)" for e in v.get("errors", [])] + \
                     [f"`{w.split()[0]}` (warning)" for w in v.get("warnings", [])]:
                what[x] = what.get(x, 0) + 1
            if not v["ran"]:
                what["crash"] = what.get("crash", 0) + 1
        alarms.append(f"- `{fam}`: " + ", ".join(f"{k} ×{n}" for k, n in what.items()))
    parts += alarms or ["- none"]
    return "\n".join(parts) + "\n"


def write_table(path, text):
    with open(path) as f:
        doc = f.read()
    begin, end = "<!-- BEGIN table -->", "<!-- END table -->"
    if begin not in doc or end not in doc:
        sys.exit(f"score.py: {path} has no {begin} / {end} markers")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/mlguard")
    ap.add_argument("--dir", default="target/diagbench")
    ap.add_argument("--only", help="case names, fault kinds or globs, comma-separated")
    ap.add_argument("--cases", help="a file listing case names, one a line (# comments)")
    ap.add_argument("--ci", action="store_true", help="exit 1 when a case is not right")
    ap.add_argument("--label", help="what the tables say was run [default: the binary's name]")
    ap.add_argument("--table", metavar="DOC", help="write the tables into DOC between its "
                    "<!-- BEGIN table --> and <!-- END table --> markers")
    args = ap.parse_args()

    root = os.path.join(args.dir, "cases")
    names = sorted(os.listdir(root)) if os.path.isdir(root) else []
    order = {}
    for n in names:
        with open(os.path.join(root, n, "case.json")) as f:
            order[n] = json.load(f)
    pats = []
    if args.only:
        pats += [p.strip() for p in args.only.split(",") if p.strip()]
    if args.cases:
        with open(args.cases) as f:
            pats += [ln.split("#")[0].strip() for ln in f if ln.split("#")[0].strip()]
    if pats:
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) or order[n]["family"] == p
                                         for p in pats)]
        missing = [p for p in pats if not any(fnmatch.fnmatchcase(n, p) or
                                              order[n]["family"] == p for n in names)]
        if missing:
            print(f"score.py: no generated case matches {', '.join(missing)}", file=sys.stderr)
            if args.ci:
                return 1
    if not names:
        print(f"score.py: no cases under {root} (run gen.py first)", file=sys.stderr)
        return 1 if args.ci else 0
    # Faults first, in generation order of kinds; healthy after.
    names.sort(key=lambda n: (order[n]["kind"] != "fault", order[n]["family"], n))

    version = "?"
    try:
        version = subprocess.run([args.bin, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip().split()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    t0 = time.time()
    results = []
    for n in names:
        v = run_case(args.bin, os.path.join(root, n))
        v["tool_version"] = version
        results.append(v)
        print(line(v), flush=True)
    elapsed = time.time() - t0

    frows, hrows = summary(results)
    print()
    if frows:
        print(text_table(FAULT_HEADER, frows))
        print()
    if hrows:
        print(text_table(HEALTHY_HEADER, hrows))
        print()
    t = totals(results)
    print(f"faults: {t['detected']}/{t['fault_cases']} detected, {t['leading_right']}/"
          f"{t['fault_cases']} leading right, {t['right']}/{t['fault_cases']} right; healthy: "
          f"{t['healthy_right']}/{t['healthy_cases']} without a false alarm; "
          f"{elapsed:.0f}s")
    with open(os.path.join(args.dir, "results.json"), "w") as f:
        json.dump({"bin": args.bin, "tool_version": version, "seconds": round(elapsed, 1),
                   "totals": t, "cases": results}, f, indent=1)
        f.write("\n")
    if args.table:
        write_table(args.table, markdown(results, args.label or
                                         f"`{os.path.basename(args.bin)}`"))
        print(f"wrote the table into {args.table}")
    if args.ci:
        bad = [v for v in results if not v["right"]]
        if bad:
            print(f"\n{len(bad)} of {len(results)} benchmark cases not right:", file=sys.stderr)
            for v in bad:
                print(f"  {line(v)}", file=sys.stderr)
            return 1
        print(f"{len(results)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
