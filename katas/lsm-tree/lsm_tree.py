"""LSM-tree kata: a durable key-value store that only ever appends and writes whole new files.

Fill in every method of LSMTree below. The README explains the rules and the six levels.

FileSystem and OSFileSystem are given (they are not the exercise): do every file operation
through the `fs` the tree receives, never through open(), os or pathlib directly. The checks
hand you an in-memory file system that counts your reads and simulates power losses.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol, Self, cast


class FileSystem(Protocol):
    """What the tree needs from a file system. Paths are `str`; build them with
    os.path.join(directory, name) (os.path does no I/O, so that is fine).

    A crash keeps only what was fsynced: un-fsynced bytes of a file are lost, a file that was
    created and never fsynced survives empty, and rename, remove and file creation are
    durable at once and in order.
    """

    def open(self, path: str, mode: str) -> BinaryIO:
        """Open a file in mode "rb", "wb" (create or truncate) or "ab" (append, creating it if
        needed). The file supports read, write, seek, tell, close and `with`."""
        ...

    def listdir(self, path: str) -> list[str]:
        """The names in directory `path`, in no particular order (do not rely on it)."""
        ...

    def exists(self, path: str) -> bool:
        """Whether `path` exists."""
        ...

    def remove(self, path: str) -> None:
        """Delete the file `path`."""
        ...

    def rename(self, src: str, dst: str) -> None:
        """Rename `src` to `dst` atomically, replacing `dst` if it exists."""
        ...

    def makedirs(self, path: str) -> None:
        """Create directory `path` and its parents; no error if it exists."""
        ...

    def fsync(self, file: BinaryIO) -> None:
        """Make everything written to `file` so far durable."""
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
    """The real file system (the default when `fs` is None). After a creation, rename or
    removal it fsyncs the directory, since on POSIX a new name is not durable until its
    directory is."""

    _MODES = frozenset({"rb", "wb", "ab"})

    def open(self, path: str, mode: str) -> BinaryIO:
        if mode not in self._MODES:
            raise ValueError(f"mode must be 'rb', 'wb' or 'ab', not {mode!r}")
        if mode == "rb":
            # Unbuffered: reads of whole blocks at known offsets gain nothing from read-ahead.
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


class LSMTree:
    """A durable map from bytes keys to bytes values, stored in the files of `directory`.

    Writes go to a write-ahead log (appended and fsynced before the call returns) and to an
    in-memory memtable. When the memtable holds `memtable_limit` entries it is written out as
    a new immutable table sorted by key (an SSTable). Reads look in the memtable, then in the
    tables from newest to oldest: the newest version of a key wins, and a deletion (a
    tombstone) hides older versions. Usable as a context manager (`close()` on exit).
    """

    def __init__(self, directory: str, memtable_limit: int = 1000,
                 fs: FileSystem | None = None) -> None:
        """Open the store in `directory` (created if needed), recovering whatever an earlier
        store left there: its tables, and the writes in its write-ahead log, even if the
        last record was torn by a crash (ignore a torn record, never raise for it).

        memtable_limit: the memtable is flushed to a new table when it holds this many
            entries (deletions count); at least 1.
        fs: the file system to use for every file operation; None means OSFileSystem().
        """
        raise NotImplementedError

    def put(self, key: bytes, value: bytes) -> None:
        """Set `key` to `value`. Both must be bytes (else TypeError); b"" is a valid value.
        When this returns, the write survives a crash."""
        raise NotImplementedError

    def get(self, key: bytes) -> bytes | None:
        """The newest value of `key`, or None if it was never written or was deleted.
        `key` must be bytes (else TypeError)."""
        raise NotImplementedError

    def delete(self, key: bytes) -> None:
        """Delete `key` (an absent key is no error). `key` must be bytes (else TypeError).
        When this returns, the deletion survives a crash."""
        raise NotImplementedError

    def scan(self, lo: bytes | None = None,
             hi: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """Yield (key, value) for every live key with lo <= key < hi, in ascending key order
        (None: no bound on that side). Bounds other than bytes or None: TypeError, raised at
        the call or when iterated, as you like. A generator is fine."""
        raise NotImplementedError

    def flush(self) -> None:
        """Write the memtable to a new table (nothing to do if it is empty)."""
        raise NotImplementedError

    def compact(self) -> None:
        """Merge the tables, reclaiming the space of overwritten and deleted data. Every read
        returns the same before and after."""
        raise NotImplementedError

    def close(self) -> None:
        """Close every open file. Whether this flushes the memtable is your choice."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        raise NotImplementedError

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        raise NotImplementedError
