"""The grader's pytest plugin: reads ``level`` and ``points`` markers, turns each hidden test's
outcome into learner feedback, and streams the results to the grading process.

Records go to a sink: the grading child's signed channel (:mod:`grader.channel`), or JSON lines
on a file descriptor (``--grade-results-fd``) when the plugin is used on its own. In order:
``collected`` (every test with its level and points), then ``start`` and ``test`` for each test,
and ``done``; ``violation`` whenever the code under test tried something forbidden. A record
that never arrives counts as a failure on the grader's side.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from grader.feedback import describe, learner_output
from grader.tripwire import Tripwire

PLUGIN_NAME = "grade-results"
# Output lines naming these (the grader and its hidden suites) are never shown to learners.
INTERNAL_PATHS = (str(Path(__file__).resolve().parent),)


def write_record(fd: int, record: dict[str, Any]) -> None:
    """Write one JSON-lines record to the results pipe, whole."""
    data = (json.dumps(record) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _foreground_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if not t.daemon and t is not threading.main_thread()}


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


def _exception_kind(exc: BaseException) -> str:
    """The exception's type name, or ``MemoryError`` when one lies behind it: a check that
    turns the learner's MemoryError into a failure must still read as running out of memory."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, MemoryError):
            return "MemoryError"
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return type(exc).__name__


class ResultStream:
    """Merges the setup/call/teardown reports of each test into one record and streams it.

    ``sink`` receives every record. When grading, ``subject`` imports the code under test at
    the start of the session, after every plugin is configured and before any hidden test
    module is collected, and ``tripwire`` (taken just before that import) is checked after it
    and after every test.
    """

    def __init__(self, sink: Callable[[dict[str, Any]], object], learner_dir: Path | None, *,
                 fail_fast: bool = False, output_limit: int = 0,
                 subject: Callable[[], dict[str, Any] | None] | None = None,
                 tripwire: Callable[[], Tripwire] | None = None) -> None:
        self.sink = sink
        self.learner_files = frozenset(learner_dir.glob("*.py")) if learner_dir else frozenset()
        self.fail_fast = fail_fast
        self.output_limit = output_limit
        self.subject = subject
        self.make_tripwire = tripwire
        self.tripwire: Tripwire | None = None
        self.import_failed = False
        self.pending: dict[str, dict[str, Any]] = {}
        self.session: pytest.Session | None = None
        self.plugins: tuple[object, ...] = ()
        self.threads: set[threading.Thread] = set()
        self.hooks: dict[str, tuple[object, ...]] = {}

    def write(self, record: dict[str, Any]) -> None:
        self.sink(record)

    # -- the code under test, and what it must leave alone --------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session
        if self.subject is None:
            return
        if self.make_tripwire is not None:
            self.tripwire = self.make_tripwire()
        manager = session.config.pluginmanager
        self.plugins = tuple(manager.get_plugins())
        self.hooks = self._hooks(manager)
        before = _foreground_threads()
        error = self.subject()
        self.check_threads(before)
        if error is not None:
            self.import_failed = True
            self.write({"type": "import-error", **error})
        self.check_tripwire()
        self.write({"type": "imported"})

    def check_tripwire(self) -> bool:
        """Report (once per change) anything patched since the snapshot; True if all is well."""
        changes = self.tripwire.changes() if self.tripwire is not None else []
        if self.session is not None:
            manager = self.session.config.pluginmanager
            if self.plugins and tuple(manager.get_plugins()) != self.plugins:
                changes.append("a pytest plugin was registered or removed")
            if self.hooks and self._hooks(manager) != self.hooks:
                changes.append("pytest's hook implementations were changed")
        if changes:
            what = "; ".join(changes)
            self.write({"type": "violation", "kind": "patch",
                        "message": "forbidden while graded: your code may not patch the grader, "
                                   f"pytest, hypothesis, the clock or builtins ({what})"})
        return not changes

    @staticmethod
    def _hooks(manager: pytest.PytestPluginManager) -> dict[str, tuple[object, ...]]:
        return {name: tuple(caller.get_hookimpls())
                for name, caller in vars(manager.hook).items() if hasattr(caller, "get_hookimpls")}

    def pytest_collection_modifyitems(self, session: pytest.Session,
                                      items: list[pytest.Item]) -> None:
        if self.import_failed:
            items[:] = []  # nothing can run; every test counts as failed
            return
        tests = []
        for item in items:
            level = _marker_int(item, "level", None)
            if level is None:
                raise pytest.UsageError(f"{item.nodeid}: every hidden test needs "
                                        "@pytest.mark.level(n)")
            tests.append({"id": item.nodeid, "level": level, "title": _title(item),
                          "points": _marker_int(item, "points", 1)})
        self.write({"type": "collected", "tests": tests})
        if self.tripwire is not None:
            hidden = {Path(str(item.path)).resolve() for item in items}
            for name, module in list(sys.modules.items()):
                where = getattr(module, "__file__", None)
                if where and Path(where).resolve() in hidden:
                    self.tripwire.watch_module(name, module, strict=True)
            # the session's collector nodes, registered as plugins while collecting
            manager = session.config.pluginmanager
            self.plugins = tuple(manager.get_plugins())
            self.hooks = self._hooks(manager)

    # -- results ----------------------------------------------------------------------------

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.threads = _foreground_threads()
        self.write({"type": "start", "id": nodeid})

    def check_threads(self, before: set[threading.Thread]) -> None:
        """A non-daemon thread the code under test started and left running would keep any
        program using it from exiting."""
        lingering = _foreground_threads() - before
        for thread in lingering:
            thread.join(0.2)
        lingering = {t for t in lingering if t.is_alive()}
        if lingering:
            name = sorted(t.name for t in lingering)[0]
            self.write({"type": "violation", "kind": "threads", "message": (
                f"your code left a non-daemon thread running ({name!r}): a program using it "
                "could never exit. Stop the thread when its work is done, or make it a "
                "daemon (threading.Thread(..., daemon=True))")})

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
                "exception": _exception_kind(call.excinfo.value),
            }))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.pending.setdefault(report.nodeid, {"outcome": "passed", "duration_s": 0.0})
        entry["duration_s"] += report.duration
        captured = report.capstdout + report.capstderr
        if self.output_limit and len(captured) > self.output_limit and entry["outcome"] in (
                "passed", "skipped"):
            entry.update(outcome="failed", output_exceeded=True,
                         message=f"your code printed {len(captured) // 1024} KiB during this "
                                 f"check; the limit is {self.output_limit // 1024} KiB")
        if (report.failed or report.skipped) and entry["outcome"] == "passed":
            feedback = dict(report.user_properties).get("grade_feedback")
            if report.skipped:
                entry["outcome"] = "skipped"
            elif isinstance(feedback, dict):
                entry.update(feedback)
            else:
                entry.update(outcome="error", message=report.longreprtext[-2000:])
            output = learner_output(captured[-1_000_000:], INTERNAL_PATHS)
            if output:
                entry["output"] = output
        if report.when != "teardown":
            return
        entry = self.pending.pop(report.nodeid)
        if self.subject is not None:
            self.check_threads(self.threads)
        if self.subject is not None and not self.check_tripwire():
            entry.update(outcome="error", message="patched the grader's code (see above)")
        self.write({"type": "test", "id": report.nodeid, **entry})
        if self.fail_fast and entry["outcome"] not in ("passed", "skipped") and self.session:
            self.session.shouldstop = "stopped at the first failure"

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # A KeyboardInterrupt raised by the code under test ends the whole session; stopping
        # on purpose (fail-fast sets shouldstop) arrives here as Session.Interrupted.
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.write({"type": "interrupted"})

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        if self.subject is not None:
            self.check_tripwire()
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
    if any(isinstance(p, ResultStream) for p in config.pluginmanager.get_plugins()):
        return  # the grading child registered its own stream
    fd = config.getoption("--grade-results-fd")
    learner_dir = config.getoption("--grade-learner-dir")
    stream = ResultStream(
        (lambda record: write_record(fd, record)) if fd >= 0 else (lambda record: None),
        Path(learner_dir).resolve() if learner_dir else None,
        fail_fast=config.getoption("--grade-fail-fast"),
    )
    config.pluginmanager.register(stream, PLUGIN_NAME)
