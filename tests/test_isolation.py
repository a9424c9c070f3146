"""Submissions that hang or exit midway score what they earned and are reported as what
happened; Ctrl-C stops every child. (Hostile submissions of every kind: tests/adversarial.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import GradeRunner, submission

STUB_HEAD = "import os, sys, time\n"
API = """
class LRUCache:
    def __init__(self, capacity, *, ttl=None, clock=time.monotonic, on_evict=None):
        {init}
    def get(self, key, default=None): return default
    def put(self, key, value, ttl=None): pass
    def peek(self, key, default=None): return default
    def __contains__(self, key): return False
    def __len__(self): return 0
    def keys(self): return []
"""


def module(init: str = "pass", top: str = "") -> str:
    return STUB_HEAD + top + "\n" + API.format(init=init)


def test_a_hanging_method_times_out_per_test(grade: GradeRunner, tmp_path: Path) -> None:
    folder = submission(tmp_path, module(init="\n        while True: pass"))
    result = grade("lru-cache", "--path", str(folder), "--format", "json", "--time-limit", "6")
    assert result.exit_code == 1
    kata = result.json()["katas"][0]
    assert kata["score"] == 0
    assert kata["status"] in ("timeout", "graded")
    assert any(t["outcome"] == "timeout" for t in kata["tests"])


def test_early_exit_after_some_passes_is_not_a_pass(grade: GradeRunner, tmp_path: Path) -> None:
    """A module that exits the process midway keeps only what it earned before: the tests
    that never reported are failures, and the run is marked as crashed."""
    source = STUB_HEAD + "\n" + API.format(init="pass").replace(
        "def keys(self): return []", "def keys(self): os._exit(0)")
    result = grade("lru-cache", "--path", str(submission(tmp_path, source)), "--format", "json")
    assert result.exit_code == 1
    kata = result.json()["katas"][0]
    assert kata["status"] == "crashed"
    assert "exited early" in kata["detail"]
    assert kata["score"] < 100
    assert any("never reported" in t["message"] or "exited early" in t["message"]
               for t in kata["tests"])


@pytest.mark.parametrize("command", ["grade", "verify"])
def test_ctrl_c_stops_every_child(tmp_path: Path, command: str) -> None:
    """SIGINT (what Ctrl-C sends) kills every grading child and exits 130."""
    import os
    import signal
    import subprocess
    import sys

    folder = submission(tmp_path, module(top="while True: pass"))
    args = (["lru-cache", "--path", str(folder)] if command == "grade"
            else ["verify", "lru-cache"])
    # Started with SIGINT ignored, as shells start background jobs: grade still stops on it.
    # faulthandler: if it fails to stop, SIGABRT makes it print where every thread is.
    proc = subprocess.Popen(["sh", "-c", 'trap "" INT; exec "$@"', "sh", sys.executable,
                             "-X", "faulthandler", "-m", "grader", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def children() -> list[str]:
        out = subprocess.run(["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True,
                             text=True, check=True).stdout
        return [line for line in out.splitlines()
                if "grader.child" in line and line.split()[1] == str(proc.pid)]

    deadline = time.monotonic() + 30
    while not children() and time.monotonic() < deadline:
        time.sleep(0.1)
    running = children()
    assert running, "the grading child never started"
    os.kill(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGABRT)
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"grade did not stop within 60 s of SIGINT; its threads:\n{err}")
    assert proc.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err
    time.sleep(0.5)
    out = subprocess.run(["ps", "-ww", "-eo", "pid"], capture_output=True, text=True,
                         check=True).stdout.split()
    assert not [line for line in running if line.split()[0] in out]
