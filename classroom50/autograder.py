#!/usr/bin/env python3
"""Backend Katas as a Classroom 50 autograder.

Install it as the classroom's default autograder:

    gh teacher autograder set-default ORG CLASSROOM --from classroom50/autograder.py

or for one assignment only, as ``CLASSROOM/autograders/ASSIGNMENT/autograder.py`` in your
classroom50 repository. Set UPSTREAM and REF below first.

Classroom 50's runner runs this once per submission, in the student's checkout, with the
submission's identity in environment variables (CLASSROOM, ASSIGNMENT, SUBMISSION_TAG,
COMMIT_URL, RELEASE_URL, REVIEW_URL, ...). This script:

1. clones UPSTREAM at REF and installs the grader from it into a virtual environment: the
   catalogue and hidden suites always come from the pinned upstream, never from the
   student's repository;
2. copies the student's kata files (``katas/<slug>/*.py``, or ``<module>.py`` at the top of a
   repository made for one kata) into a folder shaped like a checkout;
3. grades them with ``grade <katas> --from <that folder> --format classroom50``, which writes
   ``result.json`` and ``release-body.md`` here and appends ``status=`` and ``summary=`` to
   ``$GITHUB_OUTPUT``.

It exits 0 whenever grading ran, whatever the score. A non-zero exit tells the runner that the
autograder itself failed (the upstream could not be cloned or installed, or the grader
refused to run), and the runner then publishes a ``status=error`` result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

# The project to install the grader from, and the tag to pin: never a branch learners can push
# to (a learner who could change the grader could change their grade).
UPSTREAM = "https://github.com/your-course/backend-katas.git"
REF = "v0.1.0"
# The katas to grade. Empty: the kata whose slug is the assignment's name (an assignment
# called "lru-cache" grades lru-cache), or every kata when no kata has that name.
KATAS: list[str] = []


def install(scratch: Path) -> tuple[Path, Path]:
    """Clone UPSTREAM at REF and install it; return (its Python, the upstream checkout)."""
    upstream = scratch / "upstream"
    git = shutil.which("git")
    if git is None:
        raise OSError("git is not installed on this runner")
    subprocess.run([git, "clone", "--quiet", "--depth", "1", "--branch", REF, UPSTREAM,
                    str(upstream)], check=True)
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(upstream)], check=True)
    return python, upstream


def katas_to_grade(upstream: Path, assignment: str) -> list[str]:
    if KATAS:
        return KATAS
    if assignment and (upstream / "katas" / assignment / "kata.toml").is_file():
        return [assignment]
    return [path.parent.name for path in sorted((upstream / "katas").glob("*/kata.toml"))]


def stage_submission(upstream: Path, workspace: Path, staging: Path,
                     slugs: list[str]) -> None:
    """Copy the student's files of each kata to ``staging/katas/<slug>/``; a kata whose
    module they do not have is left out, and graded as missing."""
    for slug in slugs:
        metadata = tomllib.loads((upstream / "katas" / slug / "kata.toml").read_text("utf-8"))
        module = f"{metadata['module']}.py"
        folder = workspace / "katas" / slug
        target = staging / "katas" / slug
        target.mkdir(parents=True, exist_ok=True)
        if (folder / module).is_file():
            for path in folder.glob("*.py"):
                if not path.name.startswith("test_"):
                    shutil.copy(path, target)
        elif (workspace / module).is_file():
            shutil.copy(workspace / module, target)


def grade_submission(python: Path, upstream: Path, workspace: Path, scratch: Path) -> int:
    """Grade the student's files in ``workspace``; return grade's exit status."""
    slugs = katas_to_grade(upstream, os.environ.get("ASSIGNMENT", "").strip())
    staging = scratch / "submission"
    stage_submission(upstream, workspace, staging, slugs)
    command = [str(python), "-m", "grader", *slugs, "--from", str(staging),
               "--format", "classroom50", "--output", str(workspace / "result.json")]
    environment = {**os.environ, "GRADE_ROOT": str(upstream)}
    return subprocess.run(command, cwd=upstream, env=environment, check=False).returncode


def main() -> int:
    workspace = Path.cwd()
    scratch = Path(os.environ.get("RUNNER_TEMP") or tempfile.mkdtemp()) / "backend-katas"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        python, upstream = install(scratch)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.stderr.write(f"::error::could not install the grader from {UPSTREAM} at {REF}: "
                         f"{exc}\n")
        return 1
    return grade_submission(python, upstream, workspace, scratch)


if __name__ == "__main__":
    sys.exit(main())
