"""``grade watch``: grade the learner's file again on every save, and say what changed.

Saves are noticed with watchfiles (the operating system's file events) when it is installed, or
by polling the file's size, modification time and content twice a second otherwise (and with
``--poll``: file events do not cross some network drives and container mounts). The folder is
watched rather than the file, because many editors save by writing a new file and renaming it
over the old one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from grader.formats.style import Style
from grader.results import KataResult

POLL_INTERVAL_S = 0.5
DEBOUNCE_MS = 300


def changes(previous: KataResult, current: KataResult, style: Style) -> list[str]:
    """What is different from the previous run, most important first, in a learner's words."""
    lines: list[str] = []
    if previous.score != current.score:
        delta = current.score - previous.score
        text = f"Score {previous.score} → {current.score} ({delta:+d})"
        lines.append(style.good(text) if delta > 0 else style.bad(text))
    if previous.status != current.status:
        if current.status == "graded":
            lines.append(style.good(f"Your file runs again (last time: {previous.status})."))
        else:
            lines.append(style.bad(f"This run ended early: {current.status}."))
    before = {level.number: level for level in previous.levels}
    for level in current.levels:
        old = before.get(level.number)
        if old is None or old.passed == level.passed:
            continue
        name = f"Level {level.number} ({level.name})"
        if level.passed:
            lines.append(style.good(f"{style.tick} {name} now passes."))
        else:
            lines.append(style.bad(f"{style.cross} {name} no longer passes."))
    old_outcomes = {test.id: test.outcome for test in previous.tests}
    fixed = [t for t in current.tests
             if t.outcome == "passed" and old_outcomes.get(t.id, "passed") != "passed"]
    broken = [t for t in current.tests
              if t.outcome != "passed" and old_outcomes.get(t.id) == "passed"]
    if fixed:
        lines.append("1 check newly passes." if len(fixed) == 1
                     else f"{len(fixed)} checks newly pass.")
    lines.extend(style.bad(f"Newly failing: level {t.level} · {t.title}") for t in broken[:3])
    if len(broken) > 3:
        lines.append(style.bad(f"... and {len(broken) - 3} more newly failing checks."))
    if not lines:
        lines.append(style.dim("No change since the last run."))
    return lines


def fingerprint(path: Path) -> tuple[int, int, str] | None:
    """Size, modification time and content hash of ``path`` (None while it does not exist)."""
    try:
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, digest


def poll_for_saves(path: Path, interval: float = POLL_INTERVAL_S,
                   sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
    """Yield once per save of ``path`` noticed by polling; a save that rewrites the same bytes
    counts too (its modification time changes)."""
    last = fingerprint(path)
    while True:
        sleep(interval)
        now = fingerprint(path)
        if now != last:
            last = now
            yield None


def notify_saves(path: Path) -> Iterator[None]:
    """Yield once per burst of file events that touch ``path`` (watchfiles)."""
    import watchfiles

    name = path.name

    def about_the_file(change: watchfiles.Change, changed: str) -> bool:
        return Path(changed).name == name

    for _ in watchfiles.watch(path.parent, watch_filter=about_the_file, debounce=DEBOUNCE_MS,
                              recursive=False, raise_interrupt=True):
        yield None


def saves(path: Path, *, poll: bool) -> tuple[Iterator[None], str]:
    """The stream of saves of ``path``, and how they are noticed (for the status line)."""
    if not poll:
        try:
            import watchfiles  # noqa: F401
        except ImportError:
            pass
        else:
            return notify_saves(path), "file events"
    return poll_for_saves(path), f"polling every {POLL_INTERVAL_S:g} s"
