"""The catalogue: every kata's metadata, read from ``katas/<slug>/kata.toml`` and validated.

``kata.toml`` is the single source of truth for a kata. A malformed or incomplete file is a
:class:`~grader.errors.CatalogError` naming the file and the field.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import CatalogError, NotInRepositoryError, UsageError

METADATA_VERSION = 1
DIFFICULTIES = ("easy", "medium", "hard")
SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MODULE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
HIDDEN_ROOT = Path(__file__).resolve().parent / "hidden"


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    goal: str


@dataclass(frozen=True)
class Limits:
    """Resource limits for grading one kata (each has a default; kata.toml may raise them)."""

    test_timeout: float = 30.0
    kata_timeout: float = 180.0
    memory_mb: int = 2048
    file_size_mb: int = 64
    output_kb: int = 4096
    disk_mb: int = 256


    def capped(self, seconds: float) -> Limits:
        """These limits with the kata's wall time (and so each test's) at most ``seconds``."""
        from dataclasses import replace

        return replace(self, kata_timeout=min(self.kata_timeout, seconds),
                       test_timeout=min(self.test_timeout, seconds))


@dataclass(frozen=True)
class Kata:
    slug: str
    title: str
    module: str
    difficulty: str
    minutes: int
    topic: str
    topics: tuple[str, ...]
    levels: tuple[Level, ...]
    hints: tuple[str, ...]
    root: Path
    limits: Limits = field(default_factory=Limits)

    @property
    def directory(self) -> Path:
        """Where the learner works: ``katas/<slug>/``."""
        return self.root / "katas" / self.slug

    @property
    def metadata_path(self) -> Path:
        return self.directory / "kata.toml"

    @property
    def module_file(self) -> str:
        return f"{self.module}.py"

    @property
    def stub_path(self) -> Path:
        return self.directory / self.module_file

    @property
    def readme_path(self) -> Path:
        return self.directory / "README.md"

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.slug

    @property
    def hidden_dir(self) -> Path:
        return HIDDEN_ROOT / self.slug

    @property
    def mutants_dir(self) -> Path:
        return self.root / "tests" / "mutants" / self.slug

    @property
    def alternatives_dir(self) -> Path:
        return self.root / "tests" / "alternatives" / self.slug

    def level(self, number: int) -> Level | None:
        return next((lv for lv in self.levels if lv.number == number), None)


def find_root(start: Path | None = None) -> Path:
    """The checkout to work in: ``$GRADE_ROOT``, else the nearest folder upwards with ``katas/``."""
    env = os.environ.get("GRADE_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / "katas").is_dir():
            raise NotInRepositoryError(
                f"GRADE_ROOT={env} has no katas/ folder; point it at your clone.")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "katas").is_dir():
            return candidate
    raise NotInRepositoryError(
        "this is not a Backend Katas checkout (no katas/ folder here or above). "
        "cd into your clone, or set GRADE_ROOT to it."
    )


def _require(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: Path) -> Any:
    if key not in table:
        raise CatalogError(f"{where}: missing field '{key}'")
    value = table[key]
    # bool is an int subclass; no field here accepts a bool where a number is meant
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise CatalogError(f"{where}: field '{key}' must be {_kind_name(kind)}, not {value!r}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def _strings(table: dict[str, Any], key: str, where: Path, *, minimum: int) -> tuple[str, ...]:
    items = _require(table, key, list, where)
    if len(items) < minimum:
        raise CatalogError(f"{where}: field '{key}' needs at least {minimum} entries")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise CatalogError(f"{where}: {key}[{i}] must be a non-empty string")
    return tuple(items)


def _limits(table: dict[str, Any], where: Path) -> Limits:
    raw = table.get("limits", {})
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: field 'limits' must be a table")
    defaults = Limits()
    values: dict[str, Any] = {}
    for name in ("test_timeout", "kata_timeout", "memory_mb", "file_size_mb", "output_kb",
                 "disk_mb"):
        if name in raw:
            value = _require(raw, name, (int, float), where)
            if value <= 0:
                raise CatalogError(f"{where}: limits.{name} must be positive")
            values[name] = type(getattr(defaults, name))(value)
    unknown = set(raw) - set(Limits.__dataclass_fields__)
    if unknown:
        raise CatalogError(f"{where}: unknown field limits.{sorted(unknown)[0]}")
    return Limits(**values)


def load_kata(metadata_path: Path, root: Path) -> Kata:
    """Read and validate one ``kata.toml``."""
    where = metadata_path
    try:
        data = tomllib.loads(metadata_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{where}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{where}: not valid TOML ({exc})") from None
    version = _require(data, "version", int, where)
    if version != METADATA_VERSION:
        raise CatalogError(f"{where}: field 'version' is {version}; this grader reads version 1")
    slug = _require(data, "slug", str, where)
    if not SLUG_RE.match(slug):
        raise CatalogError(f"{where}: field 'slug' must be kebab-case, not {slug!r}")
    if slug != metadata_path.parent.name:
        raise CatalogError(f"{where}: field 'slug' is {slug!r} but the folder is named "
                           f"{metadata_path.parent.name!r}")
    module = _require(data, "module", str, where)
    if not MODULE_RE.match(module):
        raise CatalogError(f"{where}: field 'module' must be a snake_case module name")
    difficulty = _require(data, "difficulty", str, where)
    if difficulty not in DIFFICULTIES:
        raise CatalogError(f"{where}: field 'difficulty' must be one of {', '.join(DIFFICULTIES)}")
    minutes = _require(data, "minutes", int, where)
    if minutes <= 0:
        raise CatalogError(f"{where}: field 'minutes' must be positive")
    raw_levels = _require(data, "levels", list, where)
    if not raw_levels:
        raise CatalogError(f"{where}: field 'levels' needs at least one [[levels]] table")
    levels = []
    for number, raw in enumerate(raw_levels, start=1):
        if not isinstance(raw, dict):
            raise CatalogError(f"{where}: levels[{number - 1}] must be a table")
        level_where = Path(f"{where} (level {number})")
        levels.append(Level(number, _require(raw, "name", str, level_where),
                            _require(raw, "goal", str, level_where)))
    return Kata(
        slug=slug,
        title=_require(data, "title", str, where),
        module=module,
        difficulty=difficulty,
        minutes=minutes,
        topic=_require(data, "topic", str, where),
        topics=_strings(data, "topics", where, minimum=0),
        levels=tuple(levels),
        hints=_strings(data, "hints", where, minimum=1),
        root=root,
        limits=_limits(data, where),
    )


def load_catalog(root: Path) -> list[Kata]:
    """Every kata under ``root/katas``, sorted by slug."""
    katas_dir = root / "katas"
    return [load_kata(path, root) for path in sorted(katas_dir.glob("*/kata.toml"))]


def find_kata(catalog: list[Kata], name: str) -> Kata:
    """The kata called ``name`` (kebab-case slug or snake_case module spelling)."""
    wanted = name.strip().lower().replace("_", "-")
    for kata in catalog:
        if wanted in (kata.slug, kata.module.replace("_", "-")):
            return kata
    known = [k.slug for k in catalog]
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.5)
    if close:
        hint = f" Did you mean: {', '.join(close)}?"
    else:
        hint = f" The katas are: {', '.join(known)}." if known else " There are no katas yet."
    raise UsageError(f"no kata named {name!r}.{hint} Run 'grade list' to see them all.")
