"""Level 6: compaction merges the tables, keeping only the newest version of each live key.
After ``flush()`` and ``compact()`` the directory holds at most twice the live data (the sum
of the live keys' and values' lengths); reads, scans and a reopen give what they gave before,
and a power cut right after compact() loses nothing."""

from __future__ import annotations

import random
from typing import Any

import pytest
from lsm_tree import LSMTree

from grader.checks import Script, fail
from grader.oracles.lsm_tree import (
    DIRECTORY,
    describe_files,
    expect_state,
    expected_scan,
    key,
    new_fs,
    open_tree,
    power_cuts_inside,
    scanned,
    value,
)

pytestmark = pytest.mark.level(6)

KEYS = 2000


def churn(s: Script, db: Any, rng: random.Random, versions: int = 4) -> dict[bytes, bytes]:
    """KEYS keys written ``versions`` times, a third deleted: mostly dead data on disk."""
    model: dict[bytes, bytes] = {}
    s.note(f"{KEYS:,} keys (16 bytes) × {versions} versions of 100-byte values, then every "
           "third key deleted")
    s.record = False
    for _ in range(versions):
        for i in range(KEYS):
            k = key((i * 7919) % KEYS) + b"-pad-pad"
            model[k] = value(rng, 100)
            s.call("db", db, "put", k, model[k])
    for i in range(0, KEYS, 3):
        k = key(i) + b"-pad-pad"
        s.call("db", db, "delete", k)
        del model[k]
    s.record = True
    return model


def live(model: dict[bytes, bytes]) -> int:
    return sum(len(k) + len(v) for k, v in model.items())


def expect_small(s: Script, fs: Any, model: dict[bytes, bytes], when: str) -> None:
    used, data = fs.usage(DIRECTORY), live(model)
    if used > 2 * data:
        fail(f"{when}, the directory holds {used:,} bytes for {data:,} bytes of live data "
             f"(keys + values); at most {2 * data:,} (2 ×) may remain. Files: "
             f"{describe_files(fs)}. Compaction must drop overwritten versions and deleted "
             "keys, remove the tables it merged, and a flush must leave the log empty.", s)


@pytest.mark.points(3)
def test_compaction_reclaims_space() -> None:
    """after heavy overwriting and deleting, flush() and compact() leave at most 2 × the live
    data on disk, and every read is unchanged"""
    rng = random.Random(6)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 500)
    model = churn(s, db, rng)
    s.call("db", db, "flush")
    before = fs.usage(DIRECTORY)
    s.call("db", db, "compact")
    sample = [key(i) + b"-pad-pad" for i in range(0, KEYS, 7)]
    expect_state(s, db, model, sample, "after compact()")
    expect_small(s, fs, model, f"after flush() and compact() (before compact(): {before:,} B)")


def test_reads_survive_compaction_and_reopen() -> None:
    """compact, reopen, and compact again: the same data, and writes after compaction are
    newer than everything compacted"""
    rng = random.Random(8)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 300)
    model = churn(s, db, rng, versions=2)
    s.call("db", db, "flush")
    s.call("db", db, "compact")
    for i in range(1, KEYS, 5):
        k = key(i) + b"-pad-pad"
        s.call("db", db, "put", k, b"after-compaction")
        model[k] = b"after-compaction"
    s.call("db", db, "delete", key(4) + b"-pad-pad")
    model.pop(key(4) + b"-pad-pad", None)
    s.call("db", db, "flush")
    sample = [key(i) + b"-pad-pad" for i in range(0, KEYS, 3)]
    expect_state(s, db, model, sample, "after writing over compacted data")
    s.call("db", db, "close")
    db = open_tree(s, LSMTree, fs, 300)
    expect_state(s, db, model, sample, "after reopening")
    s.call("db", db, "compact")
    expect_state(s, db, model, sample, "after a second compact()")
    lo, hi = key(100), key(200)
    s.expect(scanned(s, db, lo, hi), expected_scan(model, lo, hi), "list(db.scan(...))")
    expect_small(s, fs, model, "after the second compact()")


def test_power_cut_after_compaction() -> None:
    """a power cut right after compact() returned loses nothing: the merged table was fsynced
    before the tables it replaces were removed"""
    rng = random.Random(10)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 200)
    model = churn(s, db, rng, versions=2)
    s.call("db", db, "flush")
    s.call("db", db, "compact")
    cut = fs.power_loss()
    del db
    s.note("fs = <what fs held at its last fsyncs>  # power cut; db dropped")
    db = open_tree(s, LSMTree, cut, 200)
    expect_state(s, db, model, [key(i) + b"-pad-pad" for i in range(0, KEYS, 4)],
                 "after a power cut right after compact()")


def test_compact_with_nothing_to_do() -> None:
    """compact() on an empty tree, or with only a memtable, changes nothing"""
    s = Script()
    fs = new_fs()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 100)
    s.call("db", db, "compact")
    s.call("db", db, "put", b"a", b"1")
    s.call("db", db, "compact")
    s.expect(s.call("db", db, "get", b"a"), b"1", "db.get(b'a')")
    s.call("db", db, "flush")
    s.call("db", db, "compact")
    s.call("db", db, "compact")
    s.expect(scanned(s, db), [(b"a", b"1")], "list(db.scan())")


def compaction_scenario(fs: Any) -> tuple[Script, Any, dict[bytes, bytes]]:
    """Keys written, overwritten and deleted over about a dozen small tables."""
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 4)
    model: dict[bytes, bytes] = {}
    s.note("for i in range(40): db.put(b'k%02d' % (i % 17), b'v%d' % i); every 5th i also "
           "deletes b'k%02d' % (i % 13)")
    s.record = False
    for i in range(40):
        k = b"k%02d" % (i % 17)
        s.call("db", db, "put", k, b"v%d" % i)
        model[k] = b"v%d" % i
        if i % 5 == 4:
            gone = b"k%02d" % (i % 13)
            s.call("db", db, "delete", gone)
            model.pop(gone, None)
    s.record = True
    s.call("db", db, "flush")
    return s, db, model


def test_power_cut_inside_compaction() -> None:
    """the power fails at every file operation of compact(): reopening never raises, no write
    is lost and no deleted key comes back"""
    keys = [b"k%02d" % i for i in range(17)]
    for s, reopened, model in power_cuts_inside(compaction_scenario, "compact", LSMTree, 4):
        expect_state(s, reopened, model, keys,
                     "a compaction cut short must lose nothing and bring back nothing: fsync "
                     "the merged table before removing the tables it replaces, and remove "
                     "those oldest first, so that a tombstone outlives the values it hides")


def test_deletes_are_reclaimed_too() -> None:
    """2,000 keys written, all but 100 deleted: after flush() and compact() the tombstones are
    gone too (disk ≤ 2 × the live data)"""
    rng = random.Random(12)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 500)
    model: dict[bytes, bytes] = {}
    s.note(f"put {KEYS:,} keys, then delete all but every 20th")
    s.record = False
    for i in range(KEYS):
        model[key(i) + b"-pad-pad"] = value(rng, 100)
        s.call("db", db, "put", key(i) + b"-pad-pad", model[key(i) + b"-pad-pad"])
    for i in range(KEYS):
        if i % 20:
            s.call("db", db, "delete", key(i) + b"-pad-pad")
            del model[key(i) + b"-pad-pad"]
    s.record = True
    s.call("db", db, "flush")
    s.call("db", db, "compact")
    expect_state(s, db, model, [key(i) + b"-pad-pad" for i in range(0, KEYS, 10)],
                 "after compact()")
    expect_small(s, fs, model, "after deleting 95 % of the keys, flush() and compact()")
