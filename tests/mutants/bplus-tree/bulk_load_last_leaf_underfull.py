"""Level 5: bulk_load leaves whatever remains in the last leaf, even below the minimum.

The last two leaves never share their keys.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import itemgetter, lt
from typing import Any, ClassVar, Generic, Protocol, Self, TypeAlias, TypeVar


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Comparable)
V = TypeVar("V")


class LeafNode(Generic[K, V]):
    """A leaf: sorted ``keys``, the ``values`` at the same positions, and ``next``, the
    leaf to the right (None for the last one)."""

    # __slots__: no per-node __dict__, so nodes are small and attribute access is fast.
    __slots__ = ("keys", "next", "values")
    is_leaf: ClassVar[bool] = True

    def __init__(self, keys: list[K], values: list[V],
                 next_leaf: LeafNode[K, V] | None = None) -> None:
        self.keys = keys
        self.values = values
        self.next = next_leaf

    def __repr__(self) -> str:
        return f"LeafNode({self.keys!r})"


class InternalNode(Generic[K, V]):
    """An internal node: sorted separator ``keys`` and ``len(keys) + 1`` ``children``."""

    __slots__ = ("children", "keys")
    is_leaf: ClassVar[bool] = False

    def __init__(self, keys: list[K], children: list[Node[K, V]]) -> None:
        self.keys = keys
        self.children = children

    def __repr__(self) -> str:
        return f"InternalNode({self.keys!r})"


Node: TypeAlias = "LeafNode[K, V] | InternalNode[K, V]"


class BPlusTree(Generic[K, V]):
    """A sorted mapping stored as a B+ tree of the given ``order`` (see the module doc).

    Deletes leave separators alone: a deleted key may stay in an internal node, where it
    still routes correctly (every key of ``children[i]`` is still in ``[keys[i-1],
    keys[i])``), so a delete never pays to refresh them.
    """

    def __init__(self, order: int = 32) -> None:
        """An empty tree. Raises ValueError unless ``order`` is an int >= 3."""
        # bool is an int subclass, but True is not an order anybody means.
        if isinstance(order, bool) or not isinstance(order, int) or order < 3:
            raise ValueError(f"order must be an int >= 3, got {order!r}")
        self._order = order
        self._min_keys = (order + 1) // 2 - 1  # ceil(order / 2) - 1, for every non-root node
        self._root: Node[K, V] = LeafNode([], [])
        self._height = 1  # counted in nodes: a lone leaf root is 1
        self._len = 0

    # -- introspection ----------------------------------------------------------------

    @property
    def root(self) -> Node[K, V]:
        """The root node: a leaf while the tree fits in one, else an internal node."""
        return self._root

    @property
    def height(self) -> int:
        """The number of nodes on any path from the root to a leaf (a lone leaf is 1)."""
        return self._height

    @property
    def order(self) -> int:
        """The most children an internal node may have."""
        return self._order

    def __len__(self) -> int:
        return self._len

    # -- lookups ----------------------------------------------------------------------

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value stored for ``key``, or ``default``. O(log n) comparisons."""
        # The descent is inlined rather than shared through _find: get is the hottest
        # path, and a Python call costs about as much as a level of the tree. ``node`` is
        # typed Any because the loop, not the checker, knows which nodes are internal.
        node: Any = self._root
        while not node.is_leaf:
            node = node.children[bisect_right(node.keys, key)]
        leaf: LeafNode[K, V] = node
        keys = leaf.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return leaf.values[i]
        return default

    def __contains__(self, key: object) -> bool:
        leaf, i = self._find(key)
        return i < len(leaf.keys) and leaf.keys[i] == key

    def _find(self, key: Any) -> tuple[LeafNode[K, V], int]:
        """The leaf where ``key`` is or would be, and ``bisect_left`` of it there."""
        node: Any = self._root
        while not node.is_leaf:
            node = node.children[bisect_right(node.keys, key)]
        return node, bisect_left(node.keys, key)

    def _leftmost(self) -> LeafNode[K, V]:
        node: Any = self._root
        while not node.is_leaf:
            node = node.children[0]
        leaf: LeafNode[K, V] = node
        return leaf

    @staticmethod
    def _leaves(leaf: LeafNode[K, V] | None) -> Iterator[LeafNode[K, V]]:
        """``leaf`` and every leaf to its right, along the chain."""
        while leaf is not None:
            yield leaf
            leaf = leaf.next

    def __iter__(self) -> Iterator[K]:
        """The keys in order, along the leaf chain. O(n), no key comparisons."""
        # Speed: chain.from_iterable runs through each leaf's keys in C; Python code only
        # steps from one leaf to the next.
        return chain.from_iterable(leaf.keys for leaf in self._leaves(self._leftmost()))

    def range(self, lo: K | None = None, hi: K | None = None) -> Iterator[tuple[K, V]]:
        """Yield ``(key, value)`` for ``lo <= key < hi`` in key order; None is unbounded.

        One descent to the leaf of ``lo``, then along the leaf chain: O(log n + k)
        comparisons for k results. Each leaf costs one comparison of its last key with
        ``hi`` (either all of it is in range, or the range ends inside it), so keys are not
        compared one by one, and the walk stops at the first leaf that reaches ``hi``.
        """
        # Speed, as in __iter__: each leaf contributes one zip over two slices, whose
        # pairs chain.from_iterable hands out in C.
        return chain.from_iterable(self._range_runs(lo, hi))

    def _range_runs(self, lo: K | None, hi: K | None) -> Iterator[Iterator[tuple[K, V]]]:
        """The pairs of ``range(lo, hi)``, one iterator per leaf."""
        if lo is None:
            leaf: LeafNode[K, V] | None = self._leftmost()
            start = 0
        else:
            leaf, start = self._find(lo)
        while leaf is not None:
            keys = leaf.keys
            # ``keys`` is empty only in the root leaf of an empty tree.
            if hi is not None and keys and not keys[-1] < hi:
                end = bisect_left(keys, hi, start)
                yield zip(keys[start:end], leaf.values[start:end], strict=True)
                return
            yield zip(keys[start:], leaf.values[start:], strict=True)
            leaf = leaf.next
            start = 0

    # -- updates ----------------------------------------------------------------------

    def insert(self, key: K, value: V) -> None:
        """Insert ``key`` or replace its value. O(log n) comparisons.

        A leaf that reaches ``order`` keys splits in two and its parent gets a new
        separator; a parent that reaches ``order + 1`` children splits too, and so on up.
        A root split adds a level: that is the only way the tree grows taller.
        """
        node: Any = self._root
        path: list[tuple[InternalNode[K, V], int]] = []  # (parent, child index), root first
        while not node.is_leaf:
            i = bisect_right(node.keys, key)
            path.append((node, i))
            node = node.children[i]
        leaf: LeafNode[K, V] = node
        keys = leaf.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            leaf.values[i] = value  # upsert: same key, new value, no structural change
            return
        keys.insert(i, key)
        leaf.values.insert(i, value)
        self._len += 1
        if len(keys) < self._order:
            return

        # The leaf holds ``order`` keys, one too many: split it. The right half's first key
        # is *copied* up as the separator (leaves keep every key).
        mid = len(keys) // 2
        right_leaf = LeafNode(keys[mid:], leaf.values[mid:], leaf.next)
        del keys[mid:], leaf.values[mid:]
        leaf.next = right_leaf
        separator: K = right_leaf.keys[0]
        new_child: Node[K, V] = right_leaf

        while path:
            parent, i = path.pop()
            parent.keys.insert(i, separator)
            parent.children.insert(i + 1, new_child)
            if len(parent.children) <= self._order:
                return
            # ``order + 1`` children: split, and *move* the middle key up (an internal key
            # routes; it does not need to stay down here as well).
            mid = len(parent.keys) // 2
            separator = parent.keys[mid]
            new_child = InternalNode(parent.keys[mid + 1:], parent.children[mid + 1:])
            del parent.keys[mid:], parent.children[mid + 1:]

        self._root = InternalNode([separator], [self._root, new_child])
        self._height += 1

    def delete(self, key: K) -> None:
        """Remove ``key``; KeyError if it is absent. O(log n) comparisons.

        A node left below the minimum borrows a key from a sibling that can spare one,
        or else merges with a sibling, which takes a key from the parent; that may leave
        the parent short in turn, and so on up. A root left with a single child is
        replaced by it: that is the only way the tree grows shorter.
        """
        node: Any = self._root
        path: list[tuple[InternalNode[K, V], int]] = []
        while not node.is_leaf:
            i = bisect_right(node.keys, key)
            path.append((node, i))
            node = node.children[i]
        keys = node.keys
        i = bisect_left(keys, key)
        if i == len(keys) or keys[i] != key:
            raise KeyError(key)
        del keys[i], node.values[i]
        self._len -= 1
        # The separators above keep their keys, even ``key`` itself: see the class doc.

        while path and len(node.keys) < self._min_keys:
            parent, i = path.pop()
            self._rebalance(parent, i)
            node = parent

        root = self._root
        if isinstance(root, InternalNode) and not root.keys:
            self._root = root.children[0]
            self._height -= 1

    def _rebalance(self, parent: InternalNode[K, V], i: int) -> None:
        """Bring ``parent.children[i]``, one key short, back to the minimum.

        Borrowing touches three nodes and never changes the parent's size, so it is tried
        first (left sibling, then right). Merging removes a separator from the parent.
        """
        children = parent.children
        node: Any = children[i]
        if i > 0:
            left: Any = children[i - 1]
            if len(left.keys) > self._min_keys:
                if node.is_leaf:
                    node.keys.insert(0, left.keys.pop())
                    node.values.insert(0, left.values.pop())
                    parent.keys[i - 1] = node.keys[0]
                else:
                    # Rotate through the parent: its separator comes down, the left
                    # sibling's last key goes up in its place, with the last child.
                    node.keys.insert(0, parent.keys[i - 1])
                    node.children.insert(0, left.children.pop())
                    parent.keys[i - 1] = left.keys.pop()
                return
        if i + 1 < len(children):
            right: Any = children[i + 1]
            if len(right.keys) > self._min_keys:
                if node.is_leaf:
                    node.keys.append(right.keys.pop(0))
                    node.values.append(right.values.pop(0))
                    parent.keys[i] = right.keys[0]
                else:
                    node.keys.append(parent.keys[i])
                    node.children.append(right.children.pop(0))
                    parent.keys[i] = right.keys.pop(0)
                return
        # Neither sibling can spare a key, so a merge fits in one node: at most
        # (min - 1) + min (+ 1 separator) <= order - 1 keys. Merge into the left one.
        if i > 0:
            self._merge(parent, i - 1)
        else:
            self._merge(parent, i)

    @staticmethod
    def _merge(parent: InternalNode[K, V], i: int) -> None:
        """Merge ``parent.children[i + 1]`` into ``parent.children[i]``."""
        left: Any = parent.children[i]
        right: Any = parent.children.pop(i + 1)
        separator = parent.keys.pop(i)
        if left.is_leaf:
            left.keys += right.keys
            left.values += right.values
            left.next = right.next
        else:
            # The separator comes down between the two halves: it bounds them both.
            left.keys += [separator, *right.keys]
            left.children += right.children

    # -- bulk loading -----------------------------------------------------------------

    @classmethod
    def bulk_load(cls, sorted_items: Iterable[tuple[K, V]], order: int = 32) -> Self:
        """A tree of minimal height holding ``sorted_items``, (key, value) pairs in strictly
        increasing key order; ValueError if a key is not greater than the one before.

        O(n): the input is read once (a one-shot generator is fine) and each key is
        compared only with its predecessor. Leaves are full (order - 1 keys) except that
        the last two share their keys evenly when the last would fall below the minimum;
        each internal level is packed the same way, bottom up. Inserting one by one would
        cost O(n log n) comparisons and leave leaves half empty after their splits.
        """
        tree = cls(order)
        # Speed: list() makes the one pass over the input (a one-shot generator is fine),
        # and itemgetter, map and slicing then run in C, not once per item in Python.
        # map(lt, ...) makes the n - 1 comparisons of neighbours; only when one fails do we
        # search for the culprit, to name it in the error.
        items = list(sorted_items)
        keys: list[K] = list(map(itemgetter(0), items))
        values: list[V] = list(map(itemgetter(1), items))
        del items
        if not all(map(lt, keys, keys[1:])):
            at = next(j for j in range(1, len(keys)) if not keys[j - 1] < keys[j])
            raise ValueError(f"bulk_load needs strictly increasing keys: {keys[at]!r} "
                             f"(position {at}) follows {keys[at - 1]!r}")
        if len(keys) < order:
            tree._root = LeafNode(keys, values)
            tree._len = len(keys)
            return tree

        level: list[Node[K, V]] = []
        lows: list[K] = []  # the smallest key under each node of ``level``
        start = 0
        previous: LeafNode[K, V] | None = None
        for size in _pack(len(keys), order - 1, 0):
            leaf = LeafNode(keys[start:start + size], values[start:start + size])
            if previous is not None:
                previous.next = leaf
            level.append(leaf)
            lows.append(keys[start])
            previous = leaf
            start += size
        height = 1
        while len(level) > 1:
            parents: list[Node[K, V]] = []
            parent_lows: list[K] = []
            start = 0
            for size in _pack(len(level), order, tree._min_keys + 1):
                # The separators of a node are the smallest keys under children 1..size-1.
                parents.append(InternalNode(lows[start + 1:start + size],
                                            level[start:start + size]))
                parent_lows.append(lows[start])
                start += size
            level, lows = parents, parent_lows
            height += 1
        tree._root = level[0]
        tree._height = height
        tree._len = len(keys)
        return tree


def _pack(count: int, capacity: int, minimum: int) -> list[int]:
    """Sizes of groups of ``count`` items, as full as ``capacity`` allows, in order.

    All groups are full but the last; if that one would hold fewer than ``minimum``, the
    last two share their items evenly instead (both then hold at least ``minimum``,
    because ``capacity + 1 >= 2 * minimum``). A single group may hold fewer: it is the
    root.
    """
    full, rest = divmod(count, capacity)
    sizes = [capacity] * full
    if rest:
        if sizes and rest < minimum:
            total = capacity + rest
            sizes[-1] = total - total // 2
            rest = total // 2
        sizes.append(rest)
    return sizes
