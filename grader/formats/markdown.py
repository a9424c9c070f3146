"""Markdown that learner text cannot break: table cells and code fences, and the per-kata
score table that GitHub's step summary and Classroom 50's release body both show."""

from __future__ import annotations

import re

from grader.formats.base import first_per_level, points, printable, test_name, where
from grader.results import KataResult, RunResult

CELL_LIMIT = 300

# Everything in a cell that Markdown or HTML could read as markup, a column break, a mention
# (@user) or a reference (#123), written as a character reference instead.
_CELL_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>|`\\[]*_~@#!$"}
_NEWLINES = re.compile(r"\r\n|\r|\n")


def cell(text: str, limit: int = CELL_LIMIT) -> str:
    """``text`` as one GitHub-flavoured Markdown table cell: shortened to ``limit`` characters,
    line breaks as ``<br>``, and nothing in it read as markup."""
    text = printable(text.strip())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    escaped = "".join(_CELL_ESCAPES.get(c, c) for c in text)
    return _NEWLINES.sub("<br>", escaped)


def fence(text: str) -> str:
    """``text`` in a fenced code block whose fence no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}text\n{printable(text)}\n{marks}"


def levels_cell(kata: KataResult) -> str:
    marks = " ".join(f"{'✓' if lv.passed else '✗'} {lv.number}" for lv in kata.levels)
    return marks or "—"


def first_failure_cell(kata: KataResult) -> str:
    failures = kata.failures()
    if not failures:
        return cell(f"{kata.status}: {kata.detail}") if kata.status != "graded" else "—"
    test = first_per_level(failures)[0]
    message = (test.message.strip().splitlines() or [test.outcome])[0]
    text = f"level {test.level} · {test_name(test)}: {message}"
    if test.location is not None:
        text += f" ({where(test).split(': ', 1)[0]})"
    if kata.status != "graded":
        text = f"{kata.status}: {kata.detail} — {text}"
    return cell(text)


def score_table(run: RunResult) -> list[str]:
    """The Markdown table: kata | score | levels | first failure."""
    lines = ["| kata | score | levels | first failure |", "|---|---|---|---|"]
    for kata in run.katas:
        earned, possible = points(kata)
        score = f"{kata.score}/100 ({earned}/{possible} points)"
        if kata.status != "graded":
            score += f" · {kata.status}"
        lines.append(f"| {cell(kata.title)} (`{kata.slug}`) | {score} | {levels_cell(kata)} "
                     f"| {first_failure_cell(kata)} |")
    return lines
