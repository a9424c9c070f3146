"""Level 4: cost, counted in key comparisons (never timed). The keys are ints that count every
<, <=, >, >=, == and != they take part in. A lookup may make at most
3 × height × (⌈log2 order⌉ + 1) + 4 comparisons on average (binary search in each node, even
one that compares twice per step), and twice that at worst; a range that yields k keys, that
plus 3k. Scanning a node key by key, or walking the leaf chain from the left, costs far more."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

import pytest
from bplus_tree import BPlusTree

from grader.checks import CountingInt, KeyStats, Script, fail, show

pytestmark = [pytest.mark.level(4), pytest.mark.points(2)]

# (order, number of keys): small nodes and a tall tree; wide nodes where a scan shows
SHAPES = [(4, 3000), (32, 6000), (256, 20000)]


def build(order: int, n: int) -> tuple[Script, Any, KeyStats, list[CountingInt]]:
    """A tree of the even keys 0, 2, ..., 2(n-1), inserted in a scrambled order."""
    stats = KeyStats()
    keys = [CountingInt(2 * ((i * 7919) % n), stats) for i in range(n)]
    s = Script(record=False)
    tree = s.new("tree", BPlusTree, order)
    for key in keys:
        s.call("tree", tree, "insert", key, int(key))
    s.record = True
    s.note(f"tree = BPlusTree({order}); insert the even keys 0..{2 * (n - 1)} "
           "(scrambled), value = key")
    return s, tree, stats, keys


def leaf_depth(s: Script, tree: Any) -> int:
    """The depth of the leftmost leaf, found through the introspection API."""
    def descend() -> int:
        node, depth = tree.root, 1
        while not node.is_leaf:
            node, depth = node.children[0], depth + 1
            if depth > 200:
                fail("following children[0] from the root goes deeper than 200 levels", s)
        return depth
    return s.observe("the depth of the leftmost leaf (via root, children[0], is_leaf)",
                     descend)  # type: ignore[no-any-return]


def lookup_bound(order: int, height: int) -> int:
    return 3 * height * (math.ceil(math.log2(order)) + 1) + 4


def counted(stats: KeyStats, action: Callable[[], object]) -> int:
    stats.reset()
    action()
    return stats.compares


def judge(s: Script, what: str, costs: list[int], bound: int, explain: str) -> None:
    mean, worst = statistics.fmean(costs), max(costs)
    if mean > bound or worst > 2 * bound:
        fail(f"{what} made {mean:,.1f} key comparisons on average and {worst:,} at worst; "
             f"the budget is {bound} on average and {2 * bound} at worst ({explain}). Use "
             "binary search (bisect) inside each node, and go straight down from the root.", s)


@pytest.mark.parametrize(("order", "n"), SHAPES)
def test_lookup_comparisons(order: int, n: int) -> None:
    """get and `in`, hits and misses, stay within the comparison budget of height × log order"""
    s, tree, stats, _keys = build(order, n)
    height = leaf_depth(s, tree)
    bound = lookup_bound(order, height)
    probes = [CountingInt(2 * ((i * 104729) % n) + (i % 2), stats) for i in range(600)]
    gets = [counted(stats, lambda k=k: tree.get(k)) for k in probes]
    s.note("v = tree.get(k) for 600 keys, half present, half absent")
    for k in probes[:50]:
        expected = int(k) if int(k) % 2 == 0 else None
        got = tree.get(k)
        if got != expected:
            fail(f"tree.get({int(k)}) gave {show(got)}, expected {show(expected)}", s)
    judge(s, f"tree.get(k) in a tree of order {order} and height {height}", gets, bound,
          f"3 × height × (⌈log2 {order}⌉ + 1) + 4")
    contains = [counted(stats, lambda k=k: k in tree) for k in probes]
    s.note("k in tree, for the same 600 keys")
    judge(s, f"`k in tree` in a tree of order {order} and height {height}", contains, bound,
          f"3 × height × (⌈log2 {order}⌉ + 1) + 4")


@pytest.mark.parametrize(("order", "n"), SHAPES)
def test_range_comparisons(order: int, n: int) -> None:
    """range(lo, hi) costs one descent plus a few comparisons per key it yields, wherever lo
    and hi are, and stops at hi"""
    s, tree, stats, _keys = build(order, n)
    height = leaf_depth(s, tree)
    top = 2 * (n - 1)
    cases: list[tuple[int | None, int | None]] = [
        (top // 2, top // 2 + 1), (top // 2 + 1, top // 2 + 41), (top - 60, top - 20),
        (top // 3, top // 3 + 100), (None, 30), (top - 30, None), (top + 10, None),
        (5, 5), (top // 4 + 1, top // 4 + 2)]
    for lo, hi in cases:
        low = None if lo is None else CountingInt(lo, stats)
        high = None if hi is None else CountingInt(hi, stats)
        text = f"list(tree.range({lo}, {hi}))"
        s.note(text)
        result: list[Any] = []
        cost = counted(stats, lambda low=low, high=high, result=result:
                       result.extend(tree.range(low, high)))
        expected = [k for k in range(0, top + 1, 2)
                    if (lo is None or lo <= k) and (hi is None or k < hi)]
        if [int(k) for k, _ in result] != expected:
            fail(f"{text} yielded keys {show([int(k) for k, _ in result])}, expected "
                 f"{show(expected)}", s)
        bound = lookup_bound(order, height) + 3 * len(result) + 4
        if cost > bound:
            fail(f"{text} yielded {len(result)} keys with {cost:,} key comparisons in a tree "
                 f"of {n:,} keys, order {order} and height {height}; the budget is {bound} "
                 f"(one descent from the root, 3 × height × (⌈log2 {order}⌉ + 1) + 4, plus 3 "
                 f"per key yielded, plus 4). Go down to the leaf of lo, then follow `next`, "
                 "and stop at the first key >= hi.", s)


def test_lookups_after_deletes_stay_cheap() -> None:
    """after deleting half the keys, lookups still cost height × log order"""
    s, tree, stats, keys = build(64, 8000)
    s.record = False
    for key in keys[::2]:
        s.call("tree", tree, "delete", key)
    s.record = True
    s.note("delete every other inserted key")
    height = leaf_depth(s, tree)
    probes = [CountingInt(2 * ((i * 104729) % 8000), stats) for i in range(400)]
    costs = [counted(stats, lambda k=k: tree.get(k)) for k in probes]
    judge(s, f"tree.get(k) in a tree of order 64 and height {height}", costs,
          lookup_bound(64, height), "3 × height × (⌈log2 64⌉ + 1) + 4")
