"""Run one kata's hidden suite against one implementation, in an isolated child process.

The child runs in its own process group (so that everything it starts can be killed at once)
and its own temporary folder, under CPU, memory, file-size and wall-clock limits; its output
is drained and capped. Results arrive as JSON lines over a pipe; whatever does not arrive
counts as failed. The outcome is a list of :class:`RawTest` plus how the child ended, which
:mod:`grader.scoring` turns into a :class:`~grader.results.KataResult`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from grader.catalog import Kata
from grader.errors import Interrupted

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Submission:
    """The code to grade: a folder holding the kata's module."""

    directory: Path
    label: str  # "your code", "the reference solution", a path...

    def module_path(self, kata: Kata) -> Path:
        return self.directory / kata.module_file


@dataclass
class ChildRun:
    """What one child process reported, and how it ended."""

    records: list[dict[str, Any]] = field(default_factory=list)
    returncode: int | None = None
    timed_out: bool = False
    output_exceeded: bool = False
    output_tail: str = ""
    duration_s: float = 0.0

    def first(self, kind: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r.get("type") == kind), None)


@dataclass(frozen=True)
class RawRun:
    """The merged view the scorer needs: every collected test and its reported outcome."""

    collected: list[dict[str, Any]]
    reported: dict[str, dict[str, Any]]
    child: ChildRun
    import_error: dict[str, Any] | None


class _CappedReader(threading.Thread):
    """Drains one pipe, keeping a bounded tail, and flags when the total passes ``limit``."""

    def __init__(self, fd: int, limit: int, on_exceeded: threading.Event) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.limit = limit
        self.on_exceeded = on_exceeded
        self.total = 0
        self.tail = b""

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(self.fd, 65536):
                self.total += len(chunk)
                self.tail = (self.tail + chunk)[-4096:]
                if self.total > self.limit:
                    self.on_exceeded.set()
                    # keep draining so the child never blocks on a full pipe before it is killed


class _RecordReader(threading.Thread):
    """Reads the results pipe: JSON lines, bounded in size; malformed lines are ignored."""

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.limit = limit
        self.records: list[dict[str, Any]] = []

    def run(self) -> None:
        buffer = b""
        received = 0
        with os.fdopen(self.fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                received += len(chunk)
                if received > self.limit:
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    with contextlib.suppress(ValueError):
                        record = json.loads(line)
                        if isinstance(record, dict):
                            self.records.append(record)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _ChildGroups:
    """Every live child's process group, so that Ctrl-C can stop them all at once, from
    whichever thread is waiting on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.stopping = False

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)
            stopping = self.stopping
        if stopping:  # started just as everything was being stopped
            _kill_group(pgid)

    def discard(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def stop_all(self) -> None:
        with self._lock:
            self.stopping = True
            groups = list(self._groups)
        for pgid in groups:
            _kill_group(pgid)


CHILDREN = _ChildGroups()


def stop_all_children() -> None:
    """Kill every grading child and refuse to start new ones (for Ctrl-C)."""
    CHILDREN.stop_all()


def map_in_parallel(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``fn`` over ``items`` in ``workers`` threads, results in order as they come. On Ctrl-C
    (or SIGTERM) every grading child is killed at once, nothing new starts, and
    :class:`~grader.errors.Interrupted` is raised."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        yield from pool.map(fn, items)
    except (KeyboardInterrupt, Interrupted):
        stop_all_children()
        pool.shutdown(wait=True, cancel_futures=True)
        raise Interrupted from None
    pool.shutdown()


def _child_config(kata: Kata, submission: Submission, results_fd: int, *, collect_only: bool,
                  fail_fast: bool) -> dict[str, Any]:
    limits = kata.limits
    return {
        "module": kata.module,
        "learner_dir": str(submission.directory.resolve()),
        "hidden_dir": str(kata.hidden_dir),
        "results_fd": results_fd,
        "memory_mb": limits.memory_mb,
        "file_size_mb": limits.file_size_mb,
        "cpu_seconds": limits.kata_timeout + 5,
        "test_timeout": limits.test_timeout,
        "collect_only": collect_only,
        "fail_fast": fail_fast,
    }


def _child_env() -> dict[str, str]:
    """The parent's environment without pytest or hypothesis settings that could change the
    run, plus what makes the child deterministic and quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS"))}
    env.update(
        PYTHONPATH=str(PACKAGE_PARENT),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        NO_COLOR="1",
    )
    return env


def run_child(kata: Kata, submission: Submission, *, collect_only: bool = False,
              fail_fast: bool = False) -> ChildRun:
    """Start the grading child for ``kata`` on ``submission`` and wait for it, within limits."""
    limits = kata.limits
    result = ChildRun()
    with tempfile.TemporaryDirectory(prefix=f"grade-{kata.slug}-") as tmp:
        work = Path(tmp)
        read_fd, write_fd = os.pipe()
        config_path = work / "grade-config.json"
        config = _child_config(kata, submission, write_fd, collect_only=collect_only,
                               fail_fast=fail_fast)
        config_path.write_text(json.dumps(config), encoding="utf-8")
        started = time.monotonic()
        if CHILDREN.stopping:
            os.close(write_fd)
            os.close(read_fd)
            raise Interrupted
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "grader.child", str(config_path)],
                cwd=work, env=_child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, pass_fds=(write_fd,), start_new_session=True,
            )
        finally:
            os.close(write_fd)
        CHILDREN.add(process.pid)
        records = _RecordReader(read_fd, limit=64 * 1024 * 1024)
        flooded = threading.Event()
        assert process.stdout is not None
        output = _CappedReader(process.stdout.fileno(), limits.output_kb * 1024, flooded)
        records.start()
        output.start()
        try:
            deadline = started + limits.kata_timeout
            while process.poll() is None:
                if flooded.is_set():
                    result.output_exceeded = True
                    break
                if time.monotonic() >= deadline:
                    result.timed_out = True
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.05)
        finally:
            # Kill the whole group: the child, and anything it forked that is still running.
            _kill_group(process.pid)
            process.wait()
            CHILDREN.discard(process.pid)
            result.duration_s = time.monotonic() - started
        records.join(timeout=5)
        output.join(timeout=5)
        process.stdout.close()
        result.returncode = process.returncode
        result.records = list(records.records)
        result.output_tail = output.tail.decode("utf-8", "replace")
    return result


def run_suite(kata: Kata, submission: Submission, *, fail_fast: bool = False) -> RawRun:
    """Grade ``submission``; if the child died before listing the tests, list them separately
    (with a placeholder in place of the code under test) so that every test is counted."""
    child = run_child(kata, submission, fail_fast=fail_fast)
    collected_record = child.first("collected")
    if collected_record is None:
        listing = run_child(kata, submission, collect_only=True)
        collected_record = listing.first("collected") or {"tests": []}
    reported = {r["id"]: r for r in child.records
                if r.get("type") == "test" and isinstance(r.get("id"), str)}
    return RawRun(
        collected=list(collected_record.get("tests", [])),
        reported=reported,
        child=child,
        import_error=child.first("import-error"),
    )
