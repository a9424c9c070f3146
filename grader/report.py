"""Render a :class:`~grader.results.RunResult` for people (text) and for machines (json).

One result object, one renderer per format; nothing here runs tests or touches the history.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from grader.results import KataResult, RunResult, TestResult

FORMATS = ("text", "json")
MAX_FAILURES_SHOWN = 3


@dataclass(frozen=True)
class Style:
    """How the text report may draw: colour (a terminal without NO_COLOR) and Unicode marks."""

    color: bool = False
    unicode: bool = True

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def good(self, text: str) -> str:
        return self.paint(text, "32")

    def bad(self, text: str) -> str:
        return self.paint(text, "31")

    def dim(self, text: str) -> str:
        return self.paint(text, "2")

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    @property
    def tick(self) -> str:
        return "✓" if self.unicode else "+"

    @property
    def cross(self) -> str:
        return "✗" if self.unicode else "x"


# Control characters other than newline and tab, which printed text could use to move the
# cursor, clear the screen and draw a fake report over the real one.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every terminal control character shown as an escape (``\x1b``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in printable(text).splitlines())


def _test_block(test: TestResult, style: Style) -> list[str]:
    head = f"{style.bad(style.cross)} level {test.level} · {test.title}"
    if test.outcome == "timeout":
        head += style.dim("  (timed out)")
    lines = [f"  {head}"]
    if test.message:
        lines.append(_indent(test.message, "      "))
    if test.location is not None:
        loc = test.location
        where = f"at {loc.file}:{loc.line} in {loc.function}"
        lines.append(f"      {style.dim(printable(where))}"
                     + (f": {printable(loc.code)}" if loc.code else ""))
    if test.output:
        lines.append(f"      {style.dim('your code printed:')}")
        lines.append(_indent(test.output[-500:], "        "))
    return lines


def render_kata_text(result: KataResult, style: Style, *, verbose: bool = False) -> str:
    lines = [style.bold(f"{result.slug} · {result.title}") + style.dim(f"  ({result.source})")]
    if result.status != "graded":
        lines.append(style.bad(f"  {result.status}: {printable(result.detail)}"))
    width = max((len(lv.name) for lv in result.levels), default=0)
    for level in result.levels:
        mark = style.good(style.tick) if level.passed else style.bad(style.cross)
        points = f"{level.points}/{level.max_points} points"
        lines.append(f"  {mark} Level {level.number}  {level.name.ljust(width)}  {points}")
        if verbose:
            lines.extend(style.dim(f"      {style.tick} {test.title}") for test in result.tests
                         if test.level == level.number and test.outcome == "passed")
    score = f"Score: {result.score}/100"
    lines.append("  " + (style.good(score) if result.passed else style.bad(score))
                 + style.dim(f"  ({result.duration_s:.1f} s)"))
    failures = result.failures()
    if failures:
        shown = failures if verbose else _first_per_level(failures)[:MAX_FAILURES_SHOWN]
        lines.append("")
        for test in shown:
            lines.extend(_test_block(test, style))
        hidden = len(failures) - len(shown)
        if hidden > 0:
            lines.append(style.dim(f"  ... and {hidden} more failing checks "
                                   f"(grade {result.slug} -v shows every check)"))
        first = min(t.level for t in failures)
        lines.append(f"  Next: make level {first} pass. Stuck? grade hint {result.slug}")
    return "\n".join(lines)


def _first_per_level(failures: list[TestResult]) -> list[TestResult]:
    seen: set[int] = set()
    picked = []
    for test in failures:
        if test.level not in seen:
            seen.add(test.level)
            picked.append(test)
    return picked


def render_text(run: RunResult, style: Style, *, verbose: bool = False) -> str:
    blocks = [render_kata_text(k, style, verbose=verbose) for k in run.katas]
    if len(run.katas) > 1:
        summary = ", ".join(f"{k.slug} {k.score}" for k in run.katas)
        blocks.append(style.bold(f"Overall: {run.score}/100") + style.dim(f"  ({summary})"))
    return "\n\n".join(blocks) + "\n"


def render_json(run: RunResult) -> str:
    return json.dumps(run.to_json(), indent=2) + "\n"


def render(run: RunResult, fmt: str, style: Style, *, verbose: bool = False) -> str:
    if fmt == "json":
        return render_json(run)
    return render_text(run, style, verbose=verbose)
