"""Level 3: a new LSMTree on the same directory finds every flushed key, with the newest
version still winning, however many tables there are (more than ten included) and whatever
order the directory lists them in; writing and reopening again keeps it so. The default
``OSFileSystem`` does the same on a real directory."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from lsm_tree import LSMTree

from grader.checks import Script
from grader.oracles.lsm_tree import expect_state, new_fs, open_tree, scanned, value

pytestmark = pytest.mark.level(3)


def reopen(s: Script, db: Any, fs: Any, limit: int) -> Any:
    s.call("db", db, "close")
    return open_tree(s, LSMTree, fs, limit)


@pytest.mark.points(2)
def test_flushed_keys_survive_a_reopen() -> None:
    """put, delete and flush a few hundred keys over several tables, close, reopen: the same
    gets and scans"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 64)
    rng = random.Random(3)
    model: dict[bytes, bytes] = {}
    s.note("put 300 keys (scrambled) twice over, delete every fifth, then db.flush()")
    s.record = False
    for _ in range(2):
        for i in range(300):
            k = b"k%03d" % ((i * 7) % 300)
            model[k] = value(rng, 10)
            s.call("db", db, "put", k, model[k])
    for i in range(0, 300, 5):
        s.call("db", db, "delete", b"k%03d" % i)
        del model[b"k%03d" % i]
    s.call("db", db, "flush")
    s.record = True
    db = reopen(s, db, fs, 64)
    expect_state(s, db, model, [b"k%03d" % i for i in range(300)], "after reopening")


@pytest.mark.points(2)
def test_table_order_survives_reopen_past_ten_tables() -> None:
    """15 versions of a key in 15 tables: after reopening, the newest still wins; then 5 more
    versions and another reopen"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 1000)
    s.note("for v in range(15): db.put(b'k', b'v%02d' % v); db.put(b'only%02d' % v, b'x'); "
           "db.flush()")
    s.record = False
    for v in range(15):
        s.call("db", db, "put", b"k", b"v%02d" % v)
        s.call("db", db, "put", b"only%02d" % v, b"x")
        s.call("db", db, "flush")
    s.record = True
    s.expect(s.call("db", db, "get", b"k"), b"v14", "db.get(b'k')")
    db = reopen(s, db, fs, 1000)
    s.expect(s.call("db", db, "get", b"k"), b"v14", "db.get(b'k')",
             "after reopening, the table written last is still the newest (the directory "
             "lists files in any order, and 'v10' < 'v9' as text)")
    for v in range(15, 20):
        s.call("db", db, "put", b"k", b"v%02d" % v)
        s.call("db", db, "flush")
    s.expect(s.call("db", db, "get", b"k"), b"v19", "db.get(b'k')")
    db = reopen(s, db, fs, 1000)
    s.expect(s.call("db", db, "get", b"k"), b"v19", "db.get(b'k')",
             "tables written after a reopen are newer than every table before it")
    model = {b"k": b"v19", **{b"only%02d" % v: b"x" for v in range(15)}}
    expect_state(s, db, model, list(model), "after the second reopen")


def test_tombstones_survive_reopen() -> None:
    """a key deleted and flushed stays deleted after reopening"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 1000)
    s.call("db", db, "put", b"gone", b"1")
    s.call("db", db, "put", b"kept", b"2")
    s.call("db", db, "flush")
    s.call("db", db, "delete", b"gone")
    s.call("db", db, "flush")
    db = reopen(s, db, fs, 1000)
    s.expect(s.call("db", db, "get", b"gone"), None, "db.get(b'gone')",
             "its tombstone was flushed into a newer table")
    s.expect(scanned(s, db), [(b"kept", b"2")], "list(db.scan())")


def test_reopen_then_write_then_reopen() -> None:
    """several rounds of write, flush, close and reopen keep every version straight"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    model: dict[bytes, bytes] = {}
    db = open_tree(s, LSMTree, fs, 7)
    for rnd in range(4):
        for i in range(20):
            k = b"r%02d" % ((i * 3 + rnd) % 25)
            s.call("db", db, "put", k, b"round%d" % rnd)
            model[k] = b"round%d" % rnd
        s.call("db", db, "delete", b"r%02d" % (rnd * 5))
        model.pop(b"r%02d" % (rnd * 5), None)
        s.call("db", db, "flush")
        db = reopen(s, db, fs, 7)
        expect_state(s, db, model, [b"r%02d" % i for i in range(25)], f"after round {rnd}")


def test_the_default_file_system(tmp_path: Path) -> None:
    """with fs omitted, LSMTree uses OSFileSystem on a real directory: put, flush, close,
    reopen"""
    directory = str(tmp_path / "db")
    Path(directory).mkdir()
    s = Script()
    db = s.new("db", LSMTree, directory, memtable_limit=4)
    model = {}
    for i in range(10):
        k = b"%02d" % i
        s.call("db", db, "put", k, k * 3)
        model[k] = k * 3
    s.call("db", db, "delete", b"03")
    del model[b"03"]
    s.call("db", db, "flush")
    s.call("db", db, "close")
    db = s.new("db", LSMTree, directory, memtable_limit=4)
    expect_state(s, db, model, [b"%02d" % i for i in range(10)], "after reopening")
    s.call("db", db, "close")
