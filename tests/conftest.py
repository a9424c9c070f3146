"""Shared fixtures: run the real ``grade`` command as a learner would, in this checkout or in a
scratch copy of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Completed:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data


GradeRunner = Callable[..., Completed]


def run_grade(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
              timeout: float = 600) -> Completed:
    """Run ``grade`` in a subprocess, as a learner's shell would."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GRADE_ROOT", "NO_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=cwd, env=full_env, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )
    return Completed(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def grade() -> GradeRunner:
    return run_grade


@pytest.fixture
def scratch_repo(tmp_path: Path) -> Path:
    """A copy of the learner-facing part of this checkout (katas/, solutions/) to change freely."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "katas", repo / "katas",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copytree(ROOT / "solutions", repo / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def submission(tmp_path: Path, source: str, module: str = "lru_cache") -> Path:
    """A folder holding ``<module>.py`` with ``source``, to grade with ``--path``."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return folder
