"""Level 2: after every insert the tree is a valid B+ tree: keys sorted in every node,
separators bound their subtrees, all leaves at one depth (= height), no node over the
maximum, and the leaf chain visits every key in order. Checked through the introspection API
(``root``, ``keys``, ``is_leaf``, ``children``, ``values``, ``next``)."""

from __future__ import annotations

from typing import Any

import pytest
from bplus_tree import BPlusTree
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from grader.checks import Script, machine_test, show_prefix
from grader.oracles.bplus_tree import expect_contents, expect_valid, height_of

pytestmark = pytest.mark.level(2)



class InsertOnly(RuleBasedStateMachine):
    """Random inserts and upserts, with the whole structure checked after every one"""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: dict[int, int] = {}
        self.tree: Any = None
        self.order = 0

    @initialize(order=st.sampled_from([3, 4, 5, 6, 32]))
    def create(self, order: int) -> None:
        self.order = order
        self.tree = self.script.new("tree", BPlusTree, order)

    @rule(key=st.integers(0, 80), value=st.integers(0, 9))
    def insert(self, key: int, value: int) -> None:
        self.script.call("tree", self.tree, "insert", key, value)
        self.model[key] = value

    @invariant()
    def valid(self) -> None:
        if self.tree is not None:
            expect_contents(self.script, self.tree, self.order, self.model, lower_bounds=False)


TestInsertOnly = machine_test(InsertOnly, points=4, max_examples=40, steps=50)


PATTERNS = {
    "ascending": lambda n: list(range(n)),
    "descending": lambda n: list(range(n - 1, -1, -1)),
    "scrambled": lambda n: [(i * 7919) % n for i in range(n)],
    "inside out": lambda n: [n // 2 + (i // 2 if i % 2 else -(i // 2) - 1) for i in range(n)],
}


def sizes(order: int) -> int:
    return 300 if order < 32 else 1500


@pytest.mark.parametrize("order", [3, 4, 5, 32])
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_insert_patterns(order: int, pattern: str) -> None:
    """inserts in a fixed pattern keep every rule, checked after each insert"""
    n = sizes(order)
    keys = PATTERNS[pattern](n)
    assert sorted(keys) == list(range(n))
    tree = Script(record=False).new("tree", BPlusTree, order)
    model: dict[int, str] = {}
    for i, key in enumerate(keys):
        s = Script()
        s.note(f"tree = BPlusTree({order})")
        s.note(f"for key in KEYS[:{i + 1}]: tree.insert(key, str(key))  "
               f"# KEYS: 0..{n - 1} {pattern}, so far {show_prefix(keys, i + 1, 60)}")
        s.record = False
        s.call("tree", tree, "insert", key, str(key))
        s.record = True
        model[key] = str(key)
        if i < 150 or i % 97 == 0 or i == n - 1:
            expect_valid(s, tree, order, lower_bounds=False)
    expect_contents(s, tree, order, model, lower_bounds=False)


@pytest.mark.parametrize("order", [3, 4, 5, 32])
def test_height_grows_with_splits(order: int) -> None:
    """height is 1 while the root leaf has room, 2 after the first split, and it stays the
    depth of the leaves as the tree grows"""
    s = Script()
    tree = s.new("tree", BPlusTree, order)
    for key in range(order - 1):
        s.call("tree", tree, "insert", key, key)
    s.expect(s.observe("tree.height", lambda: height_of(tree)), 1, "tree.height",
             f"a leaf of order {order} holds {order - 1} keys")
    s.call("tree", tree, "insert", order - 1, order - 1)
    s.expect(s.observe("tree.height", lambda: height_of(tree)), 2, "tree.height",
             f"the root leaf overflowed at {order} keys and split")
    s.record = False
    for key in range(order, 40 * order):
        s.call("tree", tree, "insert", key, key)
    s.record = True
    s.note(f"... inserts of {order} to {40 * order - 1}")
    expect_valid(s, tree, order, lower_bounds=False)


def test_upserts_do_not_change_the_structure_rules() -> None:
    """upserting every key again keeps len and every rule"""
    s = Script(record=False)
    tree = s.new("tree", BPlusTree, 4)
    model = {}
    for key in range(200):
        s.call("tree", tree, "insert", key, "a")
        model[key] = "a"
    for key in range(199, -1, -3):
        s.call("tree", tree, "insert", key, "b")
        model[key] = "b"
    s.record = True
    s.note("tree = BPlusTree(4); inserts of 0..199, then upserts of 199, 196, ..., 1")
    expect_contents(s, tree, 4, model, lower_bounds=False)
