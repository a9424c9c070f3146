"""Level 2: when the memtable holds ``memtable_limit`` entries it is flushed to a new sorted,
immutable table; ``flush()`` does it on demand. Reads and scans merge the memtable and every
table, the newest version winning and a deletion hiding every older version."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from lsm_tree import LSMTree

from grader.checks import Script, fail, machine_test, show
from grader.oracles.lsm_fs import locate
from grader.oracles.lsm_tree import (
    describe_files,
    expect_state,
    expected_scan,
    new_fs,
    open_tree,
    scanned,
    value,
)

pytestmark = pytest.mark.level(2)

KEYS = st.sampled_from([b"", b"a", b"ab", b"b", b"ba", b"c", b"k1", b"k10", b"k2", b"\xff"])
VALUES = st.sampled_from([b"", b"1", b"22", b"333", b"v" * 30])


class TablesModel(RuleBasedStateMachine):
    """Random puts, deletes, flushes, gets and scans with a tiny memtable, so that versions of
    a key live in several tables at once; compared with a dict after every step"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[bytes, bytes] = {}
        self.tree: Any = None

    @initialize(limit=st.sampled_from([1, 2, 3, 5]))
    def create(self, limit: int) -> None:
        self.script.note("fs = <an empty in-memory file system>")
        self.tree = open_tree(self.script, LSMTree, new_fs(), limit)

    @rule(key=KEYS, value=VALUES)
    def put(self, key: bytes, value: bytes) -> None:
        self.script.call("db", self.tree, "put", key, value)
        self.model[key] = value

    @rule(key=KEYS)
    def delete(self, key: bytes) -> None:
        if key in self.model:
            self.script.call("db", self.tree, "delete", key)
            del self.model[key]

    @rule()
    def flush(self) -> None:
        self.script.call("db", self.tree, "flush")

    @rule(key=KEYS)
    def get(self, key: bytes) -> None:
        got = self.script.call("db", self.tree, "get", key)
        self.script.expect(got, self.model.get(key), f"db.get({show(key)})",
                           "the newest version wins; a delete hides older ones")

    @rule(lo=st.none() | KEYS, hi=st.none() | KEYS)
    def scan(self, lo: bytes | None, hi: bytes | None) -> None:
        self.script.note(f"list(db.scan({show(lo)}, {show(hi)}))")
        got = scanned(self.script, self.tree, lo, hi)
        self.script.expect(got, expected_scan(self.model, lo, hi),
                           f"list(db.scan({show(lo)}, {show(hi)}))",
                           "merged over the memtable and every table, newest version only")


TestTablesModel = machine_test(TablesModel, points=5, max_examples=50, steps=40)


def fresh(limit: int) -> tuple[Script, Any, Any]:
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    fs = new_fs()
    return s, fs, open_tree(s, LSMTree, fs, limit)


def test_a_delete_hides_older_tables() -> None:
    """a tombstone in a newer table (or the memtable) hides the value in an older table"""
    s, _, db = fresh(1000)
    s.call("db", db, "put", b"k", b"old")
    s.call("db", db, "put", b"j", b"keep")
    s.call("db", db, "flush")
    s.call("db", db, "delete", b"k")
    s.expect(s.call("db", db, "get", b"k"), None, "db.get(b'k')",
             "deleted in the memtable, so the older table's b'old' is hidden")
    s.expect(scanned(s, db), [(b"j", b"keep")], "list(db.scan())")
    s.call("db", db, "flush")
    s.expect(s.call("db", db, "get", b"k"), None, "db.get(b'k')",
             "the deletion is now a tombstone in the newer table")
    s.expect(scanned(s, db), [(b"j", b"keep")], "list(db.scan())")
    s.call("db", db, "put", b"k", b"new")
    s.expect(s.call("db", db, "get", b"k"), b"new", "db.get(b'k')")


def test_newest_version_wins() -> None:
    """with versions in two tables and the memtable, get and scan give the newest"""
    s, _, db = fresh(1000)
    for version in (b"v1", b"v2"):
        s.call("db", db, "put", b"k", version)
        s.call("db", db, "put", b"other" + version, version)
        s.call("db", db, "flush")
    s.expect(s.call("db", db, "get", b"k"), b"v2", "db.get(b'k')",
             "the newer table wins over the older")
    s.call("db", db, "put", b"k", b"v3")
    s.expect(s.call("db", db, "get", b"k"), b"v3", "db.get(b'k')", "the memtable wins")
    s.expect(scanned(s, db), [(b"k", b"v3"), (b"otherv1", b"v1"), (b"otherv2", b"v2")],
             "list(db.scan())", "each key once, newest version")


def test_flush_of_an_empty_memtable() -> None:
    """flush() with nothing to flush changes nothing"""
    s, _, db = fresh(10)
    s.call("db", db, "flush")
    s.call("db", db, "put", b"a", b"1")
    s.call("db", db, "flush")
    s.call("db", db, "flush")
    s.expect(s.call("db", db, "get", b"a"), b"1", "db.get(b'a')")
    s.expect(scanned(s, db), [(b"a", b"1")], "list(db.scan())")


def scrambled(count: int) -> list[int]:
    """0..count-1 going up, down, up, down...: no sorted run of more than two."""
    step = count // 2 + 1
    while math.gcd(step, count) != 1:
        step += 1
    order = [(i * step) % count for i in range(count)]
    assert sorted(order) == list(range(count))
    return order


def sorted_runs(fs: Any, values: dict[bytes, bytes]) -> list[list[bytes]]:
    """For each file: the written keys whose values it holds, ordered by where they lie."""
    by_value = {v: k for k, v in values.items()}
    spans = locate(fs, values.values())
    return [[by_value[v] for v in found] for found in spans.order.values()]


@pytest.mark.points(2)
@pytest.mark.parametrize("limit", [8, 50])
def test_flush_at_the_limit_writes_sorted_tables(limit: int) -> None:
    """after 3 × memtable_limit + 1 puts in a scrambled order, at least two flushes have
    written tables that hold their keys in sorted order (the log of writes holds them in the
    order they came)"""
    rng = random.Random(limit)
    count = 3 * limit + 1
    keys = [b"key%05d" % i for i in scrambled(count)]
    values = {k: value(rng) for k in keys}
    s, fs, db = fresh(limit)
    s.note(f"for key in {count} keys in a scrambled order: db.put(key, <24 random letters>)")
    s.record = False
    for k in keys:
        s.call("db", db, "put", k, values[k])
    s.record = True
    covered: set[bytes] = set()
    for run in sorted_runs(fs, values):
        if len(run) >= limit // 2 and (run == sorted(run) or run == sorted(run, reverse=True)):
            covered.update(run)
    if len(covered) < 2 * limit:
        fail(f"after {count} puts with memtable_limit={limit}, the files hold "
             f"{len(covered)} of the written keys in sorted order; at least {2 * limit} "
             f"(two full memtables, flushed when they reached {limit} entries) should be in "
             f"sorted tables by now. Files: {describe_files(fs)}.", s)
    model = dict(values)
    expect_state(s, db, model, keys[::5])


@pytest.mark.parametrize("limit", [5, 8])
def test_the_first_table_holds_exactly_the_limit(limit: int) -> None:
    """after memtable_limit + 1 puts of new keys, one table holds exactly the first
    memtable_limit keys, sorted: the memtable was flushed when it reached the limit (or just
    before the next write), never after growing past it"""
    rng = random.Random(limit + 100)
    count = limit + 1
    keys = [b"key%05d" % i for i in scrambled(count)]
    values = {k: value(rng) for k in keys}
    s, fs, db = fresh(limit)
    s.note(f"for key in {count} new keys in a scrambled order: db.put(key, <24 random letters>)")
    s.record = False
    for k in keys:
        s.call("db", db, "put", k, values[k])
    s.record = True
    first = sorted(keys[:limit])
    runs = [run for run in sorted_runs(fs, values) if run == sorted(run) and len(run) > 2]
    if first not in runs:
        sizes = ", ".join(str(len(run)) for run in runs) or "none"
        fail(f"after {count} puts with memtable_limit={limit}, no file holds exactly the first "
             f"{limit} keys in sorted order (sorted runs of keys found in the files: {sizes}). "
             f"When the memtable holds {limit} entries, it is flushed to a table: then, or at "
             f"the start of the next write, but before it holds {limit + 1}. Files: "
             f"{describe_files(fs)}.", s)
    expect_state(s, db, dict(values), keys)


def test_many_tables_then_scans() -> None:
    """500 keys with 3 versions each over ~30 tables: gets and ranged scans see the newest"""
    s, _, db = fresh(50)
    rng = random.Random(7)
    model: dict[bytes, bytes] = {}
    s.note("500 keys × 3 versions, scrambled, a third deleted, with memtable_limit=50")
    s.record = False
    for version in range(3):
        for i in range(500):
            k = b"k%04d" % ((i * 263) % 500)
            v = value(rng, 8) + b"%d" % version
            s.call("db", db, "put", k, v)
            model[k] = v
        for i in range(version, 500, 9):
            k = b"k%04d" % i
            if k in model:
                s.call("db", db, "delete", k)
                del model[k]
    s.record = True
    expect_state(s, db, model, [b"k%04d" % i for i in range(0, 500, 3)])
    for lo, hi in ((b"k0100", b"k0200"), (b"k0250", b"k0251"), (None, b"k0010"),
                   (b"k0490", None)):
        s.expect(scanned(s, db, lo, hi), expected_scan(model, lo, hi),
                 f"list(db.scan({show(lo)}, {show(hi)}))")
