"""Level 4: the write-ahead log. A put or delete that returned survives a crash: a power cut
(only fsynced bytes remain) or the process dying (the object dropped without close). The log
cut at any byte inside its last record is a torn write: reopening ignores it (never raises),
keeps every earlier write, and later writes survive the next crash too."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from lsm_tree import LSMTree

from grader.checks import Script, fail, machine_test, show
from grader.oracles.lsm_fs import MemoryFS
from grader.oracles.lsm_tree import expect_state, new_fs, open_tree, power_cuts_inside

pytestmark = pytest.mark.level(4)

KEYS = st.sampled_from([b"a", b"b", b"c", b"d", b"e", b"k1", b"k2", b"\x00"])
VALUES = st.sampled_from([b"", b"1", b"22", b"v" * 20])
ALL_KEYS = [b"a", b"b", b"c", b"d", b"e", b"k1", b"k2", b"\x00"]


def lost(fs: MemoryFS) -> str:
    unsynced = fs.unsynced()
    if not unsynced:
        return ""
    names = ", ".join(sorted(p.rsplit("/", 1)[-1] for p in unsynced))
    return f"files with bytes never fsynced at the crash: {names}"


class PowerCuts(RuleBasedStateMachine):
    """Random puts, deletes and flushes, with power cuts in between: after each cut the tree is
    reopened on what was fsynced, and must hold every write that had returned"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[bytes, bytes] = {}
        self.fs: MemoryFS = new_fs()
        self.tree: Any = None
        self.limit = 0

    @initialize(limit=st.sampled_from([2, 3, 1000]))
    def create(self, limit: int) -> None:
        self.limit = limit
        self.script.note("fs = <an empty in-memory file system>")
        self.tree = open_tree(self.script, LSMTree, self.fs, limit)

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

    @rule()
    def power_cut(self) -> None:
        why = lost(self.fs)
        self.fs = self.fs.power_loss()
        self.tree = None  # dropped, never closed
        self.script.note("fs = <what fs held at its last fsyncs>  # power cut; db dropped"
                         + (f" ({why})" if why else ""))
        self.tree = open_tree(self.script, LSMTree, self.fs, self.limit)
        expect_state(self.script, self.tree, self.model, ALL_KEYS,
                     "every put and delete that returned before the power cut must survive "
                     "it: append its record to the log and fs.fsync the log before returning; "
                     "fsync a new table before dropping the log records it replaces")


TestPowerCuts = machine_test(PowerCuts, points=4, max_examples=60, steps=40)


def writes(s: Script, db: Any, count: int, tag: bytes = b"") -> dict[bytes, bytes]:
    model = {}
    s.note(f"for i in range({count}): db.put(b'key%03d' % i, b'{tag.decode()}value%d' % i)")
    s.record = False
    for i in range(count):
        k, v = b"key%03d" % i, tag + b"value%d" % i
        s.call("db", db, "put", k, v)
        model[k] = v
    s.record = True
    return model


def test_process_crash_keeps_every_write() -> None:
    """the process dies (the object is dropped without close): every write that returned,
    flushed or not, is there after reopening"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 16)
    model = writes(s, db, 40)
    s.call("db", db, "delete", b"key007")
    del model[b"key007"]
    crashed = fs.process_crash()
    del db
    s.note("fs = <everything written so far>  # the process died; db was never closed")
    db = open_tree(s, LSMTree, crashed, 16)
    expect_state(s, db, model, [*list(model), b"key007"], "after the crash")


def test_close_without_flush_then_reopen() -> None:
    """writes still in the memtable when the tree is closed are there after reopening
    (whether close flushes or the log is replayed)"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 1000)
    model = writes(s, db, 25)
    s.call("db", db, "delete", b"key003")
    del model[b"key003"]
    s.call("db", db, "close")
    db = open_tree(s, LSMTree, fs, 1000)
    expect_state(s, db, model, [*list(model), b"key003"], "after close and reopen")
    model.update(writes(s, db, 5, b"again-"))
    crashed = fs.power_loss()
    del db
    s.note("fs = <what fs held at its last fsyncs>  # power cut")
    db = open_tree(s, LSMTree, crashed, 1000)
    expect_state(s, db, model, list(model), "after the power cut")


def last_record(fs: MemoryFS, mark: int) -> tuple[str, int, int]:
    """The file the last call appended to, and the byte range it wrote there."""
    written = fs.since(mark, "write")
    if not written:
        return "", 0, 0
    path = written[-1].path
    mine = [e for e in written if e.path == path and e.size]
    return path, min(e.offset for e in mine), max(e.offset + e.size for e in mine)


@pytest.mark.points(3)
@pytest.mark.parametrize("kind", ["put", "overwrite", "delete"])
def test_torn_tail_at_every_byte(kind: str) -> None:
    """the log cut at every byte of its last record (a put, an overwrite or a delete): reopening
    never raises, keeps the earlier writes, gives the last key its old or its new state, and a
    write after the reopen survives the next power cut"""
    base = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, base, 1000)
    model = writes(s, db, 12)
    mark = base.mark()
    last_key, new_value = {"put": (b"last", b"new-value"), "overwrite": (b"key005", b"changed"),
                           "delete": (b"key005", None)}[kind]
    if new_value is None:
        s.call("db", db, "delete", last_key)
    else:
        s.call("db", db, "put", last_key, new_value)
    path, start, end = last_record(base, mark)
    if not path:
        fail(f"the last {kind} wrote nothing through fs: where is its log record?", s)
    name = path.rsplit("/", 1)[-1]
    del db
    old_value = model.get(last_key)
    for cut in range(start, end):
        torn = base.process_crash()
        del torn.files[path].data[cut:]
        torn.files[path].synced = bytearray(torn.files[path].data)
        t = Script()
        t.lines = list(s.lines)
        t.note(f"# the process died while writing that record: {name} is cut after byte "
               f"{cut} ({cut - start} of the record's {end - start} bytes)")
        db2 = open_tree(t, LSMTree, torn, 1000)
        got = t.observe(f"db.get({show(last_key)})", lambda db2=db2: db2.get(last_key))
        if got != old_value and got != new_value:
            fail(f"db.get({show(last_key)}) gave {show(got)}; a torn record may count or "
                 f"not, so {show(old_value)} or {show(new_value)}, never anything else", t)
        state = dict(model)
        if got != old_value:
            if new_value is None:
                state.pop(last_key, None)
            else:
                state[last_key] = new_value
        expect_state(t, db2, state, [*list(model), last_key], "every earlier write survives")
        t.call("db", db2, "put", b"after", b"the-cut")
        state[b"after"] = b"the-cut"
        again = torn.power_loss()
        del db2
        t.note("fs = <what fs held at its last fsyncs>  # a power cut after that put")
        db3 = open_tree(t, LSMTree, again, 1000)
        expect_state(t, db3, state, [*model, last_key, b"after"],
                     "a write made after recovering from a torn log must survive too: cut the "
                     "torn bytes off (or start a new log) before appending")
        del db3


def flush_scenario(fs: MemoryFS) -> tuple[Script, Any, dict[bytes, bytes]]:
    """30 writes, an overwrite and a delete, all in the memtable (and the log)."""
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 1000)
    model = writes(s, db, 30)
    s.call("db", db, "put", b"key003", b"changed")
    model[b"key003"] = b"changed"
    s.call("db", db, "delete", b"key007")
    del model[b"key007"]
    return s, db, model


@pytest.mark.points(2)
def test_power_cut_inside_flush() -> None:
    """the power fails at every file operation of a flush: reopening never raises and every
    write that returned before the flush is there"""
    for s, reopened, model in power_cuts_inside(flush_scenario, "flush", LSMTree, 1000):
        expect_state(s, reopened, model, [*model, b"key007"],
                     "a flush must never lose a write: write the table under a temporary name, "
                     "fsync it, rename it into place, and only then drop the log; on reopen, "
                     "ignore or remove leftover temporary files")
