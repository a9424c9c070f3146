"""``grade new``: an author scaffolds a kata, ``grade verify`` lists what is still missing, and
once the placeholders are written the same files make a kata that verifies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.scaffold import PLACEHOLDER
from tests.conftest import ROOT, run_grade


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A scratch checkout with its own grader package (``python -m grader`` run inside it uses
    that copy, so new hidden suites land in the scratch folder) and one kata."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "grader", repo / "grader",
                    ignore=shutil.ignore_patterns("__pycache__", "hidden"))
    (repo / "grader" / "hidden").mkdir()
    (repo / "katas").mkdir()
    return repo


SCAFFOLDED = [
    "katas/counter/kata.toml", "katas/counter/README.md", "katas/counter/counter.py",
    "katas/counter/test_examples.py", "solutions/counter/counter.py",
    "tests/mutants/counter/README.md", "tests/alternatives/counter/README.md",
    "grader/hidden/counter/test_level1.py", "grader/hidden/counter/test_level2.py",
]


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_scaffold_then_verify_lists_what_is_missing_then_passes(checkout: Path) -> None:
    made = run_grade("new", "counter", "--levels", "2", "--topic", "Counting", cwd=checkout)
    assert made.exit_code == 0, made.stderr
    for name in SCAFFOLDED:
        assert (checkout / name).is_file(), name
        assert f"  {name}" in made.stdout
    listed = run_grade("list", cwd=checkout)
    assert "counter" in listed.stdout
    assert "Counting" in listed.stdout

    incomplete = run_grade("verify", "counter", cwd=checkout)
    assert incomplete.exit_code == 1
    out = incomplete.stdout
    assert "✗ counter: mutants  add known-wrong variants" in out
    assert "✗ counter: mutant levels  no mutant aimed at level 1, 2" in out
    line = next(line for line in out.splitlines() if "no placeholders left" in line)
    for name in SCAFFOLDED:
        if not name.startswith("tests/"):
            assert name in line, name
    assert "reference = 100" not in out, "nothing is graded while the kata is incomplete"

    # The author writes the kata: a counter that starts at 0 and counts up.
    for name in SCAFFOLDED:
        path = checkout / name
        write(path, path.read_text(encoding="utf-8").replace(PLACEHOLDER, "Written"))
    write(checkout / "solutions/counter/counter.py",
          '"""A counter."""\n\n\nclass Counter:\n    def __init__(self) -> None:\n'
          '        self.value = 0\n\n    def up(self) -> int:\n        self.value += 1\n'
          '        return self.value\n')
    hidden = checkout / "grader/hidden/counter/test_level2.py"
    write(hidden, hidden.read_text(encoding="utf-8").replace(
        's.new("instance", Counter)',
        'c = s.new("counter", Counter)\n    s.expect(s.call("counter", c, "up"), 1, "up()")'))
    write(checkout / "tests/mutants/counter/starts_at_one.py",
          '"""Level 2: counts from 1."""\n\n\nclass Counter:\n    def __init__(self) -> None:\n'
          '        self.value = 1\n\n    def up(self) -> int:\n        self.value += 1\n'
          '        return self.value\n')
    write(checkout / "tests/mutants/counter/cannot_start.py",
          '"""Level 1: the constructor fails."""\n\n\nclass Counter:\n'
          '    def __init__(self) -> None:\n        raise ValueError("no")\n')

    verified = run_grade("verify", "counter", cwd=checkout)
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    assert "✓ counter: reference = 100" in verified.stdout
    assert "✓ counter: stub = 0" in verified.stdout
    assert "mutant starts_at_one < 100" in verified.stdout
    assert "caught at level 2" in verified.stdout


def test_new_never_overwrites_and_rejects_bad_names(checkout: Path) -> None:
    assert run_grade("new", "counter", cwd=checkout).exit_code == 0
    readme = checkout / "katas/counter/README.md"
    write(readme, "my own words")
    again = run_grade("new", "counter", cwd=checkout)
    assert again.exit_code == 2
    assert "already a kata named counter" in again.stderr
    assert readme.read_text(encoding="utf-8") == "my own words"

    (checkout / "solutions/tally").mkdir(parents=True)
    write(checkout / "solutions/tally/tally.py", "kept")
    clash = run_grade("new", "tally", cwd=checkout)
    assert clash.exit_code == 2
    assert "solutions/tally/tally.py already exists" in clash.stderr
    assert not (checkout / "katas/tally").exists(), "nothing is created when one file clashes"

    for args, message in (
        (["Bad_Slug"], "not a kebab-case slug"),
        (["other", "--module", "counter"], "already uses the module name counter"),
        (["other", "--module", "Not-A-Module"], "not a snake_case module name"),
        (["other", "--levels", "0"], "Invalid value for '--levels'"),
    ):
        result = run_grade("new", *args, cwd=checkout)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
