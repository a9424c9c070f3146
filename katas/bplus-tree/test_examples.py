"""Examples of the B+ tree rules. Run them with: pytest katas/bplus-tree"""

import math
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find bplus_tree.py from any directory

from bplus_tree import BPlusTree


def check_invariants(tree: Any, order: int) -> None:
    """The rules of the README, checked from the root down (a sketch, not the grader)."""
    minimum = math.ceil(order / 2) - 1
    leaves: list[Any] = []

    def walk(node: Any, lo: Any, hi: Any, depth: int) -> None:
        keys = node.keys
        assert keys == sorted(keys), f"keys out of order: {keys}"
        assert all((lo is None or lo <= k) and (hi is None or k < hi) for k in keys), (
            f"{keys} escape their separators [{lo}, {hi})")
        if node is not tree.root:
            assert len(keys) >= minimum, f"{keys}: fewer than {minimum} keys"
        if node.is_leaf:
            assert len(keys) <= order - 1, f"leaf {keys}: more than {order - 1} keys"
            assert depth == tree.height, f"leaf {keys} at depth {depth}, height {tree.height}"
            leaves.append(node)
            return
        assert len(node.children) == len(keys) + 1
        assert len(node.children) <= order, f"{keys}: more than {order} children"
        bounds = [lo, *keys, hi]
        for i, child in enumerate(node.children):
            walk(child, bounds[i], bounds[i + 1], depth + 1)

    walk(tree.root, None, None, 1)
    for left, right in pairwise(leaves):
        assert left.next is right, "the leaf chain skips or reorders a leaf"
    assert leaves[-1].next is None
    chained = [k for leaf in leaves for k in leaf.keys]
    assert chained == list(tree), "the leaf chain and iteration disagree"
    assert len(tree) == len(chained)


def test_a_sorted_mapping() -> None:
    tree = BPlusTree(order=4)
    for key in [50, 20, 80, 10, 30, 70, 90, 60, 40]:
        tree.insert(key, str(key))
    tree.insert(30, "thirty")  # upsert: replaces the value, adds no key
    assert len(tree) == 9
    assert list(tree) == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert tree.get(30) == "thirty"
    assert tree.get(35) is None
    assert tree.get(35, "absent") == "absent"
    assert 70 in tree
    assert 75 not in tree
    tree.delete(70)
    assert 70 not in tree
    assert len(tree) == 8
    with pytest.raises(KeyError):
        tree.delete(70)


def test_range_is_half_open() -> None:
    tree = BPlusTree(order=3)
    for key in range(0, 100, 10):
        tree.insert(key, key // 10)
    assert list(tree.range(20, 50)) == [(20, 2), (30, 3), (40, 4)]  # 50 is excluded
    assert list(tree.range(25, 41)) == [(30, 3), (40, 4)]
    assert [k for k, _ in tree.range(hi=20)] == [0, 10]
    assert [k for k, _ in tree.range(lo=85)] == [90]
    assert list(tree.range(60, 60)) == []


def test_any_comparable_keys() -> None:
    tree = BPlusTree(order=3)
    for word in ["pear", "apple", "fig", "kiwi", "date", "lime", "plum"]:
        tree.insert(word, len(word))
    assert [w for w, _ in tree.range("d", "l")] == ["date", "fig", "kiwi"]
    pairs = BPlusTree(order=3)
    for i in range(12):
        pairs.insert((i % 3, i), None)
    assert next(iter(pairs)) == (0, 0)


def test_splits_keep_the_invariants() -> None:
    tree = BPlusTree(order=4)
    assert tree.height == 1
    assert tree.root.is_leaf
    for key in range(3):
        tree.insert(key, key)
    assert tree.height == 1  # three keys fit in one leaf of order 4
    tree.insert(3, 3)
    assert tree.height == 2  # the fourth splits it: the root is now internal
    assert not tree.root.is_leaf
    for key in range(4, 200):
        tree.insert(key * 7919 % 1000, key)
        check_invariants(tree, order=4)


def test_deletes_borrow_and_merge() -> None:
    tree = BPlusTree(order=5)
    keys = [key * 37 % 101 for key in range(101)]
    for key in keys:
        tree.insert(key, key)
    tall = tree.height
    for key in keys[::2] + keys[1::2]:
        tree.delete(key)
        check_invariants(tree, order=5)
    assert len(tree) == 0
    assert list(tree) == []
    assert tree.height == 1 < tall  # the root collapsed level by level


def test_bulk_load() -> None:
    items = ((key, key * key) for key in range(100))  # a one-shot generator: read it once
    tree = BPlusTree.bulk_load(items, order=4)
    check_invariants(tree, order=4)
    assert tree.get(9) == 81
    assert tree.height == 4  # 34 leaves of at most 3 keys need 4 levels at order 4
    leaf = tree.root
    while not leaf.is_leaf:
        leaf = leaf.children[0]
    sizes = []
    while leaf is not None:
        sizes.append(len(leaf.keys))
        leaf = leaf.next
    assert sizes[:-2] == [3] * (len(sizes) - 2)  # full, except maybe the last two
    with pytest.raises(ValueError):  # noqa: PT011 (any message will do)
        BPlusTree.bulk_load([(1, "a"), (3, "c"), (2, "b")])
    with pytest.raises(ValueError):  # noqa: PT011
        BPlusTree.bulk_load([(1, "a"), (1, "b")])


def test_order_must_be_at_least_3() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        BPlusTree(order=2)
    assert len(BPlusTree(order=3)) == 0
