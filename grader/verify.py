"""``grade verify``: prove a kata is sound before learners meet it.

For each kata: the metadata is valid, README, stub and examples exist, there are hints, every
level has hidden tests, the reference solution scores 100, the stub in ``katas/<slug>/`` (as it
stands in the working tree: run it on an untouched clone) scores 0, every
correct alternative scores 100 and every known-wrong variant (mutant) scores below 100.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Kata
from grader.grading import grade_kata, learner_submission, solution_submission
from grader.results import KataResult
from grader.runner import Submission, map_in_parallel

MIN_HINTS = 3


@dataclass(frozen=True)
class Check:
    kata: str
    name: str
    ok: bool
    detail: str


def _static_checks(kata: Kata) -> list[Check]:
    def check(name: str, ok: bool, detail: str) -> Check:
        return Check(kata.slug, name, ok, detail)

    hidden = sorted(kata.hidden_dir.glob("test_*.py")) if kata.hidden_dir.is_dir() else []
    return [
        check("README", kata.readme_path.is_file() and kata.readme_path.stat().st_size > 0,
              f"write the task in {kata.readme_path}"),
        check("stub", kata.stub_path.is_file(), f"add the starter stub {kata.stub_path}"),
        check("examples", (kata.directory / "test_examples.py").is_file(),
              f"add visible examples in {kata.directory / 'test_examples.py'}"),
        check("hints", len(kata.hints) >= MIN_HINTS,
              f"kata.toml has {len(kata.hints)} hints; give at least {MIN_HINTS}"),
        check("solution", (kata.solution_dir / kata.module_file).is_file(),
              f"add the reference solution {kata.solution_dir / kata.module_file}"),
        check("hidden suite", bool(hidden), f"add hidden tests (test_*.py) in {kata.hidden_dir}"),
        check("mutants", len(_variants(kata.mutants_dir)) > 0,
              f"add known-wrong variants in {kata.mutants_dir}"),
        _mutant_levels(kata),
        _placeholders(kata),
    ]


def _placeholders(kata: Kata) -> Check:
    """Nothing left of ``grade new``'s scaffold: every placeholder has been written."""
    from grader.scaffold import PLACEHOLDER, placeholders

    root = kata.root.resolve()
    files = [str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
             for path in placeholders(kata)]
    detail = f"replace the {PLACEHOLDER} text in {', '.join(files)}" if files else ""
    return Check(kata.slug, "no placeholders left", not files, detail)


# Running out of time or memory in a check that the reference passes is the variant's doing
# (a race that corrupts a linked list into a cycle, say), and the learner is told so: a verdict.
RESOURCE_VERDICTS = ("timeout", "memory")


def _mutant_levels(kata: Kata) -> Check:
    """Every level has a mutant aimed at it: its docstring starts ``Level N:``."""
    aimed = set()
    unlabelled = []
    for path in _variants(kata.mutants_dir):
        match = re.match(r"Level (\d+):", _describe(path))
        if match:
            aimed.add(int(match.group(1)))
        else:
            unlabelled.append(path.name)
    missing = sorted({lv.number for lv in kata.levels} - aimed)
    detail = "; ".join(filter(None, [
        f"no mutant aimed at level {', '.join(map(str, missing))}" if missing else "",
        f"start each mutant's docstring with 'Level N: ': {', '.join(unlabelled)}"
        if unlabelled else "",
    ]))
    return Check(kata.slug, "mutant levels", not detail, detail)


def _variants(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def _describe(path: Path) -> str:
    """The first line of a variant's docstring (what mistake it makes)."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (SyntaxError, OSError):
        return ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def grade_variant(kata: Kata, path: Path, *, fail_fast: bool) -> KataResult:
    """Grade a single-file variant by copying it into a folder under the kata's module name."""
    with tempfile.TemporaryDirectory(prefix=f"variant-{kata.slug}-") as tmp:
        shutil.copyfile(path, Path(tmp) / kata.module_file)
        return grade_kata(kata, Submission(Path(tmp), str(path)), fail_fast=fail_fast)


def _level_coverage(kata: Kata, result: KataResult) -> Check:
    empty = [lv.number for lv in result.levels if lv.tests == 0]
    return Check(kata.slug, "levels", not empty,
                 f"levels without hidden tests: {empty}" if empty else "")


@dataclass(frozen=True)
class Job:
    kata: Kata
    name: str
    run: Callable[[], Check]


def _jobs(kata: Kata) -> list[Job]:
    slug = kata.slug

    def reference() -> Check:
        result = grade_kata(kata, solution_submission(kata))
        coverage = _level_coverage(kata, result)
        ok = result.score == 100 and coverage.ok
        first = result.failures()[0] if result.failures() else None
        detail = coverage.detail or (f"scores {result.score}: {first.id}: {first.message[:300]}"
                                     if first else f"scores {result.score} ({result.detail})")
        return Check(slug, "reference = 100", ok, "" if ok else detail)

    def stub() -> Check:
        result = grade_kata(kata, learner_submission(kata))
        return Check(slug, "stub = 0", result.score == 0,
                     "" if result.score == 0 else f"the stub scores {result.score}")

    def alternative(path: Path) -> Callable[[], Check]:
        def run() -> Check:
            result = grade_variant(kata, path, fail_fast=False)
            first = result.failures()[0] if result.failures() else None
            detail = f"{first.id}: {first.message[:300]}" if first else result.detail
            return Check(slug, f"alternative {path.stem} = 100", result.score == 100,
                         "" if result.score == 100 else f"scores {result.score}: {detail}")
        return run

    def mutant(path: Path) -> Callable[[], Check]:
        def run() -> Check:
            result = grade_variant(kata, path, fail_fast=True)
            caught = result.failures()
            message = caught[0].message.strip() if caught else ""
            ok = False
            if not caught:
                detail = "scores 100: the hidden suite does not catch this mistake"
            elif result.status not in ("graded", *RESOURCE_VERDICTS):
                # A crash proves nothing about the checks: the variant must run, and a check
                # must explain what it got wrong.
                detail = f"did not run to a verdict ({result.status}: {result.detail})"
            elif not (message or result.status in RESOURCE_VERDICTS):
                detail = f"{caught[0].id} failed it without a message for the learner"
            else:
                ok = True
                detail = f"caught at level {caught[0].level} by {caught[0].id}"
                if result.status != "graded":
                    detail += f" ({result.status}: {result.detail})"
            return Check(slug, f"mutant {path.stem} < 100", ok, f"{_describe(path)} — {detail}")
        return run

    jobs = [Job(kata, "reference", reference), Job(kata, "stub", stub)]
    jobs += [Job(kata, p.stem, alternative(p)) for p in _variants(kata.alternatives_dir)]
    jobs += [Job(kata, p.stem, mutant(p)) for p in _variants(kata.mutants_dir)]
    return jobs


def verify(katas: list[Kata], *, workers: int = 2,
           progress: Callable[[Check], None] | None = None) -> list[Check]:
    """Run every check for ``katas``; the list is ordered kata by kata."""
    checks: list[Check] = []
    jobs: list[Job] = []
    for kata in katas:
        static = _static_checks(kata)
        checks.extend(static)
        if all(c.ok for c in static):
            jobs.extend(_jobs(kata))
    for check in map_in_parallel(lambda job: job.run(), jobs, workers):
        checks.append(check)
        if progress is not None:
            progress(check)
    return checks
