"""``--format gradescope``: the ``results.json`` a Gradescope autograder leaves behind.

The fields follow Gradescope's autograder specification: a top-level ``score`` (points),
``execution_time`` (seconds), ``output`` (the summary), ``output_format`` and the formats of
test names and outputs (all ``"text"``: Gradescope renders nothing the learner wrote as HTML or
Markdown), ``visibility``, ``extra_data``, and ``tests``, one per hidden check, with ``name``,
``number`` (``<level>.<i>``, or ``<kata>.<level>.<i>`` when several katas are graded),
``score``, ``max_score``, ``status`` (``passed``/``failed``), ``output`` and ``visibility``.

Gradescope shows these outputs in its web page, so they are capped: at most 16 KiB for one
check and 64 KiB for every output of the report together, given out in order of usefulness
(the summary, then the first failure of each kata's lowest failing level, and so on); a check
left without its output says so in the summary. Gradescope's own limits are not documented;
these stay far below any page a person would read.

Written to ``/autograder/results/results.json`` when that folder exists (inside Gradescope's
autograder), else to ``--output`` or standard output.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from grader import __version__
from grader.formats.base import (
    Renderer,
    ReportContext,
    cap,
    failure_text,
    points,
    printable,
    ranked_failures,
    test_name,
)
from grader.results import KataResult, RunResult

RESULTS_DIR = Path("/autograder/results")
TEST_OUTPUT_LIMIT = 16 * 1024
TOTAL_OUTPUT_LIMIT = 64 * 1024
SUMMARY_LIMIT = 8 * 1024


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _kata_line(kata: KataResult) -> str:
    earned, possible = points(kata)
    line = f"{kata.slug} ({kata.title}): {kata.score}/100, {earned} of {possible} points"
    levels = " ".join(f"{'+' if lv.passed else '-'}{lv.number}" for lv in kata.levels)
    if levels:
        line += f"; levels {levels}"
    if kata.status != "graded":
        line += f"\n  {kata.status}: {printable(kata.detail)}"
    return line


def _summary(run: RunResult, left_out: int) -> str:
    earned = sum(points(k)[0] for k in run.katas)
    possible = sum(points(k)[1] for k in run.katas)
    lines = [f"Backend Katas: {run.score}/100 ({earned} of {possible} points)", ""]
    lines += [_kata_line(kata) for kata in run.katas]
    failing = [k.slug for k in run.katas if not k.passed]
    if failing:
        lines += ["", "Each failing check below says what went wrong. Locally, "
                  + " / ".join(f"grade {slug} -v" for slug in failing)
                  + " shows every check, and grade hint <kata> gives a hint."]
    if left_out:
        lines += ["", (f"{left_out} failing check(s) have no output here: this report keeps "
                       f"its outputs under {TOTAL_OUTPUT_LIMIT // 1024} KiB in all.")]
    return cap("\n".join(lines), SUMMARY_LIMIT, "summary")


def gradescope_results(run: RunResult) -> dict[str, Any]:
    """The results.json document for ``run``."""
    several = len(run.katas) > 1
    tests: list[dict[str, Any]] = []
    index: dict[tuple[int, str], int] = {}  # (kata, test id) -> position in tests
    for k, kata in enumerate(run.katas, 1):
        counters: defaultdict[int, int] = defaultdict(int)
        for test in kata.tests:
            counters[test.level] += 1
            number = f"{test.level}.{counters[test.level]}"
            index[(k, test.id)] = len(tests)
            tests.append({
                "name": f"{kata.slug} · level {test.level} · {printable(test_name(test))}",
                "number": f"{k}.{number}" if several else number,
                "score": test.points,
                "max_score": test.max_points,
                "status": "passed" if test.outcome == "passed" else "failed",
                "output": "",
                "visibility": "visible",
            })
        if not kata.tests:  # nothing could be listed: still show the kata as failed
            tests.append({
                "name": f"{kata.slug} · grading", "number": f"{k}.0" if several else "0",
                "score": 0, "max_score": 0, "status": "failed",
                "output": cap(printable(f"{kata.status}: {kata.detail}"), TEST_OUTPUT_LIMIT),
                "visibility": "visible",
            })

    budget = TOTAL_OUTPUT_LIMIT - SUMMARY_LIMIT - sum(_size(t["output"]) for t in tests)
    left_out = 0
    position = {id(kata): k for k, kata in enumerate(run.katas, 1)}
    for kata, test in ranked_failures(run):
        text = cap(printable(failure_text(test, output_limit=TEST_OUTPUT_LIMIT)),
                   TEST_OUTPUT_LIMIT, "output")
        if _size(text) > budget:
            text = cap(text, budget, "output") if budget >= 1024 else ""
        if not text:
            left_out += 1
            continue
        budget -= _size(text)
        tests[index[(position[id(kata)], test.id)]]["output"] = text

    earned = sum(points(k)[0] for k in run.katas)
    return {
        "score": earned,
        "execution_time": round(sum(k.duration_s for k in run.katas)),
        "output": _summary(run, left_out),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "extra_data": {
            "grader_version": __version__,
            "score_percent": run.score,
            "katas": [{"slug": k.slug, "score": k.score, "status": k.status,
                       "points": points(k)[0], "max_points": points(k)[1]}
                      for k in run.katas],
        },
        "tests": tests,
    }


class GradescopeRenderer(Renderer):
    name = "gradescope"

    def __init__(self, results_dir: Path = RESULTS_DIR) -> None:
        self.results_dir = results_dir

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        return json.dumps(gradescope_results(run), indent=2, ensure_ascii=False) + "\n"

    def deliver(self, run: RunResult, ctx: ReportContext, output: Path | None) -> str | None:
        if output is None and self.results_dir.is_dir():
            output = self.results_dir / "results.json"
        return super().deliver(run, ctx, output)


RENDERER = GradescopeRenderer()
