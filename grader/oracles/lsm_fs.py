"""The LSM tree's instrument: an in-memory file system with the kata's ``fs`` protocol that
records every open, read, write and fsync, and can crash.

Durability follows a power-loss model. Every file keeps the bytes written to it and, apart,
the bytes it held at its last ``fsync``. :meth:`MemoryFS.power_loss` returns the file system
a machine would find after losing power: every file cut back to what was fsynced (a file
created and never fsynced is empty). Creating, renaming and removing files are durable at
once and in order. :meth:`MemoryFS.process_crash` keeps every written byte, as the operating
system does when only the process dies.

The directory lives under a path that does not exist on the real disk, so code that bypasses
``fs`` (``open``, ``os``, ``pathlib``) fails instead of passing unseen. :meth:`listdir`
answers in a scrambled order, as real directories may.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import posixpath
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

ROOT = "/lsm-kata-memory-fs"


@dataclass
class Node:
    """One file: what was written, and what had been fsynced. ``rewritten`` notes a write or
    truncation below the synced length, so an fsync of an append-only file copies only the
    appended bytes."""

    data: bytearray = field(default_factory=bytearray)
    synced: bytearray = field(default_factory=bytearray)
    rewritten: bool = False

    def sync(self) -> None:
        if self.rewritten or len(self.synced) > len(self.data):
            self.synced = bytearray(self.data)
        else:
            self.synced += self.data[len(self.synced):]
        self.rewritten = False



class PowerCut(BaseException):
    """Raised by every operation of a :class:`MemoryFS` once its fuse has blown: the machine
    lost power in the middle of a call. A BaseException, so ``except Exception`` in the code
    under test does not carry on as if nothing happened."""


@dataclass(frozen=True)
class Event:
    """One operation: ``kind`` is open, read, write, fsync, remove, rename or listdir."""

    kind: str
    path: str
    offset: int = 0
    size: int = 0
    detail: str = ""


class MemoryFile(io.BufferedIOBase):
    """A binary file in a :class:`MemoryFS`: read, write, seek, tell, readline, iteration,
    ``with``; no ``fileno`` (there is no real file: sync through ``fs.fsync``)."""

    def __init__(self, fs: MemoryFS, node: Node, path: str, mode: str) -> None:
        super().__init__()
        self._fs = fs
        self._node = node
        self.name = path
        self.mode = mode
        self._pos = len(node.data) if mode == "ab" else 0

    def readable(self) -> bool:
        return self.mode == "rb"

    def writable(self) -> bool:
        return self.mode != "rb"

    def seekable(self) -> bool:
        return True

    def _check(self, reading: bool) -> None:
        self._fs._step(mutating=not reading)
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if reading and self.mode != "rb":
            raise io.UnsupportedOperation(f"read: the file was opened with mode {self.mode!r}")
        if not reading and self.mode == "rb":
            raise io.UnsupportedOperation("write: the file was opened with mode 'rb'")

    def read(self, size: int | None = -1) -> bytes:
        self._check(reading=True)
        data = self._node.data
        end = len(data) if size is None or size < 0 else min(len(data), self._pos + size)
        start = min(self._pos, len(data))
        chunk = bytes(data[start:end])
        self._fs._log(Event("read", self.name, start, len(chunk)))
        self._pos = max(self._pos, end)
        return chunk

    read1 = read

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        chunk = self.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    readinto1 = readinto

    def readline(self, size: int | None = -1) -> bytes:
        self._check(reading=True)
        data = self._node.data
        start = min(self._pos, len(data))
        newline = data.find(b"\n", start)
        end = len(data) if newline < 0 else newline + 1
        if size is not None and size >= 0:
            end = min(end, start + size)
        chunk = bytes(data[start:end])
        self._fs._log(Event("read", self.name, start, len(chunk)))
        self._pos = end
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return list(self)

    def write(self, data: Any) -> int:
        self._check(reading=False)
        chunk = bytes(memoryview(data).cast("B")) if not isinstance(data, bytes) else data
        node = self._node
        if self.mode == "ab":
            self._pos = len(node.data)
        start = self._pos
        if start > len(node.data):
            node.data.extend(bytes(start - len(node.data)))
        if start < len(node.synced):
            node.rewritten = True
        node.data[start:start + len(chunk)] = chunk
        self._pos = start + len(chunk)
        self._fs._log(Event("write", self.name, start, len(chunk)))
        return len(chunk)

    def writelines(self, lines: Iterable[Any]) -> None:
        for line in lines:
            self.write(line)

    def seek(self, offset: int, whence: int = 0) -> int:
        self._fs._step(mutating=False)
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        base = {0: 0, 1: self._pos, 2: len(self._node.data)}[whence]
        if base + offset < 0:
            raise OSError(22, "Invalid argument: negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        return self._pos

    def truncate(self, size: int | None = None) -> int:
        self._check(reading=False)
        size = self._pos if size is None else size
        if size < len(self._node.synced):
            self._node.rewritten = True
        del self._node.data[size:]
        self._fs._log(Event("truncate", self.name, size))
        return size

    def flush(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def fileno(self) -> int:
        raise io.UnsupportedOperation(
            "this file lives in the kata's in-memory file system and has no descriptor: "
            "sync it with fs.fsync(file), not os.fsync")

    def __repr__(self) -> str:
        return f"<MemoryFile {self.name!r} mode={self.mode!r}>"


class MemoryFS:
    """The kata's ``fs`` protocol, in memory, with an event log and crashes."""

    def __init__(self) -> None:
        self.files: dict[str, Node] = {}
        self.dirs: set[str] = {"/"}
        self.events: list[Event] = []
        self.mutations = 0  # creates, writes, truncations, fsyncs, renames, removes, mkdirs
        self.fuse: int | None = None  # mutations left before the power cut, if one is armed
        self.dead = False

    def __repr__(self) -> str:
        return "fs"

    # -- the protocol -------------------------------------------------------------------

    def open(self, path: Any, mode: str = "rb") -> MemoryFile:
        name = self._path(path)
        self._step(mutating=mode != "rb")
        if mode not in ("rb", "wb", "ab"):
            raise ValueError(f"mode {mode!r}: the kata's fs opens files with 'rb', 'wb' or 'ab'")
        if name in self.dirs:
            raise IsADirectoryError(21, "Is a directory", name)
        if posixpath.dirname(name) not in self.dirs:
            raise FileNotFoundError(2, "No such file or directory (make the directory first)",
                                    name)
        node = self.files.get(name)
        if node is None:
            if mode == "rb":
                raise FileNotFoundError(2, "No such file or directory", name)
            node = self.files[name] = Node()
        elif mode == "wb":
            node.data.clear()
            node.synced = bytearray()
            node.rewritten = False
        self._log(Event("open", name, detail=mode))
        return MemoryFile(self, node, name, mode)

    def listdir(self, path: Any) -> list[str]:
        self._step(mutating=False)
        name = self._path(path)
        if name not in self.dirs:
            raise FileNotFoundError(2, "No such file or directory", name)
        prefix = name.rstrip("/") + "/"
        entries = {p[len(prefix):].split("/", 1)[0]
                   for p in (*self.files, *self.dirs) if p.startswith(prefix) and p != prefix}
        self._log(Event("listdir", name))
        # a scrambled but repeatable order: directories promise no order
        return sorted(entries, key=lambda e: zlib.crc32(e.encode()) ^ 0x5BD1E995)

    def exists(self, path: Any) -> bool:
        self._step(mutating=False)
        name = self._path(path)
        return name in self.files or name in self.dirs

    def remove(self, path: Any) -> None:
        self._step(mutating=True)
        name = self._path(path)
        if name in self.dirs:
            raise IsADirectoryError(21, "Is a directory", name)
        if self.files.pop(name, None) is None:
            raise FileNotFoundError(2, "No such file or directory", name)
        self._log(Event("remove", name))

    def rename(self, src: Any, dst: Any) -> None:
        self._step(mutating=True)
        old, new = self._path(src), self._path(dst)
        if old not in self.files:
            raise FileNotFoundError(2, "No such file or directory", old)
        if posixpath.dirname(new) not in self.dirs:
            raise FileNotFoundError(2, "No such file or directory", new)
        if new in self.dirs:
            raise IsADirectoryError(21, "Is a directory", new)
        self.files[new] = self.files.pop(old)
        self._log(Event("rename", old, detail=new))

    def makedirs(self, path: Any) -> None:
        self._step(mutating=True)
        name = self._path(path)
        if name in self.files:
            raise FileExistsError(17, "File exists", name)
        while name not in self.dirs:
            self.dirs.add(name)
            name = posixpath.dirname(name)

    def fsync(self, file: Any) -> None:
        self._step(mutating=True)
        if not isinstance(file, MemoryFile) or file._fs is not self:
            raise TypeError(f"fs.fsync({file!r}): pass a file this fs opened")
        if file.closed:
            raise ValueError("fsync of a closed file")
        file._node.sync()
        self._log(Event("fsync", file.name, size=len(file._node.data)))

    # -- for the checks ------------------------------------------------------------------

    def _path(self, path: Any) -> str:
        if isinstance(path, bytes):
            path = path.decode()
        name = os.fspath(path)
        if not isinstance(name, str):
            raise TypeError(f"path {path!r} must be str")
        return posixpath.normpath(name) if name.startswith("/") else posixpath.normpath(
            posixpath.join("/", name))

    def _step(self, *, mutating: bool) -> None:
        """Count a mutating operation; cut the power when the armed fuse runs out."""
        if self.dead:
            raise PowerCut("the power is off: this file system is gone")
        if not mutating:
            return
        if self.fuse is not None:
            if self.fuse <= 0:
                self.dead = True
                raise PowerCut(f"power cut before mutation {self.mutations + 1}")
            self.fuse -= 1
        self.mutations += 1

    def arm(self, mutations: int) -> None:
        """Cut the power just before the next ``mutations`` + 1st mutating operation."""
        self.fuse = mutations

    def _log(self, event: Event) -> None:
        self.events.append(event)

    def mark(self) -> int:
        return len(self.events)

    def since(self, mark: int, kind: str | None = None) -> list[Event]:
        return [e for e in self.events[mark:] if kind is None or e.kind == kind]

    def usage(self, directory: str = ROOT) -> int:
        prefix = directory.rstrip("/") + "/"
        return sum(len(n.data) for p, n in self.files.items() if p.startswith(prefix))

    def listing(self, directory: str = ROOT) -> dict[str, int]:
        prefix = directory.rstrip("/") + "/"
        return {p[len(prefix):]: len(n.data) for p, n in sorted(self.files.items())
                if p.startswith(prefix)}

    def power_loss(self) -> MemoryFS:
        """The file system found after a power cut now: every file as last fsynced."""
        fs = MemoryFS()
        fs.dirs = set(self.dirs)
        fs.files = {p: Node(bytearray(n.synced), bytearray(n.synced))
                    for p, n in self.files.items()}
        return fs

    def process_crash(self) -> MemoryFS:
        """The file system found after the process died now: every written byte."""
        fs = MemoryFS()
        fs.dirs = set(self.dirs)
        fs.files = {p: Node(bytearray(n.data), bytearray(n.synced), n.rewritten)
                    for p, n in self.files.items()}
        return fs

    def unsynced(self) -> dict[str, int]:
        """Files with bytes written since their last fsync: path → how many bytes differ."""
        out = {}
        for path, node in self.files.items():
            if bytes(node.data) != node.synced:
                out[path] = abs(len(node.data) - len(node.synced)) or len(node.data)
        return out


# -- where the values are: finding data blocks without knowing the format ------------------

ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "raw": lambda v: v,
    "hex": binascii.hexlify,
    "HEX": lambda v: binascii.hexlify(v).upper(),
    "base64": lambda v: base64.b64encode(v).rstrip(b"="),
    "base64url": lambda v: base64.urlsafe_b64encode(v).rstrip(b"="),
}


@dataclass
class Spans:
    """Where each value's bytes lie in each file (the data blocks, whatever the format)."""

    by_file: dict[str, list[tuple[int, int]]]
    where: dict[bytes, list[tuple[str, int, int]]]  # every place each value was found
    encoding: str
    order: dict[str, list[bytes]] = field(default_factory=dict)  # values by position, per file

    def extent(self, path: str) -> int:
        """From the first value's first byte to the last value's last byte in ``path``."""
        spans = self.by_file.get(path)
        return spans[-1][1] - spans[0][0] if spans else 0

    def touches(self, path: str, start: int, end: int) -> bool:
        spans = self.by_file.get(path, [])
        i = bisect_left(spans, (start, start))
        if i < len(spans) and spans[i][0] < end:
            return True
        return i > 0 and spans[i - 1][1] > start


def locate(fs: MemoryFS, values: Iterable[bytes], paths: Iterable[str] | None = None) -> Spans:
    """Find each value in the files (raw, or hex/base64 encoded: whichever finds the most)."""
    values = list(values)
    names = list(fs.files if paths is None else paths)
    best = Spans({}, {}, "raw")
    datas = {path: bytes(fs.files[path].data) for path in names}
    for encoding, encode in ENCODINGS.items():
        probe = [encode(v) for v in values[:: max(1, len(values) // 20)]]
        if not any(needle in data for needle in probe for data in datas.values()):
            continue  # not this encoding: skip a search of every value that finds nothing
        by_file: dict[str, list[tuple[int, int]]] = {}
        where: dict[bytes, list[tuple[str, int, int]]] = {}
        order: dict[str, list[bytes]] = {}
        for path in names:
            data = datas[path]
            spans = []
            for value in values:
                needle = encode(value)
                at = data.find(needle)
                if at >= 0:
                    spans.append((at, at + len(needle), value))
                    where.setdefault(value, []).append((path, at, at + len(needle)))
            spans.sort()
            by_file[path] = [(start, end) for start, end, _ in spans]
            order[path] = [value for _, _, value in spans]
        if len(where) > len(best.where):
            best = Spans(by_file, where, encoding, order)
        if len(where) == len(values):
            break
    return best


def runs(reads: list[Event]) -> list[tuple[str, int, int]]:
    """Reads merged into contiguous runs per file: (path, start, end)."""
    out: list[tuple[str, int, int]] = []
    for event in reads:
        if event.size == 0:
            continue
        start, end = event.offset, event.offset + event.size
        if out and out[-1][0] == event.path and out[-1][1] <= start <= out[-1][2]:
            path, first, last = out[-1]
            out[-1] = (path, first, max(last, end))
        else:
            out.append((event.path, start, end))
    return out
