"""``grade new``: scaffold a kata with every file it needs, each holding a placeholder that says
what to write. ``grade verify`` reports the kata as incomplete, file by file, until every
placeholder is replaced, and only then grades the reference, the stub and the variants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.catalog import HIDDEN_ROOT, MODULE_RE, SLUG_RE, Kata
from grader.errors import UsageError

# The marker every placeholder carries; verify lists the files that still hold it.
PLACEHOLDER = "TODO(kata author)"


@dataclass(frozen=True)
class NewKata:
    slug: str
    module: str
    title: str
    topic: str
    levels: int

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.module.split("_"))


def plan(new: NewKata, root: Path, catalog: list[Kata]) -> dict[Path, str]:
    """The files to create (path relative to ``root`` → content); refuses anything that would
    overwrite or clash, and a grader installed from elsewhere (its hidden suites are not this
    checkout's)."""
    if not SLUG_RE.match(new.slug):
        raise UsageError(f"{new.slug!r} is not a kebab-case slug (like 'circuit-breaker').")
    if not MODULE_RE.match(new.module):
        raise UsageError(f"{new.module!r} is not a snake_case module name "
                         "(like 'circuit_breaker'); choose one with --module.")
    for kata in catalog:
        if kata.slug == new.slug:
            raise UsageError(f"there is already a kata named {new.slug} in katas/{new.slug}/.")
        if kata.module == new.module:
            raise UsageError(f"the kata {kata.slug} already uses the module name {new.module}; "
                             "choose another with --module.")
    try:
        hidden = HIDDEN_ROOT.relative_to(root.resolve())
    except ValueError:
        raise UsageError(f"the grade command in use runs the grader in {HIDDEN_ROOT.parent}, "
                         f"not this checkout's; run 'pip install -e .' in {root} first, so "
                         "the new hidden suite goes where the grader reads it.") from None
    files = {
        Path("katas", new.slug, "kata.toml"): _kata_toml(new),
        Path("katas", new.slug, "README.md"): _readme(new),
        Path("katas", new.slug, f"{new.module}.py"): _module(new, solution=False),
        Path("katas", new.slug, "test_examples.py"): _examples(new),
        Path("solutions", new.slug, f"{new.module}.py"): _module(new, solution=True),
        Path("tests", "mutants", new.slug, "README.md"): _variants_readme(new, mutants=True),
        Path("tests", "alternatives", new.slug, "README.md"): _variants_readme(new,
                                                                                mutants=False),
    }
    for number in range(1, new.levels + 1):
        files[hidden / new.slug / f"test_level{number}.py"] = _hidden(new, number)
    clashes = [str(path) for path in files if (root / path).exists()]
    if clashes:
        raise UsageError(f"{clashes[0]} already exists; 'grade new' never overwrites a file. "
                         "Move it away or choose another slug.")
    return files


def create(files: dict[Path, str], root: Path) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        with (root / path).open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)


def placeholders(kata: Kata) -> list[Path]:
    """The kata's files that still hold the scaffold's placeholder text."""
    roots = [kata.directory, kata.solution_dir, kata.hidden_dir]
    found: list[Path] = []
    for folder in roots:
        if not folder.is_dir():
            continue
        found.extend(path for path in sorted(folder.rglob("*"))
                     if path.suffix in (".py", ".md", ".toml") and path.is_file()
                     and PLACEHOLDER in path.read_text(encoding="utf-8", errors="replace"))
    return found


def _kata_toml(new: NewKata) -> str:
    levels = "\n".join(
        f'[[levels]]\nname = "Level {n}"\ngoal = "{PLACEHOLDER}: what level {n} proves, '
        f'in one line"\n' for n in range(1, new.levels + 1))
    return f"""# The single source of truth for this kata's metadata (format: version 1).
version = 1
slug = "{new.slug}"
title = "{new.title}"
module = "{new.module}"
difficulty = "medium"        # easy | medium | hard
minutes = 90                 # a rough estimate for a first solve
topic = "{new.topic}"      # the fundamental this kata trains
topics = []

hints = [
  "{PLACEHOLDER}: a nudge: where to start.",
  "{PLACEHOLDER}: the idea the hard level needs.",
  "{PLACEHOLDER}: nearly the answer.",
]

{levels}"""


def _readme(new: NewKata) -> str:
    levels = "\n".join(f"{n}. {PLACEHOLDER}: level {n}'s goal, and what it checks."
                       for n in range(1, new.levels + 1))
    return f"""# {new.title}

{PLACEHOLDER}: the story: where this component lives in a real backend, and what goes wrong
without it.

## Interface

Fill in `{new.module}.py`:

```python
{PLACEHOLDER}: the public API, exactly as the stub declares it.
```

## Rules

{PLACEHOLDER}: every rule the hidden checks hold you to, and what is left to you.

## Levels

{levels}

## Examples

```python
{PLACEHOLDER}: a few calls and what they return.
```

Run the visible examples with `pytest katas/{new.slug}`, then grade: `grade {new.slug}`.
"""


def _module(new: NewKata, *, solution: bool) -> str:
    body = (f"{PLACEHOLDER}: the reference: idiomatic, commented, fast." if solution else
            f"{PLACEHOLDER}: the starter stub: full signatures and docstrings, bodies raise "
            "NotImplementedError.")
    return f'''"""{new.title}.

{body}
"""

from __future__ import annotations


class {new.class_name}:
    """{PLACEHOLDER}: what one instance is."""

    def __init__(self) -> None:
        raise NotImplementedError
'''


def _examples(new: NewKata) -> str:
    return f'''"""Examples of the {new.slug} rules. Run them with: pytest katas/{new.slug}"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # find {new.module}.py from any directory

from {new.module} import {new.class_name}


def test_a_new_instance_can_be_made() -> None:
    """{PLACEHOLDER}: a few examples the learner can read and run."""
    {new.class_name}()
'''


def _hidden(new: NewKata, number: int) -> str:
    return f'''"""Level {number}: {PLACEHOLDER}: what this level's checks prove.

Checks call the learner's code through grader.checks.Script, so a failure shows the calls
made, what came back and what was expected. See grader/hidden/token-bucket/ for examples."""

from __future__ import annotations

import pytest
from {new.module} import {new.class_name}

from grader.checks import Script

pytestmark = [pytest.mark.level({number}), pytest.mark.points(1)]


def test_level{number}_placeholder() -> None:
    """{PLACEHOLDER}: one line the learner reads when this check fails."""
    s = Script()
    s.new("instance", {new.class_name})
'''


def _variants_readme(new: NewKata, *, mutants: bool) -> str:
    if mutants:
        return f"""# Known-wrong variants of {new.slug}

One file per realistic mistake: a full copy of the reference with one thing wrong. Each
file's docstring starts with `Level N: ` and the mistake in one sentence; `grade verify`
requires every variant to score below 100 and a variant aimed at every level.
"""
    return f"""# Correct alternatives of {new.slug}

One file per correct but unusual implementation (another data structure, another choice
where the contract leaves one open); `grade verify` requires each to score 100.
"""

