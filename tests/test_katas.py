"""The catalogue's katas are complete, and ``grade verify`` (which CI runs over every kata)
catches a hidden suite that lets a known-wrong variant through or fails a correct one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.catalog import load_catalog
from tests.conftest import ROOT, GradeRunner

CATALOG = load_catalog(ROOT)
MIN_MUTANTS = 12


def test_catalogue_is_not_empty() -> None:
    assert [k.slug for k in CATALOG]


@pytest.mark.parametrize("slug", [k.slug for k in CATALOG])
def test_every_kata_has_enough_mutants_and_correct_alternatives(slug: str) -> None:
    mutants = list((ROOT / "tests" / "mutants" / slug).glob("[!_]*.py"))
    alternatives = list((ROOT / "tests" / "alternatives" / slug).glob("[!_]*.py"))
    assert len(mutants) >= MIN_MUTANTS
    assert alternatives


@pytest.mark.parametrize("slug", [k.slug for k in CATALOG])
def test_stub_scores_zero(grade: GradeRunner, slug: str) -> None:
    result = grade(slug, "--format", "json")
    assert result.exit_code == 1
    assert result.json()["katas"][0]["score"] == 0


def only_lru_cache(repo: Path) -> Path:
    """Keep one kata in a scratch checkout, with one of its mutants per level."""
    for kata in (repo / "katas").iterdir():
        if kata.name != "lru-cache":
            shutil.rmtree(kata)
    mutants = repo / "tests" / "mutants" / "lru-cache"
    mutants.mkdir(parents=True)
    for name in ("keys_mru_first", "list_recency_order", "ttl_boundary_strict", "no_lock"):
        shutil.copyfile(ROOT / "tests" / "mutants" / "lru-cache" / f"{name}.py",
                        mutants / f"{name}.py")
    (repo / "tests" / "alternatives" / "lru-cache").mkdir(parents=True)
    return mutants


def test_verify_judges_every_variant(grade: GradeRunner, scratch_repo: Path) -> None:
    """Caught mutants pass (one of them by running out of memory); a 'mutant' that is really
    correct and an 'alternative' that is really wrong each fail verify, by name."""
    mutants = only_lru_cache(scratch_repo)
    reference = scratch_repo / "solutions" / "lru-cache" / "lru_cache.py"
    (mutants / "not_wrong_at_all.py").write_text(
        reference.read_text(encoding="utf-8").replace('"""', '"""Level 1: no mistake.\n', 1),
        encoding="utf-8")
    aimed = '"""Level 1: get() hoards memory.\n'
    (mutants / "hoards_memory.py").write_text(
        reference.read_text(encoding="utf-8").replace('"""', aimed, 1)
        + "\n\ndef _hoarding_get(self, key, default=None):\n    hoard = []\n    while True:\n"
          "        hoard.append(bytearray(1 << 24))\n\n\nLRUCache.get = _hoarding_get\n",
        encoding="utf-8")
    shutil.copyfile(mutants / "keys_mru_first.py",
                    scratch_repo / "tests" / "alternatives" / "lru-cache" / "claims_correct.py")
    result = grade("verify", "-j", "2", cwd=scratch_repo)
    assert result.exit_code == 1
    out = result.stdout
    assert "✓ lru-cache: reference = 100" in out
    assert "✓ lru-cache: stub = 0" in out
    for name, level in (("keys_mru_first", 1), ("list_recency_order", 2),
                        ("ttl_boundary_strict", 3), ("no_lock", 4)):
        line = next(line for line in out.splitlines() if f"mutant {name} " in line)
        assert line.startswith("✓"), line
        assert f"caught at level {level}" in line
    # running out of memory where the reference does not is the variant's doing: caught
    hoarding = next(line for line in out.splitlines() if "mutant hoards_memory " in line)
    assert hoarding.startswith("✓"), hoarding
    assert "(memory: your code ran out of memory" in hoarding
    assert "✗ lru-cache: mutant not_wrong_at_all < 100" in out
    assert "does not catch this mistake" in out
    assert "✗ lru-cache: alternative claims_correct = 100  scores " in out
    assert out.rstrip().endswith("2 failed.")


def test_verify_requires_a_mutant_aimed_at_every_level(grade: GradeRunner,
                                                         scratch_repo: Path) -> None:
    mutants = only_lru_cache(scratch_repo)
    (mutants / "no_lock.py").unlink()
    (mutants / "unlabelled.py").write_text('"""Forgets to say which level it targets."""\n',
                                           encoding="utf-8")
    result = grade("verify", cwd=scratch_repo)
    assert result.exit_code == 1
    assert "no mutant aimed at level 4" in result.stdout
    assert "unlabelled.py" in result.stdout
