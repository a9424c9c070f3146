"""Level 3: deletes borrow from a sibling or merge with one, so that after every operation the
tree keeps all of level 2's rules and every node but the root holds at least ⌈order/2⌉ - 1
keys. A separator whose key was deleted may stay (it still routes searches): the checks accept
it, and check that searches and inserts around it still go to the right leaf."""

from __future__ import annotations

from typing import Any

import pytest
from bplus_tree import BPlusTree
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from grader.checks import Script, fail, machine_test, show, show_prefix
from grader.oracles.bplus_tree import expect_contents

pytestmark = pytest.mark.level(3)



class InsertsAndDeletes(RuleBasedStateMachine):
    """Random inserts and deletes, with every rule (minimum occupancy included) checked after
    each one"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[int, int] = {}
        self.tree: Any = None
        self.order = 0

    @initialize(order=st.sampled_from([3, 4, 5, 6]),
                start=st.lists(st.integers(0, 60), min_size=10, max_size=40))
    def create(self, order: int, start: list[int]) -> None:
        self.order = order
        self.tree = self.script.new("tree", BPlusTree, order)
        for key in start:
            self.script.call("tree", self.tree, "insert", key, key % 7)
            self.model[key] = key % 7

    @rule(key=st.integers(0, 60), value=st.integers(0, 9))
    def insert(self, key: int, value: int) -> None:
        self.script.call("tree", self.tree, "insert", key, value)
        self.model[key] = value

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        self.script.call("tree", self.tree, "delete", key)
        del self.model[key]

    @rule(key=st.integers(0, 60))
    def get(self, key: int) -> None:
        actual = self.script.call("tree", self.tree, "get", key)
        self.script.expect(actual, self.model.get(key), f"tree.get({key})")

    @invariant()
    def valid(self) -> None:
        if self.tree is not None:
            expect_contents(self.script, self.tree, self.order, self.model, lower_bounds=True)


TestInsertsAndDeletes = machine_test(InsertsAndDeletes, points=5, max_examples=60, steps=40)


def build(order: int, keys: list[int]) -> tuple[Script, Any, dict[int, int]]:
    s = Script(record=False)
    tree = s.new("tree", BPlusTree, order)
    for key in keys:
        s.call("tree", tree, "insert", key, key * 2)
    s.record = True
    s.note(f"tree = BPlusTree({order})")
    s.note(f"for key in {show(keys, 70)}: tree.insert(key, key * 2)")
    return s, tree, {key: key * 2 for key in keys}


ORDERS_AND_SIZES = [(3, 200), (4, 200), (5, 200), (32, 1200)]
DELETE_PATTERNS = {
    "ascending": sorted,
    "descending": lambda keys: sorted(keys, reverse=True),
    "scrambled": lambda keys: sorted(keys, key=lambda k: (k * 7919) % 10007),
    "from the middle out": lambda keys: sorted(keys, key=lambda k: abs(k - len(keys) // 2)),
}


@pytest.mark.parametrize(("order", "n"), ORDERS_AND_SIZES)
@pytest.mark.parametrize("pattern", list(DELETE_PATTERNS))
def test_delete_everything(order: int, n: int, pattern: str) -> None:
    """insert n keys, then delete them all in a pattern, checking every rule after each
    delete; the tree ends empty"""
    keys = [(i * 37) % n for i in range(n)]
    _, tree, model = build(order, keys)
    doomed = DELETE_PATTERNS[pattern](list(range(n)))
    for i, key in enumerate(doomed):
        s = Script()
        s.note(f"tree = BPlusTree({order}); insert the keys 0..{n - 1} (scrambled)")
        s.note(f"then delete the keys {pattern}: {show_prefix(doomed, i + 1, 70)}")
        s.record = False
        s.call("tree", tree, "delete", key)
        s.record = True
        del model[key]
        if order < 32 or i % 37 == 0 or len(model) < 100:
            expect_contents(s, tree, order, model, lower_bounds=True)
    s.expect(s.observe("len(tree)", len, tree), 0, "len(tree)")
    s.expect(s.observe("list(tree)", lambda: list(tree)), [], "list(tree)")
    s.call("tree", tree, "insert", 5, 10)
    s.expect(s.call("tree", tree, "get", 5), 10, "tree.get(5)", "the emptied tree is reusable")


def separators(tree: Any) -> list[Any]:
    """Keys of the root when it is internal (separators), else []."""
    root = tree.root
    return [] if root.is_leaf else list(root.keys)


@pytest.mark.parametrize("order", [3, 4, 5, 32])
def test_deleted_separator_still_routes(order: int) -> None:
    """delete a key that is also a separator in the root; searches, ranges and a re-insert of
    that key must still find the right leaf, and the rules must hold"""
    n = 12 * order
    s, tree, model = build(order, list(range(n)))
    seps = s.observe("tree.root.keys", separators, tree)
    if not seps:
        fail(f"after {n} inserts into a tree of order {order}, the root is still a leaf; it "
             "should have split", s)
    sep = seps[len(seps) // 2]
    s.call("tree", tree, "delete", sep)
    del model[sep]
    expect_contents(s, tree, order, model, lower_bounds=True)
    s.expect(s.call("tree", tree, "get", sep), None, f"tree.get({show(sep)})",
             "it was deleted, even if it still serves as a separator")
    s.expect(s.observe(f"{show(sep)} in tree", lambda: sep in tree), False, f"{show(sep)} in tree")
    for key in (sep - 1, sep + 1, sep + 2):
        s.expect(s.call("tree", tree, "get", key), key * 2, f"tree.get({key})")
    text = f"list(tree.range({sep - 2}, {sep + 3}))"
    s.expect(s.observe(text, lambda: list(tree.range(sep - 2, sep + 3))),
             [(k, k * 2) for k in (sep - 2, sep - 1, sep + 1, sep + 2)], text)
    s.call("tree", tree, "insert", sep, "back")
    model[sep] = "back"
    expect_contents(s, tree, order, model, lower_bounds=True)
    s.expect(s.call("tree", tree, "get", sep), "back", f"tree.get({show(sep)})")
    # delete the neighbours too, so the leaves around the old separator borrow and merge
    for key in (sep + 1, sep, sep - 1, sep + 2, sep - 2, sep + 3):
        s.call("tree", tree, "delete", key)
        del model[key]
        expect_contents(s, tree, order, model, lower_bounds=True)
    for key in range(sep - 4, sep + 6):
        s.expect(s.call("tree", tree, "get", key), model.get(key), f"tree.get({key})")


@pytest.mark.parametrize("order", [3, 4, 5])
def test_borrow_and_merge_on_both_sides(order: int) -> None:
    """delete from the leftmost, the rightmost and a middle leaf until they must borrow or
    merge, in both directions, with every rule checked after each delete"""
    n = 8 * order
    s, tree, model = build(order, list(range(n)))
    victims = [0, n - 1, 1, n - 2, n // 2, n // 2 + 1, 2, n - 3, n // 2 - 1, 3, n - 4,
               n // 2 + 2, n // 2 - 2, 4, n - 5]
    for key in dict.fromkeys(victims):
        s.call("tree", tree, "delete", key)
        del model[key]
        expect_contents(s, tree, order, model, lower_bounds=True)
    s.expect_raises(KeyError, "tree", tree, "delete", 0)


def test_reinserting_after_merges() -> None:
    """a tree shrunk by merges grows again correctly"""
    s, tree, model = build(4, list(range(120)))
    for key in range(0, 120, 2):
        s.call("tree", tree, "delete", key)
        del model[key]
    expect_contents(s, tree, 4, model, lower_bounds=True)
    for key in range(0, 120, 2):
        s.call("tree", tree, "insert", key, -key)
        model[key] = -key
    expect_contents(s, tree, 4, model, lower_bounds=True)
