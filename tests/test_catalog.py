"""kata.toml validation: every mistake names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.catalog import find_kata, load_catalog, load_kata
from grader.errors import CatalogError, UsageError
from tests.conftest import ROOT

GOOD = (ROOT / "katas" / "lru-cache" / "kata.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, slug: str = "lru-cache") -> Path:
    path = tmp_path / "katas" / slug / "kata.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_catalogue_loads() -> None:
    catalog = load_catalog(ROOT)
    assert "lru-cache" in [k.slug for k in catalog]
    kata = find_kata(catalog, "lru-cache")
    assert kata.module == "lru_cache"
    assert [lv.number for lv in kata.levels] == [1, 2, 3, 4]
    assert len(kata.hints) >= 3
    assert kata.hidden_dir.is_dir()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("version = 1\n", ""), "missing field 'version'"),
        (lambda t: t.replace("version = 1", "version = 2"), "reads version 1"),
        (lambda t: t.replace('slug = "lru-cache"', 'slug = "LRU_cache"'), "kebab-case"),
        (lambda t: t.replace('slug = "lru-cache"', 'slug = "other"'), "folder is named"),
        (lambda t: t.replace("minutes = 90", 'minutes = "ninety"'), "'minutes' must be an integer"),
        (lambda t: t.replace("minutes = 90", "minutes = true"), "'minutes' must be an integer"),
        (lambda t: t.replace('difficulty = "easy"', 'difficulty = "trivial"'), "'difficulty'"),
        (lambda t: t.replace('module = "lru_cache"', 'module = "lru-cache"'), "'module'"),
        (lambda t: t.split("hints = [")[0] + "hints = []\n\n[[levels]]"
         + t.split("[[levels]]", 1)[1], "'hints' needs at least 1"),
        (lambda t: t.replace('name = "Behaviour"\n', ""), "(level 1): missing field 'name'"),
        (lambda t: t + "\n[limits]\nmemory_mb = -1\n", "limits.memory_mb must be positive"),
        (lambda t: t + "\n[limits]\nwall = 3\n", "unknown field limits.wall"),
    ],
)
def test_invalid_metadata_is_named(tmp_path: Path, edit: object, message: str) -> None:
    path = write(tmp_path, edit(GOOD))  # type: ignore[operator]
    with pytest.raises(CatalogError) as info:
        load_kata(path, tmp_path)
    assert str(path) in info.value.message
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_limits_can_be_raised_per_kata(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\n[limits]\nkata_timeout = 600\nmemory_mb = 4096\n")
    kata = load_kata(path, tmp_path)
    assert kata.limits.kata_timeout == 600.0
    assert kata.limits.memory_mb == 4096
    assert kata.limits.capped(5).kata_timeout == 5


@pytest.mark.parametrize("name", ["lru-cache", "lru_cache", "LRU-Cache", " lru-cache "])
def test_both_spellings_find_the_kata(name: str) -> None:
    assert find_kata(load_catalog(ROOT), name).slug == "lru-cache"


def test_unknown_name_suggests(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Did you mean: lru-cache"):
        find_kata(load_catalog(ROOT), "lru-cash")
