"""Turn an exception from a hidden test into feedback written for the learner.

The learner sees what went wrong in their terms (the calls made, expected versus actual, and
the line of *their* file the failure passed through), never the hidden test's source or a
traceback of the grader.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass
from pathlib import Path

from grader.results import Location, Outcome

MAX_MESSAGE = 4000


class Mismatch(AssertionError):  # noqa: N818 - reads as what the learner sees: a mismatch
    """A hidden check failed; its message is already written for the learner."""


@dataclass(frozen=True)
class Feedback:
    outcome: Outcome
    message: str
    location: Location | None


def learner_location(exc: BaseException, learner_files: frozenset[Path]) -> Location | None:
    """The innermost frame of the learner's code that the exception (or its cause) passed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    found: Location | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            path = Path(code.co_filename)
            if path in learner_files:
                line = tb.tb_lineno
                found = Location(
                    file=path.name,
                    line=line,
                    function=code.co_qualname,
                    code=linecache.getline(str(path), line).strip(),
                )
            tb = tb.tb_next
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _hypothesis_notes(exc: BaseException) -> str:
    notes = [n for n in getattr(exc, "__notes__", ()) if isinstance(n, str)]
    # keep the falsifying example and its steps; drop hypothesis's advice to test authors
    kept = [n for n in notes if not n.startswith(("You can", "Explanation", "Trying example"))]
    return "\n".join(kept).strip()


def _shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 40].rstrip() + f"\n... ({len(text) - limit + 40} more characters)"


def describe(exc: BaseException, learner_files: frozenset[Path]) -> Feedback:
    """Classify ``exc`` and write the learner-facing message."""
    location = learner_location(exc, learner_files)
    name = type(exc).__name__
    text = str(exc)
    if name == "Failed" and text.startswith("Timeout"):
        limit = re.search(r">([\d.]+)s", text)
        seconds = f" ({float(limit.group(1)):g} s)" if limit else ""
        where = f"; it was at line {location.line}, in {location.function}" if location else ""
        return Feedback("timeout", f"took longer than the time limit for one check{seconds}"
                        f"{where}. Look for an endless loop, a deadlock, or work that grows "
                        "with the size of the data.", location)
    if isinstance(exc, Mismatch):
        return Feedback("failed", _shorten(text), location)
    if isinstance(exc, NotImplementedError) and location is not None:
        return Feedback("failed", f"not implemented yet: {location.function} still raises "
                        "NotImplementedError", location)
    if isinstance(exc, MemoryError):
        return Feedback("error", "ran out of memory (MemoryError): the grader limits how much "
                        "memory a kata may use.", location)
    if isinstance(exc, RecursionError):
        return Feedback("error", "RecursionError: maximum recursion depth exceeded.", location)
    if name.startswith("Flaky"):
        inner = [e for e in getattr(exc, "exceptions", ()) if not type(e).__name__.startswith(
            "Flaky")]
        # A replay that did not fail the same way: a slow run cut short by the time limit,
        # or code whose answers depend on more than the calls. Either way the first failure
        # is real, and it is what the learner needs to see.
        replayed = ("(Replaying the same calls did not fail the same way: does your code depend "
                    "on time, randomness, object identity or state kept between objects, or did "
                    "a slow run reach the time limit?)")
        if inner:
            first = describe(inner[0], learner_files)
            return Feedback(first.outcome, _shorten(f"{first.message}\n{replayed}"),
                            first.location)
        return Feedback("failed", replayed.strip("()"), location)
    if isinstance(exc, AssertionError):
        # A plain assert in a hidden test: keep the author's message, never the asserted
        # expression (pytest's rewriting would print the hidden test's source).
        text = text.split("\nassert ", 1)[0]
        body = "a hidden check failed" if not text or text.startswith("assert ") else text
    else:
        body = f"{name}: {text}" if text else name
        if location is not None:
            body = f"your code raised {body}"
    notes = _hypothesis_notes(exc)
    if notes:
        body = f"{body}\n{notes}"
    outcome: Outcome = "failed" if isinstance(exc, AssertionError) else "error"
    return Feedback(outcome, _shorten(body), location)


TIMEOUT_BANNER = re.compile(r"^\++ Timeout \++$")


def learner_output(captured: str, internal: tuple[str, ...], limit: int = 1000) -> str:
    """What the learner's code printed, without the stack dumps a test timeout writes and
    without any line that names the grader's own files (``internal`` paths)."""
    kept: list[str] = []
    inside_dump = False
    for line in captured.splitlines():
        if TIMEOUT_BANNER.match(line.strip()):
            inside_dump = not inside_dump
            continue
        if inside_dump or any(path in line for path in internal):
            continue
        kept.append(line)
    return "\n".join(kept).strip()[-limit:]
