"""The learner's grading history: one row per graded run, in a git-ignored SQLite file.

The schema evolves through numbered migrations, applied in order when the file is opened and
recorded in its ``migrations`` table. Concurrent graders are safe: WAL journal, a busy timeout,
and one transaction per run (and one for all pending migrations). A history that cannot be
written never costs the learner their result: callers get a :class:`HistoryError` to report as
a warning, after the score is printed. A file that is not a database (or is corrupt) is moved
aside to ``history.db.corrupt-<timestamp>``, never overwritten, and a new history is started;
the :attr:`History.notices` say so.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import __version__

if TYPE_CHECKING:
    import sqlite_utils

    from grader.results import KataResult

BUSY_TIMEOUT_S = 10.0

#: (version, what it does, statements). Append only: a released migration never changes.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "runs: one row per graded run", (
        ("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, kata TEXT, graded_at FLOAT, "
        "score INTEGER, status TEXT, levels TEXT, duration_s FLOAT, source TEXT, "
        "source_hash TEXT, grader_version TEXT)"),
    )),
    (2, "hints_seen: the hints a learner has opened; runs indexed by kata and time", (
        ("CREATE TABLE IF NOT EXISTS hints_seen (kata TEXT NOT NULL, number INTEGER NOT NULL, "
        "seen_at FLOAT NOT NULL, PRIMARY KEY (kata, number))"),
        "CREATE INDEX IF NOT EXISTS runs_by_kata ON runs (kata, graded_at)",
    )),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

# what SQLite says about a file that is not (or no longer) a database
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})


class HistoryError(Exception):
    """The history database could not be read or written; the message says why and what to do."""


@dataclass(frozen=True)
class LevelRecord:
    number: int
    passed: bool
    points: int
    max_points: int


@dataclass(frozen=True)
class Run:
    """One graded run as the history keeps it (without the graded source)."""

    id: int
    kata: str
    graded_at: float
    score: int
    status: str
    levels: tuple[LevelRecord, ...]
    duration_s: float
    source_hash: str
    grader_version: str

    @property
    def levels_passed(self) -> int:
        return sum(1 for level in self.levels if level.passed)


def history_path(root: Path) -> Path:
    return root / ".grade" / "history.db"


def _is_corrupt(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so two
    graders never deadlock upgrading a read lock; everything inside commits or rolls back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class History:
    """An open history database. Use :func:`open_history`; close it (or use ``with``)."""

    def __init__(self, db: sqlite_utils.Database, path: Path, notices: list[str]) -> None:
        self.db = db
        self.path = path
        #: things the learner should know that are not errors (a corrupt file moved aside)
        self.notices = notices

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.conn.close()

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = self.db.conn
        return conn

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    def record(self, result: KataResult) -> None:
        """Append one graded run, in a single transaction."""
        row = (
            result.slug, time.time(), result.score, result.status,
            json.dumps([{"number": lv.number, "name": lv.name, "passed": lv.passed,
                         "points": lv.points, "max_points": lv.max_points}
                        for lv in result.levels]),
            round(result.duration_s, 3), result.source, result.source_hash, __version__,
        )
        with self._errors("could not record this run in"), _transaction(self.conn):
            self.conn.execute(
                "INSERT INTO runs (kata, graded_at, score, status, levels, duration_s, source, "
                "source_hash, grader_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def runs(self, kata: str | None = None) -> list[Run]:
        """Every run (of one kata, if given), newest first."""
        sql = ("SELECT id, kata, graded_at, score, status, levels, duration_s, source_hash, "
               "grader_version FROM runs")
        params: tuple[str, ...] = ()
        if kata is not None:
            sql, params = f"{sql} WHERE kata = ?", (kata,)
        with self._errors("cannot read the history at"):
            rows = list(self.db.query(f"{sql} ORDER BY graded_at DESC, id DESC", params))
        return [_run(row) for row in rows]

    def hints_seen(self, kata: str) -> list[int]:
        """The numbers of the hints of ``kata`` already shown, in order."""
        with self._errors("cannot read the history at"):
            rows = self.conn.execute(
                "SELECT number FROM hints_seen WHERE kata = ? ORDER BY number", (kata,))
            return [int(number) for (number,) in rows]

    def mark_hint_seen(self, kata: str, number: int) -> None:
        with self._errors("could not remember the hint in"), _transaction(self.conn):
            self.conn.execute("INSERT OR IGNORE INTO hints_seen (kata, number, seen_at) "
                              "VALUES (?, ?, ?)", (kata, number, time.time()))

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise HistoryError(f"{doing} {self.path}: {_explain(exc)}") from exc


def _run(row: dict[str, Any]) -> Run:
    try:
        levels = tuple(LevelRecord(int(lv["number"]), bool(lv["passed"]), int(lv["points"]),
                                   int(lv["max_points"])) for lv in json.loads(row["levels"]))
    except (TypeError, ValueError, KeyError):
        levels = ()
    return Run(id=int(row["id"]), kata=str(row["kata"]), graded_at=float(row["graded_at"]),
               score=int(row["score"]), status=str(row["status"]), levels=levels,
               duration_s=float(row["duration_s"] or 0.0),
               source_hash=str(row["source_hash"] or ""),
               grader_version=str(row["grader_version"] or ""))


def _explain(exc: sqlite3.Error) -> str:
    if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return (f"the database stayed locked for {BUSY_TIMEOUT_S:g} s (another grade still "
                "running?). Your result above is unaffected; this run is not in your history")
    return f"{exc}. Your result above is unaffected"


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (_transaction), one per run
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        _migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply every migration newer than the file's version, in order, in one transaction (a
    second grader opening the file at the same time waits, then finds nothing left to do)."""
    with _transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, "
                     "description TEXT NOT NULL, applied_at FLOAT NOT NULL)")
        current = conn.execute("SELECT max(version) FROM migrations").fetchone()[0] or 0
        for version, description, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO migrations (version, description, applied_at) "
                         "VALUES (?, ?, ?)", (version, description, time.time()))


def _move_aside(path: Path, inode: int | None) -> Path | None:
    """Rename a corrupt history (and its WAL files, which must not replay into a new one) to
    ``history.db.corrupt-<timestamp>``. Returns None if another grader moved it first."""
    try:
        if inode is not None and path.stat().st_ino != inode:
            return None  # someone else already replaced it with a fresh history
    except FileNotFoundError:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def open_history(root: Path) -> History:
    """Open (creating and migrating as needed) the history of the checkout at ``root``."""
    import sqlite_utils

    path = history_path(root)
    notices: list[str] = []
    for attempt in (1, 2):
        inode: int | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            inode = path.stat().st_ino if path.exists() else None
            conn = _connect(path)
        except sqlite3.Error as exc:
            if attempt == 1 and _is_corrupt(exc):
                try:
                    moved = _move_aside(path, inode)
                except OSError as move_exc:
                    raise HistoryError(
                        f"the history at {path} is not a readable database ({exc}) and could "
                        f"not be moved aside ({move_exc}); move it away yourself to start a "
                        "new history. Your result above is unaffected") from exc
                if moved is not None:
                    notices.append(f"the history at {path} was not a readable database "
                                   f"({exc}); moved it to {moved.name} and started a new one")
                continue
            raise HistoryError(f"cannot open the history at {path}: {_explain(exc)}") from exc
        except OSError as exc:
            raise HistoryError(f"cannot open the history at {path}: {exc}. Your result above "
                               "is unaffected") from exc
        return History(sqlite_utils.Database(conn), path, notices)
    raise AssertionError("unreachable: the second attempt returns or raises")


def record(root: Path, result: KataResult) -> list[str]:
    """Append one graded run; returns notices for the learner (e.g. a corrupt file moved)."""
    with open_history(root) as history:
        history.record(result)
        return history.notices


def read_runs(root: Path, kata: str | None = None) -> tuple[list[Run], list[str]]:
    """Every recorded run (of one kata, if given), newest first, and any notices. No history
    file yet means no runs (the file is not created just to be read)."""
    if not history_path(root).exists():
        return [], []
    with open_history(root) as history:
        return history.runs(kata), history.notices


def last_durations(root: Path) -> dict[str, float]:
    """How long the latest recorded run of each kata took, to start the longest first when
    grading in parallel. Read-only and best effort: a missing, locked or unreadable history
    gives no durations, and is left for the run's own recording to report."""
    path = history_path(root)
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
        try:
            rows = conn.execute("SELECT kata, duration_s FROM runs ORDER BY graded_at, id")
            return {str(kata): float(seconds) for kata, seconds in rows}
        finally:
            conn.close()
    except (sqlite3.Error, TypeError, ValueError):
        return {}


def best_scores(root: Path) -> dict[str, int]:
    """The best score recorded for each kata (empty when there is no history yet)."""
    best: dict[str, int] = {}
    for run in read_runs(root)[0]:
        best[run.kata] = max(best.get(run.kata, 0), run.score)
    return best
