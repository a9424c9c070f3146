"""Level 5: sparse-index bisect lands one block early; the lookup then walks forward, so a hit outside the first block reads two data blocks

A small log-structured merge tree.

Layout of the directory (no MANIFEST; everything is recovered from file names):

* ``wal-<n>.log``  write-ahead log segments.  A new segment is started at every
  flush and at every open; a flush drops all older segments once the table that
  holds their records is durable.  Each record is a 16-character hex header
  (8 hex digits payload length, 8 hex digits CRC-32) followed by the payload
  ``op + varint(len(key)) + key + value`` (op ``P`` put, ``D`` delete).
* ``t-<seq>.sst``  immutable sorted tables, numbered by a counter; a higher number
  is newer.  Entries are ``varint(len(key)) varint(vcode) key value`` with
  ``vcode = 0`` for a tombstone and ``len(value) + 1`` otherwise, followed by a
  tiny JSON footer and its length as two hex digits.  Tables are written to a
  ``.tmp`` name, fsynced, then renamed into place.

The bloom filter and the sparse index of every table are kept in memory only;
they are rebuilt from the table's bytes when the directory is opened.
``close()`` does not flush: the next open replays the WAL.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
import os
import threading
import zlib
from typing import BinaryIO, Iterator, Protocol

__all__ = ["FileSystem", "OSFileSystem", "LSMTree"]


class FileSystem(Protocol):
    def open(self, path: str, mode: str) -> BinaryIO: ...
    def listdir(self, path: str) -> list[str]: ...
    def exists(self, path: str) -> bool: ...
    def remove(self, path: str) -> None: ...
    def rename(self, src: str, dst: str) -> None: ...
    def makedirs(self, path: str) -> None: ...
    def fsync(self, file: BinaryIO) -> None: ...


class OSFileSystem:
    """The default file system: the real one."""

    def open(self, path, mode):
        if mode not in ("rb", "wb", "ab"):
            raise ValueError(f"unsupported mode {mode!r}")
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
        os.makedirs(path, exist_ok=True)

    def fsync(self, file):
        file.flush()
        os.fsync(file.fileno())


# ---------------------------------------------------------------- encoding


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = 0
    n = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return n, pos
        shift += 7


def _encode_entry(key: bytes, value: bytes | None) -> bytes:
    vcode = 0 if value is None else len(value) + 1
    return _varint(len(key)) + _varint(vcode) + key + (value or b"")


def _iter_entries(buf: bytes, pos: int = 0, end: int | None = None):
    """Yield (key, value_or_None, start, stop) for the entries in buf[pos:end]."""
    if end is None:
        end = len(buf)
    while pos < end:
        start = pos
        klen, pos = _read_varint(buf, pos)
        vcode, pos = _read_varint(buf, pos)
        key = buf[pos:pos + klen]
        pos += klen
        if vcode == 0:
            value = None
        else:
            value = buf[pos:pos + vcode - 1]
            pos += vcode - 1
        yield key, value, start, pos


_WAL_HEADER = 16


def _wal_record(op: bytes, key: bytes, value: bytes) -> bytes:
    payload = op + _varint(len(key)) + key + value
    return b"%08x%08x" % (len(payload), zlib.crc32(payload)) + payload


def _wal_records(buf: bytes):
    """Yield (op, key, value) for every intact record; stop at a torn tail."""
    pos = 0
    while pos + _WAL_HEADER <= len(buf):
        try:
            length = int(buf[pos:pos + 8], 16)
            crc = int(buf[pos + 8:pos + 16], 16)
        except ValueError:
            return
        body = buf[pos + _WAL_HEADER:pos + _WAL_HEADER + length]
        if len(body) != length or zlib.crc32(body) != crc or length < 2:
            return
        try:
            klen, p = _read_varint(body, 1)
        except IndexError:
            return
        if p + klen > len(body):
            return
        yield body[:1], body[p:p + klen], body[p + klen:]
        pos += _WAL_HEADER + length


# ---------------------------------------------------------------- bloom filter


def _key_hash(key: bytes) -> tuple[int, ...]:
    """Sixteen independent 32-bit hashes of the key (one per bloom probe)."""
    d = hashlib.blake2b(key, digest_size=64).digest()
    return tuple(int.from_bytes(d[i:i + 4], "little") for i in range(0, 64, 4))


class _Bloom:
    BITS_PER_KEY = 24
    HASHES = 16

    def __init__(self, n: int):
        self.m = max(64, n * self.BITS_PER_KEY)
        self.bits = bytearray((self.m + 7) // 8)

    def _positions(self, h):
        m = self.m
        return [x % m for x in h[:self.HASHES]]

    def add(self, h):
        bits = self.bits
        for p in self._positions(h):
            bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, h):
        bits = self.bits
        for p in self._positions(h):
            if not bits[p >> 3] & (1 << (p & 7)):
                return False
        return True


# ---------------------------------------------------------------- tables


class _Table:
    """In-memory handle of one SSTable: bloom filter and sparse index."""

    def __init__(self, path: str, seq: int, raw: bytes):
        self.path = path
        self.seq = seq
        self.size = len(raw)
        flen = int(raw[-2:], 16)
        footer = json.loads(raw[-2 - flen:-2])
        data_end = len(raw) - 2 - flen
        self.count = footer["n"]
        self.has_tombstones = False
        self.first_keys: list[bytes] = []
        self.blocks: list[tuple[int, int]] = []
        self.bloom = _Bloom(self.count)
        target = max(1, min(4096, data_end // 16))
        block_start = 0
        n = 0
        last = None
        for key, value, start, stop in _iter_entries(raw, 0, data_end):
            if not self.first_keys or (stop - block_start > target and start > block_start):
                if self.first_keys:
                    self.blocks.append((block_start, start))
                block_start = start
                self.first_keys.append(key)
            self.bloom.add(_key_hash(key))
            if value is None:
                self.has_tombstones = True
            last = key
            n += 1
        if n != self.count:
            raise ValueError(f"corrupt table {path}")
        if self.first_keys:
            self.blocks.append((block_start, data_end))
        self.min_key = self.first_keys[0] if self.first_keys else None
        self.max_key = last

    def _read(self, fs, start: int, stop: int) -> bytes:
        f = fs.open(self.path, "rb")
        try:
            f.seek(start)
            return f.read(stop - start)
        finally:
            f.close()

    def lookup(self, fs, key: bytes, h) -> tuple[bool, bytes | None]:
        if self.min_key is None or key < self.min_key or key > self.max_key:
            return False, None
        if h not in self.bloom:
            return False, None
        i = max(0, bisect.bisect_right(self.first_keys, key) - 2)
        while i < len(self.blocks):
            start, stop = self.blocks[i]
            buf = self._read(fs, start, stop)
            for k, v, _, _ in _iter_entries(buf):
                if k == key:
                    return True, v
                if k > key:
                    return False, None
            i += 1
        return False, None

    def range(self, fs, lo, hi) -> list[tuple[bytes, bytes | None]]:
        if not self.blocks:
            return []
        first = 0 if lo is None else max(0, bisect.bisect_right(self.first_keys, lo) - 1)
        last = len(self.blocks) - 1 if hi is None else bisect.bisect_left(self.first_keys, hi) - 1
        if last < first:
            return []
        base = self.blocks[first][0]
        buf = self._read(fs, base, self.blocks[last][1])
        out = []
        for k, v, _, _ in _iter_entries(buf):
            if lo is not None and k < lo:
                continue
            if hi is not None and k >= hi:
                break
            out.append((k, v))
        return out

    def all_entries(self, fs) -> list[tuple[bytes, bytes | None]]:
        return self.range(fs, None, None)


def _encode_table(items) -> bytes:
    parts = [_encode_entry(k, v) for k, v in items]
    footer = json.dumps({"n": len(parts)}, separators=(",", ":")).encode()
    parts.append(footer)
    parts.append(b"%02x" % len(footer))
    return b"".join(parts)


# ---------------------------------------------------------------- the tree


def _check_bytes(name: str, x) -> None:
    if not isinstance(x, bytes):
        raise TypeError(f"{name} must be bytes, not {type(x).__name__}")


class LSMTree:
    def __init__(self, directory, memtable_limit: int = 1000, fs=None):
        if isinstance(memtable_limit, bool) or not isinstance(memtable_limit, int):
            raise TypeError("memtable_limit must be an int")
        if memtable_limit < 1:
            raise ValueError("memtable_limit must be at least 1")
        self._fs = fs if fs is not None else OSFileSystem()
        self._dir = os.fspath(directory)
        self._limit = memtable_limit
        self._lock = threading.RLock()
        self._closed = False
        self._wal = None
        fs = self._fs
        if not fs.exists(self._dir):
            try:
                fs.makedirs(self._dir)
            except FileExistsError:
                pass

        table_seqs, wal_nums = [], []
        for name in fs.listdir(self._dir):
            if name.endswith(".tmp"):
                fs.remove(self._path(name))
            elif name.startswith("t-") and name.endswith(".sst") and name[2:-4].isdigit():
                table_seqs.append(int(name[2:-4]))
            elif name.startswith("wal-") and name.endswith(".log") and name[4:-4].isdigit():
                wal_nums.append(int(name[4:-4]))

        self._tables: list[_Table] = []          # newest first
        for seq in sorted(table_seqs, reverse=True):
            path = self._table_path(seq)
            f = fs.open(path, "rb")
            try:
                raw = f.read()
            finally:
                f.close()
            self._tables.append(_Table(path, seq, raw))
        self._next_seq = max(table_seqs, default=0) + 1

        self._mem: dict[bytes, bytes | None] = {}
        self._old_wals: list[int] = []
        for num in sorted(wal_nums):
            path = self._wal_path(num)
            f = fs.open(path, "rb")
            try:
                buf = f.read()
            finally:
                f.close()
            n = 0
            for op, key, value in _wal_records(buf):
                self._mem[key] = value if op == b"P" else None
                n += 1
            if n:
                self._old_wals.append(num)
            else:
                fs.remove(path)
        self._wal_num = max(wal_nums, default=0) + 1
        self._wal = fs.open(self._wal_path(self._wal_num), "ab")
        if len(self._mem) >= self._limit:
            self._flush()

    # -------------------------------------------------------------- paths

    def _path(self, name: str) -> str:
        return os.path.join(self._dir, name)

    def _table_path(self, seq: int) -> str:
        return self._path(f"t-{seq}.sst")

    def _wal_path(self, num: int) -> str:
        return self._path(f"wal-{num}.log")

    def _check_open(self):
        if self._closed:
            raise ValueError("LSMTree is closed")

    # -------------------------------------------------------------- writes

    def _log(self, op: bytes, key: bytes, value: bytes) -> None:
        self._wal.write(_wal_record(op, key, value))
        self._wal.flush()
        self._fs.fsync(self._wal)

    def put(self, key: bytes, value: bytes) -> None:
        _check_bytes("key", key)
        _check_bytes("value", value)
        with self._lock:
            self._check_open()
            self._log(b"P", key, value)
            self._mem[key] = value
            if len(self._mem) >= self._limit:
                self._flush()

    def delete(self, key: bytes) -> None:
        _check_bytes("key", key)
        with self._lock:
            self._check_open()
            if key in self._mem:
                if self._mem[key] is None:
                    return
            else:
                h = _key_hash(key)
                if not any(t.min_key is not None and t.min_key <= key <= t.max_key
                           and h in t.bloom for t in self._tables):
                    return          # certainly absent: nothing to do
            self._log(b"D", key, b"")
            self._mem[key] = None
            if len(self._mem) >= self._limit:
                self._flush()

    def _write_table(self, seq: int, items) -> _Table | None:
        data = _encode_table(items)
        final = self._table_path(seq)
        tmp = final + ".tmp"
        f = self._fs.open(tmp, "wb")
        try:
            f.write(data)
            f.flush()
            self._fs.fsync(f)
        finally:
            f.close()
        self._fs.rename(tmp, final)
        return _Table(final, seq, data)

    def _flush(self) -> None:
        if self._mem:
            seq = self._next_seq
            self._next_seq += 1
            table = self._write_table(seq, sorted(self._mem.items()))
            self._tables.insert(0, table)
            self._mem = {}
        # start a new WAL segment, then drop the ones the table now covers
        old = self._old_wals + [self._wal_num]
        self._wal.close()
        self._wal_num += 1
        self._wal = self._fs.open(self._wal_path(self._wal_num), "ab")
        for num in old:
            self._fs.remove(self._wal_path(num))
        self._old_wals = []

    def flush(self) -> None:
        with self._lock:
            self._check_open()
            if self._mem:
                self._flush()

    def compact(self) -> None:
        with self._lock:
            self._check_open()
            tables = self._tables
            if not tables or (len(tables) == 1 and not tables[0].has_tombstones):
                return
            merged: dict[bytes, bytes | None] = {}
            for t in reversed(tables):              # oldest first, newer overwrite
                for k, v in t.all_entries(self._fs):
                    merged[k] = v
            live = sorted((k, v) for k, v in merged.items() if v is not None)
            new_tables = []
            if live:
                seq = self._next_seq
                self._next_seq += 1
                new_tables.append(self._write_table(seq, live))
            for t in reversed(tables):              # oldest first: always consistent
                self._fs.remove(t.path)
            self._tables = new_tables

    # -------------------------------------------------------------- reads

    def get(self, key: bytes) -> bytes | None:
        _check_bytes("key", key)
        with self._lock:
            self._check_open()
            if key in self._mem:
                return self._mem[key]
            h = _key_hash(key)
            for t in self._tables:
                found, value = t.lookup(self._fs, key, h)
                if found:
                    return value
            return None

    def scan(self, lo: bytes | None = None, hi: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        if lo is not None:
            _check_bytes("lo", lo)
        if hi is not None:
            _check_bytes("hi", hi)
        with self._lock:
            self._check_open()
            if lo is not None and hi is not None and lo >= hi:
                return iter(())
            mem = sorted((k, v) for k, v in self._mem.items()
                         if (lo is None or k >= lo) and (hi is None or k < hi))
            sources = [mem] + [t.range(self._fs, lo, hi) for t in self._tables]
        return self._merge(sources)

    @staticmethod
    def _merge(sources):
        def tagged(rank, src):
            for k, v in src:
                yield k, rank, v
        streams = [tagged(rank, src) for rank, src in enumerate(sources)]
        previous = None
        for k, _, v in heapq.merge(*streams):
            if k == previous:
                continue            # an older version of a key already decided
            previous = k
            if v is not None:
                yield k, v

    # -------------------------------------------------------------- lifecycle

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._wal is not None:
                self._wal.close()
                self._wal = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
