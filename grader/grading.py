"""Grade one kata: locate the code under test, run its hidden suite in isolation, score it."""

from __future__ import annotations

from pathlib import Path

from grader.catalog import Kata
from grader.results import KataResult
from grader.runner import ChildRun, RawRun, Submission, run_child, run_suite
from grader.scoring import missing_result, score_run


def learner_submission(kata: Kata) -> Submission:
    return Submission(kata.directory, "your code")


def solution_submission(kata: Kata) -> Submission:
    return Submission(kata.solution_dir, "the reference solution")


def path_submission(directory: Path) -> Submission:
    return Submission(directory.resolve(), str(directory))


def describe_source(kata: Kata, submission: Submission) -> str:
    path = submission.module_path(kata)
    try:
        return str(path.resolve().relative_to(kata.root.resolve()))
    except ValueError:
        return str(path)


def grade_kata(kata: Kata, submission: Submission, *, fail_fast: bool = False) -> KataResult:
    """Run ``kata``'s hidden suite against ``submission`` and score it.

    Never raises for anything the code under test does: hangs, crashes and early exits come
    back as a result with that status and the affected tests failed.
    """
    module_path = submission.module_path(kata)
    source = describe_source(kata, submission)
    if not module_path.is_file():
        listing = run_child(kata, submission, collect_only=True)
        collected = (listing.first("collected") or {"tests": []})["tests"]
        raw = RawRun(collected=collected, reported={}, child=ChildRun(records=[{"type": "done"}]),
                     import_error=None)
        return missing_result(kata, raw, source=source, module_path=module_path)
    raw = run_suite(kata, submission, fail_fast=fail_fast)
    return score_run(kata, raw, source=source, module_path=module_path)
