"""Examples of the LSM tree rules, on the real file system in a temporary directory.

Run them with: pytest katas/lsm-tree
The graded checks go further, on an in-memory file system that counts your reads and cuts
your files at every byte to simulate power losses.
"""

import shutil
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find lsm_tree.py from any directory

from lsm_tree import LSMTree, OSFileSystem


def files(directory: Path) -> dict[str, bytes]:
    """Every file in the directory, by name."""
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.is_file()}


def test_a_dictionary_of_bytes(tmp_path: Path) -> None:
    with LSMTree(str(tmp_path / "db")) as db:
        db.put(b"banana", b"yellow")
        db.put(b"apple", b"red")
        db.put(b"cherry", b"")  # an empty value is a value
        db.put(b"apple", b"green")  # the newest write wins
        db.delete(b"banana")
        db.delete(b"durian")  # deleting an absent key is fine
        assert db.get(b"apple") == b"green"
        assert db.get(b"banana") is None
        assert db.get(b"cherry") == b""
        assert list(db.scan()) == [(b"apple", b"green"), (b"cherry", b"")]
        assert list(db.scan(b"b", b"cherry")) == []  # hi is excluded
        with pytest.raises(TypeError):
            db.put("apple", b"red")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            db.get(42)  # type: ignore[arg-type]


def test_newest_wins_across_tables(tmp_path: Path) -> None:
    with LSMTree(str(tmp_path / "db"), memtable_limit=2) as db:
        db.put(b"k1", b"old")
        db.put(b"k2", b"old")  # two entries: flushed to a table
        db.put(b"k1", b"new")
        db.delete(b"k2")  # a tombstone, in the next table: it hides b"old"
        db.put(b"k3", b"x")
        assert db.get(b"k1") == b"new"
        assert db.get(b"k2") is None
        assert list(db.scan()) == [(b"k1", b"new"), (b"k3", b"x")]


def test_reopen_finds_what_was_flushed(tmp_path: Path) -> None:
    directory = str(tmp_path / "db")
    with LSMTree(directory, memtable_limit=10) as db:
        for round_ in range(3):  # 12 tables, every key overwritten in each
            for i in range(40):
                db.put(b"key%02d" % i, b"round %d" % round_)
        db.flush()
    with LSMTree(directory, memtable_limit=10) as db:
        assert db.get(b"key07") == b"round 2"
        assert len(list(db.scan())) == 40


def test_a_write_that_returned_survives_a_crash(tmp_path: Path) -> None:
    db = LSMTree(str(tmp_path / "db"))
    db.put(b"first", b"1")
    before = files(tmp_path / "db")
    db.put(b"second", b"2")
    after = files(tmp_path / "db")  # a power loss now: close() is never called
    db.close()
    # The disk as it is after the crash opens with both writes ...
    shutil.copytree(tmp_path / "db", tmp_path / "crashed")
    with LSMTree(str(tmp_path / "crashed")) as crashed:
        assert crashed.get(b"first") == b"1"
        assert crashed.get(b"second") == b"2"
    # ... and a crash in the middle of the second write loses at most that write.
    for name, data in after.items():
        old = before.get(name, b"")
        if len(data) > len(old) and data.startswith(old):
            torn = tmp_path / f"torn-{name}"
            shutil.copytree(tmp_path / "db", torn)
            (torn / name).write_bytes(data[: (len(old) + len(data)) // 2])
            with LSMTree(str(torn)) as reopened:  # must not raise
                assert reopened.get(b"first") == b"1"
                assert reopened.get(b"second") in (None, b"2")


class CountingFile:
    """A file that counts the reads made through it."""

    def __init__(self, file: BinaryIO, fs: "CountingFileSystem") -> None:
        self._file, self._fs = file, fs

    def read(self, size: int = -1) -> bytes:
        self._fs.reads += 1
        return self._file.read(size)

    def __getattr__(self, name: str) -> object:  # write, seek, tell, close, fileno...
        return getattr(self._file, name)

    def __enter__(self) -> "CountingFile":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()


class CountingFileSystem(OSFileSystem):
    reads = 0

    def open(self, path: str, mode: str) -> BinaryIO:
        return CountingFile(super().open(path, mode), self)  # type: ignore[return-value]


def test_absent_keys_read_nothing(tmp_path: Path) -> None:
    fs = CountingFileSystem()
    with LSMTree(str(tmp_path / "db"), memtable_limit=200, fs=fs) as db:
        for i in range(0, 1200, 2):  # three tables of even keys
            db.put(b"key-%05d" % i, b"v" * 100)
        fs.reads = 0
        for i in range(1, 1200, 2):  # odd keys, between the even ones
            assert db.get(b"key-%05d" % i) is None
        assert fs.reads <= 6  # the bloom filters answer (almost) every miss
        fs.reads = 0
        assert db.get(b"key-00246") == b"v" * 100
        assert fs.reads <= 2  # one data block, found through the sparse index


def test_compaction_reclaims_space(tmp_path: Path) -> None:
    directory = tmp_path / "db"
    with LSMTree(str(directory), memtable_limit=100) as db:
        for round_ in range(3):
            for i in range(300):
                db.put(b"key-%012d" % i, b"%03d" % round_ * 33)
        for i in range(0, 300, 2):
            db.delete(b"key-%012d" % i)
        expected = list(db.scan())
        db.flush()
        db.compact()
        assert list(db.scan()) == expected
        live = sum(len(key) + len(value) for key, value in expected)
        assert sum(len(data) for data in files(directory).values()) <= 2 * live
