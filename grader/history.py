"""The learner's grading history: one row per graded run, in a git-ignored SQLite file.

Concurrent graders are safe: WAL journal, a busy timeout, and one transaction per run. A
history that cannot be written never costs the learner their result: callers get a
:class:`HistoryError` to report as a warning, after the score is printed.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from grader import __version__
from grader.results import KataResult

BUSY_TIMEOUT_S = 10.0


class HistoryError(Exception):
    """The history database could not be read or written; the message says why and what to do."""


def history_path(root: Path) -> Path:
    return root / ".grade" / "history.db"


def _open(root: Path) -> Any:
    import sqlite_utils

    path = history_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"cannot open the history at {path}: {exc}. Your result above is "
                           "unaffected; move that file away to start a fresh history.") from exc
    return sqlite_utils.Database(conn)


def record(root: Path, result: KataResult) -> None:
    """Append one graded run (in a single transaction)."""
    row = {
        "kata": result.slug,
        "graded_at": time.time(),
        "score": result.score,
        "status": result.status,
        "levels": json.dumps([{"number": lv.number, "passed": lv.passed, "points": lv.points,
                               "max_points": lv.max_points} for lv in result.levels]),
        "duration_s": round(result.duration_s, 3),
        "source": result.source,
        "source_hash": result.source_hash,
        "grader_version": __version__,
    }
    db = _open(root)
    try:
        with db.conn:
            db["runs"].insert(row, pk="id", alter=True)
    except sqlite3.Error as exc:
        raise HistoryError(f"could not record this run in {history_path(root)}: {exc}. "
                           "Your result above is unaffected.") from exc
    finally:
        db.conn.close()


def best_scores(root: Path) -> dict[str, int]:
    """The best score recorded for each kata (empty when there is no history yet)."""
    if not history_path(root).exists():
        return {}
    db = _open(root)
    try:
        if "runs" not in db.table_names():
            return {}
        rows = db.query("select kata, max(score) as best from runs group by kata")
        return {str(r["kata"]): int(r["best"]) for r in rows}
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot read the history at {history_path(root)}: {exc}") from exc
    finally:
        db.conn.close()
