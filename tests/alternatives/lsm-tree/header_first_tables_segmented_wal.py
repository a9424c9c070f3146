"""Tables with their metadata in front, built whole in memory; a WAL in segments that close()
leaves for recovery to replay.

- close() does not flush. The WAL rotates into a new segment `<n>.log` every 128 records and
  at every open, so recovery replays several segments, oldest first, each up to its first
  bad record. A record is b"\\xa5" | u8 op | u32 key length | u32 value length | key | value
  | u32 CRC-32 of everything before it in the record (the checksum trails the record).
- A table `<n>.sst` (n zero-padded to 6 digits, but parsed as an int) is built as one bytes
  object: a 40-byte header (magic b"HDRFIRST", index length, bloom length, record count,
  tombstone count), the index (block count, then first key, offset from the start of the
  data, length of each block), the bloom filter, then the data blocks. Records are u8 flag
  (1 live, 0 tombstone) | u32 key length | u32 value length | key | value.
- The bloom filter has 22 bits per key and 15 probes; every probe hashes the key again with
  blake2b salted by the probe number (no double hashing). The probes are hashed once per
  lookup and reduced modulo each table's size.
- Table files are opened for each block read and closed again (no handles kept open).
- Lookup and scan go through the tables newest first, as a list kept sorted by number.
- compact() merges with a hand-written k-way merge over a heap of (key, age) and writes one
  table.
"""

import hashlib
import heapq
import os
import struct
import zlib
from bisect import bisect_right
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
        assert mode in ("rb", "wb", "ab")
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


HEADER = struct.Struct(">8sIIQQ")
MAGIC = b"HDRFIRST"
REC = struct.Struct(">BII")
WAL_REC = struct.Struct(">BBII")
CRC = struct.Struct(">I")
BITS, K = 22, 15
SEGMENT = 128
NOT_HERE = object()


def probe_hashes(key):
    return [int.from_bytes(hashlib.blake2b(key, digest_size=8, salt=bytes([i]) * 16).digest(),
                           "big") for i in range(K)]


def encode_table(items):
    """items: sorted list of (key, value or None). Returns the file's bytes."""
    size = sum(9 + len(k) + len(v or b"") for k, v in items)
    block_target = max(200, min(4000, size // 20))
    blocks, chunk, firsts = [], b"", []
    for key, value in items:
        if not chunk:
            firsts.append(key)
        chunk += REC.pack(value is not None, len(key), len(value or b"")) + key + (value or b"")
        if len(chunk) >= block_target:
            blocks.append(chunk)
            chunk = b""
    if chunk:
        blocks.append(chunk)
    index = struct.pack(">I", len(blocks))
    offset = 0
    for first, block in zip(firsts, blocks):
        index += struct.pack(">I", len(first)) + first + struct.pack(">QI", offset, len(block))
        offset += len(block)
    index += struct.pack(">I", len(items[-1][0])) + items[-1][0]
    bloom = bytearray((len(items) * BITS + 7) // 8 or 1)
    m = len(bloom) * 8
    for key, _ in items:
        for h in probe_hashes(key):
            bloom[(h % m) >> 3] |= 1 << (h % m & 7)
    tombstones = sum(v is None for _, v in items)
    header = HEADER.pack(MAGIC, len(index), len(bloom), len(items), tombstones)
    return header + index + bytes(bloom) + b"".join(blocks)


class Table:
    def __init__(self, fs, path, number):
        self.fs, self.path, self.number = fs, path, number
        with fs.open(path, "rb") as f:
            magic, index_len, bloom_len, _, self.tombstones = HEADER.unpack(f.read(HEADER.size))
            if magic != MAGIC:
                raise ValueError(f"{path}: not a table")
            meta = f.read(index_len + bloom_len)
        self.data_start = HEADER.size + index_len + bloom_len
        (count,) = struct.unpack_from(">I", meta)
        pos = 4
        self.firsts, self.where = [], []
        for _ in range(count):
            (n,) = struct.unpack_from(">I", meta, pos)
            self.firsts.append(meta[pos + 4:pos + 4 + n])
            self.where.append(struct.unpack_from(">QI", meta, pos + 4 + n))
            pos += 4 + n + 12
        (n,) = struct.unpack_from(">I", meta, pos)
        self.last = meta[pos + 4:pos + 4 + n]
        self.bloom = meta[index_len:]
        self.m = len(self.bloom) * 8

    def maybe(self, key, hashes):
        if key < self.firsts[0] or key > self.last:
            return False
        m, bloom = self.m, self.bloom
        for h in hashes:
            bit = h % m
            if not bloom[bit >> 3] & (1 << (bit & 7)):
                return False
        return True

    def read(self, i):
        offset, length = self.where[i]
        with self.fs.open(self.path, "rb") as f:
            f.seek(self.data_start + offset)
            return f.read(length)

    @staticmethod
    def decode(block):
        pos = 0
        while pos < len(block):
            live, kl, vl = REC.unpack_from(block, pos)
            pos += REC.size
            key = block[pos:pos + kl]
            value = block[pos + kl:pos + kl + vl] if live else None
            pos += kl + vl
            yield key, value

    def find(self, key, hashes):
        if not self.maybe(key, hashes):
            return NOT_HERE
        for k, v in self.decode(self.read(bisect_right(self.firsts, key) - 1)):
            if k == key:
                return v
            if k > key:
                break
        return NOT_HERE

    def between(self, lo, hi):
        start = 0 if lo is None else max(0, bisect_right(self.firsts, lo) - 1)
        for i in range(start, len(self.where)):
            if hi is not None and self.firsts[i] >= hi:
                break
            for k, v in self.decode(self.read(i)):
                if hi is not None and k >= hi:
                    return
                if lo is None or k >= lo:
                    yield k, v


def check(x, what):
    if type(x) is not bytes:
        raise TypeError(f"{what}: expected bytes, got {type(x).__name__}")


class LSMTree:
    def __init__(self, directory, memtable_limit=1000, fs=None):
        if memtable_limit < 1:
            raise ValueError(memtable_limit)
        self.fs = OSFileSystem() if fs is None else fs
        self.directory = directory
        self.limit = memtable_limit
        self.fs.makedirs(directory)
        self.memtable = {}
        tables, logs, top = [], [], 0
        for name in self.fs.listdir(directory):
            stem, dot, ext = name.partition(".")
            if not stem.isdigit() or ext not in ("sst", "log"):
                if ext.endswith("tmp"):
                    self.fs.remove(self.join(name))
                continue
            top = max(top, int(stem))
            (tables if ext == "sst" else logs).append(int(stem))
        self.seq = top
        self.tables = [Table(self.fs, self.join(f"{n:06d}.sst"), n)
                       for n in sorted(tables, reverse=True)]
        self.logs = sorted(logs)
        for n in self.logs:
            with self.fs.open(self.join(f"{n:06d}.log"), "rb") as f:
                self.recover(f.read())
        self.log = None
        self.rotate()
        while len(self.memtable) >= self.limit:
            self.flush()

    def join(self, name):
        return os.path.join(self.directory, name)

    def recover(self, data):
        pos = 0
        while pos + WAL_REC.size + CRC.size <= len(data):
            magic, op, kl, vl = WAL_REC.unpack_from(data, pos)
            end = pos + WAL_REC.size + kl + vl
            if magic != 0xA5 or end + CRC.size > len(data):
                return
            (crc,) = CRC.unpack_from(data, end)
            if crc != zlib.crc32(data[pos:end]):
                return
            key = data[pos + WAL_REC.size:pos + WAL_REC.size + kl]
            self.memtable[key] = data[end - vl:end] if op else None
            pos = end + CRC.size

    def rotate(self):
        if self.log is not None:
            self.log.close()
        self.seq += 1
        self.logs.append(self.seq)
        self.log = self.fs.open(self.join(f"{self.seq:06d}.log"), "ab")
        self.in_log = 0

    def append(self, op, key, value):
        record = WAL_REC.pack(0xA5, op, len(key), len(value)) + key + value
        self.log.write(record + CRC.pack(zlib.crc32(record)))
        self.fs.fsync(self.log)
        self.in_log += 1
        if self.in_log >= SEGMENT:
            self.rotate()

    def put(self, key, value):
        check(key, "key")
        check(value, "value")
        self.append(1, key, value)
        self.memtable[key] = value
        if len(self.memtable) >= self.limit:
            self.flush()

    def delete(self, key):
        check(key, "key")
        self.append(0, key, b"")
        self.memtable[key] = None
        if len(self.memtable) >= self.limit:
            self.flush()

    def get(self, key):
        check(key, "key")
        if key in self.memtable:
            return self.memtable[key]
        hashes = None
        for table in self.tables:
            if hashes is None:
                hashes = probe_hashes(key)
            value = table.find(key, hashes)
            if value is not NOT_HERE:
                return value
        return None

    def scan(self, lo=None, hi=None):
        if lo is not None:
            check(lo, "lo")
        if hi is not None:
            check(hi, "hi")
        mem = sorted((k, v) for k, v in self.memtable.items()
                     if (lo is None or k >= lo) and (hi is None or k < hi))
        sources = [iter(mem)] + [t.between(lo, hi) for t in self.tables]
        return self._merge(sources, drop_tombstones=True)

    @staticmethod
    def _merge(sources, drop_tombstones):
        """Newest source first; yields each key once with its newest value."""
        heap = []
        for age, source in enumerate(sources):
            for key, value in source:
                heap.append((key, age, value, source))
                break
        heapq.heapify(heap)
        last = None
        while heap:
            key, age, value, source = heap[0]
            following = next(source, None)
            if following is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (following[0], age, following[1], source))
            if key == last:
                continue
            last = key
            if value is not None or not drop_tombstones:
                yield key, value

    def _write(self, items):
        self.seq += 1
        number = self.seq
        path = self.join(f"{number:06d}.sst")
        with self.fs.open(path + ".tmp", "wb") as f:
            f.write(encode_table(items))
            self.fs.fsync(f)
        self.fs.rename(path + ".tmp", path)
        return Table(self.fs, path, number)

    def flush(self):
        if not self.memtable:
            return
        self.tables.insert(0, self._write(sorted(self.memtable.items())))
        self.memtable = {}
        done = self.logs
        self.logs = []
        self.rotate()
        for n in done:
            self.fs.remove(self.join(f"{n:06d}.log"))

    def compact(self):
        self.flush()
        if len(self.tables) <= 1 and not any(t.tombstones for t in self.tables):
            return
        sources = [t.between(None, None) for t in self.tables]
        live = list(self._merge(sources, drop_tombstones=True))
        old = self.tables
        self.tables = [self._write(live)] if live else []
        for table in reversed(old):
            self.fs.remove(table.path)

    def close(self):
        # No flush: the WAL segments hold the memtable and are replayed at the next open.
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
