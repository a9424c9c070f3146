"""Level 5: bulk_load's sortedness check stops one pair early, so a duplicate (or out-of-order) final key is accepted.

The right-first alternative (tests/alternatives/bplus-tree/right_first_hand_written_search.py) with this one mistake.
Unusual but allowed choices: leaves have no ``children`` attribute at all,
delete borrows from the right sibling before the left one, bulk_load builds
full leaves and then each parent level in turn, and the in-node search is a
hand-written binary search using both ``==`` and ``<``.
"""

from operator import index as _as_index


class _Leaf:
    __slots__ = ("keys", "values", "next")
    is_leaf = True

    def __init__(self, keys=None, values=None):
        self.keys = [] if keys is None else keys
        self.values = [] if values is None else values
        self.next = None

    def __repr__(self):
        return f"Leaf({self.keys!r})"


class _Internal:
    __slots__ = ("keys", "children")
    is_leaf = False

    def __init__(self, keys, children):
        self.keys = keys
        self.children = children

    def __repr__(self):
        return f"Internal({self.keys!r})"


def _search(keys, key):
    """Binary search: (position, found). If found, keys[position] == key;
    otherwise position is where key would be inserted."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        probe = keys[mid]
        if key == probe:
            return mid, True
        if key < probe:
            hi = mid
        else:
            lo = mid + 1
    return lo, False


def _chunk_sizes(total, capacity, minimum):
    """Sizes of consecutive groups: all full, except that the last two share
    their items when the last would otherwise fall below ``minimum``."""
    sizes = [capacity] * (total // capacity)
    rest = total % capacity
    if rest:
        sizes.append(rest)
    if len(sizes) > 1 and sizes[-1] < minimum:
        pair = sizes[-2] + sizes[-1]
        sizes[-2] = (pair + 1) // 2
        sizes[-1] = pair // 2
    return sizes


class BPlusTree:
    def __init__(self, order=32):
        order = _as_index(order)
        if order < 3:
            raise ValueError(f"order must be at least 3, got {order}")
        self.order = order
        self._max_keys = order - 1
        self._min_keys = (order + 1) // 2 - 1
        self.root = _Leaf()
        self._size = 0
        self._height = 1

    # ------------------------------------------------------------------ lookup
    def _locate(self, key):
        node = self.root
        while not node.is_leaf:
            i, found = _search(node.keys, key)
            node = node.children[i + 1 if found else i]
        i, found = _search(node.keys, key)
        return node, i, found

    def get(self, key, default=None):
        leaf, i, found = self._locate(key)
        return leaf.values[i] if found else default

    def __contains__(self, key):
        return self._locate(key)[2]

    def __len__(self):
        return self._size

    @property
    def height(self):
        return self._height

    def _leftmost_leaf(self):
        node = self.root
        while not node.is_leaf:
            node = node.children[0]
        return node

    def __iter__(self):
        leaf = self._leftmost_leaf()
        while leaf is not None:
            yield from leaf.keys
            leaf = leaf.next

    def range(self, lo=None, hi=None):
        if lo is None:
            leaf, i = self._leftmost_leaf(), 0
        else:
            leaf, i, _ = self._locate(lo)
        while leaf is not None:
            keys, values = leaf.keys, leaf.values
            for j in range(i, len(keys)):
                key = keys[j]
                if hi is not None and not key < hi:
                    return
                yield key, values[j]
            leaf = leaf.next
            i = 0

    # ------------------------------------------------------------------ insert
    def insert(self, key, value):
        split = self._insert(self.root, key, value)
        if split is not None:
            separator, right = split
            self.root = _Internal([separator], [self.root, right])
            self._height += 1

    def _insert(self, node, key, value):
        i, found = _search(node.keys, key)
        if node.is_leaf:
            if found:
                node.values[i] = value
                return None
            node.keys.insert(i, key)
            node.values.insert(i, value)
            self._size += 1
            if len(node.keys) > self._max_keys:
                return self._split_leaf(node)
            return None
        slot = i + 1 if found else i
        split = self._insert(node.children[slot], key, value)
        if split is None:
            return None
        separator, right = split
        node.keys.insert(slot, separator)
        node.children.insert(slot + 1, right)
        if len(node.keys) > self._max_keys:
            return self._split_internal(node)
        return None

    @staticmethod
    def _split_leaf(leaf):
        mid = (len(leaf.keys) + 1) // 2
        right = _Leaf(leaf.keys[mid:], leaf.values[mid:])
        del leaf.keys[mid:]
        del leaf.values[mid:]
        right.next = leaf.next
        leaf.next = right
        return right.keys[0], right

    @staticmethod
    def _split_internal(node):
        mid = len(node.keys) // 2
        separator = node.keys[mid]
        right = _Internal(node.keys[mid + 1:], node.children[mid + 1:])
        del node.keys[mid:]
        del node.children[mid + 1:]
        return separator, right

    # ------------------------------------------------------------------ delete
    def delete(self, key):
        self._delete(self.root, key)
        self._size -= 1
        root = self.root
        if not root.is_leaf and not root.keys:
            self.root = root.children[0]
            self._height -= 1

    def _delete(self, node, key):
        i, found = _search(node.keys, key)
        if node.is_leaf:
            if not found:
                raise KeyError(key)
            del node.keys[i]
            del node.values[i]
            return
        slot = i + 1 if found else i
        child = node.children[slot]
        self._delete(child, key)
        if len(child.keys) < self._min_keys:
            self._rebalance(node, slot)

    def _rebalance(self, parent, slot):
        child = parent.children[slot]
        left = parent.children[slot - 1] if slot > 0 else None
        right = parent.children[slot + 1] if slot + 1 < len(parent.children) else None
        if right is not None and len(right.keys) > self._min_keys:
            # borrow the right sibling's first entry
            if child.is_leaf:
                child.keys.append(right.keys.pop(0))
                child.values.append(right.values.pop(0))
                parent.keys[slot] = right.keys[0]
            else:
                child.keys.append(parent.keys[slot])
                child.children.append(right.children.pop(0))
                parent.keys[slot] = right.keys.pop(0)
        elif left is not None and len(left.keys) > self._min_keys:
            # borrow the left sibling's last entry
            if child.is_leaf:
                child.keys.insert(0, left.keys.pop())
                child.values.insert(0, left.values.pop())
                parent.keys[slot - 1] = child.keys[0]
            else:
                child.keys.insert(0, parent.keys[slot - 1])
                child.children.insert(0, left.children.pop())
                parent.keys[slot - 1] = left.keys.pop()
        elif right is not None:
            # absorb the right sibling into the child
            if child.is_leaf:
                child.keys.extend(right.keys)
                child.values.extend(right.values)
                child.next = right.next
            else:
                child.keys.append(parent.keys[slot])
                child.keys.extend(right.keys)
                child.children.extend(right.children)
            del parent.keys[slot]
            del parent.children[slot + 1]
        else:
            # fold the child into its left sibling
            if child.is_leaf:
                left.keys.extend(child.keys)
                left.values.extend(child.values)
                left.next = child.next
            else:
                left.keys.append(parent.keys[slot - 1])
                left.keys.extend(child.keys)
                left.children.extend(child.children)
            del parent.keys[slot - 1]
            del parent.children[slot]

    # --------------------------------------------------------------- bulk load
    @classmethod
    def bulk_load(cls, sorted_items, order=32):
        tree = cls(order)
        keys, values = [], []
        for key, value in sorted_items:
            keys.append(key)
            values.append(value)
        n = len(keys)
        for i in range(1, n - 1):
            if not keys[i - 1] < keys[i]:
                raise ValueError(f"keys not strictly increasing at position {i}")
        if n == 0:
            return tree

        # leaves: full, except that the last two may share
        level, lows = [], []
        start = 0
        for size in _chunk_sizes(n, tree._max_keys, tree._min_keys):
            leaf = _Leaf(keys[start:start + size], values[start:start + size])
            if level:
                level[-1].next = leaf
            level.append(leaf)
            lows.append(keys[start])
            start += size
        height = 1

        # parents, one level at a time, until a single root remains
        while len(level) > 1:
            parents, parent_lows = [], []
            start = 0
            for size in _chunk_sizes(len(level), order, tree._min_keys + 1):
                group = level[start:start + size]
                parents.append(_Internal(lows[start + 1:start + size], group))
                parent_lows.append(lows[start])
                start += size
            level, lows = parents, parent_lows
            height += 1

        tree.root = level[0]
        tree._size = n
        tree._height = height
        return tree
