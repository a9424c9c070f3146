"""The grader's pytest plugin: reads ``level`` and ``points`` markers, turns each hidden test's
outcome into learner feedback, and streams the results to the grading process.

Records are JSON lines written to a file descriptor the grader passed in (``--grade-results-fd``):
``collected`` (every test with its level and points), one ``test`` record per test, and ``done``.
A record that never arrives counts as a failure on the grader's side.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from grader.feedback import describe, learner_output

PLUGIN_NAME = "grade-results"
# Output lines naming these (the grader and its hidden suites) are never shown to learners.
INTERNAL_PATHS = (str(Path(__file__).resolve().parent),)


def write_record(fd: int, record: dict[str, Any]) -> None:
    """Write one JSON-lines record to the results pipe, whole."""
    data = (json.dumps(record) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _marker_int(item: pytest.Item, name: str, default: int | None) -> int | None:
    marker = item.get_closest_marker(name)
    if marker is None:
        return default
    value = marker.args[0] if len(marker.args) == 1 else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{name} takes one positive int")
    return value


def _title(item: pytest.Item) -> str:
    owner = getattr(item, "obj", None)
    if item.name == "runTest":  # a unittest case (e.g. a hypothesis state machine): its class
        owner = getattr(item, "cls", None)
    doc = (getattr(owner, "__doc__", None) or "").strip()
    name = getattr(item, "originalname", item.name)
    first_paragraph = " ".join(doc.split("\n\n")[0].split())
    title = first_paragraph or name.removeprefix("test_").replace("_", " ")
    callspec = getattr(item, "callspec", None)
    return f"{title} [{callspec.id}]" if callspec is not None else title


class ResultStream:
    """Merges the setup/call/teardown reports of each test into one record and streams it."""

    def __init__(self, fd: int, learner_dir: Path | None, fail_fast: bool) -> None:
        self.fd = fd
        self.learner_files = frozenset(learner_dir.glob("*.py")) if learner_dir else frozenset()
        self.fail_fast = fail_fast
        self.pending: dict[str, dict[str, Any]] = {}
        self.session: pytest.Session | None = None

    def write(self, record: dict[str, Any]) -> None:
        if self.fd >= 0:
            write_record(self.fd, record)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        tests = []
        for item in items:
            level = _marker_int(item, "level", None)
            if level is None:
                raise pytest.UsageError(f"{item.nodeid}: every hidden test needs "
                                        "@pytest.mark.level(n)")
            tests.append({"id": item.nodeid, "level": level, "title": _title(item),
                          "points": _marker_int(item, "points", 1)})
        self.write({"type": "collected", "tests": tests})

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.excinfo is not None and not report.skipped:
            feedback = describe(call.excinfo.value, self.learner_files)
            report.user_properties.append(("grade_feedback", {
                "outcome": feedback.outcome if call.when == "call" else "error",
                "message": feedback.message,
                "location": asdict(feedback.location) if feedback.location else None,
            }))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.pending.setdefault(report.nodeid, {"outcome": "passed", "duration_s": 0.0})
        entry["duration_s"] += report.duration
        if (report.failed or report.skipped) and entry["outcome"] == "passed":
            feedback = dict(report.user_properties).get("grade_feedback")
            if report.skipped:
                entry["outcome"] = "skipped"
            elif isinstance(feedback, dict):
                entry.update(feedback)
            else:
                entry.update(outcome="error", message=report.longreprtext[-2000:])
            output = learner_output(report.capstdout + report.capstderr, INTERNAL_PATHS)
            if output:
                entry["output"] = output
        if report.when != "teardown":
            return
        self.write({"type": "test", "id": report.nodeid, **self.pending.pop(report.nodeid)})
        if self.fail_fast and entry["outcome"] not in ("passed", "skipped") and self.session:
            self.session.shouldstop = "stopped at the first failure"

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # A KeyboardInterrupt raised by the code under test ends the whole session; stopping
        # on purpose (fail-fast sets shouldstop) arrives here as Session.Interrupted.
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.write({"type": "interrupted"})

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        self.write({"type": "done", "exitstatus": int(exitstatus)})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade", "Backend Katas grading")
    group.addoption("--grade-results-fd", type=int, default=-1,
                    help="file descriptor to stream JSON-lines results to")
    group.addoption("--grade-learner-dir", default=None,
                    help="folder of the code under test (to point feedback at its lines)")
    group.addoption("--grade-fail-fast", action="store_true",
                    help="stop at the first failing test (used by 'grade verify')")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "level(n): the kata level (1-based) this test belongs to")
    config.addinivalue_line("markers", "points(n): how many points this test is worth (default 1)")
    learner_dir = config.getoption("--grade-learner-dir")
    stream = ResultStream(
        config.getoption("--grade-results-fd"),
        Path(learner_dir).resolve() if learner_dir else None,
        config.getoption("--grade-fail-fast"),
    )
    config.pluginmanager.register(stream, PLUGIN_NAME)
