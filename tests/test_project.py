"""The project's own promises: the README's commands and catalogue, the CI files, packaging."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
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


def test_the_learner_workflow_grades_once_and_keeps_every_report(tmp_path: Path) -> None:
    workflow = (ROOT / ".github" / "workflows" / "grade.yml").read_text(encoding="utf-8")
    invocation = workflow.split("grade --all", 1)[1].split("2>", 1)[0]
    command = " ".join(invocation.replace("\\\n", " ").split())
    assert command == ("-j 2 --format json --output grade-results.json --format junit "
                       "--output grade-results.xml --format github")
    assert workflow.count("grade --all") == 1
    assert 'echo "::stop-commands::$token"' in workflow
    assert 'echo "::$token::"' in workflow
    assert "secrets.token_hex" in workflow
    for artifact in ("grade-results.json", "grade-results.xml", "grade-badge.json"):
        assert f"            {artifact}" in workflow or f"path: {artifact}" in workflow
    # the badge step's script, run as the workflow runs it
    script = textwrap.dedent(workflow.split("python - <<'PY'\n", 1)[1].split("PY\n", 1)[0])
    for score, color in ((100, "brightgreen"), (85, "green"), (64, "yellow"), (20, "orange"),
                         (0, "red"), (None, "lightgrey")):
        if score is not None:
            (tmp_path / "grade-results.json").write_text(json.dumps({"score": score}),
                                                         encoding="utf-8")
        else:
            (tmp_path / "grade-results.json").unlink()
        subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True,
                       capture_output=True)
        badge = json.loads((tmp_path / "grade-badge.json").read_text(encoding="utf-8"))
        message = f"{score}/100" if score is not None else "not graded"
        assert badge == {"schemaVersion": 1, "label": "katas", "message": message,
                         "color": color}


def test_dependencies_have_lower_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~\[]", d)[0] for d in project["dependencies"]}
    # the design's five; cryptography for the signatures of jwt-validation; watchfiles for
    # grade watch and rich for the progress bar (both imported only by the commands using them)
    assert names == {"click", "pytest", "pytest-timeout", "hypothesis", "sqlite-utils",
                     "cryptography", "watchfiles", "rich"}
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
            "heavy = ('pytest', 'hypothesis', 'sqlite_utils', 'rich', 'watchfiles', "
            "'cryptography', 'sqlite3', 'dataclasses', 'grader.runner', 'grader.catalog'); "
            "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().endswith("[]")
