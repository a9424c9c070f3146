"""Consistent hash ring with virtual nodes, weights, replication and bounded loads.

Every position on the ring, of keys and of points alike, is ``hash_fn(bytes)``. A sorted
list of point positions and a dict from position to node make a lookup one hash and one
binary search: O(log P) for P points. Adding or removing a node touches only its own points:
O(vnodes × weight × P) with list insertion, whose memmove is fast in practice.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping

Key = str | bytes


def stable_hash(data: bytes) -> int:
    """A 64-bit hash that is the same in every process, unlike the built-in ``hash()`` of a
    str, which is salted per process (PYTHONHASHSEED). blake2b is in the standard library,
    fast, and spreads even near-identical names like ``node#1`` and ``node#2`` evenly."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class HashRing:
    """Nodes on a circle of hash values; a key belongs to the first point at or after it."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        self._vnodes = vnodes
        self._hash = hash_fn or stable_hash
        self._positions: list[int] = []  # sorted point positions: bisect finds a key's arc
        self._owner: dict[int, str] = {}  # point position -> node
        self._points: dict[str, list[int]] = {}  # node -> its positions, to remove them
        for node in nodes:
            self.add_node(node)

    def _point_names(self, node: str, count: int) -> Iterator[bytes]:
        # The names depend only on the node and the point's number, never on the order
        # nodes arrived in: that is what makes every process build the same ring.
        for i in range(count):
            yield f"{node}#{i}".encode()

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add ``node`` with ``vnodes × weight`` points; O(points × P)."""
        if node in self._points:
            raise ValueError(f"node {node!r} is already on the ring")
        mine = []
        for name in self._point_names(node, self._vnodes * weight):
            position = self._hash(name)
            if position in self._owner:
                # Two points with one 64-bit hash: vanishingly rare; the owner keeps it.
                continue
            self._owner[position] = node
            bisect.insort(self._positions, position)
            mine.append(position)
        self._points[node] = mine

    def remove_node(self, node: str) -> None:
        """Remove ``node`` and its points; its arcs pass to the next points clockwise."""
        mine = self._points.pop(node)  # KeyError for an unknown node, as documented
        for position in mine:
            del self._owner[position]
            del self._positions[bisect.bisect_left(self._positions, position)]

    def _start(self, key: Key) -> int:
        """The index of the first point at or after the key's hash (0 past the end)."""
        if not self._positions:
            raise LookupError("the ring has no nodes")
        data = key.encode() if isinstance(key, str) else key
        index = bisect.bisect_left(self._positions, self._hash(data))  # one hash, log P compares
        return index if index < len(self._positions) else 0

    def _clockwise(self, start: int) -> Iterator[str]:
        """The nodes of the points from ``start`` round the ring once, repeats included."""
        positions = self._positions
        for step in range(len(positions)):
            yield self._owner[positions[(start + step) % len(positions)]]

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None,
                 c: float = 1.25) -> str:
        """The key's node: O(log P); with ``loads``, the first one clockwise with room."""
        if loads is None:  # the hot path, written out: one hash, one bisect, one dict lookup
            positions = self._positions
            if not positions:
                raise LookupError("the ring has no nodes")
            index = bisect.bisect_left(
                positions, self._hash(key.encode() if isinstance(key, str) else key))
            return self._owner[positions[index if index < len(positions) else 0]]
        if c < 1:
            raise ValueError(f"c must be at least 1 (got {c}), or no node may have room")
        start = self._start(key)
        # Mirrokni, Thorup & Zadimoghaddam: no node may take more than c times the average
        # load, counting the key being placed. With c >= 1 some node always has room.
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._points))
        for node in self._clockwise(start):
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise AssertionError("unreachable: with c >= 1 the least loaded node has room")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """``n`` distinct nodes clockwise from the key: its replicas. O(log P + P) at worst."""
        if n < 1:
            raise ValueError(f"n must be at least 1 (got {n})")
        wanted = min(n, len(self._points))
        found: list[str] = []
        seen: set[str] = set()
        for node in self._clockwise(self._start(key)):
            if node not in seen:
                seen.add(node)
                found.append(node)
                if len(found) == wanted:
                    break
        return found

    @property
    def nodes(self) -> set[str]:
        return set(self._points)

    def __len__(self) -> int:
        return len(self._points)
