"""The learner's commands: list, progress, history, hint (remembered) and reset (with a backup),
run as the real ``grade`` command in a scratch copy of the repository."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from grader.history import open_history, read_runs
from tests.conftest import ROOT, GradeRunner

FAST = "jwt-validation"
STUB = Path("katas") / FAST / "jwt_validation.py"
DAY = 86400.0


def add_run(root: Path, kata: str, score: int, graded_at: float, levels: str = "[]") -> None:
    with open_history(root) as history:
        history.conn.execute(
            "INSERT INTO runs (kata, graded_at, score, status, levels, duration_s, source, "
            "source_hash, grader_version) VALUES (?, ?, ?, 'graded', ?, 90.0, '', "
            "'0123456789abcdef', 'test')", (kata, graded_at, score, levels))


def test_list_shows_best_score_and_last_attempt(grade: GradeRunner, scratch_repo: Path) -> None:
    now = time.time()
    add_run(scratch_repo, "lru-cache", 75, now - 3 * DAY)
    add_run(scratch_repo, "lru-cache", 40, now - 120)
    listing = grade("list", cwd=scratch_repo)
    assert listing.exit_code == 0
    lines = {line.split()[0]: line for line in listing.stdout.splitlines()[1:]}
    assert lines["lru-cache"].split()[1:3] == ["easy", "Caching"]
    assert "75/100" in lines["lru-cache"]
    assert lines["lru-cache"].endswith("2 minutes ago")
    assert lines["bplus-tree"].endswith("not graded yet")


def test_progress_without_history_is_friendly(grade: GradeRunner, scratch_repo: Path) -> None:
    shown = grade("progress", cwd=scratch_repo)
    assert shown.exit_code == 0
    assert "No graded runs yet" in shown.stdout
    assert not (scratch_repo / ".grade").exists()  # reading never creates the file


def test_progress_sums_levels_streak_time_and_draws_bars(grade: GradeRunner,
                                                         scratch_repo: Path) -> None:
    now = time.time()
    level = '{{"number": {}, "passed": true, "points": 1, "max_points": 1}}'
    add_run(scratch_repo, "lru-cache", 100, now, f"[{level.format(1)}, {level.format(2)}]")
    add_run(scratch_repo, "token-bucket", 50, now - DAY, f"[{level.format(1)}]")
    add_run(scratch_repo, "token-bucket", 10, now - 2 * DAY)
    add_run(scratch_repo, "token-bucket", 10, now - 4 * DAY)  # after a gap: not in the streak
    shown = grade("progress", cwd=scratch_repo)
    assert shown.exit_code == 0, shown.stderr
    out = shown.stdout
    katas = len(list((scratch_repo / "katas").glob("*/kata.toml")))
    assert f"Katas at 100: 1 of {katas}" in out
    assert "Levels passed: 3 of " in out  # 2 in lru-cache's best run, 1 in token-bucket's
    assert "Streak: 3 days" in out
    assert "Time spent grading: 6 min 00 s over 4 runs" in out
    bars = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line.startswith("  ")}
    assert bars["lru-cache"] == "#" * 20 or bars["lru-cache"] == "█" * 20
    assert bars["token-bucket"].count("█") + bars["token-bucket"].count("#") == 10
    assert bars["bplus-tree"].strip("░.") == ""


def test_history_lists_runs_newest_first(grade: GradeRunner, scratch_repo: Path) -> None:
    assert "No graded runs of lru-cache yet" in grade("history", "lru-cache",
                                                      cwd=scratch_repo).stdout
    first = grade(FAST, cwd=scratch_repo)
    assert first.exit_code == 1
    solution = (ROOT / "solutions" / FAST / "jwt_validation.py").read_text(encoding="utf-8")
    (scratch_repo / STUB).write_text(solution, encoding="utf-8")
    assert grade(FAST, cwd=scratch_repo).exit_code == 0
    shown = grade("history", FAST, cwd=scratch_repo)
    assert shown.exit_code == 0
    assert f"{FAST}: 2 graded runs, newest first" in shown.stdout
    rows = [line for line in shown.stdout.splitlines() if "ago)" in line or "just now" in line]
    assert len(rows) == 2
    assert " 100 " in rows[0]
    assert "5/5" in rows[0]
    assert "0/5" in rows[1]
    runs, _ = read_runs(scratch_repo, FAST)
    assert runs[0].source_hash[:10] in rows[0]
    assert grade("history", "no-such-kata", cwd=scratch_repo).exit_code == 2


def test_hints_are_remembered_and_the_next_unseen_is_shown(grade: GradeRunner,
                                                           scratch_repo: Path) -> None:
    assert "not seen any hint" in grade("hint", "lru-cache", "--all", cwd=scratch_repo).stdout
    first = grade("hint", "lru-cache", cwd=scratch_repo)
    assert first.exit_code == 0
    assert "Hint 1 of 4" in first.stdout
    assert "grade hint lru-cache 2" in first.stdout
    assert "Hint 2 of 4" in grade("hint", "lru-cache", cwd=scratch_repo).stdout
    assert "Hint 4 of 4" in grade("hint", "lru-cache", "4", cwd=scratch_repo).stdout
    assert "Hint 3 of 4" in grade("hint", "lru-cache", cwd=scratch_repo).stdout
    done = grade("hint", "lru-cache", cwd=scratch_repo)
    assert done.exit_code == 0
    assert "You have seen all 4 hints" in done.stdout
    seen = grade("hint", "lru-cache", "--all", cwd=scratch_repo).stdout
    assert [f"Hint {n} of 4" in seen for n in range(1, 5)] == [True] * 4
    assert "Hint 1 of " in grade("hint", "token-bucket", cwd=scratch_repo).stdout  # its own
    both = grade("hint", "lru-cache", "2", "--all", cwd=scratch_repo)
    assert both.exit_code == 2


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Upstream", "-c", "user.email=up@example.org",
                    *args], cwd=repo, check=True, capture_output=True)


def git_repo(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "katas")
    subprocess.run(["git", "config", "user.email", "learner@example.org"], cwd=repo, check=True)
    subprocess.run(["git", "config", "user.name", "Learner"], cwd=repo, check=True)


def learner_commits(repo: Path, text: str) -> None:
    (repo / STUB).write_text(text, encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "my work"], cwd=repo, check=True)


def test_reset_with_yes_restores_the_stub_and_keeps_a_backup(grade: GradeRunner,
                                                              scratch_repo: Path) -> None:
    stub = (scratch_repo / STUB).read_bytes()
    git_repo(scratch_repo)
    learner_commits(scratch_repo, "# my committed work\n")
    (scratch_repo / STUB).write_text("# my latest work\n", encoding="utf-8")
    reset = grade("reset", FAST, "--yes", cwd=scratch_repo)
    assert reset.exit_code == 0, reset.stderr
    assert (scratch_repo / STUB).read_bytes() == stub
    backups = list((scratch_repo / ".grade" / "backups" / FAST).iterdir())
    assert [b.read_text(encoding="utf-8") for b in backups] == ["# my latest work\n"]
    assert backups[0].name.startswith("jwt_validation-")
    assert str(backups[0].relative_to(scratch_repo)) in reset.stdout
    again = grade("reset", FAST, "--yes", cwd=scratch_repo)
    assert again.exit_code == 0
    assert "already the starter stub" in again.stdout


def test_reset_without_a_terminal_or_yes_refuses(grade: GradeRunner, scratch_repo: Path) -> None:
    git_repo(scratch_repo)
    (scratch_repo / STUB).write_text("# mine\n", encoding="utf-8")
    refused = grade("reset", FAST, cwd=scratch_repo)
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert (scratch_repo / STUB).read_text(encoding="utf-8") == "# mine\n"
    assert not (scratch_repo / ".grade" / "backups").exists()


def reset_on_a_terminal(repo: Path, answer: bytes) -> tuple[int, str]:
    """Run ``grade reset`` with a pseudo-terminal for its stdin and stdout, answering."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "GRADE_ROOT"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "reset", FAST], cwd=repo, env=env,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    output = b""
    answered = False
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"[y/N]" in output:
            os.write(leader, answer)
            answered = True
    os.close(leader)
    return proc.wait(timeout=60), output.decode(errors="replace")


def test_reset_asks_on_a_terminal(scratch_repo: Path) -> None:
    stub = (scratch_repo / STUB).read_bytes()
    git_repo(scratch_repo)
    (scratch_repo / STUB).write_text("# mine\n", encoding="utf-8")
    code, shown = reset_on_a_terminal(scratch_repo, b"n\n")
    assert code == 1
    assert "Nothing changed" in shown
    assert (scratch_repo / STUB).read_text(encoding="utf-8") == "# mine\n"
    code, shown = reset_on_a_terminal(scratch_repo, b"y\n")
    assert code == 0, shown
    assert (scratch_repo / STUB).read_bytes() == stub
    assert len(list((scratch_repo / ".grade" / "backups" / FAST).iterdir())) == 1


def test_reset_outside_git_fails_clearly(grade: GradeRunner, scratch_repo: Path) -> None:
    (scratch_repo / STUB).write_text("# mine\n", encoding="utf-8")
    refused = grade("reset", FAST, "--yes", cwd=scratch_repo)
    assert refused.exit_code == 2
    assert "not a git checkout" in refused.stderr
    assert (scratch_repo / STUB).read_text(encoding="utf-8") == "# mine\n"
