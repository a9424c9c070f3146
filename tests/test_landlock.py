"""Landlock, where the kernel has it: the grading child cannot write outside its folder,
whatever route it takes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHILD = """
import os, sqlite3, sys
from grader.landlock import restrict
print(restrict(sys.argv[1]))
inside = os.path.join(sys.argv[1], "inside.txt")
open(inside, "w").write("ok")
for attempt in (lambda: open(sys.argv[2], "w"),
                lambda: sqlite3.connect(":memory:").execute(f"ATTACH '{sys.argv[2]}' AS x")):
    try:
        attempt()
        print("wrote outside")
    except (OSError, sqlite3.Error):
        print("refused")
"""


def test_writes_outside_the_grading_folder_are_refused_by_the_kernel(tmp_path: Path) -> None:
    folder = tmp_path / "grading"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(outside)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    enforced, *attempts = proc.stdout.splitlines()
    if not enforced.startswith("Landlock ABI"):
        pytest.skip(f"Landlock is not available here: {enforced}")
    assert (folder / "inside.txt").read_text() == "ok"
    assert attempts == ["refused", "refused"]
    assert not outside.exists()
