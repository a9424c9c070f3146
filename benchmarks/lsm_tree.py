"""lsm-tree: the reference ``LSMTree`` against ``dbm.dumb`` (pure Python: the ratio's
denominator) and ``sqlite3`` (C: the speed-of-light line), for the same puts, gets, deletes
and scans.

Every store starts from the same 20,000 keys (written and, for the LSM tree, compacted
outside the timing) in a fresh directory. Durability is like for like where the store
allows it: the LSM tree fsyncs its log at every write (its contract), SQLite runs each write
as its own transaction with ``synchronous=FULL`` in WAL mode; ``dbm.dumb`` cannot fsync at
all. The directories live on a RAM-backed file system (``/dev/shm``) when there is one, so
the rows measure the engines' CPU, not the disk: on a disk, a fsync per write costs about
half a millisecond here and would bound the LSM tree and SQLite alike.

``dbm`` keeps no key order, so its scan sorts the keys in range, as a user of it must.

- ``mixed``: 40 % puts (new keys and overwrites), 40 % gets (about 70 % hits), 10 %
  deletes, 10 % scans of about 20 keys;
- ``put``, ``get``, ``scan``: one kind of operation at a time.
"""

from __future__ import annotations

import contextlib
import dbm.dumb
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

SIZE = 20_000
UNIVERSE = 10 * SIZE
SCAN = 20  # keys per scan, about
PUT, GET, DELETE, SCAN_OP = range(4)
Op = tuple[int, bytes, bytes]


def key_of(number: int) -> bytes:
    return b"user:%09d" % number


def value_of(number: int, version: int) -> bytes:
    return (b"%d.%d|" % (number, version)) * 8


class Store(Protocol):
    def put(self, key: bytes, value: bytes) -> None: ...
    def get(self, key: bytes) -> bytes | None: ...
    def delete(self, key: bytes) -> None: ...
    def scan(self, lo: bytes, hi: bytes) -> list[tuple[bytes, bytes]]: ...
    def close(self) -> None: ...


class ReferenceStore:
    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.put, self.get, self.delete, self.close = tree.put, tree.get, tree.delete, tree.close

    def scan(self, lo: bytes, hi: bytes) -> list[tuple[bytes, bytes]]:
        return list(self.tree.scan(lo, hi))


class SQLiteStore:
    """One durable transaction per write, as the LSM tree's contract promises."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: one write, one commit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB)"
                        " WITHOUT ROWID")

    def put(self, key: bytes, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, value))

    def get(self, key: bytes) -> bytes | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def delete(self, key: bytes) -> None:
        self.db.execute("DELETE FROM kv WHERE key = ?", (key,))

    def scan(self, lo: bytes, hi: bytes) -> list[tuple[bytes, bytes]]:
        return self.db.execute(
            "SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key",
            (lo, hi)).fetchall()

    def close(self) -> None:
        self.db.close()


class DumbStore:
    """``dbm.dumb``: a hash index in memory, values appended to one data file."""

    def __init__(self, path: Path) -> None:
        self.db = dbm.dumb.open(str(path), "c")  # noqa: SIM115 (closed by close())

    def put(self, key: bytes, value: bytes) -> None:
        self.db[key] = value

    def get(self, key: bytes) -> bytes | None:
        return self.db.get(key)

    def delete(self, key: bytes) -> None:
        with contextlib.suppress(KeyError):  # absent: the LSM tree's is no error either
            del self.db[key]

    def scan(self, lo: bytes, hi: bytes) -> list[tuple[bytes, bytes]]:
        db = self.db
        return [(key, db[key]) for key in sorted(k for k in db if lo <= k < hi)]

    def close(self) -> None:
        self.db.close()


def _trace(rng: random.Random, count: int, weights: tuple[int, int, int, int]) -> list[Op]:
    live = list(range(SIZE))
    ops: list[Op] = []
    for version, kind in enumerate(rng.choices((PUT, GET, DELETE, SCAN_OP), weights,
                                               k=count)):
        if kind == PUT:
            number = rng.choice(live) if rng.random() < 0.3 else rng.randrange(UNIVERSE)
            live.append(number)
            ops.append((PUT, key_of(number), value_of(number, version)))
        elif kind == GET:
            number = rng.choice(live) if rng.random() < 0.7 else rng.randrange(UNIVERSE)
            ops.append((GET, key_of(number), b""))
        elif kind == DELETE:
            ops.append((DELETE, key_of(rng.choice(live)), b""))
        else:
            lo = rng.randrange(UNIVERSE)
            ops.append((SCAN_OP, key_of(lo), key_of(lo + SCAN * UNIVERSE // SIZE)))
    return ops


class Directories:
    """Fresh directories for the stores, on a RAM-backed file system when there is one;
    ``close`` closes every store and removes them all."""

    def __init__(self) -> None:
        shm = Path("/dev/shm")  # a private directory is made inside it
        self.root = Path(tempfile.mkdtemp(prefix="lsm-bench-",
                                          dir=shm if shm.is_dir() else None))
        self.stores: list[Store] = []
        self.count = 0

    def fresh(self) -> Path:
        # Close the stores of earlier runs first, so files do not pile up.
        for store in self.stores:
            store.close()
        self.stores.clear()
        self.count += 1
        path = self.root / f"run-{self.count}"
        path.mkdir()
        return path

    def close(self) -> None:
        for store in self.stores:
            store.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _replay(make: Callable[[Path], Store], preload: list[tuple[bytes, bytes]],
            dirs: Directories, ops: list[Op]) -> Setup:
    def setup() -> Callable[[], object]:
        store = make(dirs.fresh())
        dirs.stores.append(store)
        for key, value in preload:
            store.put(key, value)
        if isinstance(store, ReferenceStore):
            store.tree.compact()  # as a long-lived store would be between bursts

        def replay() -> object:
            put, get, delete, scan = store.put, store.get, store.delete, store.scan
            results: list[object] = []
            append = results.append
            for kind, key, arg in ops:
                if kind == PUT:
                    put(key, arg)
                elif kind == GET:
                    append(get(key))
                elif kind == DELETE:
                    delete(key)
                else:
                    append(scan(key, arg))
            return results

        return replay

    return setup


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The lsm-tree benchmark; ``quick`` shortens the traces."""
    n = ops or (1_000 if quick else 5_000)
    rng = random.Random(6)
    preload = [(key_of(i), value_of(i, 0)) for i in range(SIZE // 10 if quick else SIZE)]
    traces = {
        "mixed": _trace(rng, n, (40, 40, 10, 10)),
        "put": _trace(rng, n, (1, 0, 0, 0)),
        "get": _trace(rng, n, (0, 1, 0, 0)),
        "scan": _trace(rng, n // 10, (0, 0, 0, 1)),
    }
    workloads = [
        Workload("mixed", n, "40 % put, 40 % get, 10 % delete, 10 % scan of ~20"),
        Workload("put", n, "durable puts, about 30 % overwrites"),
        Workload("get", n, "point gets, about 70 % hits"),
        Workload("scan", n // 10, "scans of about 20 pairs"),
    ]
    solution = load_solution("lsm-tree", "lsm_tree")
    dirs = Directories()

    def contender(name: str, kind: Any, make: Callable[[Path], Store]) -> Contender:
        return Contender(name, kind,
                         {w: _replay(make, preload, dirs, t) for w, t in traces.items()})

    contenders = [
        contender("reference", "reference",
                  lambda path: ReferenceStore(solution.LSMTree(str(path)))),
        contender("dbm.dumb", "python", lambda path: DumbStore(path / "db")),
        contender("sqlite3", "c", lambda path: SQLiteStore(path / "kv.sqlite")),
    ]
    return KataBench("lsm-tree", workloads, contenders, cleanup=dirs.close,
                     notes="Directories on /dev/shm: fsync is nearly free, so the rows "
                           "compare CPU; dbm.dumb never fsyncs.")
