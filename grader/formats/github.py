"""``--format github``: GitHub Actions workflow commands and a job summary.

- ``::error file=…,line=…,title=…::message`` annotations on the learner's own line (where the
  failure passed through their file), or on the kata's file when there is no line; at most
  :data:`MAX_ERRORS` of them, the most useful first (GitHub shows ten error annotations per
  step and drops the rest);
- ``::notice`` for each kata that scores 100;
- each kata's text report in a collapsed ``::group::``, between ``::stop-commands::<token>``
  and ``::<token>::`` with a token made for this run, so nothing the learner's code printed
  can issue a workflow command;
- a Markdown table (kata | score | levels | first failure) appended to the file named by
  ``$GITHUB_STEP_SUMMARY`` when it is set, kept under GitHub's 1 MiB per step.

Escaping follows the runner's rules: in a command's data ``%``, CR and LF become ``%25``,
``%0D`` and ``%0A``; in its properties ``:`` and ``,`` also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from grader.formats import markdown
from grader.formats.base import (
    Renderer,
    ReportContext,
    append_text,
    failure_text,
    printable,
    ranked_failures,
    test_name,
)
from grader.formats.base import learner_file as _learner_file
from grader.formats.style import Style
from grader.formats.text import render_kata_text
from grader.results import KataResult, RunResult, TestResult

MAX_ERRORS = 10
MAX_NOTICES = 10
MESSAGE_LIMIT = 4000
SUMMARY_LIMIT = 1024 * 1024  # GitHub's limit for one step's summary


def escape_data(text: str) -> str:
    """Text for a workflow command's message (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Text for a workflow command's property value (``title=…``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    """One workflow command line; learner text cannot end it early or start another."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape_data(message)}"


@dataclass(frozen=True)
class Annotation:
    file: str
    line: int | None
    title: str
    message: str

    def line_text(self) -> str:
        properties: dict[str, str | int] = {"file": self.file}
        if self.line is not None:
            properties["line"] = self.line
        properties["title"] = self.title
        return command("error", self.message, **properties)


def _message(text: str) -> str:
    text = printable(text).strip()
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 40].rstrip() + "\n... (shortened)"
    return text


def _test_annotation(kata: KataResult, test: TestResult, cwd: Path) -> Annotation:
    level = next((lv.name for lv in kata.levels if lv.number == test.level), "")
    title = f"{kata.slug} level {test.level}" + (f" ({level})" if level else "")
    return Annotation(
        file=_learner_file(kata, test, cwd=cwd),
        line=test.location.line if test.location else None,
        title=f"{title}: {test_name(test)}",
        message=_message(failure_text(test, output_limit=500)),
    )


def _kata_annotation(kata: KataResult, first: TestResult, cwd: Path) -> Annotation:
    """A run that did not end as graded: one annotation says why, on the learner's line when
    the check that was running has one."""
    return Annotation(
        file=_learner_file(kata, first, cwd=cwd),
        line=first.location.line if first.location else None,
        title=f"{kata.slug}: {kata.status}",
        message=_message(f"{kata.detail}\n(first check affected: level {first.level} · "
                         f"{test_name(first)})"),
    )


def error_annotations(run: RunResult, cwd: Path) -> list[Annotation]:
    """Every error annotation worth making, the most useful first (not yet capped)."""
    # a kata that could not even list its checks
    found = [Annotation(_learner_file(kata, cwd=cwd), None, f"{kata.slug}: {kata.status}",
                        _message(kata.detail))
             for kata in run.katas if not kata.tests and kata.status != "graded"]
    told: set[int] = set()  # katas already annotated as a whole
    for kata, test in ranked_failures(run):
        if kata.status == "graded":
            found.append(_test_annotation(kata, test, cwd))
        elif id(kata) not in told:
            told.add(id(kata))
            found.append(_kata_annotation(kata, test, cwd))
    return found


def render_commands(run: RunResult, cwd: Path, *, token: str, verbose: bool = False) -> str:
    lines: list[str] = []
    found = error_annotations(run, cwd)
    lines += [a.line_text() for a in found[:MAX_ERRORS]]
    if len(found) > MAX_ERRORS:
        lines.append(f"grade: {len(found) - MAX_ERRORS} more failing checks are not annotated "
                     f"(GitHub shows {MAX_ERRORS} error annotations per step); the job summary "
                     "and each kata's report below list them.")
    passed = [k for k in run.katas if k.passed]
    lines += [command("notice", f"{k.slug} ({k.title}) scores 100/100: every level passes.",
                      title=f"{k.slug} 100/100") for k in passed[:MAX_NOTICES]]
    style = Style(color=False)
    for kata in run.katas:
        lines.append(command("group", f"{kata.slug} · {kata.title}: {kata.score}/100"))
        lines.append(f"::stop-commands::{token}")
        report = render_kata_text(kata, style, verbose=verbose)  # learner text: printable
        lines += [f"  {line}" if line else "" for line in report.splitlines()]
        lines.append(f"::{token}::")
        lines.append("::endgroup::")
    lines.append(f"Backend Katas: {run.score}/100")
    return "\n".join(lines) + "\n"


def step_summary(run: RunResult, limit: int = SUMMARY_LIMIT) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``, at most ``limit`` bytes."""
    head = [f"## Backend Katas: {run.score}/100", ""]
    table = markdown.score_table(run)
    tail = ["", ("Every failing check is in the job log (one group per kata); "
                 "locally, `grade <kata> -v` shows them all."), ""]
    text = "\n".join(head + table + tail)
    if len(text.encode("utf-8")) <= limit:
        return text
    note = ["", f"(The table is cut here: a step summary holds at most {limit // 1024} KiB.)",
            ""]
    budget = limit - len("\n".join(head + note).encode("utf-8")) - 2
    if budget < 0:  # the step's summary is already full
        return ""
    kept: list[str] = []
    for row in table:
        size = len(row.encode("utf-8")) + 1
        if size > budget:
            break
        kept.append(row)
        budget -= size
    return "\n".join(head + kept + note)


class GithubRenderer(Renderer):
    name = "github"
    prints_log = True

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        return render_commands(run, ctx.cwd, token=secrets.token_hex(16), verbose=ctx.verbose)

    def deliver(self, run: RunResult, ctx: ReportContext, output: Path | None) -> str | None:
        summary_file = ctx.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            path = Path(summary_file)
            used = path.stat().st_size if path.is_file() else 0
            append_text(path, step_summary(run, max(0, SUMMARY_LIMIT - used)))
        return super().deliver(run, ctx, output)


RENDERER = GithubRenderer()
