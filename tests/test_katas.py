"""Every kata proves its hidden suite: the reference scores 100, the stub 0, each correct
alternative 100, and each known-wrong variant (mutant) less than 100."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.catalog import load_catalog
from tests.conftest import ROOT, GradeRunner

CATALOG = load_catalog(ROOT)


def variants(kind: str) -> list[tuple[str, Path]]:
    return [(kata.slug, path) for kata in CATALOG
            for path in sorted((ROOT / "tests" / kind / kata.slug).glob("*.py"))
            if not path.name.startswith("_")]


def graded(grade: GradeRunner, slug: str, path: Path, tmp_path: Path, *extra: str) -> dict:
    kata = next(k for k in CATALOG if k.slug == slug)
    folder = tmp_path / "variant"
    folder.mkdir()
    shutil.copyfile(path, folder / kata.module_file)
    result = grade(slug, "--path", str(folder), "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    kata_result = result.json()["katas"][0]
    assert result.exit_code == (0 if kata_result["score"] == 100 else 1)
    return kata_result


def test_catalogue_is_not_empty() -> None:
    assert [k.slug for k in CATALOG]


@pytest.mark.parametrize("slug", [k.slug for k in CATALOG])
def test_every_kata_has_mutants_for_every_level(slug: str) -> None:
    import ast

    kata = next(k for k in CATALOG if k.slug == slug)
    levels = set()
    for path in (ROOT / "tests" / "mutants" / slug).glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert doc.startswith("Level "), f"{path.name}: docstring must start 'Level N: ...'"
        levels.add(int(doc.split(":")[0].removeprefix("Level ")))
    assert levels == {lv.number for lv in kata.levels}


@pytest.mark.parametrize("slug", [k.slug for k in CATALOG])
def test_stub_scores_zero(grade: GradeRunner, slug: str) -> None:
    result = grade(slug, "--format", "json")
    assert result.exit_code == 1
    assert result.json()["katas"][0]["score"] == 0


@pytest.mark.parametrize(("slug", "path"), variants("alternatives"),
                         ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_correct_alternative_scores_100(grade: GradeRunner, tmp_path: Path, slug: str,
                                        path: Path) -> None:
    result = graded(grade, slug, path, tmp_path)
    failures = [f"{t['id']}: {t['message'][:500]}" for t in result["tests"]
                if t["outcome"] != "passed"]
    assert result["score"] == 100, "\n".join(failures)


@pytest.mark.parametrize(("slug", "path"), variants("mutants"),
                         ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_mutant_scores_below_100(grade: GradeRunner, tmp_path: Path, slug: str,
                                 path: Path) -> None:
    result = graded(grade, slug, path, tmp_path, "--fail-fast")
    assert result["score"] < 100
    assert result["status"] == "graded"
    caught = [t for t in result["tests"] if t["outcome"] != "passed"]
    assert caught
    assert all(t["message"] for t in caught)
