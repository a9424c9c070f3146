"""Two files per table and a JSON-lines WAL rotated into numbered segments; close() flushes.

- A table is `table-<n>.data` (records framed by ASCII headers: b"<key length> <value
  length>\\n" + key + value, a value length of "-" for a tombstone) plus
  `table-<n>.index.json`: the blocks (first key in base64, offset, length), the last key and
  the bloom filter (18 bits per key, 12 probes from one SHA-256). The index is renamed into
  place after the data: a data file without its index is a leftover and is deleted on open.
  Numbers are not zero-padded: they are parsed and compared as ints.
- The WAL is a series of segments `wal-<n>.jsonl`, one JSON line per write with its CRC-32
  in hex in front. Every open starts a new segment, so a torn segment is never appended to;
  a segment also rotates after 256 records. A flush removes every segment.
- Blocks are about 2 KiB (fewer bytes in small tables). scan() is a generator that checks
  its bounds when iterated, and builds the range newest-first into a dict before sorting it.
- close() flushes the memtable, so a clean shutdown leaves no log to replay.
"""

import base64
import bisect
import hashlib
import json
import os
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Protocol


class FileSystem(Protocol):
    def open(self, path: str, mode: str) -> BinaryIO: ...
    def listdir(self, path: str) -> list: ...
    def exists(self, path: str) -> bool: ...
    def remove(self, path: str) -> None: ...
    def rename(self, src: str, dst: str) -> None: ...
    def makedirs(self, path: str) -> None: ...
    def fsync(self, file: BinaryIO) -> None: ...


class OSFileSystem:
    def open(self, path, mode):
        if mode not in ("rb", "wb", "ab"):
            raise ValueError(mode)
        return open(path, mode)

    def listdir(self, path):
        return os.listdir(path)

    def exists(self, path):
        return os.path.exists(path)

    def remove(self, path):
        os.remove(path)

    def rename(self, src, dst):
        os.replace(src, dst)

    def makedirs(self, path):
        Path(path).mkdir(parents=True, exist_ok=True)

    def fsync(self, file):
        file.flush()
        os.fsync(file.fileno())


BITS_PER_KEY, PROBES = 18, 12
SEGMENT_RECORDS = 256
DATA_RE = re.compile(r"table-(\d+)\.data")
INDEX_RE = re.compile(r"table-(\d+)\.index\.json")
WAL_RE = re.compile(r"wal-(\d+)\.jsonl")
GONE = object()  # "not in this table"


def b64(data):
    return base64.b64encode(data).decode("ascii")


def unb64(text):
    return base64.b64decode(text)


def probes(key, m):
    digest = hashlib.sha256(key).digest()
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:16], "big") | 1
    return [(h1 + i * h2) % m for i in range(PROBES)]


def parse_records(chunk):
    pos = 0
    while pos < len(chunk):
        newline = chunk.index(b"\n", pos)
        klen_text, vlen_text = chunk[pos:newline].split(b" ")
        pos = newline + 1
        klen = int(klen_text)
        key = chunk[pos:pos + klen]
        pos += klen
        if vlen_text == b"-":
            yield key, None
        else:
            vlen = int(vlen_text)
            yield key, chunk[pos:pos + vlen]
            pos += vlen


class Table:
    def __init__(self, fs, data_path, index_path, meta):
        self.fs, self.data_path, self.index_path = fs, data_path, index_path
        self.first = [unb64(b[0]) for b in meta["blocks"]]
        self.spans = [(b[1], b[2]) for b in meta["blocks"]]
        self.last = unb64(meta["last"])
        self.bloom = unb64(meta["bloom"])
        self.m = len(self.bloom) * 8
        self.tombstones = meta["tombstones"]
        self.size = sum(length for _, length in self.spans)

    @classmethod
    def open(cls, fs, data_path, index_path):
        with fs.open(index_path, "rb") as f:
            meta = json.loads(f.read().decode("ascii"))
        return cls(fs, data_path, index_path, meta)

    def might_have(self, key):
        if not self.first or key < self.first[0] or key > self.last:
            return False
        bloom = self.bloom
        return all(bloom[p // 8] & (1 << (p % 8)) for p in probes(key, self.m))

    def block(self, i):
        offset, length = self.spans[i]
        with self.fs.open(self.data_path, "rb") as f:  # opened per read: no handles kept
            f.seek(offset)
            return f.read(length)

    def lookup(self, key):
        if not self.might_have(key):
            return GONE
        i = bisect.bisect_right(self.first, key) - 1
        for k, v in parse_records(self.block(i)):
            if k == key:
                return v
        return GONE

    def records(self, lo=None, hi=None):
        i = 0 if lo is None else max(0, bisect.bisect_right(self.first, lo) - 1)
        while i < len(self.spans):
            if hi is not None and self.first[i] >= hi:
                return
            for k, v in parse_records(self.block(i)):
                if (lo is None or k >= lo) and (hi is None or k < hi):
                    yield k, v
            i += 1


def write_table(fs, directory, number, records):
    """records: a sorted list of (key, value-or-None). Returns the Table."""
    total = sum(len(k) + len(v or b"") + 12 for k, v in records)
    target = max(128, min(2048, total // 16))
    data_path = os.path.join(directory, f"table-{number}.data")
    index_path = os.path.join(directory, f"table-{number}.index.json")
    blocks, chunk, offset = [], bytearray(), 0
    bits = bytearray(max(1, (len(records) * BITS_PER_KEY + 7) // 8))
    m = len(bits) * 8
    with fs.open(data_path + ".partial", "wb") as f:
        first = None
        for k, v in records:
            if not chunk:
                first = k
            chunk += b"%d %s\n" % (len(k), b"-" if v is None else b"%d" % len(v))
            chunk += k + (v or b"")
            for p in probes(k, m):
                bits[p // 8] |= 1 << (p % 8)
            if len(chunk) >= target:
                f.write(bytes(chunk))
                blocks.append([b64(first), offset, len(chunk)])
                offset += len(chunk)
                chunk = bytearray()
        if chunk:
            f.write(bytes(chunk))
            blocks.append([b64(first), offset, len(chunk)])
        fs.fsync(f)
    fs.rename(data_path + ".partial", data_path)
    meta = {"blocks": blocks, "last": b64(records[-1][0]), "bloom": b64(bytes(bits)),
            "tombstones": sum(v is None for _, v in records)}
    with fs.open(index_path + ".partial", "wb") as f:
        f.write(json.dumps(meta).encode("ascii"))
        fs.fsync(f)
    fs.rename(index_path + ".partial", index_path)  # the table exists from here on
    return Table(fs, data_path, index_path, meta)


def need_bytes(name, value):
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")


class LSMTree:
    def __init__(self, directory, memtable_limit=1000, fs=None):
        if memtable_limit < 1:
            raise ValueError("memtable_limit must be >= 1")
        self.fs = fs or OSFileSystem()
        self.dir = directory
        self.limit = memtable_limit
        self.mem = {}
        self.fs.makedirs(directory)
        names = self.fs.listdir(directory)
        numbers = {"data": set(), "index": set(), "wal": set()}
        for name in names:
            if name.endswith(".partial"):
                self.fs.remove(os.path.join(directory, name))
                continue
            for kind, pattern in (("data", DATA_RE), ("index", INDEX_RE), ("wal", WAL_RE)):
                match = pattern.fullmatch(name)
                if match:
                    numbers[kind].add(int(match.group(1)))
        for orphan in numbers["data"] - numbers["index"]:
            self.fs.remove(os.path.join(directory, f"table-{orphan}.data"))
        self.tables = []  # oldest first
        for n in sorted(numbers["index"]):
            self.tables.append(Table.open(self.fs, os.path.join(directory, f"table-{n}.data"),
                                          os.path.join(directory, f"table-{n}.index.json")))
        self.segments = []
        for n in sorted(numbers["wal"]):
            with self.fs.open(self.segment_path(n), "rb") as f:
                data = f.read()
            if data:
                self.replay(data)
                self.segments.append(n)
            else:  # nothing to replay: an empty segment from an earlier open
                self.fs.remove(self.segment_path(n))
        everything = numbers["data"] | numbers["index"] | numbers["wal"]
        self.counter = max(everything, default=0)
        self.wal = None
        self.wal_records = 0
        self.new_segment()
        if len(self.mem) >= self.limit:
            self.flush()

    def segment_path(self, n):
        return os.path.join(self.dir, f"wal-{n}.jsonl")

    def next_number(self):
        self.counter += 1
        return self.counter

    def replay(self, data):
        for line in data.split(b"\n")[:-1]:  # the piece after the last newline is torn
            try:
                crc, body = line.split(b" ", 1)
                if int(crc, 16) != zlib.crc32(body):
                    return
                record = json.loads(body)
                key = unb64(record["k"])
                value = None if record["v"] is None else unb64(record["v"])
            except (ValueError, KeyError, TypeError):
                return
            self.mem[key] = value

    def new_segment(self):
        if self.wal is not None:
            self.wal.close()
        n = self.next_number()
        self.wal = self.fs.open(self.segment_path(n), "ab")
        self.segments.append(n)
        self.wal_records = 0

    def log(self, key, value):
        body = json.dumps({"k": b64(key), "v": None if value is None else b64(value)},
                          separators=(",", ":")).encode("ascii")
        self.wal.write(b"%08x " % zlib.crc32(body) + body + b"\n")
        self.fs.fsync(self.wal)
        self.wal_records += 1
        if self.wal_records >= SEGMENT_RECORDS:
            self.new_segment()

    def put(self, key, value):
        need_bytes("key", key)
        need_bytes("value", value)
        self.write(key, value)

    def delete(self, key):
        need_bytes("key", key)
        self.write(key, None)

    def write(self, key, value):
        self.log(key, value)
        self.mem[key] = value
        if len(self.mem) >= self.limit:
            self.flush()

    def get(self, key):
        need_bytes("key", key)
        if key in self.mem:
            return self.mem[key]
        for table in reversed(self.tables):
            found = table.lookup(key)
            if found is not GONE:
                return found
        return None

    def scan(self, lo=None, hi=None):
        for bound in (lo, hi):
            if bound is not None:
                need_bytes("scan bound", bound)
        seen = {}
        for key, value in self.mem.items():
            if (lo is None or key >= lo) and (hi is None or key < hi):
                seen[key] = value
        for table in reversed(self.tables):  # newest first: keep the first value seen
            for key, value in table.records(lo, hi):
                seen.setdefault(key, value)
        for key in sorted(seen):
            if seen[key] is not None:
                yield key, seen[key]

    def flush(self):
        if not self.mem:
            return
        records = sorted(self.mem.items())
        self.tables.append(write_table(self.fs, self.dir, self.next_number(), records))
        old = list(self.segments)
        self.segments = []
        self.new_segment()
        for n in old:
            self.fs.remove(self.segment_path(n))
        self.mem = {}

    def compact(self):
        self.flush()
        if not self.tables or (len(self.tables) == 1 and not self.tables[0].tombstones):
            return
        newest = {}
        for table in reversed(self.tables):
            for key, value in table.records():
                newest.setdefault(key, value)
        live = sorted((k, v) for k, v in newest.items() if v is not None)
        old, self.tables = self.tables, []
        if live:
            self.tables.append(write_table(self.fs, self.dir, self.next_number(), live))
        for table in old:  # oldest first
            self.fs.remove(table.index_path)
            self.fs.remove(table.data_path)

    def close(self):
        if self.wal is None:
            return
        self.flush()
        self.wal.close()
        self.wal = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
