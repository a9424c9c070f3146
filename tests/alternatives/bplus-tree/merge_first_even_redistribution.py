"""Merges whenever two siblings fit in one node, else redistributes them evenly.

How it differs from the reference:
- dataclass nodes (``LeafPage`` with ``keys``, ``values``, ``next``; ``InnerPage`` with
  ``keys``, ``children``), ``is_leaf`` a class variable; a leaf has no ``children``;
- a handwritten binary search on ``<`` instead of the bisect module;
- a full node splits with the smaller half on the left;
- a short node looks at one sibling only (the left one if there is one): if both fit in
  one node it merges them, even when the sibling could spare a key; otherwise it moves
  entries across until the two hold about the same number (several at a time);
- ``range`` and ``__iter__`` are generators that copy nothing;
- ``bulk_load`` reads the input into a list first, then checks neighbours; the last two
  leaves share so that the last one reaches exactly the minimum.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(eq=False, slots=True)
class LeafPage:
    keys: list[Any] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    next: LeafPage | None = None
    is_leaf: ClassVar[bool] = True


@dataclass(eq=False, slots=True)
class InnerPage:
    keys: list[Any] = field(default_factory=list)
    children: list[LeafPage | InnerPage] = field(default_factory=list)
    is_leaf: ClassVar[bool] = False


def first_greater(keys: list[Any], key: Any) -> int:
    """The first index whose key is > key (bisect_right), by halving."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if key < keys[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def first_not_less(keys: list[Any], key: Any) -> int:
    """The first index whose key is >= key (bisect_left), by halving."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


class BPlusTree:
    def __init__(self, order: int = 32) -> None:
        if not isinstance(order, int) or isinstance(order, bool) or order < 3:
            raise ValueError("order must be an integer of at least 3")
        self.order = order
        self.fewest = (order - 1) // 2  # == ceil(order / 2) - 1
        self.root: LeafPage | InnerPage = LeafPage()
        self.height = 1
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def _path(self, key: Any) -> tuple[LeafPage, list[tuple[InnerPage, int]]]:
        path: list[tuple[InnerPage, int]] = []
        node = self.root
        while isinstance(node, InnerPage):
            i = first_greater(node.keys, key)
            path.append((node, i))
            node = node.children[i]
        return node, path

    def get(self, key: Any, default: Any = None) -> Any:
        leaf, _ = self._path(key)
        i = first_not_less(leaf.keys, key)
        if i < len(leaf.keys) and leaf.keys[i] == key:
            return leaf.values[i]
        return default

    def __contains__(self, key: object) -> bool:
        leaf, _ = self._path(key)
        i = first_not_less(leaf.keys, key)
        return i < len(leaf.keys) and leaf.keys[i] == key

    def _head(self) -> LeafPage:
        node = self.root
        while isinstance(node, InnerPage):
            node = node.children[0]
        return node

    def __iter__(self) -> Iterator[Any]:
        leaf: LeafPage | None = self._head()
        while leaf is not None:
            for key in leaf.keys:
                yield key
            leaf = leaf.next

    def range(self, lo: Any = None, hi: Any = None) -> Iterator[tuple[Any, Any]]:
        if lo is None:
            leaf: LeafPage | None = self._head()
            i = 0
        else:
            leaf, _ = self._path(lo)
            i = first_not_less(leaf.keys, lo)
        while leaf is not None:
            keys, values = leaf.keys, leaf.values
            while i < len(keys):
                if hi is not None and not keys[i] < hi:
                    return
                yield keys[i], values[i]
                i += 1
            leaf, i = leaf.next, 0

    def insert(self, key: Any, value: Any) -> None:
        leaf, path = self._path(key)
        i = first_not_less(leaf.keys, key)
        if i < len(leaf.keys) and leaf.keys[i] == key:
            leaf.values[i] = value
            return
        leaf.keys.insert(i, key)
        leaf.values.insert(i, value)
        self.n += 1
        if len(leaf.keys) < self.order:
            return
        cut = len(leaf.keys) - (len(leaf.keys) + 1) // 2  # the smaller half on the left
        new_leaf = LeafPage(leaf.keys[cut:], leaf.values[cut:], leaf.next)
        leaf.keys, leaf.values, leaf.next = leaf.keys[:cut], leaf.values[:cut], new_leaf
        carry: tuple[Any, LeafPage | InnerPage] = (new_leaf.keys[0], new_leaf)
        for parent, i in reversed(path):
            parent.keys.insert(i, carry[0])
            parent.children.insert(i + 1, carry[1])
            if len(parent.children) <= self.order:
                return
            cut = (len(parent.keys) - 1) // 2
            right = InnerPage(parent.keys[cut + 1:], parent.children[cut + 1:])
            carry = (parent.keys[cut], right)
            parent.keys, parent.children = parent.keys[:cut], parent.children[:cut + 1]
        self.root = InnerPage([carry[0]], [self.root, carry[1]])
        self.height += 1

    def delete(self, key: Any) -> None:
        leaf, path = self._path(key)
        i = first_not_less(leaf.keys, key)
        if i == len(leaf.keys) or leaf.keys[i] != key:
            raise KeyError(key)
        del leaf.keys[i]
        del leaf.values[i]
        self.n -= 1
        node: LeafPage | InnerPage = leaf
        for parent, i in reversed(path):
            if len(node.keys) >= self.fewest:
                break
            self._settle(parent, i)
            node = parent
        if isinstance(self.root, InnerPage) and not self.root.keys:
            self.root = self.root.children[0]
            self.height -= 1

    def _settle(self, parent: InnerPage, i: int) -> None:
        j = i - 1 if i > 0 else i  # the pair (j, j + 1) holds the short node
        a, b = parent.children[j], parent.children[j + 1]
        extra = 0 if a.is_leaf else 1  # an inner merge pulls the separator down
        if len(a.keys) + len(b.keys) + extra <= self.order - 1:
            sep = parent.keys.pop(j)
            parent.children.pop(j + 1)
            if isinstance(a, LeafPage) and isinstance(b, LeafPage):
                a.keys.extend(b.keys)
                a.values.extend(b.values)
                a.next = b.next
            elif isinstance(a, InnerPage) and isinstance(b, InnerPage):
                a.keys.extend([sep, *b.keys])
                a.children.extend(b.children)
            return
        if isinstance(a, LeafPage) and isinstance(b, LeafPage):
            keys, values = a.keys + b.keys, a.values + b.values
            half = len(keys) // 2
            a.keys, b.keys = keys[:half], keys[half:]
            a.values, b.values = values[:half], values[half:]
            parent.keys[j] = b.keys[0]
        elif isinstance(a, InnerPage) and isinstance(b, InnerPage):
            # Rotate one entry at a time through the parent until the two are even.
            while len(a.keys) < len(b.keys) - 1:
                a.keys.append(parent.keys[j])
                a.children.append(b.children.pop(0))
                parent.keys[j] = b.keys.pop(0)
            while len(b.keys) < len(a.keys) - 1:
                b.keys.insert(0, parent.keys[j])
                b.children.insert(0, a.children.pop())
                parent.keys[j] = a.keys.pop()

    @classmethod
    def bulk_load(cls, sorted_items: Iterable[tuple[Any, Any]], order: int = 32) -> BPlusTree:
        tree = cls(order)
        items = list(sorted_items)
        for i in range(1, len(items)):
            if not items[i - 1][0] < items[i][0]:
                raise ValueError(f"item {i} is not above the one before it")
        cap, low = order - 1, tree.fewest
        starts = list(range(0, len(items), cap)) or [0]
        bounds = [*starts[1:], len(items)]
        if len(starts) > 1 and bounds[-1] - starts[-1] < low:
            starts[-1] = bounds[-1] - low
            bounds[-2] = starts[-1]
        leaves = [LeafPage([k for k, _ in items[s:e]], [v for _, v in items[s:e]])
                  for s, e in zip(starts, bounds, strict=True)]
        for left, right in zip(leaves, leaves[1:], strict=False):
            left.next = right
        tree.n = len(items)
        nodes: list[LeafPage | InnerPage] = list(leaves)
        firsts = [leaf.keys[0] if leaf.keys else None for leaf in leaves]
        while len(nodes) > 1:
            starts = list(range(0, len(nodes), order))
            bounds = [*starts[1:], len(nodes)]
            if len(starts) > 1 and bounds[-1] - starts[-1] < low + 1:
                starts[-1] = bounds[-1] - (low + 1)
                bounds[-2] = starts[-1]
            nodes, firsts = (
                [InnerPage(firsts[s + 1:e], nodes[s:e]) for s, e in zip(starts, bounds, strict=True)],
                [firsts[s] for s in starts],
            )
            tree.height += 1
        tree.root = nodes[0]
        return tree
