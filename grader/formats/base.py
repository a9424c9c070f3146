"""What every renderer shares: the context a report is made in, the renderer's contract, and the
few facts about a run that more than one format shows (the failures worth showing first, a
failure told as text, sizes capped on a character boundary).

A renderer never runs tests and never reads the history: it turns the one
:class:`~grader.results.RunResult` into its format and, in :meth:`Renderer.deliver`, puts it
where that format's reader looks for it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from grader.errors import ReportError
from grader.formats.style import Style
from grader.results import KataResult, RunResult, TestResult

# Control characters other than newline and tab, which printed text could use to move the
# cursor, clear the screen and draw a fake report over the real one.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Halves of a UTF-16 pair without the other half: no UTF-8 encoder or JSON reader takes them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every terminal control character shown as an escape (``\\x1b``), and
    lone surrogates (which no UTF-8 writer accepts) dropped."""
    text = _SURROGATE.sub("", text)
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


@dataclass(frozen=True)
class ReportContext:
    """Where a report is made: the terminal's style, the environment (CI runners announce
    themselves and their files through it) and the working folder."""

    style: Style = field(default_factory=Style)
    verbose: bool = False
    quiet: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)

    def for_file(self) -> ReportContext:
        """The same context for a report written to a file: never coloured."""
        return replace(self, style=replace(self.style, color=False))

    @staticmethod
    def now() -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)


class Renderer:
    """One report format. Subclasses set :attr:`name` and implement :meth:`render`; formats
    whose readers look for files of their own (Gradescope, Classroom 50, GitHub's step summary)
    also override :meth:`deliver`."""

    name: ClassVar[str]
    #: The run is reported to a grading service as data: the command ends 0 whenever grading
    #: ran, whatever the score (the service reads the score from the report).
    exits_zero_when_graded: ClassVar[bool] = False
    #: What it prints is a log for people or a CI runner, which may share standard output with
    #: other logs (a document for a program, such as JSON, must have it to itself).
    prints_log: ClassVar[bool] = False
    #: Prints to standard output even when its report goes to a file (a log of its own).
    prints_with_output: ClassVar[bool] = False

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        raise NotImplementedError

    def deliver(self, run: RunResult, ctx: ReportContext, output: Path | None) -> str | None:
        """Put the report where it belongs: in ``output`` when given, else on standard output.
        Returns what goes to standard output (None: nothing)."""
        if output is None:
            return self.render(run, ctx)
        write_text(output, self.render(run, ctx.for_file()))
        return None


def write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def append_text(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except OSError as exc:
        raise ReportError(f"cannot append to {path}: {exc.strerror or exc}") from exc


def cap(text: str, limit: int, what: str = "text") -> str:
    """``text`` in at most ``limit`` bytes of UTF-8, cut on a character boundary with a note
    saying how much was left out."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    note = f"\n... ({what} cut here: {len(data) - limit:,} more bytes)"
    keep = max(0, limit - len(note.encode("utf-8")))
    return data[:keep].decode("utf-8", errors="ignore") + note


def where(test: TestResult) -> str:
    """``file:line in function: code``, the place in the learner's file (empty if unknown)."""
    loc = test.location
    if loc is None:
        return ""
    text = f"{loc.file}:{loc.line} in {loc.function}"
    return f"{text}: {loc.code}" if loc.code else text


def learner_file(kata: KataResult, test: TestResult | None = None, *,
                 cwd: Path | None = None) -> str:
    """The learner's file a failure passed through (the kata's file when ``test`` has no
    location), as a CI runner addresses files: relative to ``cwd`` where it can be."""
    source = Path(kata.source)
    path = source.parent / test.location.file if test and test.location else source
    if cwd is not None and path.is_absolute() and path.is_relative_to(cwd.resolve()):
        path = path.relative_to(cwd.resolve())
    return path.as_posix()


def failure_text(test: TestResult, *, output_limit: int = 2000) -> str:
    """A failed check told in plain text: the learner-facing message, where it passed through
    the learner's file, and the tail of what their code printed."""
    parts = [test.message or f"{test.outcome}"]
    if test.location is not None:
        parts.append(f"at {where(test)}")
    if test.output:
        tail = test.output[-output_limit:]
        cut = "..." if len(tail) < len(test.output) else ""
        parts.append(f"your code printed:\n{cut}{tail}")
    return "\n".join(parts)


def test_name(test: TestResult) -> str:
    return test.title or test.id


def points(kata: KataResult) -> tuple[int, int]:
    """(earned, possible) points of a kata."""
    return sum(t.points for t in kata.tests), sum(t.max_points for t in kata.tests)


def first_per_level(failures: list[TestResult]) -> list[TestResult]:
    """The first failure of each level, lowest level first."""
    seen: dict[int, TestResult] = {}
    for test in failures:
        seen.setdefault(test.level, test)
    return [seen[level] for level in sorted(seen)]


def ranked_failures(run: RunResult) -> list[tuple[KataResult, TestResult]]:
    """Every failure of the run, the most useful first: the first failure of each kata's lowest
    failing level (kata by kata), then of each kata's next failing level, and so on; then the
    remaining failures in the order they ran."""
    rest = 1 << 30  # ranks after every level's first failure
    ranked: list[tuple[tuple[int, int, int], KataResult, TestResult]] = []
    for k, kata in enumerate(run.katas):
        failures = kata.failures()
        leaders = {id(t): rank for rank, t in enumerate(first_per_level(failures))}
        for i, test in enumerate(failures):
            ranked.append(((leaders.get(id(test), rest), k, i), kata, test))
    ranked.sort(key=lambda entry: entry[0])
    return [(kata, test) for _, kata, test in ranked]
