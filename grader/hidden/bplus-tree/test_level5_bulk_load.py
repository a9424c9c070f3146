"""Level 5: ``BPlusTree.bulk_load(sorted_items, order)`` builds the tree bottom-up in one
pass: minimal height, every leaf full except the last two (which may share their keys so that
neither is under the minimum), every rule of levels 2 and 3, about one comparison per key,
and ValueError for keys out of order or repeated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bplus_tree import BPlusTree

from grader.checks import CountingInt, KeyStats, Script, fail, show
from grader.oracles.bplus_tree import expect_valid, min_height

pytestmark = pytest.mark.level(5)


def sizes(order: int) -> list[int]:
    return sorted({0, 1, 2, order - 1, order, order + 1, 2 * order - 2, 2 * order - 1,
                   2 * order, order * order - 1, order * order, order * order + 1,
                   (order - 1) * order + 1, 100, 1001, 5000 if order == 32 else 3000})


def load(s: Script, items: Any, order: int, text: str) -> Any:
    s.note(text)
    return s.observe(text, lambda: BPlusTree.bulk_load(items, order=order))


@pytest.mark.points(3)
@pytest.mark.parametrize("order", [3, 4, 5, 32])
def test_shape(order: int) -> None:
    """for many sizes: a valid tree of minimal height, the leaves full but the last two"""
    for n in sizes(order):
        s = Script()
        items = [(k, f"v{k}") for k in range(n)]
        tree = load(s, items, order, f"tree = BPlusTree.bulk_load([(k, f'v{{k}}') for k in "
                                     f"range({n})], order={order})")
        if not isinstance(tree, BPlusTree):
            fail(f"bulk_load returned {show(tree)}, not a BPlusTree", s)
        shape = expect_valid(s, tree, order, lower_bounds=True)
        got = list(shape.items())
        if got != items:
            fail(f"the leaves hold {show(got, 120)}; expected all {n} items in order", s)
        lowest = min_height(n, order)
        if shape.depth != lowest:
            fail(f"the tree has height {shape.depth}; {n} keys fit in a tree of order "
                 f"{order} of height {lowest} (leaves of {order - 1} keys, {order} children "
                 "per node), which is what bulk_load must build", s)
        counts = [len(leaf.keys) for leaf in shape.leaves]
        short = [i for i, c in enumerate(counts[:-2]) if c != order - 1]
        if short:
            fail(f"the leaves hold {show(counts, 120)} keys; every leaf but the last two must "
                 f"be full ({order - 1} keys): leaf {short[0]} holds {counts[short[0]]}", s)


class Source:
    """A one-shot iterator of items that counts how many were taken."""

    def __init__(self, items: list[tuple[Any, Any]]) -> None:
        self.items = items
        self.taken = 0

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return self

    def __next__(self) -> tuple[Any, Any]:
        if self.taken >= len(self.items):
            raise StopIteration
        self.taken += 1
        return self.items[self.taken - 1]

    def __repr__(self) -> str:
        return "iter(items)"


@pytest.mark.points(2)
@pytest.mark.parametrize("order", [4, 32])
def test_one_pass_and_few_comparisons(order: int) -> None:
    """bulk_load takes a one-shot iterator, reads it once, and compares each key about once
    (checking order), never inserting one by one: at most 3 comparisons per key"""
    n = 5000
    stats = KeyStats()
    items = [(CountingInt(k, stats), k) for k in range(0, 3 * n, 3)]
    source = Source(items)
    s = Script()
    s.note("items = [(k, k) for k in range(0, 15000, 3)]  # keys count their comparisons")
    tree = load(s, source, order, f"tree = BPlusTree.bulk_load(iter(items), order={order})")
    if source.taken != n:
        fail(f"bulk_load took {source.taken} of the {n} items from the iterator", s)
    if stats.compares > 3 * n:
        fail(f"bulk_load made {stats.compares:,} key comparisons for {n:,} sorted keys; at "
             f"most {3 * n:,} (3 per key) are needed to check their order. Build the leaves "
             "from left to right and the levels above from them; do not insert one by one "
             "or sort again.", s)
    shape = expect_valid(s, tree, order, lower_bounds=True)
    if [int(k) for k in (leaf_key for leaf in shape.leaves for leaf_key in leaf.keys)] != \
            list(range(0, 3 * n, 3)):
        fail("the leaves do not hold the loaded keys in order", s)


@pytest.mark.parametrize(("items", "why"), [
    ([(1, "a"), (3, "b"), (2, "c")], "keys out of order"),
    ([(1, "a"), (2, "b"), (2, "c")], "a repeated key"),
    ([(5, "a"), (5, "b")], "a repeated key"),
    ([(k, k) for k in range(100)] + [(50, 50)], "a key out of order at the very end"),
    ([(k, k) for k in range(100)] + [(99, 0)], "a key repeated at the very end"),
    ([(2, "a"), (1, "b")], "keys in descending order"),
])
def test_unsorted_or_repeated_keys_are_rejected(items: list[tuple[int, Any]], why: str) -> None:
    """bulk_load raises ValueError for keys out of order or repeated, wherever they are"""
    s = Script()
    text = f"BPlusTree.bulk_load({show(items, 60)}, order=4)"
    s.note(text)
    try:
        BPlusTree.bulk_load(items, order=4)
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
        fail(f"{text} raised {type(exc).__name__}: {exc}; expected ValueError ({why}).", s)
    fail(f"{text} returned a tree; expected ValueError ({why}).", s)


def test_order_below_three_is_rejected() -> None:
    """bulk_load with order < 3 raises ValueError"""
    s = Script()
    s.note("BPlusTree.bulk_load([(1, 'a')], order=2)")
    try:
        BPlusTree.bulk_load([(1, "a")], order=2)
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001
        fail(f"raised {type(exc).__name__}: {exc}; expected ValueError.", s)
    fail("an order below 3 was accepted; expected ValueError.", s)


@pytest.mark.parametrize("order", [3, 4, 5, 32])
def test_a_loaded_tree_keeps_working(order: int) -> None:
    """inserts and deletes on a bulk-loaded tree keep every rule (its leaves start full, so the
    first insert into each must split)"""
    n = 6 * order * order
    s = Script()
    tree = load(s, [(k, k) for k in range(0, 2 * n, 2)], order,
                f"tree = BPlusTree.bulk_load([(k, k) for k in range(0, {2 * n}, 2)], "
                f"order={order})")
    model = {k: k for k in range(0, 2 * n, 2)}
    s.record = False
    steps = [(k, "insert") for k in range(1, 2 * n, 14)] + \
            [(k, "delete") for k in range(0, 2 * n, 6)]
    for i, (key, action) in enumerate(steps):
        s.record = True
        if i:
            s.lines.pop()
        s.note(f"# step {i + 1} of {len(steps)}: tree.{action}({key}"
               f"{', ' + str(-key) if action == 'insert' else ''})")
        s.record = False
        if action == "insert":
            s.call("tree", tree, "insert", key, -key)
            model[key] = -key
        else:
            s.call("tree", tree, "delete", key)
            del model[key]
        if order < 32 or i % 23 == 0:
            s.record = True
            expect_valid(s, tree, order, lower_bounds=True)
            s.record = False
    s.record = True
    shape = expect_valid(s, tree, order, lower_bounds=True)
    if list(shape.items()) != sorted(model.items()):
        fail("after the inserts and deletes, the leaves do not hold the expected items", s)
