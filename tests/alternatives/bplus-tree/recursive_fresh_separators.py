"""A recursive B+ tree whose deletes refresh the separators above the deleted key.

How it differs from the reference:
- separate ``Leaf`` and ``Branch`` classes: a leaf has no ``children`` attribute at all and
  a branch has no ``values`` or ``next``; ``is_leaf`` is a property;
- insert and delete recurse down the tree: a child reports a split (separator and new
  node) or that it has run short, and its parent handles it;
- delete keeps separators fresh: after a delete, the separator to the left of the child it
  went through becomes that child's new smallest key, so no deleted key stays behind;
- ``height`` is not stored but counted on demand, down the leftmost path;
- ``bulk_load`` streams the input into leaves (it never holds a separate list of keys)
  and builds the levels above with ``divmod`` arithmetic, sharing the last two nodes of a
  level evenly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Any


class Leaf:
    __slots__ = ("keys", "next", "values")

    def __init__(self, keys: list[Any] | None = None, values: list[Any] | None = None) -> None:
        self.keys: list[Any] = keys if keys is not None else []
        self.values: list[Any] = values if values is not None else []
        self.next: Leaf | None = None

    @property
    def is_leaf(self) -> bool:
        return True


class Branch:
    __slots__ = ("children", "keys")

    def __init__(self, keys: list[Any], children: list[Leaf | Branch]) -> None:
        self.keys = keys
        self.children = children

    @property
    def is_leaf(self) -> bool:
        return False


_MISSING = object()


class BPlusTree:
    def __init__(self, order: int = 32) -> None:
        if isinstance(order, bool) or not isinstance(order, int) or order < 3:
            raise ValueError(f"invalid order {order!r}")
        self._order = order
        self._min = (order + 1) // 2 - 1
        self.root: Leaf | Branch = Leaf()
        self._count = 0

    @property
    def height(self) -> int:
        h, node = 1, self.root
        while isinstance(node, Branch):
            node = node.children[0]
            h += 1
        return h

    def __len__(self) -> int:
        return self._count

    # lookups

    def _leaf_for(self, key: Any) -> Leaf:
        node = self.root
        while isinstance(node, Branch):
            node = node.children[bisect_right(node.keys, key)]
        return node

    def get(self, key: Any, default: Any = None) -> Any:
        leaf = self._leaf_for(key)
        i = bisect_left(leaf.keys, key)
        return leaf.values[i] if i < len(leaf.keys) and leaf.keys[i] == key else default

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def _first_leaf(self) -> Leaf:
        node = self.root
        while isinstance(node, Branch):
            node = node.children[0]
        return node

    def __iter__(self) -> Iterator[Any]:
        leaf: Leaf | None = self._first_leaf()
        while leaf is not None:
            yield from leaf.keys
            leaf = leaf.next

    def range(self, lo: Any = None, hi: Any = None) -> Iterator[tuple[Any, Any]]:
        leaf: Leaf | None
        if lo is None:
            leaf, i = self._first_leaf(), 0
        else:
            leaf = self._leaf_for(lo)
            i = bisect_left(leaf.keys, lo)
        while leaf is not None:
            j = len(leaf.keys) if hi is None else bisect_left(leaf.keys, hi, i)
            yield from zip(leaf.keys[i:j], leaf.values[i:j], strict=True)
            if j < len(leaf.keys):
                return
            leaf, i = leaf.next, 0

    # insert

    def insert(self, key: Any, value: Any) -> None:
        split = self._insert(self.root, key, value)
        if split is not None:
            sep, right = split
            self.root = Branch([sep], [self.root, right])

    def _insert(self, node: Leaf | Branch, key: Any,
                value: Any) -> tuple[Any, Leaf | Branch] | None:
        if isinstance(node, Leaf):
            i = bisect_left(node.keys, key)
            if i < len(node.keys) and node.keys[i] == key:
                node.values[i] = value
                return None
            node.keys.insert(i, key)
            node.values.insert(i, value)
            self._count += 1
            if len(node.keys) < self._order:
                return None
            half = len(node.keys) // 2
            right = Leaf(node.keys[half:], node.values[half:])
            del node.keys[half:], node.values[half:]
            right.next, node.next = node.next, right
            return right.keys[0], right
        i = bisect_right(node.keys, key)
        split = self._insert(node.children[i], key, value)
        if split is None:
            return None
        node.keys.insert(i, split[0])
        node.children.insert(i + 1, split[1])
        if len(node.children) <= self._order:
            return None
        half = len(node.keys) // 2
        up = node.keys[half]
        sibling = Branch(node.keys[half + 1:], node.children[half + 1:])
        del node.keys[half:], node.children[half + 1:]
        return up, sibling

    # delete

    def delete(self, key: Any) -> None:
        self._delete(self.root, key)
        self._count -= 1
        if isinstance(self.root, Branch) and len(self.root.children) == 1:
            self.root = self.root.children[0]

    def _delete(self, node: Leaf | Branch, key: Any) -> None:
        """Delete key under node; the caller repairs node if it ran short."""
        if isinstance(node, Leaf):
            i = bisect_left(node.keys, key)
            if i == len(node.keys) or node.keys[i] != key:
                raise KeyError(key)
            del node.keys[i], node.values[i]
            return
        i = bisect_right(node.keys, key)
        child = node.children[i]
        self._delete(child, key)
        if len(child.keys) < self._min:
            i = self._repair(node, i)
        # Refresh: the separator left of the child we went through becomes its smallest
        # key, so a deleted key never lingers as a separator on this path.
        if 0 < i < len(node.children):
            node.keys[i - 1] = self._smallest(node.children[i])

    @staticmethod
    def _smallest(node: Leaf | Branch) -> Any:
        while isinstance(node, Branch):
            node = node.children[0]
        return node.keys[0]

    def _repair(self, parent: Branch, i: int) -> int:
        """Fix the short child i of parent; return the index of the child that now holds
        its keys."""
        kids = parent.children
        if i > 0 and len(kids[i - 1].keys) > self._min:
            self._shift_right(parent, i - 1)
            return i
        if i + 1 < len(kids) and len(kids[i + 1].keys) > self._min:
            self._shift_left(parent, i)
            return i
        if i > 0:
            self._merge(parent, i - 1)
            return i - 1
        self._merge(parent, i)
        return i

    @staticmethod
    def _shift_right(parent: Branch, i: int) -> None:
        """Move one entry from children[i] to children[i + 1]."""
        a, b = parent.children[i], parent.children[i + 1]
        if isinstance(a, Leaf) and isinstance(b, Leaf):
            b.keys.insert(0, a.keys.pop())
            b.values.insert(0, a.values.pop())
            parent.keys[i] = b.keys[0]
        elif isinstance(a, Branch) and isinstance(b, Branch):
            b.keys.insert(0, parent.keys[i])
            b.children.insert(0, a.children.pop())
            parent.keys[i] = a.keys.pop()

    @staticmethod
    def _shift_left(parent: Branch, i: int) -> None:
        """Move one entry from children[i + 1] to children[i]."""
        a, b = parent.children[i], parent.children[i + 1]
        if isinstance(a, Leaf) and isinstance(b, Leaf):
            a.keys.append(b.keys.pop(0))
            a.values.append(b.values.pop(0))
            parent.keys[i] = b.keys[0]
        elif isinstance(a, Branch) and isinstance(b, Branch):
            a.keys.append(parent.keys[i])
            a.children.append(b.children.pop(0))
            parent.keys[i] = b.keys.pop(0)

    @staticmethod
    def _merge(parent: Branch, i: int) -> None:
        a, b = parent.children[i], parent.children.pop(i + 1)
        sep = parent.keys.pop(i)
        if isinstance(a, Leaf) and isinstance(b, Leaf):
            a.keys += b.keys
            a.values += b.values
            a.next = b.next
        elif isinstance(a, Branch) and isinstance(b, Branch):
            a.keys += [sep, *b.keys]
            a.children += b.children

    # bulk load

    @classmethod
    def bulk_load(cls, sorted_items: Iterable[tuple[Any, Any]], order: int = 32) -> BPlusTree:
        tree = cls(order)
        cap = order - 1
        leaves: list[Leaf] = [Leaf()]
        last: Any = _MISSING
        for key, value in sorted_items:
            if last is not _MISSING and not last < key:
                raise ValueError(f"{key!r} is out of order")
            last = key
            leaf = leaves[-1]
            if len(leaf.keys) == cap:
                leaf.next = leaf = Leaf()
                leaves.append(leaf)
            leaf.keys.append(key)
            leaf.values.append(value)
            tree._count += 1
        if len(leaves) > 1 and len(leaves[-1].keys) < tree._min:
            a, b = leaves[-2], leaves[-1]
            keys, values = a.keys + b.keys, a.values + b.values
            cut = (len(keys) + 1) // 2
            a.keys, b.keys = keys[:cut], keys[cut:]
            a.values, b.values = values[:cut], values[cut:]
        level: list[Leaf | Branch] = list(leaves)
        while len(level) > 1:
            groups, rest = divmod(len(level), order)
            sizes = [order] * groups + ([rest] if rest else [])
            if len(sizes) > 1 and sizes[-1] < tree._min + 1:
                total = sizes[-2] + sizes[-1]
                sizes[-2:] = [total - total // 2, total // 2]
            parents: list[Leaf | Branch] = []
            at = 0
            for size in sizes:
                kids = level[at:at + size]
                parents.append(Branch([cls._smallest(k) for k in kids[1:]], kids))
                at += size
            level = parents
        tree.root = level[0]
        return tree
