"""One Node class for leaves and internal nodes; delete looks right before left.

How it differs from the reference:
- a single ``Node`` class with an ``is_leaf`` instance attribute; a leaf has
  ``children = None``, an internal node has ``values = None`` and ``next = None``;
- descents test ``is_leaf`` and keep the path as two parallel lists;
- a leaf split keeps the larger half on the left;
- a short node borrows from its right sibling first, then its left one, and merges with
  its right sibling when it has one (the right node survives for internal merges);
- ``range`` compares every key it yields with ``hi`` (k comparisons, still O(log n + k));
- ``bulk_load`` builds the leaves while it reads the input, and when the last leaf (or the
  last node of a level) is short it moves just enough entries from the previous one,
  instead of sharing evenly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Any


class Node:
    __slots__ = ("children", "is_leaf", "keys", "next", "values")

    def __init__(self, is_leaf: bool) -> None:
        self.is_leaf = is_leaf
        self.keys: list[Any] = []
        self.values: list[Any] | None = [] if is_leaf else None
        self.children: list[Node] | None = None if is_leaf else []
        self.next: Node | None = None


class BPlusTree:
    def __init__(self, order: int = 32) -> None:
        if type(order) is not int or order < 3:
            raise ValueError("order must be an int >= 3")
        self.order = order
        self.max_keys = order - 1
        self.min_keys = -(-order // 2) - 1
        self.root = Node(True)
        self.height = 1
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def _descend(self, key: Any) -> tuple[Node, list[Node], list[int]]:
        nodes: list[Node] = []
        idxs: list[int] = []
        node = self.root
        while not node.is_leaf:
            i = bisect_right(node.keys, key)
            nodes.append(node)
            idxs.append(i)
            node = node.children[i]  # type: ignore[index]
        return node, nodes, idxs

    def get(self, key: Any, default: Any = None) -> Any:
        leaf, _, _ = self._descend(key)
        i = bisect_left(leaf.keys, key)
        if i < len(leaf.keys) and leaf.keys[i] == key:
            return leaf.values[i]  # type: ignore[index]
        return default

    def __contains__(self, key: object) -> bool:
        marker = object()
        return self.get(key, marker) is not marker

    def __iter__(self) -> Iterator[Any]:
        node: Node | None = self.root
        while not node.is_leaf:  # type: ignore[union-attr]
            node = node.children[0]  # type: ignore[union-attr, index]
        while node is not None:
            yield from list(node.keys)
            node = node.next

    def range(self, lo: Any = None, hi: Any = None) -> Iterator[tuple[Any, Any]]:
        if lo is None:
            node: Node | None = self.root
            while not node.is_leaf:  # type: ignore[union-attr]
                node = node.children[0]  # type: ignore[union-attr, index]
            i = 0
        else:
            node, _, _ = self._descend(lo)
            i = bisect_left(node.keys, lo)
        while node is not None:
            while i < len(node.keys):
                key = node.keys[i]
                if hi is not None and not key < hi:
                    return
                yield key, node.values[i]  # type: ignore[index]
                i += 1
            node = node.next
            i = 0

    def insert(self, key: Any, value: Any) -> None:
        leaf, nodes, idxs = self._descend(key)
        i = bisect_left(leaf.keys, key)
        if i < len(leaf.keys) and leaf.keys[i] == key:
            leaf.values[i] = value  # type: ignore[index]
            return
        leaf.keys.insert(i, key)
        leaf.values.insert(i, value)  # type: ignore[union-attr]
        self.size += 1
        if len(leaf.keys) <= self.max_keys:
            return
        mid = (len(leaf.keys) + 1) // 2  # the larger half stays on the left
        right = Node(True)
        right.keys = leaf.keys[mid:]
        right.values = leaf.values[mid:]  # type: ignore[index]
        del leaf.keys[mid:]
        del leaf.values[mid:]  # type: ignore[union-attr]
        right.next = leaf.next
        leaf.next = right
        up_key, up_node = right.keys[0], right
        while nodes:
            parent = nodes.pop()
            j = idxs.pop()
            parent.keys.insert(j, up_key)
            parent.children.insert(j + 1, up_node)  # type: ignore[union-attr]
            if len(parent.keys) <= self.max_keys:
                return
            mid = len(parent.keys) // 2
            sibling = Node(False)
            up_key = parent.keys[mid]
            sibling.keys = parent.keys[mid + 1:]
            sibling.children = parent.children[mid + 1:]  # type: ignore[index]
            del parent.keys[mid:]
            del parent.children[mid + 1:]  # type: ignore[union-attr]
            up_node = sibling
        new_root = Node(False)
        new_root.keys = [up_key]
        new_root.children = [self.root, up_node]
        self.root = new_root
        self.height += 1

    def delete(self, key: Any) -> None:
        leaf, nodes, idxs = self._descend(key)
        i = bisect_left(leaf.keys, key)
        if i >= len(leaf.keys) or not leaf.keys[i] == key:
            raise KeyError(key)
        leaf.keys.pop(i)
        leaf.values.pop(i)  # type: ignore[union-attr]
        self.size -= 1
        node = leaf
        while nodes and len(node.keys) < self.min_keys:
            parent = nodes.pop()
            self._fix(parent, idxs.pop())
            node = parent
        if not self.root.is_leaf and len(self.root.children) == 1:  # type: ignore[arg-type]
            self.root = self.root.children[0]  # type: ignore[index]
            self.height -= 1

    def _fix(self, parent: Node, i: int) -> None:
        kids: list[Node] = parent.children  # type: ignore[assignment]
        node = kids[i]
        right = kids[i + 1] if i + 1 < len(kids) else None
        left = kids[i - 1] if i > 0 else None
        if right is not None and len(right.keys) > self.min_keys:
            if node.is_leaf:
                node.keys.append(right.keys.pop(0))
                node.values.append(right.values.pop(0))  # type: ignore[union-attr]
                parent.keys[i] = right.keys[0]
            else:
                node.keys.append(parent.keys[i])
                parent.keys[i] = right.keys.pop(0)
                node.children.append(right.children.pop(0))  # type: ignore[union-attr]
        elif left is not None and len(left.keys) > self.min_keys:
            if node.is_leaf:
                node.keys.insert(0, left.keys.pop())
                node.values.insert(0, left.values.pop())  # type: ignore[union-attr]
                parent.keys[i - 1] = node.keys[0]
            else:
                node.keys.insert(0, parent.keys[i - 1])
                parent.keys[i - 1] = left.keys.pop()
                node.children.insert(0, left.children.pop())  # type: ignore[union-attr]
        elif right is not None:
            self._join(parent, i)
        else:
            self._join(parent, i - 1)

    @staticmethod
    def _join(parent: Node, i: int) -> None:
        """Join children i and i + 1 of parent into one node."""
        kids: list[Node] = parent.children  # type: ignore[assignment]
        a, b = kids[i], kids[i + 1]
        sep = parent.keys.pop(i)
        if a.is_leaf:
            a.keys.extend(b.keys)
            a.values.extend(b.values)  # type: ignore[union-attr, arg-type]
            a.next = b.next
            del kids[i + 1]
        else:
            # Internal nodes: the right node survives and takes the left one's contents.
            b.keys[:0] = [*a.keys, sep]
            b.children[:0] = a.children  # type: ignore[index]
            del kids[i]

    @classmethod
    def bulk_load(cls, sorted_items: Iterable[tuple[Any, Any]], order: int = 32) -> BPlusTree:
        tree = cls(order)
        leaves: list[Node] = []
        current = Node(True)
        have_prev = False
        prev: Any = None
        count = 0
        for key, value in sorted_items:
            if have_prev and not prev < key:
                raise ValueError(f"keys not strictly increasing at {key!r}")
            have_prev, prev = True, key
            if len(current.keys) == tree.max_keys:
                if leaves:
                    leaves[-1].next = current
                leaves.append(current)
                current = Node(True)
            current.keys.append(key)
            current.values.append(value)  # type: ignore[union-attr]
            count += 1
        if leaves:
            leaves[-1].next = current
        leaves.append(current)
        if len(leaves) > 1 and len(current.keys) < tree.min_keys:
            prev_leaf = leaves[-2]
            take = tree.min_keys - len(current.keys)
            current.keys[:0] = prev_leaf.keys[-take:]
            current.values[:0] = prev_leaf.values[-take:]  # type: ignore[index]
            del prev_leaf.keys[-take:]
            del prev_leaf.values[-take:]  # type: ignore[union-attr]
        tree.size = count
        level: list[Node] = leaves
        mins = [leaf.keys[0] if leaf.keys else None for leaf in leaves]
        while len(level) > 1:
            groups = [list(range(s, min(s + order, len(level))))
                      for s in range(0, len(level), order)]
            min_children = tree.min_keys + 1
            if len(groups) > 1 and len(groups[-1]) < min_children:
                take = min_children - len(groups[-1])
                moved = groups[-2][-take:]
                del groups[-2][-take:]
                groups[-1][:0] = moved
            parents: list[Node] = []
            parent_mins: list[Any] = []
            for g in groups:
                p = Node(False)
                p.children = [level[j] for j in g]
                p.keys = [mins[j] for j in g[1:]]
                parents.append(p)
                parent_mins.append(mins[g[0]])
            level, mins = parents, parent_mins
            tree.height += 1
        tree.root = level[0]
        return tree
