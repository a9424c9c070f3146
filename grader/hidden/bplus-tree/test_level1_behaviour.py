"""Level 1: insert, get, delete, range, in, len and iteration behave like a sorted dictionary,
at orders 3, 4, 5 and 32."""

from __future__ import annotations

from typing import Any

import pytest
from bplus_tree import BPlusTree
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from grader.checks import Script, fail, machine_test, show
from grader.oracles.bplus_tree import height_of

pytestmark = pytest.mark.level(1)

ORDERS = [3, 4, 5, 32]
MISSING = "<missing>"
KEYS = st.integers(0, 60)


def expected_range(model: dict[int, Any], lo: int | None, hi: int | None) -> list[tuple[int, Any]]:
    return [(k, model[k]) for k in sorted(model)
            if (lo is None or lo <= k) and (hi is None or k < hi)]


def listed(s: Script, text: str, produce: Any) -> list[Any]:
    """Run ``produce()`` and list what it yields, reporting an error in either step as ``text``."""
    return s.observe(text, lambda: list(produce()))  # type: ignore[no-any-return]


def range_text(lo: object, hi: object) -> str:
    return f"list(tree.range({show(lo)}, {show(hi)}))"


class SortedDictModel(RuleBasedStateMachine):
    """Random inserts, upserts, gets, deletes and ranges, compared after every step with a
    dictionary kept in key order"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[int, Any] = {}
        self.tree: Any = None

    @initialize(order=st.sampled_from(ORDERS))
    def create(self, order: int) -> None:
        self.tree = self.script.new("tree", BPlusTree, order)

    @rule(key=KEYS, value=st.integers(-5, 5) | st.sampled_from(["a", "b", None]))
    def insert(self, key: int, value: Any) -> None:
        self.script.call("tree", self.tree, "insert", key, value)
        self.model[key] = value

    @rule(key=KEYS, default=st.sampled_from([None, MISSING]))
    def get(self, key: int, default: str | None) -> None:
        args = (key,) if default is None else (key, default)
        actual = self.script.call("tree", self.tree, "get", *args)
        self.script.expect(actual, self.model.get(key, default),
                           f"tree.get({', '.join(map(show, args))})")

    @rule(key=KEYS)
    def delete(self, key: int) -> None:
        if key in self.model:
            self.script.call("tree", self.tree, "delete", key)
            del self.model[key]
        else:
            self.script.expect_raises(KeyError, "tree", self.tree, "delete", key)

    @rule(lo=st.none() | KEYS, hi=st.none() | KEYS)
    def range(self, lo: int | None, hi: int | None) -> None:
        text = range_text(lo, hi)
        self.script.note(text)
        actual = listed(self.script, text, lambda: self.tree.range(lo, hi))
        self.script.expect(actual, expected_range(self.model, lo, hi), text)

    @rule(key=KEYS)
    def contains(self, key: int) -> None:
        actual = self.script.observe(f"{key} in tree", lambda: key in self.tree)
        self.script.expect(actual, key in self.model, f"{key} in tree")

    @invariant()
    def size_and_keys(self) -> None:
        if self.tree is None:
            return
        self.script.expect(self.script.observe("len(tree)", len, self.tree), len(self.model),
                           "then len(tree)")
        keys = listed(self.script, "list(tree)", lambda: iter(self.tree))
        self.script.expect(keys, sorted(self.model), "then list(tree)", "keys in order")


TestSortedDictModel = machine_test(SortedDictModel, points=4, max_examples=50, steps=50)


@pytest.mark.parametrize("order", [2, 1, 0, -3])
def test_order_below_three_is_rejected(order: int) -> None:
    """BPlusTree(order) with order < 3 raises ValueError"""
    s = Script()
    s.note(f"BPlusTree({order})")
    try:
        BPlusTree(order)
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
        fail(f"BPlusTree({order}) raised {type(exc).__name__}: {exc}; expected ValueError.", s)
    fail(f"BPlusTree({order}) was accepted; an order below 3 must raise ValueError.", s)


def test_empty_tree() -> None:
    """an empty tree: len 0, nothing to iterate or range over, get gives the default, delete
    raises KeyError, height 1"""
    s = Script()
    tree = s.new("tree", BPlusTree)
    s.expect(s.observe("len(tree)", len, tree), 0, "len(tree)")
    s.expect(listed(s, "list(tree)", lambda: iter(tree)), [], "list(tree)")
    s.expect(listed(s, range_text(None, None), tree.range), [], "list(tree.range())")
    s.expect(s.call("tree", tree, "get", 1), None, "tree.get(1)")
    s.expect(s.call("tree", tree, "get", 1, "dflt"), "dflt", "tree.get(1, 'dflt')")
    s.expect(s.observe("1 in tree", lambda: 1 in tree), False, "1 in tree")
    s.expect_raises(KeyError, "tree", tree, "delete", 1)
    s.expect(s.observe("tree.height", lambda: height_of(tree)), 1, "tree.height",
             "a lone leaf root has height 1")


def test_default_order_holds_thousands_of_keys() -> None:
    """BPlusTree() with the default order: 3,000 keys in a scrambled order, all found, in order"""
    s = Script(record=False)
    tree = s.new("tree", BPlusTree)
    keys = [(i * 7919) % 3001 for i in range(3001)]
    for key in keys:
        s.call("tree", tree, "insert", key, -key)
    s.expect(s.observe("len(tree)", len, tree), 3001, "len(tree) after 3,001 inserts")
    got = listed(s, "list(tree)", lambda: iter(tree))
    if got != list(range(3001)):
        fail("after inserting the keys 0..3000 in a scrambled order, list(tree) is not "
             f"0, 1, ..., 3000 (it starts {show(got[:8])})")
    for key in range(0, 3001, 37):
        s.expect(s.call("tree", tree, "get", key), -key, f"tree.get({key})")
    s.expect(listed(s, range_text(1000, 1005), lambda: tree.range(1000, 1005)),
             [(k, -k) for k in range(1000, 1005)], "list(tree.range(1000, 1005))")


def test_upsert_replaces_the_value() -> None:
    """inserting an existing key replaces its value and keeps len"""
    s = Script()
    tree = s.new("tree", BPlusTree, 3)
    for key in (5, 1, 9, 3, 7):
        s.call("tree", tree, "insert", key, "old")
    s.call("tree", tree, "insert", 3, "new")
    s.expect(s.call("tree", tree, "get", 3), "new", "tree.get(3)")
    s.expect(s.observe("len(tree)", len, tree), 5, "len(tree)", "an upsert adds no key")
    s.expect(listed(s, range_text(None, None), tree.range),
             [(1, "old"), (3, "new"), (5, "old"), (7, "old"), (9, "old")], "list(tree.range())")


def test_falsy_values_are_values() -> None:
    """a key stored with None, 0, '' or False is in the tree, and get returns that value, not
    the default"""
    s = Script()
    tree = s.new("tree", BPlusTree, 3)
    falsy = {2: None, 4: 0, 6: "", 8: False}
    for key, value in falsy.items():
        s.call("tree", tree, "insert", key, value)
    for key, value in falsy.items():
        s.expect(s.observe(f"{key} in tree", lambda key=key: key in tree), True,
                 f"{key} in tree", f"key {key} was stored (with the value {show(value)})")
        s.expect(s.call("tree", tree, "get", key, "dflt"), value, f"tree.get({key}, 'dflt')")
    s.expect(s.observe("len(tree)", len, tree), 4, "len(tree)")
    s.expect(listed(s, range_text(None, None), tree.range), list(falsy.items()),
             "list(tree.range())")


def test_range_bounds() -> None:
    """range(lo, hi) includes lo, excludes hi, and is empty when lo >= hi or nothing lies
    between; None leaves a side open"""
    s = Script()
    tree = s.new("tree", BPlusTree, 4)
    for key in range(0, 100, 2):
        s.call("tree", tree, "insert", key, key * 10)
    cases: list[tuple[int | None, int | None]] = [
        (10, 20), (11, 21), (10, 10), (20, 10), (41, 42), (-5, 3), (95, 1000),
        (None, 5), (97, None), (None, None), (200, None), (None, -1)]
    model = {k: k * 10 for k in range(0, 100, 2)}
    for lo, hi in cases:
        text = range_text(lo, hi)
        s.note(text)
        s.expect(listed(s, text, lambda lo=lo, hi=hi: tree.range(lo, hi)),
                 expected_range(model, lo, hi), text)


def test_string_keys() -> None:
    """keys need only be comparable: strings work as well as numbers"""
    s = Script()
    tree = s.new("tree", BPlusTree, 3)
    words = ["pear", "apple", "fig", "kiwi", "banana", "cherry", "date", "grape", "lemon"]
    for word in words:
        s.call("tree", tree, "insert", word, len(word))
    s.expect(listed(s, "list(tree)", lambda: iter(tree)), sorted(words), "list(tree)")
    s.expect(listed(s, range_text("c", "g"), lambda: tree.range("c", "g")),
             [("cherry", 6), ("date", 4), ("fig", 3)], "list(tree.range('c', 'g'))")
    s.call("tree", tree, "delete", "fig")
    s.expect(s.call("tree", tree, "get", "fig"), None, "tree.get('fig')")
    s.expect(s.observe("'kiwi' in tree", lambda: "kiwi" in tree), True, "'kiwi' in tree")


@pytest.mark.parametrize("order", [3, 4, 5])
def test_every_key_found_after_every_delete(order: int) -> None:
    """insert 80 keys, delete them one by one in a scrambled order: after each delete, every
    remaining key is found and every deleted one is gone"""
    s = Script()
    tree = s.new("tree", BPlusTree, order)
    keys = [(i * 37) % 80 for i in range(80)]
    s.note("for key in KEYS: tree.insert(key, -key)  # KEYS = 0..79 scrambled")
    s.record = False
    for key in keys:
        s.call("tree", tree, "insert", key, -key)
    s.record = True
    doomed = [(i * 29 + 11) % 80 for i in range(80)]
    alive = set(keys)
    for i, key in enumerate(doomed):
        s.call("tree", tree, "delete", key)
        alive.discard(key)
        for probe in range(80):
            got = tree.get(probe)
            if got != (-probe if probe in alive else None):
                s.note(f"tree.get({probe})  # -> {show(got)}")
                fail(f"after {i + 1} deletes, tree.get({probe}) gave {show(got)}; expected "
                     f"{show(-probe if probe in alive else None)}", s)
    s.expect(listed(s, "list(tree)", lambda: iter(tree)), [], "list(tree)")
