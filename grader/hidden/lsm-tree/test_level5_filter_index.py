"""Level 5: a bloom filter and a sparse index per table, kept in memory. Reads are counted
through the file system, and a read counts as touching a data block when it covers bytes of a
stored value (found in the files whatever their format). A lookup of an absent key must touch
no data block in at least 99 % of lookups; a hit reads the block that holds its own value
from the file, in at most two separate reads, and at most a quarter of the table."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
from lsm_tree import LSMTree

from grader.checks import Script, fail, show
from grader.oracles.lsm_fs import MemoryFS, Spans, locate, runs
from grader.oracles.lsm_tree import key, new_fs, open_tree, value

pytestmark = [pytest.mark.level(5), pytest.mark.points(2)]

TABLE_KEYS = 3000
MISSES = 10_000


@dataclass
class Table:
    s: Script
    fs: MemoryFS
    db: Any
    values: dict[bytes, bytes]
    spans: Spans


def one_table(*, reopen: bool) -> Table:
    """3,000 keys (the even numbers) with 100-byte random values, flushed into one table."""
    rng = random.Random(5)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 100_000)
    values = {key(2 * i): value(rng, 100) for i in range(TABLE_KEYS)}
    s.note(f"for i in range({TABLE_KEYS}): db.put(b'key%07d' % (2 * i), <100 random letters>)")
    s.record = False
    for k, v in values.items():
        s.call("db", db, "put", k, v)
    s.record = True
    s.call("db", db, "flush")
    if reopen:
        s.call("db", db, "close")
        db = open_tree(s, LSMTree, fs, 100_000)
    spans = locate(fs, values.values())
    if len(spans.where) < len(values) * 0.9:
        fail(f"after the flush, only {len(spans.where)} of the {len(values)} values could be "
             "found in the files (stored raw, hex or base64); a table must hold its values", s)
    return Table(s, fs, db, values, spans)


def data_runs(t: Table, mark: int) -> list[tuple[str, int, int]]:
    return [r for r in runs(t.fs.since(mark, "read")) if t.spans.touches(*r)]


@pytest.mark.parametrize("reopen", [False, True], ids=["after flush", "after reopen"])
def test_misses_touch_no_data_block(reopen: bool) -> None:
    """10,000 lookups of absent keys between the stored ones: at least 99 % read no data block"""
    t = one_table(reopen=reopen)
    touched = 0
    example = b""
    for i in range(MISSES):
        k = key(2 * (i % TABLE_KEYS) + 1) if i < TABLE_KEYS else key(2 * (i - TABLE_KEYS)) + b"x"
        mark = t.fs.mark()
        got = t.db.get(k)
        if got is not None:
            fail(f"db.get({show(k)}) gave {show(got)} for a key never written", t.s)
        if data_runs(t, mark):
            touched += 1
            example = example or k
    t.s.note(f"db.get(k) for {MISSES:,} absent keys, k between the stored ones")
    if touched > MISSES // 100:
        fail(f"{touched:,} of {MISSES:,} lookups of absent keys ({touched / MISSES:.1%}) read "
             f"bytes of a data block (the first: db.get({show(example)})); at most 1 % may. "
             "Keep a bloom filter per table in memory, sized for a false-positive rate well "
             "under 1 %, and ask it before reading anything.", t.s)


@pytest.mark.parametrize("reopen", [False, True], ids=["after flush", "after reopen"])
def test_a_hit_reads_its_own_block(reopen: bool) -> None:
    """500 lookups of stored keys: each reads its value's block from the file, in at most two
    reads, and at most a quarter of the table"""
    t = one_table(reopen=reopen)
    rng = random.Random(11)
    sample = rng.sample(sorted(t.values), 500)
    split: list[bytes] = []
    starts: set[tuple[str, int]] = set()
    sizes: list[int] = []
    for k in sample:
        mark = t.fs.mark()
        got = t.db.get(k)
        if got != t.values[k]:
            fail(f"db.get({show(k)}) gave {show(got)}, expected {show(t.values[k])}", t.s)
        mine = data_runs(t, mark)
        places = t.spans.where[t.values[k]]
        own = any(p == path and s < end and start < e
                  for p, s, e in mine for path, start, end in places)
        if not own:
            fail(f"db.get({show(k)}) returned its value without reading it from the table "
                 f"(it read {len(mine)} data ranges, none holding that value). A hit must read "
                 "the data block that holds its key: keep the sparse index and the filter in "
                 "memory, not the data.", t.s)
        if len(mine) > 2:
            fail(f"db.get({show(k)}) read data blocks in {len(mine)} separate places: "
                 f"{show(mine, 120)}. Find the one block that can hold the key in the sparse "
                 "index (in memory), then read that block.", t.s)
        if len(mine) > 1:
            split.append(k)
        starts.add(min((p, s) for p, s, _ in mine))
        sizes.append(sum(e - s for _, s, e in mine))
        for path in {p for p, _, _ in mine}:
            size = sum(e - s for p, s, e in mine if p == path)
            extent = t.spans.extent(path)
            if size > extent // 4:
                fail(f"db.get({show(k)}) read {size:,} bytes of data out of a table of "
                     f"{extent:,}; a lookup reads one block, not a scan of the table.", t.s)
    if len(split) > len(sample) // 20:
        fail(f"{len(split)} of {len(sample)} lookups of stored keys read data in two separate "
             f"places (the first: db.get({show(split[0])})); a hit reads one block, in one "
             "piece. Is the sparse index search off by one block?", t.s)
    # A hit reads one block. The blocks are yours, but the places where hits start reading are
    # their starts: the data span over that count is your average block size, and a lookup
    # that reads about twice that (two blocks: an index search one block off) is caught.
    files = {p for p, _ in starts}
    block = sum(t.spans.extent(p) for p in files) / len(starts)
    mean = sum(sizes) / len(sizes)
    if mean > 1.5 * block:
        fail(f"hits read {mean:,.0f} bytes of data on average, but your tables' blocks hold "
             f"about {block:,.0f} (the table's data divided by the {len(starts)} places where "
             "lookups began reading): a hit reads about two blocks where one is enough. Is "
             "the sparse index search one block early?", t.s)


def test_old_keys_read_one_table() -> None:
    """with four tables, a key in the oldest reads data from that table only in at least 95 %
    of lookups (the filters of the newer tables say no)"""
    rng = random.Random(9)
    fs = new_fs()
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    db = open_tree(s, LSMTree, fs, 100_000)
    values: dict[bytes, bytes] = {}
    s.note("four rounds: put 1,500 new keys (interleaved with the others), then db.flush()")
    s.record = False
    for table in range(4):
        for i in range(1500):
            k = key(4 * i + table)
            values[k] = value(rng, 60)
            s.call("db", db, "put", k, values[k])
        s.call("db", db, "flush")
    s.record = True
    spans = locate(fs, values.values())
    oldest = [key(4 * i) for i in range(0, 1500, 3)]
    t = Table(s, fs, db, values, spans)
    elsewhere = 0
    for k in oldest:
        mark = fs.mark()
        got = db.get(k)
        if got != values[k]:
            fail(f"db.get({show(k)}) gave {show(got)}, expected {show(values[k])}", s)
        homes = {place[0] for place in spans.where[values[k]]}
        if any(p not in homes for p, _, _ in data_runs(t, mark)):
            elsewhere += 1
    if elsewhere > len(oldest) // 20:
        fail(f"{elsewhere} of {len(oldest)} lookups of keys in the oldest table also read data "
             "blocks of newer tables; ask each newer table's bloom filter first.", s)
