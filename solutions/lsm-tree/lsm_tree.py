"""A log-structured merge tree: a small, durable key-value store for ``bytes``.

Every write is appended to a write-ahead log (WAL) and fsynced, then applied to the memtable,
a dict in memory. When the memtable holds ``memtable_limit`` entries it is written out as an
immutable sorted table (an SSTable) and the WAL starts afresh. A lookup tries the memtable,
then the tables from newest to oldest; each table keeps its sparse index and bloom filter in
memory, so it costs at most one data-block read per table, and an absent key almost never
reads anything. ``compact()`` merges every table into one, dropping overwritten versions and
tombstones. Disk writes are sequential (appends, whole new files), never updates in place.

All file I/O goes through the injected ``fs`` (see :class:`FileSystem`). The directory holds:

    0000000007.wal    a write-ahead log; its records are newer than every table's
    0000000006.sst    an SSTable: a higher number is a newer table
    *.tmp             a file being written; a leftover of a crash, removed on open

Tables and logs take their numbers from one counter that continues after a reopen (one more
than the highest number in the directory). Names are zero-padded so that they also sort in
order for a human, but the code parses the numbers and never trusts ``listdir`` order.

WAL format (all integers little-endian), one record per put or delete:

    u32 payload length | u32 CRC-32 of the payload | payload
    payload = u8 kind (1 put, 0 delete) | u32 key length | key | value (the rest)

Replay stops at the first record that is cut short or fails its CRC: that is the write a
crash tore. Everything before it was fsynced when its call returned, and is kept.

SSTable format:

    data blocks   records in ascending key order, cut into blocks of about 1 KiB (smaller
                  in small tables, so that one block is a small part of its table); a
                  record never straddles two blocks:
                  u32 key length | u32 value length | key | value
                  (value length 0xFFFFFFFF marks a tombstone and has no value bytes)
    index block   u32 number of data blocks, then per data block:
                  u32 key length | its first key | u64 offset | u32 length
                  then the table's last key: u32 key length | key
    bloom block   u8 number of hash functions | the bit array (bit i: byte i // 8, bit i % 8)
    footer        u64 index offset | u64 index length | u64 records | u64 tombstones |
                  8-byte magic b"LSMKATA1"  (40 bytes; the bloom block fills the gap
                  between the index and the footer)

A table is written under a ``.tmp`` name, fsynced and renamed into place, so a table that has
its real name is always complete; only the WAL can be torn.

Not thread-safe: callers serialise access (one lock around each call is enough).
"""

from __future__ import annotations

import enum
import hashlib
import heapq
import itertools
import os
import re
import struct
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol, Self, cast


class FileSystem(Protocol):
    """What the tree needs from a file system. Paths are ``str``.

    A crash keeps only what was fsynced: un-fsynced bytes of a file are lost, a file that was
    created and never fsynced survives empty, and ``rename``, ``remove`` and file creation
    are durable at once and in order.
    """

    def open(self, path: str, mode: str) -> BinaryIO:
        """Open a file in mode ``"rb"``, ``"wb"`` (create or truncate) or ``"ab"`` (append,
        creating it if needed). The file supports read, write, seek, tell, close and ``with``."""
        ...

    def listdir(self, path: str) -> list[str]:
        """The names in directory ``path``, in no particular order."""
        ...

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        ...

    def remove(self, path: str) -> None:
        """Delete the file ``path``."""
        ...

    def rename(self, src: str, dst: str) -> None:
        """Rename ``src`` to ``dst`` atomically, replacing ``dst`` if it exists."""
        ...

    def makedirs(self, path: str) -> None:
        """Create directory ``path`` and its parents; no error if it exists."""
        ...

    def fsync(self, file: BinaryIO) -> None:
        """Make everything written to ``file`` so far durable."""
        ...


def _sync_directory(directory: Path) -> None:
    """Make the directory's entries (creations, renames, removals) durable."""
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals its metadata
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OSFileSystem:
    """The real file system, keeping :class:`FileSystem`'s promises: after a creation, rename
    or removal it fsyncs the directory, since on POSIX a new name is not durable until its
    directory is. (On macOS a full-disk flush would also need ``fcntl.F_FULLFSYNC``.)"""

    _MODES = frozenset({"rb", "wb", "ab"})

    def open(self, path: str, mode: str) -> BinaryIO:
        if mode not in self._MODES:
            raise ValueError(f"mode must be 'rb', 'wb' or 'ab', not {mode!r}")
        if mode == "rb":
            # Unbuffered: the tree reads whole blocks at known offsets, so a read-ahead buffer
            # would only add a copy (it halves the cost of a block read).
            return cast(BinaryIO, Path(path).open(mode, buffering=0))
        created = not Path(path).exists()
        file = cast(BinaryIO, Path(path).open(mode))  # noqa: SIM115 (the caller closes it)
        if created:
            _sync_directory(Path(path).parent)
        return file

    def listdir(self, path: str) -> list[str]:
        return [entry.name for entry in Path(path).iterdir()]

    def exists(self, path: str) -> bool:
        return Path(path).exists()

    def remove(self, path: str) -> None:
        Path(path).unlink()
        _sync_directory(Path(path).parent)

    def rename(self, src: str, dst: str) -> None:
        Path(src).replace(dst)
        _sync_directory(Path(dst).parent)

    def makedirs(self, path: str) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def fsync(self, file: BinaryIO) -> None:
        file.flush()  # from Python's buffer to the OS ...
        os.fsync(file.fileno())  # ... and from the OS to the disk


class _Missing(enum.Enum):
    """Not in this table (as opposed to ``None``, a tombstone: deleted here)."""

    MISSING = enum.auto()


MISSING = _Missing.MISSING

_PUT, _DELETE = 1, 0
_WAL_HEADER = struct.Struct("<II")  # payload length, CRC-32 of the payload
_WAL_KEY = struct.Struct("<BI")  # kind, key length
_RECORD = struct.Struct("<II")  # key length, value length
_TOMBSTONE = 0xFFFFFFFF  # a value length that marks a deleted key
_INDEX_ENTRY = struct.Struct("<QI")  # block offset, block length (after the first key)
_KEY_LENGTH = struct.Struct("<I")
_FOOTER = struct.Struct("<QQQQ8s")  # index offset, index length, records, tombstones, magic
_MAGIC = b"LSMKATA1"
_NAME = re.compile(r"(\d+)\.(sst|wal)")

# A lookup reads one block and walks its records from the start, in Python: 1 KiB blocks
# make that walk a few records (4 KiB, a disk page and LevelDB's default, made it ~30 and
# every get 2.7x slower), for an in-memory index of one key per KiB of table.
_MAX_BLOCK = 1024
_MIN_BLOCK = 256
# The false-positive rate of a bloom filter with b bits per key and k = b·ln 2 hashes is about
# 0.6185^b: 0.6 % at 10 bits, 0.007 % at 20. A miss consults every table, so the rates add
# up: with 20 bits per key even 100 tables turn fewer than 1 % of misses into a block read,
# for 2.5 bytes per key.
_BITS_PER_KEY = 20
_HASHES = 14


def _bloom_hash(key: bytes) -> tuple[int, int]:
    """Two 64-bit hashes of ``key``; probe i of a filter of m bits is (h1 + i·h2) mod m
    (double hashing: k probes from one hash computation). h2 is odd so probes differ."""
    digest = hashlib.blake2b(key, digest_size=16).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1


def _block_size(data_bytes: int) -> int:
    """About 1 KiB, but at least 16 blocks in a small table, so that a lookup that reads one
    block reads a small part of the table."""
    return max(_MIN_BLOCK, min(_MAX_BLOCK, data_bytes // 16))


def _block_records(block: bytes) -> Iterator[tuple[bytes, bytes | None]]:
    """The records of one data block, in order; a tombstone's value is None."""
    unpack = _RECORD.unpack_from
    pos, end = 0, len(block)
    while pos < end:
        key_length, value_length = unpack(block, pos)
        pos += 8
        key = block[pos:pos + key_length]
        pos += key_length
        if value_length == _TOMBSTONE:
            yield key, None
        else:
            yield key, block[pos:pos + value_length]
            pos += value_length


class _Table:
    """One SSTable file, with its sparse index and bloom filter in memory."""

    def __init__(self, fs: FileSystem, path: str, *, first_keys: list[bytes],
                 blocks: list[tuple[int, int]], last_key: bytes, bloom: bytes, hashes: int,
                 tombstones: int) -> None:
        self.path = path
        self.first_keys = first_keys  # the sparse index: the first key of every block ...
        self.blocks = blocks  # ... and where the block is: (offset, length)
        self.last_key = last_key
        self.tombstones = tombstones
        self.data_bytes = sum(length for _, length in blocks)
        self._bloom = bloom
        self._bloom_bits = len(bloom) * 8
        self._hashes = hashes
        self._fs = fs
        # Opened on the first read and kept open: a lookup then costs one seek and one read.
        # (Real engines bound the open files with a table cache, LevelDB's max_open_files.)
        self._file: BinaryIO | None = None

    @classmethod
    def load(cls, fs: FileSystem, path: str) -> _Table:
        """Read a table's footer, index and bloom filter: two reads, no data block."""
        with fs.open(path, "rb") as file:
            size = file.seek(0, os.SEEK_END)
            if size < _FOOTER.size:
                raise ValueError(f"{path} is not an SSTable: only {size} bytes")
            file.seek(size - _FOOTER.size)
            index_offset, index_length, _, tombstones, magic = _FOOTER.unpack(
                file.read(_FOOTER.size))
            if magic != _MAGIC:
                raise ValueError(f"{path} is not an SSTable: bad magic number {magic!r}")
            file.seek(index_offset)
            meta = file.read(size - _FOOTER.size - index_offset)
        first_keys, blocks = [], []
        (count,) = _KEY_LENGTH.unpack_from(meta)
        pos = _KEY_LENGTH.size
        for _ in range(count):
            (key_length,) = _KEY_LENGTH.unpack_from(meta, pos)
            pos += _KEY_LENGTH.size
            first_keys.append(meta[pos:pos + key_length])
            blocks.append(_INDEX_ENTRY.unpack_from(meta, pos + key_length))
            pos += key_length + _INDEX_ENTRY.size
        (key_length,) = _KEY_LENGTH.unpack_from(meta, pos)
        last_key = meta[pos + _KEY_LENGTH.size:pos + _KEY_LENGTH.size + key_length]
        hashes, bloom = meta[index_length], meta[index_length + 1:]
        return cls(fs, path, first_keys=first_keys, blocks=blocks, last_key=last_key,
                   bloom=bloom, hashes=hashes, tombstones=tombstones)

    def may_contain(self, key: bytes, h1: int, h2: int) -> bool:
        """False if ``key`` is certainly not in the table (outside its key range, or a bloom
        filter miss); True if it may be."""
        if key < self.first_keys[0] or key > self.last_key:
            return False
        bits, m = self._bloom, self._bloom_bits
        for i in range(self._hashes):
            probe = (h1 + i * h2) % m
            if not bits[probe >> 3] >> (probe & 7) & 1:
                return False  # a miss usually stops at the first or second probe
        return True

    def read_block(self, i: int) -> bytes:
        if self._file is None:
            self._file = self._fs.open(self.path, "rb")
        offset, length = self.blocks[i]
        self._file.seek(offset)
        return self._file.read(length)

    def find(self, key: bytes) -> bytes | _Missing | None:
        """The value (None for a tombstone) or MISSING. Reads one data block."""
        # The last block whose first key is <= key is the only one that can hold it.
        block = self.read_block(bisect_right(self.first_keys, key) - 1)
        unpack = _RECORD.unpack_from
        pos, end = 0, len(block)
        while pos < end:  # a linear pass over ~1 KiB; _block_records inlined for speed
            key_length, value_length = unpack(block, pos)
            pos += 8
            found = block[pos:pos + key_length]
            pos += key_length
            if found == key:
                return None if value_length == _TOMBSTONE else block[pos:pos + value_length]
            if found > key:
                break
            if value_length != _TOMBSTONE:
                pos += value_length
        return MISSING

    def items(self, lo: bytes | None, hi: bytes | None) -> Iterator[tuple[bytes, bytes | None]]:
        """Records with lo <= key < hi in key order, tombstones included, a block at a time."""
        first_keys = self.first_keys
        start = 0 if lo is None else max(0, bisect_right(first_keys, lo) - 1)
        for i in range(start, len(self.blocks)):
            if hi is not None and first_keys[i] >= hi:
                return
            for key, value in _block_records(self.read_block(i)):
                if hi is not None and key >= hi:
                    return
                if lo is None or key >= lo:
                    yield key, value

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _write_table(fs: FileSystem, path: str, records: Iterable[tuple[bytes, bytes | None]],
                 block_size: int) -> _Table | None:
    """Write sorted ``records`` as an SSTable at ``path`` (via a temporary file, fsynced, then
    renamed into place) and return it, or None (and no file) if there are no records."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        return None
    temporary = path + ".tmp"
    first_keys: list[bytes] = []
    blocks: list[tuple[int, int]] = []
    hashes: list[tuple[int, int]] = []
    tombstones = 0
    offset = 0
    block = bytearray()
    last_key = b""
    with fs.open(temporary, "wb") as file:
        for key, value in itertools.chain([first], records):
            if not block:
                first_keys.append(key)
            if value is None:
                block += _RECORD.pack(len(key), _TOMBSTONE)
                block += key
                tombstones += 1
            else:
                block += _RECORD.pack(len(key), len(value))
                block += key
                block += value
            hashes.append(_bloom_hash(key))
            last_key = key
            if len(block) >= block_size:
                file.write(block)
                blocks.append((offset, len(block)))
                offset += len(block)
                block = bytearray()
        if block:
            file.write(block)
            blocks.append((offset, len(block)))
            offset += len(block)
        index = bytearray(_KEY_LENGTH.pack(len(blocks)))
        for first_key, (block_offset, length) in zip(first_keys, blocks, strict=True):
            index += _KEY_LENGTH.pack(len(first_key)) + first_key
            index += _INDEX_ENTRY.pack(block_offset, length)
        index += _KEY_LENGTH.pack(len(last_key)) + last_key
        bloom = _build_bloom(hashes)
        file.write(index)
        file.write(bytes([_HASHES]) + bloom)
        file.write(_FOOTER.pack(offset, len(index), len(hashes), tombstones, _MAGIC))
        fs.fsync(file)  # the table must be durable before the WAL it replaces is dropped
    fs.rename(temporary, path)
    return _Table(fs, path, first_keys=first_keys, blocks=blocks, last_key=last_key,
                  bloom=bloom, hashes=_HASHES, tombstones=tombstones)


def _build_bloom(hashes: list[tuple[int, int]]) -> bytes:
    bits = bytearray(max(8, (len(hashes) * _BITS_PER_KEY + 7) // 8))
    m = len(bits) * 8
    for h1, h2 in hashes:
        for i in range(_HASHES):
            probe = (h1 + i * h2) % m
            bits[probe >> 3] |= 1 << (probe & 7)
    return bytes(bits)


def _replay(data: bytes, memtable: dict[bytes, bytes | None]) -> bool:
    """Apply the WAL records in ``data`` to ``memtable``, stopping at the first torn or corrupt
    record. Returns whether every byte was a good record (no torn tail)."""
    pos, end = 0, len(data)
    while pos + _WAL_HEADER.size <= end:
        length, crc = _WAL_HEADER.unpack_from(data, pos)
        start = pos + _WAL_HEADER.size
        payload = data[start:start + length]
        if len(payload) < max(length, _WAL_KEY.size) or zlib.crc32(payload) != crc:
            return False
        kind, key_length = _WAL_KEY.unpack_from(payload)
        key_end = _WAL_KEY.size + key_length
        if kind not in (_PUT, _DELETE) or key_end > length:
            return False
        memtable[payload[_WAL_KEY.size:key_end]] = payload[key_end:] if kind == _PUT else None
        pos = start + length
    return pos == end


def _check_bytes(name: str, value: object) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")


class LSMTree:
    """A durable map from ``bytes`` keys to ``bytes`` values, stored in ``directory``.

    Costs, with t tables and a memtable of at most ``memtable_limit`` = m entries:
    ``put``/``delete`` O(1) plus one WAL append and fsync (and, every m writes, a flush:
    O(m log m)); ``get`` O(t) bloom probes and at most one block read per table whose filter
    says "maybe" (almost always only the table holding the key); ``scan`` of k results
    O((k + m) log t) with one read per block; ``compact`` reads and writes all data once.
    """

    def __init__(self, directory: str, memtable_limit: int = 1000,
                 fs: FileSystem | None = None) -> None:
        if memtable_limit < 1:
            raise ValueError(f"memtable_limit must be at least 1, not {memtable_limit}")
        self._directory = directory
        self._limit = memtable_limit
        self._fs: FileSystem = fs if fs is not None else OSFileSystem()
        self._memtable: dict[bytes, bytes | None] = {}  # None is a tombstone
        # The memtable's keys in order, kept until a new key arrives: repeated scans
        # between writes do not sort again.
        self._sorted_keys: list[bytes] | None = None
        self._closed = False
        self._fs.makedirs(directory)
        self._next_number = 1 + self._recover()
        if len(self._memtable) >= self._limit:
            self.flush()

    def _path(self, number: int, kind: str) -> str:
        # os.path.join does no I/O; the fs protocol takes str paths
        return os.path.join(self._directory, f"{number:010d}.{kind}")  # noqa: PTH118

    def _take_number(self) -> int:
        number, self._next_number = self._next_number, self._next_number + 1
        return number

    def _recover(self) -> int:
        """Load the tables, replay the WALs and open one for writing; returns the highest
        file number in use."""
        fs = self._fs
        tables: list[int] = []
        wals: list[int] = []
        highest = 0
        for name in fs.listdir(self._directory):
            if name.endswith(".tmp"):  # a table or log that was never renamed into place
                fs.remove(os.path.join(self._directory, name))  # noqa: PTH118
                continue
            match = _NAME.fullmatch(name)
            if match:
                number = int(match[1])
                highest = max(highest, number)
                (tables if match[2] == "sst" else wals).append(number)
        # Newest first, by number: listdir order means nothing, and "10" < "9" as text.
        newest_first = sorted(tables, reverse=True)
        self._tables = [_Table.load(fs, self._path(n, "sst")) for n in newest_first]
        # Every WAL holds writes newer than every table: a WAL is removed only once a flushed
        # table holds its records, and replaying a WAL whose table was written before a crash
        # only rewrites the values that table holds. Oldest first, so later writes win.
        clean = True
        for number in sorted(wals):
            with fs.open(self._path(number, "wal"), "rb") as file:
                clean = _replay(file.read(), self._memtable)
        self._stale_wals = sorted(wals)
        if wals and clean:
            # The last log ends with a whole record: keep appending to it.
            self._wal_number = self._stale_wals.pop()
        else:
            # A torn tail must not be followed by new records (replay would stop at the tear
            # and lose them), so new writes go to a fresh log; the torn one is replayed, up to
            # its tear, until the next flush removes it.
            highest += 1
            self._wal_number = highest
        self._wal = fs.open(self._path(self._wal_number, "wal"), "ab")
        return highest

    # -- writes ---------------------------------------------------------------------------

    def _log(self, kind: int, key: bytes, value: bytes) -> None:
        """Append one record to the WAL and fsync it: once this returns, the write survives
        a crash."""
        if self._closed:
            raise ValueError("the tree is closed")
        payload = _WAL_KEY.pack(kind, len(key)) + key + value
        self._wal.write(_WAL_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
        self._fs.fsync(self._wal)

    def _apply(self, key: bytes, value: bytes | None) -> None:
        if key not in self._memtable:
            self._sorted_keys = None
        self._memtable[key] = value
        if len(self._memtable) >= self._limit:
            self.flush()

    def put(self, key: bytes, value: bytes) -> None:
        """Set ``key`` to ``value`` (both bytes, else TypeError), durably."""
        _check_bytes("key", key)
        _check_bytes("value", value)
        self._log(_PUT, key, value)
        self._apply(key, value)

    def delete(self, key: bytes) -> None:
        """Delete ``key`` durably; an absent key is no error. Writes a tombstone, which hides
        older values of ``key`` in the tables until a compaction drops them all."""
        _check_bytes("key", key)
        self._log(_DELETE, key, b"")
        self._apply(key, None)

    def _memtable_keys(self) -> list[bytes]:
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self._memtable)
        return self._sorted_keys

    def flush(self) -> None:
        """Write the memtable to a new SSTable, then start a new WAL and remove the old ones.
        Nothing to do if the memtable is empty."""
        if self._closed:
            raise ValueError("the tree is closed")
        if not self._memtable:
            return
        memtable = self._memtable
        records = [(key, memtable[key]) for key in self._memtable_keys()]
        data_bytes = sum(len(key) + len(value or b"") + _RECORD.size for key, value in records)
        table = _write_table(self._fs, self._path(self._take_number(), "sst"), records,
                             _block_size(data_bytes))
        if table is not None:
            self._tables.insert(0, table)
        # The table is durable now, so the logs of its records can go. The new log exists
        # before the old ones are removed, so there is always one to append to.
        old = [*self._stale_wals, self._wal_number]
        self._wal.close()
        self._wal_number = self._take_number()
        self._wal = self._fs.open(self._path(self._wal_number, "wal"), "ab")
        for number in old:
            self._fs.remove(self._path(number, "wal"))
        self._stale_wals = []
        self._memtable = {}
        self._sorted_keys = None

    def compact(self) -> None:
        """Flush, then merge every table into one: the newest version of each key survives,
        tombstones and overwritten versions are dropped (nothing older is left for a
        tombstone to hide). Reads return the same before and after."""
        self.flush()
        tables = self._tables
        if not tables or (len(tables) == 1 and tables[0].tombstones == 0):
            return
        merged = _live(_newest_versions(t.items(None, None) for t in tables))
        data_bytes = sum(t.data_bytes for t in tables)
        table = _write_table(self._fs, self._path(self._take_number(), "sst"), merged,
                             _block_size(data_bytes))
        self._tables = [table] if table is not None else []
        # Oldest first: if a crash stops this loop, the tables left are the newest ones,
        # and with them the newest version (maybe a tombstone) of every key they hold, so
        # nothing deleted comes back.
        for old in reversed(tables):
            old.close()
            self._fs.remove(old.path)

    # -- reads ----------------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        """The value of ``key``, or None if it is absent or deleted."""
        _check_bytes("key", key)
        if self._closed:
            raise ValueError("the tree is closed")
        memtable = self._memtable
        if key in memtable:
            return memtable[key]  # None for a tombstone: deleted, look no further
        h1, h2 = _bloom_hash(key)  # once for all tables
        for table in self._tables:  # newest first: the first table that knows the key wins
            if table.may_contain(key, h1, h2):
                value = table.find(key)
                if value is not MISSING:
                    return value
        return None

    def scan(self, lo: bytes | None = None,
             hi: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(key, value)`` for ``lo <= key < hi`` (None: unbounded) in key order.

        Arguments are checked at the call. The memtable's part is taken at the call; the
        tables are read lazily, a block at a time. ``compact()`` ends unfinished scans."""
        for name, bound in (("lo", lo), ("hi", hi)):
            if bound is not None:
                _check_bytes(name, bound)
        if self._closed:
            raise ValueError("the tree is closed")
        keys = self._memtable_keys()
        start = 0 if lo is None else bisect_left(keys, lo)
        stop = len(keys) if hi is None else bisect_left(keys, hi)
        memtable = self._memtable
        newest: list[Iterable[tuple[bytes, bytes | None]]] = [
            [(key, memtable[key]) for key in keys[start:stop]]]
        newest += [table.items(lo, hi) for table in self._tables]
        return _live(_newest_versions(newest))

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the files. It does not flush: the WAL already holds every write in the
        memtable, and flushing at each close would leave a small table per open/close
        cycle. Closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        self._wal.close()
        for table in self._tables:
            table.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _newest_versions(
    newest_first: Iterable[Iterable[tuple[bytes, bytes | None]]],
) -> Iterator[tuple[bytes, bytes | None]]:
    """Merge sorted sources, given newest first, into one sorted stream with only the newest
    version of each key (tombstones included). heapq.merge is stable: of equal keys it yields
    the one from the earlier source first, so the first of each key is the newest."""
    previous: bytes | None = None
    for key, value in heapq.merge(*newest_first, key=itemgetter(0)):
        if key != previous:
            previous = key
            yield key, value


def _live(items: Iterable[tuple[bytes, bytes | None]]) -> Iterator[tuple[bytes, bytes]]:
    """The items that are not tombstones."""
    for key, value in items:
        if value is not None:
            yield key, value
