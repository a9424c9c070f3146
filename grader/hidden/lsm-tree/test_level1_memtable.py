"""Level 1: put, get, delete and scan behave like a dictionary of bytes (a deleted key reads as
None, b"" is a value like any other), and anything but bytes raises TypeError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from lsm_tree import LSMTree

from grader.checks import Script, fail, machine_test, show
from grader.oracles.lsm_tree import expect_state, expected_scan, new_fs, open_tree, scanned

pytestmark = pytest.mark.level(1)

KEYS = st.sampled_from([b"", b"a", b"ab", b"b", b"ba", b"k1", b"k10", b"k2", b"\x00", b"\xff"])
VALUES = st.sampled_from([b"", b"v", b"value", b"\x00\x01", b"x" * 40])


def delete(s: Script, tree: Any, key: bytes, present: bool) -> None:
    """delete(key); for an absent key either nothing happens or KeyError (unspecified)."""
    if present:
        s.call("db", tree, "delete", key)
        return
    s.note(f"db.delete({show(key)})")
    try:
        tree.delete(key)
    except KeyError:
        pass
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
        fail(f"db.delete({show(key)}) of an absent key raised {type(exc).__name__}: {exc}", s)


class DictModel(RuleBasedStateMachine):
    """Random puts, deletes, gets and scans in the memtable, compared with a dict after every
    step"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[bytes, bytes] = {}
        self.tree: Any = None

    @initialize()
    def create(self) -> None:
        self.script.note("fs = <an empty in-memory file system>")
        self.tree = open_tree(self.script, LSMTree, new_fs(), 10_000)

    @rule(key=KEYS, value=VALUES)
    def put(self, key: bytes, value: bytes) -> None:
        self.script.call("db", self.tree, "put", key, value)
        self.model[key] = value

    @rule(key=KEYS)
    def delete(self, key: bytes) -> None:
        delete(self.script, self.tree, key, key in self.model)
        self.model.pop(key, None)

    @rule(key=KEYS)
    def get(self, key: bytes) -> None:
        got = self.script.call("db", self.tree, "get", key)
        self.script.expect(got, self.model.get(key), f"db.get({show(key)})")

    @rule(lo=st.none() | KEYS, hi=st.none() | KEYS)
    def scan(self, lo: bytes | None, hi: bytes | None) -> None:
        self.script.note(f"list(db.scan({show(lo)}, {show(hi)}))")
        got = scanned(self.script, self.tree, lo, hi)
        self.script.expect(got, expected_scan(self.model, lo, hi),
                           f"list(db.scan({show(lo)}, {show(hi)}))", "lo <= key < hi, in order")


TestDictModel = machine_test(DictModel, points=4, max_examples=50, steps=40)


def fresh() -> tuple[Script, Any]:
    s = Script()
    s.note("fs = <an empty in-memory file system>")
    return s, open_tree(s, LSMTree, new_fs(), 10_000)


def test_empty_value_is_not_a_delete() -> None:
    """b"" is a value: it reads back as b"", not None, and shows in scans"""
    s, db = fresh()
    s.call("db", db, "put", b"k", b"")
    s.expect(s.call("db", db, "get", b"k"), b"", "db.get(b'k')",
             "b'' is a stored value; only delete makes a key read as None")
    s.expect(scanned(s, db), [(b"k", b"")], "list(db.scan())")
    s.call("db", db, "delete", b"k")
    s.expect(s.call("db", db, "get", b"k"), None, "db.get(b'k')")
    s.expect(scanned(s, db), [], "list(db.scan())")


def test_delete_then_put_again() -> None:
    """a deleted key can be written again"""
    s, db = fresh()
    s.call("db", db, "put", b"a", b"1")
    s.call("db", db, "delete", b"a")
    s.call("db", db, "put", b"a", b"2")
    s.expect(s.call("db", db, "get", b"a"), b"2", "db.get(b'a')")


def test_scan_order_and_bounds() -> None:
    """scan yields (key, value) tuples in byte order, lo included, hi excluded"""
    s, db = fresh()
    for k in (b"m", b"a", b"z", b"b", b"ab", b"\x00", b"mm"):
        s.call("db", db, "put", k, k.upper())
    model = {k: k.upper() for k in (b"m", b"a", b"z", b"b", b"ab", b"\x00", b"mm")}
    for lo, hi in ((None, None), (b"a", b"m"), (b"ab", b"mm"), (b"m", b"m"), (b"n", b"a"),
                   (None, b"b"), (b"b", None), (b"zz", None)):
        s.expect(scanned(s, db, lo, hi), expected_scan(model, lo, hi),
                 f"list(db.scan({show(lo)}, {show(hi)}))")


def test_context_manager() -> None:
    """`with LSMTree(...) as db:` gives the tree and closes it at the end"""
    s = Script()
    s.note("with LSMTree(DIR, fs=fs) as db: db.put(b'k', b'v'); db.get(b'k')")
    tree = open_tree(s, LSMTree, new_fs(), 100)
    entered = s.observe("db.__enter__()", tree.__enter__)
    if entered is not tree:
        fail(f"`with LSMTree(...) as db` bound db to {show(entered)}; __enter__ must return the "
             "tree itself", s)
    s.call("db", tree, "put", b"k", b"v")
    s.expect(s.call("db", tree, "get", b"k"), b"v", "db.get(b'k')")
    s.observe("db.__exit__(None, None, None)", tree.__exit__, None, None, None)


BAD_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("put", ("k", b"v")),
    ("put", (b"k", "v")),
    ("put", (1, b"v")),
    ("put", (b"k", None)),
    ("put", (None, b"v")),
    ("get", ("k",)),
    ("get", (7,)),
    ("delete", ("k",)),
    ("delete", (None,)),
]


@pytest.mark.points(2)
def test_non_bytes_raise_type_error() -> None:
    """keys and values must be bytes: str, int or None raises TypeError and changes nothing"""
    for method, args in BAD_CALLS:
        s, db = fresh()
        s.call("db", db, "put", b"k", b"v")
        s.expect_raises(TypeError, "db", db, method, *args)
        s.expect(s.call("db", db, "get", b"k"), b"v", "db.get(b'k')")
        s.expect(scanned(s, db), [(b"k", b"v")], "list(db.scan())")


def test_scan_with_non_bytes_bounds() -> None:
    """scan with a bound that is not bytes raises TypeError, when called or when iterated"""
    for lo, hi in (("a", None), (None, 5), (b"a", "z")):
        s, db = fresh()
        s.call("db", db, "put", b"k", b"v")
        text = f"list(db.scan({show(lo)}, {show(hi)}))"
        s.note(text)
        try:
            list(db.scan(lo, hi))
        except TypeError:
            continue
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001
            fail(f"{text} raised {type(exc).__name__}: {exc}; expected TypeError.", s)
        fail(f"{text} gave no error; bounds must be bytes (or None), else TypeError.", s)


def test_many_keys_in_the_memtable() -> None:
    """a thousand keys written in a scrambled order read back, and scan in order"""
    s = Script(record=False)
    db = open_tree(s, LSMTree, new_fs(), 100_000)
    model = {}
    for i in range(1000):
        k = b"%05d" % ((i * 7919) % 1000)
        s.call("db", db, "put", k, k * 2)
        model[k] = k * 2
    for i in range(0, 1000, 3):
        k = b"%05d" % i
        s.call("db", db, "delete", k)
        del model[k]
    s.record = True
    s.note("db = LSMTree(DIR, memtable_limit=100_000, fs=fs); put 1,000 keys, delete a third")
    expect_state(s, db, model, [b"%05d" % i for i in range(0, 1000, 7)])
