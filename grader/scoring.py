"""Turn a raw run into a scored :class:`~grader.results.KataResult`.

A level passes when it has tests and all of them pass. The score is the passed points over all
points, as a whole percentage rounded down, so only a run where everything passed scores 100.
A test that was collected but never reported (the child hung, crashed or exited early) fails.
"""

from __future__ import annotations

import hashlib
import signal
from pathlib import Path
from typing import Any

from grader.catalog import Kata
from grader.results import KataResult, LevelResult, Location, Outcome, Status, TestResult
from grader.runner import SPOILING_KINDS, RawRun

OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "error", "timeout", "skipped")

def source_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


Violations = tuple[dict[str, list[str]], list[tuple[str, str]]]


def _violations(raw: RawRun) -> Violations:
    """Forbidden attempts, by the test they happened in (``""``: outside any test, or of a
    kind that spoils the whole run): ``({test id: [message]}, [(kind, message)])``, the
    second list holding every attempt in order."""
    by_test: dict[str, list[str]] = {}
    every: list[tuple[str, str]] = []
    for record in raw.child.records:
        if record.get("type") != "violation":
            continue
        message = str(record.get("message", "forbidden"))
        every.append((str(record.get("kind", "forbidden")), message))
        # a patch outlives the test it happened in: nothing after it can be believed
        during = record.get("during")
        key = (str(during) if during is not None and record.get("kind") not in SPOILING_KINDS
               else "")
        by_test.setdefault(key, []).append(message)
    return by_test, every


def _memory(raw: RawRun) -> bool:
    child = raw.child
    if any(r.get("exception") == "MemoryError" for r in child.records if r.get("type") == "test"):
        return True
    if raw.import_error is not None and "MemoryError" in str(raw.import_error.get("message")):
        return True
    return "MemoryError" in child.output_tail or (
        child.first("done") is None and child.returncode == -signal.SIGKILL
        and not (child.timed_out or child.output_exceeded or child.disk_exceeded))


def _status(raw: RawRun, kata: Kata, violations: list[tuple[str, str]]) -> tuple[Status, str]:
    child = raw.child
    limits = kata.limits
    if child.forged:
        return "forbidden", f"results: {child.forged}; nothing from this run counts"
    if child.escaped:
        return "forbidden", (f"subprocess: your code started {child.escaped} process(es) that "
                             "were still running when grading ended (they were stopped)")
    if violations:
        kind, message = violations[0]
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        what = message.removeprefix("forbidden while graded: ")
        return "forbidden", f"{kind}: {what}{more}"
    if child.output_exceeded or any(r.get("output_exceeded") for r in child.records):
        return "output", (f"your code printed more than {limits.output_kb} KiB; "
                          "grading was stopped")
    if _memory(raw):
        return "memory", (f"your code ran out of memory (the limit is {limits.memory_mb} MiB): "
                          "look for data that grows without bound")
    if raw.import_error is not None:
        message = raw.import_error.get("message", "the module could not be imported")
        return "import-error", str(message)
    if child.stalled:
        where = f" in {child.running!r}" if child.running else ""
        return "timeout", (f"a check{where} ran past its time limit ({limits.test_timeout:g} s) "
                           "and did not stop: does your code catch BaseException, or ignore "
                           "SIGALRM?")
    if child.timed_out:
        return "timeout", (f"grading stopped after {limits.kata_timeout:g} s "
                           "(the kata's time limit): something never finished")
    if child.disk_exceeded:
        return "disk", (f"your code wrote more than {limits.disk_mb} MiB of files; "
                        "grading was stopped")
    if child.first("interrupted") is not None:
        return "crashed", ("the test run was stopped from inside: does your code raise "
                           "KeyboardInterrupt?")
    if child.first("done") is None:
        code = child.returncode
        if child.first("imported") is None and child.first("collected") is not None:
            return "crashed", (f"the test process exited (status {code}) while importing your "
                               "module: does it call exit() or os._exit() at import time?")
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            why = {"SIGXCPU": "it used up its CPU time limit",
                   "SIGSEGV": "a segmentation fault (often a recursion that went too deep)",
                   "SIGKILL": "it was killed"}.get(name, name)
            return "crashed", f"the test process died: {why}"
        return "crashed", (f"the test process exited early (exit status {code}) before every "
                           "test had reported: does your code call exit() or os._exit()?")
    return "graded", ""


def _location(raw: Any) -> Location | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Location(file=str(raw["file"]), line=int(raw["line"]),
                        function=str(raw.get("function", "")), code=str(raw.get("code", "")))
    except (KeyError, TypeError, ValueError):
        return None


def score_run(kata: Kata, raw: RawRun, *, source: str, module_path: Path) -> KataResult:
    by_test, every = _violations(raw)
    status, detail = _status(raw, kata, every)
    # nothing from this run can be credited
    spoiled = bool(raw.child.forged or raw.child.escaped) or "" in by_test
    running = raw.child.running if raw.child.stalled else None
    tests: list[TestResult] = []
    for entry in raw.collected:
        test_id = str(entry["id"])
        points = int(entry.get("points", 1))
        report = raw.reported.get(test_id)
        if spoiled or test_id in by_test:
            message = (by_test.get(test_id) or by_test.get("") or [detail])[0]
            tests.append(TestResult(test_id, int(entry["level"]), str(entry.get("title", "")),
                                    "error", 0, points, message))
            continue
        if test_id == running:
            tests.append(TestResult(test_id, int(entry["level"]), str(entry.get("title", "")),
                                    "timeout", 0, points, detail))
            continue
        if report is None:
            outcome: Outcome = "timeout" if status == "timeout" else "error"
            message = ("not run: an earlier check never finished" if running else
                       detail or "this test never reported a result")
            if status == "import-error":
                outcome, message = "error", "not run: your module could not be imported"
            tests.append(TestResult(test_id, int(entry["level"]), str(entry.get("title", "")),
                                    outcome, 0, points, message))
            continue
        outcome = report.get("outcome", "error")
        if outcome not in OUTCOMES:
            outcome = "error"
        tests.append(TestResult(
            id=test_id, level=int(entry["level"]), title=str(entry.get("title", "")),
            outcome=outcome, points=points if outcome == "passed" else 0, max_points=points,
            message=str(report.get("message", "")), location=_location(report.get("location")),
            output=str(report.get("output", "")),
            duration_s=float(report.get("duration_s", 0.0)),
        ))
    levels = []
    for level in kata.levels:
        mine = [t for t in tests if t.level == level.number]
        passed = [t for t in mine if t.outcome == "passed"]
        levels.append(LevelResult(
            number=level.number, name=level.name, goal=level.goal,
            passed=bool(mine) and len(passed) == len(mine),
            points=sum(t.points for t in mine), max_points=sum(t.max_points for t in mine),
            tests=len(mine), tests_passed=len(passed),
        ))
    total = sum(t.max_points for t in tests)
    earned = sum(t.points for t in tests)
    score = earned * 100 // total if total else 0
    return KataResult(
        slug=kata.slug, title=kata.title, score=score, status=status,
        duration_s=raw.child.duration_s, levels=tuple(levels), tests=tuple(tests),
        source=source, source_hash=source_hash(module_path), detail=detail,
    )


def missing_result(kata: Kata, raw: RawRun, *, source: str, module_path: Path) -> KataResult:
    """Score 0 for a submission whose module file does not exist, every test counted."""
    scored = score_run(kata, raw, source=source, module_path=module_path)
    tests = tuple(TestResult(t.id, t.level, t.title, "error", 0, t.max_points,
                             f"{kata.module_file} was not found") for t in scored.tests)
    return KataResult(
        slug=kata.slug, title=kata.title, score=0, status="missing", duration_s=0.0,
        levels=scored.levels, tests=tests, source=source, source_hash="",
        detail=f"no {kata.module_file} in {source}",
    )
