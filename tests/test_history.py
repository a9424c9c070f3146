"""The grading history: migrations, concurrent graders, and a broken database that never costs
the learner their result."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from grader import history
from grader.history import SCHEMA_VERSION, HistoryError, open_history, read_runs
from grader.results import KataResult, LevelResult
from tests.conftest import ROOT, GradeRunner

FAST = "jwt-validation"  # the quickest kata to grade for real


def result(slug: str = "lru-cache", score: int = 50) -> KataResult:
    levels = (LevelResult(1, "basics", "works", passed=True, points=2, max_points=2,
                          tests=2, tests_passed=2),
              LevelResult(2, "edges", "edge cases", passed=False, points=0, max_points=2,
                          tests=2, tests_passed=0))
    return KataResult(slug=slug, title=slug, score=score, status="graded", duration_s=1.25,
                      levels=levels, tests=(), source="def f(): ...\n", source_hash="ab" * 32)


def db_path(root: Path) -> Path:
    return root / ".grade" / "history.db"


def test_a_run_is_recorded_with_everything_the_history_promises(tmp_path: Path) -> None:
    history.record(tmp_path, result())
    conn = sqlite3.connect(db_path(tmp_path))
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM runs").fetchone()
    assert (row["kata"], row["score"], row["status"], row["duration_s"]) == (
        "lru-cache", 50, "graded", 1.25)
    assert row["source_hash"] == "ab" * 32
    assert row["grader_version"]
    assert row["graded_at"] > 0
    assert [lv["passed"] for lv in json.loads(row["levels"])] == [True, False]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [v for (v,) in conn.execute("SELECT version FROM migrations ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    conn.close()


def test_a_version_1_database_is_migrated_without_losing_rows(tmp_path: Path) -> None:
    path = db_path(tmp_path)
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
                 "NULL, applied_at FLOAT NOT NULL)")
    conn.execute("INSERT INTO migrations VALUES (1, 'runs', 0)")
    conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, kata TEXT, graded_at FLOAT, "
                 "score INTEGER, status TEXT, levels TEXT, duration_s FLOAT, source TEXT, "
                 "source_hash TEXT, grader_version TEXT)")
    conn.executemany("INSERT INTO runs (kata, graded_at, score, status, levels, duration_s, "
                     "source, source_hash, grader_version) VALUES (?, ?, ?, 'graded', '[]', "
                     "1.0, '', 'h', '0.0.1')",
                     [("lru-cache", 1000.0 + i, i * 10) for i in range(5)])
    conn.commit()
    conn.close()

    with open_history(tmp_path) as opened:
        assert opened.schema_version() == SCHEMA_VERSION
        assert [r.score for r in opened.runs("lru-cache")] == [40, 30, 20, 10, 0]
        opened.mark_hint_seen("lru-cache", 2)  # a table migration 2 added
        assert opened.hints_seen("lru-cache") == [2]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 5
    assert conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_threads_with_their_own_connections_all_record(tmp_path: Path) -> None:
    threads, each = 8, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def grader(n: int) -> None:
        try:
            barrier.wait()
            for _ in range(each):
                history.record(tmp_path, result(f"kata-{n}"))
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=grader, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    runs, _ = read_runs(tmp_path)
    assert len(runs) == threads * each
    assert {r.kata for r in runs} == {f"kata-{n}" for n in range(threads)}


def test_a_locked_database_is_a_clear_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    history.record(tmp_path, result())
    holder = sqlite3.connect(db_path(tmp_path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(HistoryError, match=r"locked .*another grade still running"):
            history.record(tmp_path, result())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(read_runs(tmp_path)[0]) == 1


def test_two_grade_processes_at_once_are_both_recorded(scratch_repo: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-m", "grader", FAST, "--format", "json"],
                              cwd=scratch_repo, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err  # the stub scores 0
        assert json.loads(out)["score"] == 0
        assert "warning" not in err
    runs, _ = read_runs(scratch_repo, FAST)
    assert len(runs) == 2


def test_corrupt_history_is_moved_aside_and_the_result_kept(grade: GradeRunner,
                                                            scratch_repo: Path) -> None:
    garbage = b"this is not a database" * 100
    db_path(scratch_repo).parent.mkdir()
    db_path(scratch_repo).write_bytes(garbage)
    graded = grade(FAST, cwd=scratch_repo)
    assert graded.exit_code == 1  # the stub's score decides, not the broken history
    assert "0/100" in graded.stdout or "score 0" in graded.stdout.lower()
    warnings = [line for line in graded.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, graded.stderr
    assert "moved it to history.db.corrupt-" in warnings[0]
    assert "started a new one" in warnings[0]
    kept = list(db_path(scratch_repo).parent.glob("history.db.corrupt-*"))
    assert [p.read_bytes() for p in kept] == [garbage]
    runs, _ = read_runs(scratch_repo, FAST)
    assert [r.score for r in runs] == [0]  # this run is in the new history


def test_an_unopenable_history_warns_and_keeps_the_result(grade: GradeRunner,
                                                          scratch_repo: Path) -> None:
    db_path(scratch_repo).mkdir(parents=True)  # a folder where the file should be
    graded = grade(FAST, "--format", "json", cwd=scratch_repo)
    assert graded.exit_code == 1
    assert graded.json()["score"] == 0
    assert graded.stderr.count("grade: warning: cannot open the history") == 1
    assert "Your result above is unaffected" in graded.stderr
    solution = grade(FAST, "--path", str(ROOT / "solutions" / FAST), cwd=scratch_repo)
    assert solution.exit_code == 0  # --path is not recorded: no warning either
    assert "warning" not in solution.stderr


def test_parallel_grading_starts_the_longest_kata_first(tmp_path: Path) -> None:
    """`grade --all -j N` starts katas by their latest recorded duration, never-timed ones
    first, and reads the history without touching it."""
    from dataclasses import replace

    from grader.catalog import load_catalog
    from grader.cli import _in_order, _longest_first

    katas = load_catalog(ROOT)
    slow, quick = katas[-1].slug, katas[0].slug
    history.record(tmp_path, replace(result(slow), duration_s=3.0))
    history.record(tmp_path, replace(result(slow), duration_s=40.0))  # the latest counts
    history.record(tmp_path, replace(result(quick), duration_s=0.5))
    assert history.last_durations(tmp_path) == {slow: 40.0, quick: 0.5}

    order = [k.slug for k in _longest_first(tmp_path, katas, 2)]
    untimed = [k.slug for k in katas if k.slug not in (slow, quick)]
    assert order == [*untimed, slow, quick]
    assert [k.slug for k in _longest_first(tmp_path, katas, 1)] == [k.slug for k in katas]
    graded = [replace(result(slug), slug=slug) for slug in order]
    assert [r.slug for r in _in_order(katas, graded)] == [k.slug for k in katas]


def test_an_unreadable_history_only_loses_the_scheduling_hint(tmp_path: Path) -> None:
    path = db_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"not a database at all" * 100)
    assert history.last_durations(tmp_path) == {}
    assert path.read_bytes() == b"not a database at all" * 100
    assert not list(path.parent.glob("*.corrupt-*"))
