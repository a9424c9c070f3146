"""A sorted-list memtable (bisect), one WAL file truncated in place by rewrite, and compaction
into several size-bounded tables with disjoint key ranges.

- The memtable is two parallel lists, keys kept sorted with bisect.insort, values beside
  them; a scan slices them directly.
- The WAL is a single file, `LOG`. A record is u32 CRC-32 | varint op | varint key length |
  varint value length | key | value, the CRC covering everything after it. If recovery
  finds a torn or corrupt tail, it writes the good prefix to `LOG.rewrite`, fsyncs it and
  renames it over `LOG`. After a flush `LOG` is replaced by an empty file the same way.
- A table is `run-<generation>-<part>.sst`: a flush makes one part of a new generation;
  compact() makes one generation of parts of at most 48 KiB of records each, with disjoint
  key ranges, so the order among parts of a generation does not matter. Tables are searched
  newest generation first. Records are varint key length | varint (value length + 1, or 0
  for a tombstone) | key | value; blocks of ~3 KiB are followed by an index, a bloom filter
  (24 bits per key, 16 probes from SHA-1) and a 24-byte footer.
- close() flushes the memtable.
"""

import bisect
import hashlib
import os
import re
import struct
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


PART_BYTES = 48 * 1024
BITS, PROBES = 24, 16
FOOTER = struct.Struct("<QQQ")  # index offset, bloom offset, tombstones
RUN = re.compile(r"run-(\d+)-(\d+)\.sst")
ABSENT = object()


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(buf, pos):
    n = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, pos
        shift += 7


def bloom_positions(key, m):
    d = hashlib.sha1(key).digest()
    a, b = int.from_bytes(d[:8], "little"), int.from_bytes(d[8:16], "little") | 1
    return [(a + i * b) % m for i in range(PROBES)]


def records_of(block):
    pos = 0
    while pos < len(block):
        kl, pos = read_varint(block, pos)
        vl, pos = read_varint(block, pos)
        key = block[pos:pos + kl]
        pos += kl
        if vl == 0:
            yield key, None
        else:
            yield key, block[pos:pos + vl - 1]
            pos += vl - 1


class Run:
    """One table file; generation orders tables, part only names them."""

    def __init__(self, fs, path, generation, content=None):
        self.fs, self.path, self.generation = fs, path, generation
        if content is None:
            with fs.open(path, "rb") as f:
                end = f.seek(0, 2)
                f.seek(end - FOOTER.size)
                index_at, bloom_at, self.tombstones = FOOTER.unpack(f.read(FOOTER.size))
                f.seek(index_at)
                meta = f.read(end - FOOTER.size - index_at)
        else:
            index_at, bloom_at, self.tombstones = FOOTER.unpack(content[-FOOTER.size:])
            meta = content[index_at:-FOOTER.size]
        index, self.bloom = meta[:bloom_at - index_at], meta[bloom_at - index_at:]
        self.m = len(self.bloom) * 8
        self.starts, self.offsets, pos = [], [0], 0
        while pos < len(index):
            kl, pos = read_varint(index, pos)
            self.starts.append(index[pos:pos + kl])
            pos += kl
            end, pos = read_varint(index, pos)
            self.offsets.append(end)
        self.last = self.starts.pop()  # the index ends with the last key and the data's end
        self.offsets.pop()

    def holds(self, key):
        if key < self.starts[0] or key > self.last:
            return False
        return all(self.bloom[p >> 3] >> (p & 7) & 1 for p in bloom_positions(key, self.m))

    def block(self, i):
        with self.fs.open(self.path, "rb") as f:
            f.seek(self.offsets[i])
            return f.read(self.offsets[i + 1] - self.offsets[i])

    def get(self, key):
        if not self.holds(key):
            return ABSENT
        for k, v in records_of(self.block(bisect.bisect_right(self.starts, key) - 1)):
            if k == key:
                return v
        return ABSENT

    def scan(self, lo, hi):
        i = 0 if lo is None else max(0, bisect.bisect_right(self.starts, lo) - 1)
        for i in range(i, len(self.starts)):
            if hi is not None and self.starts[i] >= hi:
                return
            for k, v in records_of(self.block(i)):
                if (lo is None or k >= lo) and (hi is None or k < hi):
                    yield k, v


def build_run(items):
    """Bytes of a table holding the sorted (key, value-or-None) items."""
    total = sum(len(k) + len(v or b"") + 4 for k, v in items)
    target = max(100, min(3072, total // 20))
    out, starts, ends, block = bytearray(), [], [], bytearray()
    for key, value in items:
        if not block:
            starts.append(key)
        block += varint(len(key))
        block += varint(0 if value is None else len(value) + 1)
        block += key + (value or b"")
        if len(block) >= target:
            out += block
            ends.append(len(out))
            block = bytearray()
    if block:
        out += block
        ends.append(len(out))
    index_at = len(out)
    for start, end in zip(starts, ends):
        out += varint(len(start)) + start + varint(end)
    out += varint(len(items[-1][0])) + items[-1][0] + varint(len(out))
    bloom_at = len(out)
    bloom = bytearray(max(1, len(items) * BITS // 8))
    for key, _ in items:
        for p in bloom_positions(key, len(bloom) * 8):
            bloom[p >> 3] |= 1 << (p & 7)
    out += bloom
    out += FOOTER.pack(index_at, bloom_at, sum(v is None for _, v in items))
    return bytes(out)


def must_be_bytes(x):
    if not isinstance(x, bytes):
        raise TypeError(f"bytes required, not {type(x).__name__}")


class LSMTree:
    def __init__(self, directory, memtable_limit=1000, fs=None):
        if memtable_limit < 1:
            raise ValueError("memtable_limit < 1")
        self.fs = fs if fs is not None else OSFileSystem()
        self.directory, self.limit = directory, memtable_limit
        self.keys, self.values = [], []
        self.fs.makedirs(directory)
        runs = []
        for name in self.fs.listdir(directory):
            match = RUN.fullmatch(name)
            if match:
                runs.append((int(match[1]), int(match[2]), name))
            elif name.endswith((".tmp", ".rewrite")):
                self.fs.remove(self.path(name))
        runs.sort(reverse=True)
        self.runs = [Run(self.fs, self.path(name), gen) for gen, _, name in runs]
        self.generation = runs[0][0] if runs else 0
        self.log_path = self.path("LOG")
        if self.fs.exists(self.log_path):
            with self.fs.open(self.log_path, "rb") as f:
                data = f.read()
            good = self.replay(data)
            if good < len(data):  # cut the torn tail off before appending again
                self.replace_log(data[:good])
        self.log = self.fs.open(self.log_path, "ab")
        if len(self.keys) >= self.limit:
            self.flush()

    def path(self, name):
        return os.path.join(self.directory, name)

    def replace_log(self, content):
        with self.fs.open(self.log_path + ".rewrite", "wb") as f:
            f.write(content)
            self.fs.fsync(f)
        self.fs.rename(self.log_path + ".rewrite", self.log_path)

    def replay(self, data):
        """Apply the good records; return the length of the good prefix."""
        pos = 0
        while True:
            try:
                (crc,) = struct.unpack_from("<I", data, pos)
                body = pos + 4
                op, p = read_varint(data, body)
                kl, p = read_varint(data, p)
                vl, p = read_varint(data, p)
            except (struct.error, IndexError):
                return pos
            end = p + kl + vl
            if end > len(data) or zlib.crc32(data[body:end]) != crc or op not in (0, 1):
                return pos
            self.remember(data[p:p + kl], data[p + kl:end] if op else None)
            pos = end

    def remember(self, key, value):
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            self.values[i] = value
        else:
            self.keys.insert(i, key)
            self.values.insert(i, value)

    def write(self, key, value):
        body = varint(value is not None) + varint(len(key)) + varint(len(value or b""))
        body += key + (value or b"")
        self.log.write(struct.pack("<I", zlib.crc32(body)) + body)
        self.fs.fsync(self.log)
        self.remember(key, value)
        if len(self.keys) >= self.limit:
            self.flush()

    def put(self, key, value):
        must_be_bytes(key)
        must_be_bytes(value)
        self.write(key, value)

    def delete(self, key):
        must_be_bytes(key)
        self.write(key, None)

    def get(self, key):
        must_be_bytes(key)
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            return self.values[i]
        for run in self.runs:
            value = run.get(key)
            if value is not ABSENT:
                return value
        return None

    def scan(self, lo=None, hi=None):
        for bound in (lo, hi):
            if bound is not None:
                must_be_bytes(bound)
        i = 0 if lo is None else bisect.bisect_left(self.keys, lo)
        j = len(self.keys) if hi is None else bisect.bisect_left(self.keys, hi)
        streams = [list(zip(self.keys[i:j], self.values[i:j]))]
        streams += [run.scan(lo, hi) for run in self.runs]
        return self.merged(streams)

    @staticmethod
    def merged(streams):
        """Newest stream first. Runs of one generation are disjoint, so merging them as
        separate streams is fine."""
        iterators = [iter(s) for s in streams]
        heads = {}
        for rank, it in enumerate(iterators):
            item = next(it, None)
            if item is not None:
                heads[rank] = item
        while heads:
            key = min(item[0] for item in heads.values())
            winner = min(rank for rank, item in heads.items() if item[0] == key)
            value = heads[winner][1]
            for rank in [r for r, item in heads.items() if item[0] == key]:
                item = next(iterators[rank], None)
                if item is None:
                    del heads[rank]
                else:
                    heads[rank] = item
            if value is not None:
                yield key, value

    def save(self, items, generation):
        parts, part, size = [], [], 0
        for item in items:
            part.append(item)
            size += len(item[0]) + len(item[1] or b"")
            if size >= PART_BYTES:
                parts.append(part)
                part, size = [], 0
        if part:
            if parts and size < PART_BYTES // 4:  # no tiny last part: join it to the one before
                parts[-1].extend(part)
            else:
                parts.append(part)
        runs = []
        for number, part in enumerate(parts):
            name = f"run-{generation}-{number}.sst"
            content = build_run(part)
            with self.fs.open(self.path(name + ".tmp"), "wb") as f:
                f.write(content)
                self.fs.fsync(f)
            self.fs.rename(self.path(name + ".tmp"), self.path(name))
            runs.append(Run(self.fs, self.path(name), generation, content))
        return runs

    def flush(self):
        if not self.keys:
            return
        self.generation += 1
        items = list(zip(self.keys, self.values))
        self.runs[:0] = self.save(items, self.generation)
        self.keys, self.values = [], []
        self.log.close()
        self.replace_log(b"")  # the table is durable: the log can be emptied
        self.log = self.fs.open(self.log_path, "ab")

    def compact(self):
        self.flush()
        if len(self.runs) <= 1 and not any(r.tombstones for r in self.runs):
            return
        live = list(self.merged([run.scan(None, None) for run in self.runs]))
        old = self.runs
        self.generation += 1
        self.runs = self.save(live, self.generation) if live else []
        for run in reversed(old):
            self.fs.remove(run.path)

    def close(self):
        if self.log is None:
            return
        self.flush()
        self.log.close()
        self.log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
