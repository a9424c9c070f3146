"""The project's own promises: the README's commands and catalogue, the CI files, packaging."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from tests.conftest import ROOT, GradeRunner

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["pip install -e '.[dev]' && grade lru-cache", "pytest"]
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[dev]'" in run
    assert re.search(r"^pytest$", run, re.MULTILINE)
    assert re.search(r"^grade verify$", run, re.MULTILINE)


def test_readme_catalogue_matches_the_katas(grade: GradeRunner) -> None:
    table = README.split("<!-- catalogue:", 1)[1].split("-->", 1)[1].split("<!-- /catalogue")[0]
    generated = grade("list", "--markdown")
    assert generated.exit_code == 0
    assert table.strip() == generated.stdout.strip(), "regenerate with: grade list --markdown"


def test_workflows_pass_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is part of the dev extra: pip install -e '.[dev]'"
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} >= {"ci.yml", "grade.yml"}
    workflows += sorted((ROOT / "docs" / "workflows").glob("*.yml"))
    assert any(w.name == "grade-untrusted.yml" for w in workflows)
    result = subprocess.run([actionlint, *map(str, workflows)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_covers_the_supported_pythons_and_both_systems() -> None:
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    for needle in ('"3.11"', '"3.12"', '"3.13"', "ubuntu-latest", "macos-latest", "ruff check",
                   "mypy", "pytest", "grade verify"):
        assert needle in ci
    grade_yml = (ROOT / ".github" / "workflows" / "grade.yml").read_text(encoding="utf-8")
    assert "grade --all" in grade_yml


def test_dependencies_have_lower_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~\[]", d)[0] for d in project["dependencies"]}
    # the design's five, and cryptography for the signatures of jwt-validation
    assert names == {"click", "pytest", "pytest-timeout", "hypothesis", "sqlite-utils",
                     "cryptography"}
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert ">=" in dep, dep
    assert project["scripts"]["grade"] == "grader.cli:main"


def test_the_wheel_ships_the_hidden_suites(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for slug in (p.parent.name for p in (ROOT / "katas").glob("*/kata.toml")):
        hidden = [n for n in names if n.startswith(f"grader/hidden/{slug}/test_")]
        assert hidden, f"the wheel lacks grader/hidden/{slug}"
    assert "grader/py.typed" in names
    oracles = {Path(n).name for n in names if n.startswith("grader/oracles/")}
    assert {p.name for p in (ROOT / "grader" / "oracles").glob("*.py")} <= oracles
    assert not any(n.startswith(("katas/", "solutions/", "tests/")) for n in names)


def test_help_does_not_import_the_heavy_modules() -> None:
    code = ("import sys; from grader.cli import cli; "
            "cli.main(['--help'], standalone_mode=False); "
            "heavy = ('pytest', 'hypothesis', 'sqlite_utils'); "
            "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().endswith("[]")
