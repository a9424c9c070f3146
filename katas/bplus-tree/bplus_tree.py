"""B+ tree kata: a sorted mapping stored the way database indexes store it.

Fill in every method below. The README explains the rules and the five levels.

The two node classes are a starting point: keep the attribute names (`keys`, `is_leaf`,
`children`, `values`, `next`), because the checks read them; add anything you like.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Self


class LeafNode:
    """A leaf: sorted `keys`, the `values` at the same positions, and `next`, the leaf to
    its right (None for the rightmost leaf). Every (key, value) pair lives in a leaf."""

    is_leaf = True

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.values: list[Any] = []
        self.next: LeafNode | None = None


class InternalNode:
    """An internal node: sorted separator `keys` and `len(keys) + 1` `children`.

    Every key under `children[i]` lies in `[keys[i-1], keys[i])` (no lower bound for the
    first child, no upper bound for the last one).
    """

    is_leaf = False

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.children: list[LeafNode | InternalNode] = []


class BPlusTree:
    """A sorted mapping stored as a B+ tree.

    With `order` m: an internal node has at most m children (m - 1 keys), a leaf at most
    m - 1 keys, and every node but the root at least ceil(m/2) - 1 keys. All leaves are at
    the same depth, `height`, and are chained left to right through `next`.

    Keys are any mutually comparable values (ints, strings, tuples...); use only `<` and
    `==` on them.
    """

    def __init__(self, order: int = 32) -> None:
        """An empty tree (a single empty leaf as its root).

        order: the most children an internal node may have. Raise ValueError if it is
            below 3.
        """
        raise NotImplementedError

    @property
    def root(self) -> LeafNode | InternalNode:
        """The root node: a leaf while everything fits in one, else an internal node."""
        raise NotImplementedError

    @property
    def height(self) -> int:
        """The number of nodes on any path from the root down to a leaf (a lone leaf is 1)."""
        raise NotImplementedError

    def insert(self, key: Any, value: Any) -> None:
        """Insert `key` with `value`, or replace the value if `key` is already there.

        Split a leaf that would hold more than order - 1 keys, and an internal node that
        would have more than `order` children. O(log n) key comparisons.
        """
        raise NotImplementedError

    def get(self, key: Any, default: Any = None) -> Any:
        """The value stored for `key`, or `default` if it is absent.

        Binary search inside each node on the way down: O(height × log order) key
        comparisons.
        """
        raise NotImplementedError

    def delete(self, key: Any) -> None:
        """Remove `key` and its value. Raise KeyError if it is absent.

        A node left below the minimum borrows a key from a sibling that can spare one, or
        else merges with a sibling. O(log n) key comparisons.
        """
        raise NotImplementedError

    def range(self, lo: Any = None, hi: Any = None) -> Iterator[tuple[Any, Any]]:
        """Yield (key, value) for every key with lo <= key < hi, in key order.

        lo=None: no lower bound; hi=None: no upper bound. Walk down to the first leaf once,
        then along the leaf chain, and stop at the first key >= hi: O(log n + k) key
        comparisons for k results.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of keys stored."""
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        """Whether `key` is stored. O(height × log order) key comparisons."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        """The keys, in increasing order."""
        raise NotImplementedError

    @classmethod
    def bulk_load(cls, sorted_items: Iterable[tuple[Any, Any]], order: int = 32) -> Self:
        """A new tree holding `sorted_items`, (key, value) pairs in strictly increasing key
        order. Raise ValueError if a key is not greater than the one before it (unsorted
        input or a duplicate key).

        `sorted_items` may be any iterable, even a one-shot generator: read it once, and
        compare each key only with the one before it. Build the tree bottom up, never by
        inserting one pair at a time: full leaves (order - 1 keys; only the last two may
        share their keys so that neither falls below the minimum), and the smallest
        height possible.
        """
        raise NotImplementedError
