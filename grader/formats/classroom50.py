"""``--format classroom50``: ``grade`` as a Classroom 50 autograder.

Classroom 50's runner runs an ``autograder.py`` in the student's checkout with the submission's
identity in environment variables, then reads what it left (its Advanced-Autograding page and
``runner.py`` are the contract):

- ``result.json`` (required), schema ``classroom50/result/v1``: ``classroom``, ``assignment``,
  ``submission`` (the submit tag), ``commit``, ``release`` and ``review`` (URLs), ``datetime``,
  ``score`` and ``max-score`` (whole numbers: the sums of the tests'), and ``tests[]`` with
  ``test-name``, ``passed``, ``score`` and ``max-score``; extra fields on a test are kept, so
  each also carries its ``message``, ``kata``, ``level`` and ``outcome``. The runner stamps
  ``owner``, ``assignment_type``, ``datetime`` (the graded commit's date) and ``graded_at``
  itself, overwriting what an autograder wrote; they are filled here from the environment
  only so the file stands on its own.
- ``release-body.md`` (optional): the Markdown of the submission's Release, here a score
  table per kata and the first failing check of each level.
- ``status=success|failure`` and ``summary=…`` appended to ``$GITHUB_OUTPUT`` (optional).

The command then ends 0 whenever grading ran, whatever the score: a non-zero exit tells the
runner the autograder itself broke. Its standard output lands in the workflow log, so the text
report printed there is fenced with ``::stop-commands::``.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.formats import markdown
from grader.formats.base import (
    Renderer,
    ReportContext,
    append_text,
    cap,
    failure_text,
    first_per_level,
    printable,
    test_name,
    write_text,
)
from grader.formats.style import Style
from grader.formats.text import render_text
from grader.results import RunResult

SCHEMA = "classroom50/result/v1"
RESULT_FILE = "result.json"
RELEASE_BODY_FILE = "release-body.md"
MESSAGE_LIMIT = 2000
BODY_LIMIT = 100_000  # characters: a Release body a person can still skim


def _env(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def _counts(run: RunResult) -> tuple[int, int, int, int]:
    """(points earned, points possible, checks passed, checks)."""
    tests = [t for k in run.katas for t in k.tests]
    return (sum(t.points for t in tests), sum(t.max_points for t in tests),
            sum(t.outcome == "passed" for t in tests), len(tests))


def status_and_summary(run: RunResult) -> tuple[str, str]:
    earned, possible, passed, total = _counts(run)
    status = "success" if run.passed else "failure"
    return status, (f"Backend Katas: {run.score}/100 ({earned}/{possible} points, "
                    f"{passed}/{total} checks passed)")


def classroom50_result(run: RunResult, environ: Mapping[str, str],
                       when: str) -> dict[str, Any]:
    """The ``result.json`` document; ``when`` is the UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    server = _env(environ, "GITHUB_SERVER_URL") or "https://github.com"
    repository, sha = _env(environ, "GITHUB_REPOSITORY"), _env(environ, "GITHUB_SHA")
    submission = _env(environ, "SUBMISSION_TAG")
    commit = _env(environ, "COMMIT_URL") or (
        f"{server}/{repository}/commit/{sha}" if repository and sha else "")
    release = _env(environ, "RELEASE_URL") or (
        f"{server}/{repository}/releases/tag/{urllib.parse.quote(submission, safe='')}"
        if repository and submission else "")
    tests: list[dict[str, Any]] = []
    for kata in run.katas:
        for test in kata.tests:
            passed = test.outcome == "passed"
            message = "" if passed else failure_text(test, output_limit=500)
            if not passed and kata.status != "graded" and kata.detail not in message:
                message += f"\n{kata.status}: {kata.detail}"
            tests.append({
                "test-name": printable(f"{kata.slug} · level {test.level} · {test_name(test)}"),
                "passed": passed,
                "score": test.points,
                "max-score": test.max_points,
                "message": cap(printable(message.strip()), MESSAGE_LIMIT, "message"),
                "kata": kata.slug,
                "level": test.level,
                "outcome": test.outcome,
            })
        if not kata.tests:  # nothing could be listed: the kata still shows, as failed
            tests.append({"test-name": f"{kata.slug} · grading", "passed": False, "score": 0,
                          "max-score": 0, "message": printable(f"{kata.status}: {kata.detail}"),
                          "kata": kata.slug, "level": 0, "outcome": "error"})
    earned, possible, _, _ = _counts(run)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "classroom": _env(environ, "CLASSROOM"),
        "assignment": _env(environ, "ASSIGNMENT"),
    }
    # the runner stamps these two itself; fill them when the environment knows them
    if owner := _env(environ, "OWNER") or _env(environ, "USERNAME"):
        result["owner"] = owner
    if assignment_type := _env(environ, "ASSIGNMENT_TYPE"):
        result["assignment_type"] = assignment_type
    result.update({
        "submission": submission,
        "commit": commit,
        "release": release,
        "review": _env(environ, "REVIEW_URL") or commit,
        "datetime": when,
        "score": earned,
        "max-score": possible,
        "tests": tests,
    })
    return result


def release_body(run: RunResult, limit: int = BODY_LIMIT) -> str:
    """The Markdown body of the submission's Release, at most about ``limit`` characters."""
    earned, possible, _, _ = _counts(run)
    lines = [f"### Backend Katas: {run.score}/100 ({earned} of {possible} points)", ""]
    lines += markdown.score_table(run)
    budget = limit - sum(len(line) + 1 for line in lines) - 1000
    blocks: list[str] = []
    left_out = 0
    for kata in run.katas:
        for test in first_per_level(kata.failures()):
            heading = markdown.cell(f"{kata.slug} · level {test.level} · {test_name(test)}")
            message = cap(failure_text(test, output_limit=500), MESSAGE_LIMIT, "message")
            block = f"**{heading}**\n\n{markdown.fence(message)}"
            if len(block) + 2 > budget:
                left_out += 1
                continue
            budget -= len(block) + 2
            blocks.append(block)
    if blocks:
        lines += ["", "<details><summary>The first failing check of each level</summary>", ""]
        lines += [f"{block}\n" for block in blocks]
        if left_out:
            lines.append(f"({left_out} more not shown here: `grade <kata> -v` shows them.)\n")
        lines.append("</details>")
    lines += ["", f"Status: {status_and_summary(run)[1]}"]
    return "\n".join(lines) + "\n"


def log_text(run: RunResult) -> str:
    """What goes to the workflow log: the text report, where learner text cannot issue a
    workflow command, then the one-line summary."""
    token = secrets.token_hex(16)
    report = render_text(run, Style(color=False))
    return (f"::stop-commands::{token}\n{report}::{token}::\n"
            f"autograder: {status_and_summary(run)[1]}\n")


class Classroom50Renderer(Renderer):
    name = "classroom50"
    exits_zero_when_graded = True
    prints_log = True
    prints_with_output = True  # the text report, to the runner's log

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        when = ctx.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps(classroom50_result(run, ctx.environ, when), indent=2,
                          ensure_ascii=False) + "\n"

    def deliver(self, run: RunResult, ctx: ReportContext, output: Path | None) -> str | None:
        """Write ``result.json`` (to ``output``, else in the working folder) and
        ``release-body.md`` beside it, and append ``status``/``summary`` to
        ``$GITHUB_OUTPUT``; the text report goes to the log."""
        result_path = output if output is not None else ctx.cwd / RESULT_FILE
        write_text(result_path, self.render(run, ctx))
        write_text(result_path.parent / RELEASE_BODY_FILE, release_body(run))
        github_output = ctx.environ.get("GITHUB_OUTPUT")
        if github_output:
            status, summary = status_and_summary(run)
            one_line = " ".join(summary.split())
            append_text(Path(github_output), f"status={status}\nsummary={one_line}\n")
        return log_text(run)


RENDERER = Classroom50Renderer()
