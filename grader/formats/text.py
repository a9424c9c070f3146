"""The text report, for people at a terminal: each kata's levels, its score and the first
failing check of each level, in the learner's terms.

What the learner's code printed (and the messages built from it) is shown with terminal control
characters escaped, so it cannot move the cursor and draw a fake report over the real one.
"""

from __future__ import annotations

from grader.formats.base import Renderer, ReportContext, first_per_level, printable
from grader.formats.style import Style
from grader.results import KataResult, RunResult, TestResult

MAX_FAILURES_SHOWN = 3

def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in printable(text).splitlines())


def _test_block(test: TestResult, style: Style) -> list[str]:
    head = f"{style.bad(style.cross)} level {test.level} · {printable(test.title)}"
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
    lines = [style.bold(f"{result.slug} · {result.title}")
             + style.dim(f"  ({printable(result.source)})")]
    if result.status != "graded":
        lines.append(style.bad(f"  {result.status}: {printable(result.detail)}"))
    width = max((len(lv.name) for lv in result.levels), default=0)
    for level in result.levels:
        mark = style.good(style.tick) if level.passed else style.bad(style.cross)
        points = f"{level.points}/{level.max_points} points"
        lines.append(f"  {mark} Level {level.number}  {level.name.ljust(width)}  {points}")
        if verbose:
            lines.extend(style.dim(f"      {style.tick} {printable(test.title)}")
                         for test in result.tests
                         if test.level == level.number and test.outcome == "passed")
    score = f"Score: {result.score}/100"
    lines.append("  " + (style.good(score) if result.passed else style.bad(score))
                 + style.dim(f"  ({result.duration_s:.1f} s)"))
    failures = result.failures()
    if result.passed and result.source.startswith("katas/"):
        lines.append(f"  Every level passes. Compare your code with the reference solution in "
                     f"solutions/{result.slug}/.")
    if failures:
        shown = failures if verbose else first_per_level(failures)[:MAX_FAILURES_SHOWN]
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


def render_kata_line(result: KataResult, style: Style) -> str:
    """One line for ``--quiet``: the score, the levels passed and why a run ended early."""
    passed = sum(level.passed for level in result.levels)
    score = f"{result.score}/100"
    status = "" if result.status == "graded" else f", {result.status}"
    return (f"{result.slug}: " + (style.good(score) if result.passed else style.bad(score))
            + style.dim(f"  ({passed}/{len(result.levels)} levels{status})"))


def render_text(run: RunResult, style: Style, *, verbose: bool = False,
                quiet: bool = False) -> str:
    if quiet:
        return "".join(render_kata_line(k, style) + "\n" for k in run.katas)
    blocks = [render_kata_text(k, style, verbose=verbose) for k in run.katas]
    if len(run.katas) > 1:
        summary = ", ".join(f"{k.slug} {k.score}" for k in run.katas)
        blocks.append(style.bold(f"Overall: {run.score}/100") + style.dim(f"  ({summary})"))
    return "\n\n".join(blocks) + "\n"


class TextRenderer(Renderer):
    name = "text"
    prints_log = True

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        return render_text(run, ctx.style, verbose=ctx.verbose, quiet=ctx.quiet)


RENDERER = TextRenderer()
