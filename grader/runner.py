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
import secrets
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

from grader.catalog import Kata, Limits
from grader.channel import Verifier
from grader.errors import Interrupted

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_PARENT = PACKAGE_DIR.parent
# How long past its time limit a test may go quiet before the grader stops the child itself
# (the code under test swallowed or disabled pytest-timeout's alarm).
STALL_GRACE_S = 30.0
DISK_POLL_S = 0.5
# Violations that spoil a whole run whichever test was running (a patch outlives its test).
SPOILING_KINDS = frozenset({"patch", "many"})
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
    disk_exceeded: bool = False
    stalled: bool = False  # a test ran on past its time limit (the timeout was defeated)
    forged: str = ""  # why the results channel cannot be believed, if it cannot
    escaped: int = 0  # processes the code under test left running
    running: str | None = None  # the check that had started and not reported when it ended
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
    """Reads the results pipe: signed JSON lines, checked as they come (bounded in size)."""

    def __init__(self, fd: int, key: bytes, limit: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.limit = limit
        self.verifier = Verifier(key)
        self.last_progress = time.monotonic()
        self.spoiled = False  # nothing more from this run can count: no need to wait for it
        self.running: str | None = None

    def run(self) -> None:
        buffer = b""
        received = 0
        with os.fdopen(self.fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                received += len(chunk)
                if received > self.limit:
                    self.verifier.forged = self.verifier.forged or "the results channel overflowed"
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    self._take(line)
        if buffer and not self.verifier.forged:
            self.verifier.forged = "the results channel ended in the middle of a record"

    def _take(self, line: bytes) -> None:
        """Verify one line; note which check is running, and on each violation record, which
        check it happened in (``during``: None outside any check)."""
        count = len(self.verifier.records)
        self.verifier.feed(line)
        self.last_progress = time.monotonic()
        if self.verifier.forged:
            self.spoiled = True
        for record in self.verifier.records[count:]:
            kind = record.get("type")
            if kind == "start":
                self.running = str(record.get("id"))
            elif kind == "test":
                self.running = None
            elif kind == "violation":
                record["during"] = self.running
                if self.running is None or record.get("kind") in SPOILING_KINDS:
                    self.spoiled = True


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512  # noqa: PTH118
    return total


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _become_subreaper() -> bool:
    """Ask Linux to hand this process every orphaned descendant (PR_SET_CHILD_SUBREAPER), so
    that a process the code under test started in a session of its own can still be found and
    stopped. Elsewhere, killing the child's process group is all there is."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _processes() -> Iterator[tuple[int, int, int]]:
    """``(pid, parent pid, process group)`` of every process (Linux; nothing elsewhere)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:  # noqa: PTH123
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            yield int(entry.name), int(fields[1]), int(fields[2])


def _started_in(pid: int, work: Path) -> bool:
    """Was ``pid`` started from the grading folder ``work`` (its environment says so)?"""
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:  # noqa: PTH123
            return f"TMPDIR={work / 'tmp'}".encode() in environ.read().split(b"\0")
    except OSError:
        return False


def _adopted_orphans(known: set[int]) -> list[int]:
    """Processes whose parent is this one but that this grader did not start."""
    me = os.getpid()
    return [pid for pid, parent, _ in _processes() if parent == me and pid not in known]


class _ChildGroups:
    """Every live child's process group, so that Ctrl-C can stop them all at once, from
    whichever thread is waiting on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.stopping = False
        self.subreaper = False
        self._subreaper_asked = False

    def ensure_subreaper(self) -> None:
        with self._lock:
            if not self._subreaper_asked:
                self._subreaper_asked = True
                self.subreaper = _become_subreaper()

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

    def start(self, starter: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """Start a child and register it in one step, so a sweep never mistakes it for an
        orphan."""
        with self._lock:
            if self.stopping:
                raise Interrupted
            process = starter()
            self._groups.add(process.pid)
            return process

    def sweep_orphans(self, work: Path) -> int:
        """Kill and reap every orphan this process adopted as a subreaper (the code under
        test's escaped descendants), until none is left; return how many came from ``work``."""
        if not self.subreaper:
            return 0
        ours = 0
        for _ in range(100):
            with self._lock:
                orphans = _adopted_orphans(set(self._groups))
                ours += sum(_started_in(pid, work) for pid in orphans)
                for pid in orphans:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            if not orphans:
                break
            for pid in orphans:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        return ours


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


def _child_config(kata: Kata, submission: Submission, results_fd: int, key: bytes, *,
                  collect_only: bool, fail_fast: bool) -> dict[str, Any]:
    limits = kata.limits
    learner_dir = submission.directory.resolve()
    protected = [str(PACKAGE_DIR), str((kata.root / "solutions").resolve())]
    return {
        "module": kata.module,
        "learner_dir": str(learner_dir),
        "hidden_dir": str(kata.hidden_dir),
        "protected": protected,
        "results_fd": results_fd,
        "key": key.hex(),
        "memory_mb": limits.memory_mb,
        "file_size_mb": limits.file_size_mb,
        "output_kb": limits.output_kb,
        "cpu_seconds": limits.kata_timeout + 5,
        "test_timeout": limits.test_timeout,
        "collect_only": collect_only,
        "fail_fast": fail_fast,
    }


def _child_env(work: Path) -> dict[str, str]:
    """The parent's environment without pytest or hypothesis settings that could change the
    run, plus what makes the child deterministic and quiet, with temporary files in its own
    folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS"))}
    env.update(
        TMPDIR=str(work / "tmp"),
        PYTHONPATH=str(PACKAGE_PARENT),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        # hypothesis' own plugins (entry points) would change the run, and finding them means
        # reading the metadata of every installed package
        HYPOTHESIS_NO_PLUGINS="1",
        NO_COLOR="1",
    )
    return env


_COMPILED: set[Path] = set()
_COMPILING = threading.Lock()


def _compile_ahead(kata: Kata) -> None:
    """Byte-compile the hidden suite and the oracles here, where writing is allowed: the child
    may not write outside its own folder, so without this it compiles them from source in
    each of its two sessions. Best effort (an installation may be read-only)."""
    import compileall

    with _COMPILING:
        for folder in (kata.hidden_dir, PACKAGE_DIR / "oracles"):
            if folder not in _COMPILED and folder.is_dir():
                with contextlib.suppress(OSError):
                    compileall.compile_dir(folder, quiet=2, maxlevels=0)
                _COMPILED.add(folder)


def run_child(kata: Kata, submission: Submission, *, collect_only: bool = False,
              fail_fast: bool = False) -> ChildRun:
    """Start the grading child for ``kata`` on ``submission`` and wait for it, within limits."""
    limits = kata.limits
    result = ChildRun()
    _compile_ahead(kata)
    CHILDREN.ensure_subreaper()
    with tempfile.TemporaryDirectory(prefix=f"grade-{kata.slug}-") as tmp:
        work = Path(tmp).resolve()
        (work / "tmp").mkdir()
        read_fd, write_fd = os.pipe()
        key = secrets.token_bytes(32)
        config = _child_config(kata, submission, write_fd, key, collect_only=collect_only,
                               fail_fast=fail_fast)
        started = time.monotonic()
        try:
            process = CHILDREN.start(lambda: subprocess.Popen(
                [sys.executable, "-m", "grader.child"],
                cwd=work, env=_child_env(work), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, pass_fds=(write_fd,), start_new_session=True,
            ))
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        records = _RecordReader(read_fd, key, limit=64 * 1024 * 1024)
        flooded = threading.Event()
        assert process.stdout is not None
        assert process.stdin is not None
        output = _CappedReader(process.stdout.fileno(), limits.output_kb * 1024, flooded)
        records.start()
        output.start()
        with contextlib.suppress(OSError):
            process.stdin.write(json.dumps(config).encode())
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            _watch(process, result, records, flooded, work, limits=limits, started=started)
        finally:
            # Kill the whole group: the child, and anything it forked that is still running;
            # then whatever escaped the group and was handed to this process as an orphan.
            # Processes still running once the child ended by itself are the code under
            # test's: the grader's own child waits for everything it starts.
            ended_by_itself = process.poll() is not None
            left = [pid for pid, _, group in _processes()
                    if group == process.pid and pid != process.pid] if ended_by_itself else []
            _kill_group(process.pid)
            process.wait()
            CHILDREN.discard(process.pid)
            result.escaped = len(left) + CHILDREN.sweep_orphans(work)
            result.duration_s = time.monotonic() - started
        records.join(timeout=5)
        output.join(timeout=5)
        process.stdout.close()
        result.returncode = process.returncode
        result.records = list(records.verifier.records)
        result.forged = records.verifier.forged
        result.running = records.running
        result.output_tail = output.tail.decode("utf-8", "replace")
    return result


def _watch(process: subprocess.Popen[bytes], result: ChildRun, records: _RecordReader,
           flooded: threading.Event, work: Path, *, limits: Limits, started: float) -> None:
    """Wait for the child, stopping it at the first limit it passes."""
    deadline = started + limits.kata_timeout
    stall = limits.test_timeout + STALL_GRACE_S
    next_disk_check = started + DISK_POLL_S
    while process.poll() is None:
        now = time.monotonic()
        if flooded.is_set():
            result.output_exceeded = True
            return
        if now >= deadline:
            result.timed_out = True
            return
        if records.spoiled:  # the score is settled at 0: stop early
            return
        if now - records.last_progress > stall:
            result.stalled = result.timed_out = True
            return
        if now >= next_disk_check:
            next_disk_check = now + DISK_POLL_S
            if _folder_size(work) > limits.disk_mb * 1024 * 1024:
                result.disk_exceeded = True
                return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)


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
