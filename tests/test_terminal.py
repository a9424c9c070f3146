"""What a learner sees at a terminal: `grade watch` in a real one (tmux: start it, save the file,
read the screen, Ctrl-C) and without one (plain output, polling), what it says about the
difference between two runs, and the progress bar of `grade --all`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from grader.formats.style import Style
from grader.results import KataResult, LevelResult
from grader.results import TestResult as CheckResult
from grader.watch import changes, fingerprint, poll_for_saves
from tests.conftest import ROOT, run_grade

MUTANTS = ROOT / "tests" / "mutants" / "jwt-validation"
PLAIN = Style(color=False, unicode=True)


@pytest.fixture
def jwt_only(scratch_repo: Path) -> Path:
    """A scratch checkout whose catalogue holds jwt-validation alone (the quickest to grade)."""
    for kata in (scratch_repo / "katas").iterdir():
        if kata.name != "jwt-validation":
            shutil.rmtree(kata)
    return scratch_repo


def save(repo: Path, mutant: str) -> None:
    """Save the learner's file the way many editors do: write a new file, rename it over."""
    target = repo / "katas" / "jwt-validation" / "jwt_validation.py"
    temporary = target.with_name(".jwt_validation.py.swp")
    shutil.copyfile(MUTANTS / f"{mutant}.py", temporary)
    temporary.replace(target)


def wait_for(read: Callable[[], str], text: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while True:
        seen = read()
        if text in seen:
            return seen
        if time.monotonic() > deadline:
            pytest.fail(f"{text!r} did not appear within {timeout} s; last seen:\n{seen}")
        time.sleep(0.2)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """A private tmux server; yields ``tmux(*args)`` returning its output."""
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is needed to test grade watch in a real terminal")
        pytest.skip("tmux is not installed")
    socket = str(tmp_path / "tmux.sock")

    def run(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    yield run
    subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, check=False)


def test_watch_in_a_terminal_says_what_changed(jwt_only: Path,
                                                tmux: Callable[..., str]) -> None:
    repo = jwt_only
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GRADE_ROOT")}
    command = f"cd {repo} && {sys.executable} -m grader watch jwt-validation; sleep 60"
    tmux("new-session", "-d", "-x", "120", "-y", "60", *[a for k, v in env.items()
                                                          for a in ("-e", f"{k}={v}")], command)

    def screen() -> str:
        return tmux("capture-pane", "-p")

    first = wait_for(screen, "Watching katas/jwt-validation/jwt_validation.py")
    assert "run 1" in first
    assert "Score: 0/100" in first
    assert "Since the last run" not in first

    save(repo, "es256_der_signature")  # right up to level 4, wrong at level 5
    second = wait_for(screen, "Level 4 (Audience, issuer, required claims) now passes")
    assert "run 2" in second
    assert "run 1" not in second, "the screen is cleared before each run"
    assert "Score 0 → 96 (+96)" in second
    assert "Level 1 (Structure and HMAC) now passes." in second
    assert "Level 5 (" not in second.split("Since the last run:")[1]

    save(repo, "exp_boundary_inclusive")  # fixes level 5, breaks level 3
    third = wait_for(screen, "Level 5 (RS256, ES256 and algorithm confusion) now passes")
    assert "Score 96 → 93 (-3)" in third
    assert "Level 3 (Time claims) no longer passes." in third
    assert "Newly failing: level 3" in third
    wait_for(screen, "Watching katas/jwt-validation/jwt_validation.py")

    tmux("send-keys", "C-c")
    wait_for(screen, "Stopped watching.")
    history = run_grade("history", "jwt-validation", cwd=repo)
    assert history.exit_code == 0, history.stderr
    assert history.stdout.startswith("jwt-validation: 3 graded runs, newest first")
    scores = [line.split()[4] for line in history.stdout.splitlines()[3:]]
    assert scores == ["93", "96", "0"]


def test_watch_without_a_terminal_polls_and_prints_plain_runs(jwt_only: Path) -> None:
    repo = jwt_only
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GRADE_ROOT")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "watch", "jwt-validation", "--poll", "--max-runs", "2"],
        cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Watching"):
            break
    assert "(polling every 0.5 s)" in lines[-1]
    time.sleep(1.1)  # a modification time that differs even on a coarse file system
    save(repo, "accepts_padding")  # a level-1 mistake: every other level passes
    out, err = proc.communicate(timeout=120)
    output = "".join(lines) + out
    assert proc.returncode == 1, err
    assert "\x1b" not in output, "no colour and no screen clearing without a terminal"
    assert "run 2 at" in output
    assert "Since the last run:" in output
    assert "Level 1 (Structure and HMAC)" not in output.split("Since the last run:")[1]
    assert "Level 2 (Algorithm policy) now passes." in output


def _result(score: int, passed_levels: set[int], failing: set[str],
            status: str = "graded") -> KataResult:
    levels = tuple(LevelResult(n, f"L{n}", "", n in passed_levels, 1, 1, 1, 1)
                   for n in (1, 2, 3))
    tests = tuple(CheckResult(name, int(name[1]), f"check {name}",
                             "failed" if name in failing else "passed", 0, 1)
                  for name in ("t1", "t2", "t3", "t4"))
    return KataResult("k", "K", score, status, 1.0, levels, tests, "k.py",  # type: ignore[arg-type]
                      "hash")


def test_changes_name_levels_won_and_lost_and_newly_failing_checks() -> None:
    before = _result(50, {1}, {"t2", "t3"})
    after = _result(60, {1, 2}, {"t3", "t4"})
    assert changes(before, after, PLAIN) == [
        "Score 50 → 60 (+10)",
        "✓ Level 2 (L2) now passes.",
        "1 check newly passes.",
        "Newly failing: level 4 · check t4",
    ]
    assert changes(after, before, PLAIN)[:2] == ["Score 60 → 50 (-10)",
                                                 "✗ Level 2 (L2) no longer passes."]
    assert changes(before, before, PLAIN) == ["No change since the last run."]


def test_changes_report_a_run_that_ended_early_and_recovered() -> None:
    good = _result(50, {1}, {"t2"})
    broken = replace(_result(0, set(), {"t1", "t2", "t3", "t4"}), status="import-error")
    assert "This run ended early: import-error." in changes(good, broken, PLAIN)
    assert "Your file runs again (last time: import-error)." in changes(broken, good, PLAIN)


def test_polling_yields_once_per_save_and_for_a_deleted_file(tmp_path: Path) -> None:
    target = tmp_path / "kata.py"
    target.write_text("one", encoding="utf-8")
    edits = iter([lambda: None, lambda: target.write_text("two", encoding="utf-8"),
                  lambda: None, target.unlink])
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        next(edits)()

    stream = poll_for_saves(target, interval=0.25, sleep=sleep)
    next(stream)
    assert len(polls) == 2  # the unchanged poll yielded nothing
    next(stream)
    assert len(polls) == 4
    assert fingerprint(target) is None


def test_grade_all_shows_a_progress_bar_on_a_terminal(scratch_repo: Path,
                                                      tmux: Callable[..., str]) -> None:
    for kata in (scratch_repo / "katas").iterdir():
        if kata.name not in ("jwt-validation", "token-bucket"):
            shutil.rmtree(kata)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GRADE_ROOT")}
    command = (f"cd {scratch_repo} && {sys.executable} -m grader --all -j 2 --solution; "
               "echo exit=$?; sleep 60")
    tmux("new-session", "-d", "-x", "120", "-y", "60", *[a for k, v in env.items()
                                                          for a in ("-e", f"{k}={v}")], command)

    def screen() -> str:
        return tmux("capture-pane", "-p")

    running = wait_for(screen, "Grading jwt-validation")  # both start at once with -j 2
    bar = next(line for line in running.splitlines() if "Grading " in line)
    assert "/2 " in bar, bar
    done = wait_for(screen, "exit=")
    assert "exit=0" in done
    assert "Grading " not in done, "the bar is gone once the run ends"
    assert "✓ jwt-validation: 100/100" in done
    assert "✓ token-bucket: 100/100" in done
    assert "Overall: 100/100" in done
