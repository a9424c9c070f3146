"""What the LSM tree's checks share: opening a tree on a :class:`MemoryFS`, comparing it with a
dictionary model, and deterministic keys and values."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from grader.checks import Script, fail, show
from grader.oracles.lsm_fs import ROOT, MemoryFS

DIRECTORY = f"{ROOT}/db"


def new_fs() -> MemoryFS:
    fs = MemoryFS()
    fs.makedirs(DIRECTORY)
    return fs


def open_tree(s: Script, cls: Any, fs: MemoryFS, limit: int | None = None,
              label: str = "db") -> Any:
    """``LSMTree(DIRECTORY, memtable_limit=limit, fs=fs)``, recorded in the script."""
    if limit is None:
        return s.new(label, cls, DIRECTORY, fs=fs)
    return s.new(label, cls, DIRECTORY, memtable_limit=limit, fs=fs)


def scanned(s: Script, tree: Any, lo: bytes | None = None, hi: bytes | None = None) -> list[Any]:
    args = "" if lo is None and hi is None else f"{show(lo)}, {show(hi)}"
    text = f"list(db.scan({args}))"
    return s.observe(text, lambda: list(tree.scan(lo, hi)))  # type: ignore[no-any-return]


def expected_scan(model: dict[bytes, bytes], lo: bytes | None = None,
                  hi: bytes | None = None) -> list[tuple[bytes, bytes]]:
    return [(k, model[k]) for k in sorted(model)
            if (lo is None or lo <= k) and (hi is None or k < hi)]


def expect_state(s: Script, tree: Any, model: dict[bytes, bytes], keys: Iterable[bytes],
                 why: str = "") -> None:
    """Every key of ``keys`` reads as in the model, and a full scan yields the model."""
    reason = f" ({why})" if why else ""
    for key in keys:
        got = s.observe(f"db.get({show(key)})", lambda key=key: tree.get(key))
        expected = model.get(key)
        if type(got) is not type(expected) or got != expected:
            fail(f"db.get({show(key)}) gave {show(got)}, expected {show(expected)}{reason}.", s)
    got_scan = scanned(s, tree)
    everything = expected_scan(model)
    if got_scan != everything or any(type(item) is not tuple or type(item[0]) is not bytes
                                   or type(item[1]) is not bytes for item in got_scan):
        fail(f"list(db.scan()) gave {show(got_scan, 160)}, expected {show(everything, 160)}"
             f"{reason}.", s)


def value(rng: random.Random, size: int = 24) -> bytes:
    """A random value of ASCII letters: unique enough to be found in any file format."""
    return bytes(rng.choices(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", k=size))


def key(i: int) -> bytes:
    return b"key%07d" % i


def describe_files(fs: MemoryFS) -> str:
    listing = fs.listing()
    return ", ".join(f"{name} ({size:,} B)" for name, size in listing.items()) or "none"


Scenario = Callable[[MemoryFS], tuple[Script, Any, dict[bytes, bytes]]]


def power_cuts_inside(scenario: Scenario, method: str, cls: Any,
                      limit: int) -> Iterator[tuple[Script, Any, dict[bytes, bytes]]]:
    """Run ``scenario`` on a fresh file system, then ``db.<method>()`` with the power cut
    before each of that call's file operations in turn; yields, for each cut, the script, the
    tree reopened from what survived, and the model the scenario left."""
    fs = new_fs()
    s, db, model = scenario(fs)
    start = fs.mutations
    s.call("db", db, method)
    total = fs.mutations - start
    for n in range(total):
        fs = new_fs()
        s, db, model = scenario(fs)
        fs.arm(n)
        s.note(f"db.{method}()  # the power fails inside it, before its file operation "
               f"{n + 1} of {total}")
        try:
            getattr(db, method)()
        except NotImplementedError:
            raise
        except BaseException:  # noqa: BLE001, S110 - the power cut, however it surfaced
            pass
        del db
        s.note("fs = <what fs held at its last fsyncs>")
        yield s, open_tree(s, cls, fs.power_loss(), limit), model
