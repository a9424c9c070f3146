"""Truncated SHA-256 by default, index-first point names, a hand-written binary search.

The default position is the first 8 bytes of SHA-256, big-endian. Point i of a node is
named f"{i}-{node}". Lookups, and the insertion of each new point, run a lower-bound
binary search written out by hand rather than calling bisect (a point landing on a taken
position goes after the owners with smaller names). When more replicas are asked for
than there are nodes, get_nodes returns the primary first and the rest by name (the
README leaves that order open).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping

Key = str | bytes


def sha256_64(data: bytes) -> int:
    """The first 64 bits of SHA-256(data)."""
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


class HashRing:
    """Consistent hash ring kept as one sorted list of (position, node) pairs."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError("vnodes must be positive")
        self._vnodes = vnodes
        self._hash_fn = sha256_64 if hash_fn is None else hash_fn
        self._weights: dict[str, int] = {}
        self._ring: list[tuple[int, str]] = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._weights:
            raise ValueError(f"duplicate node {node!r}")
        if weight < 1:
            raise ValueError("weight must be positive")
        for i in range(self._vnodes * weight):
            point = (self._hash_fn(f"{i}-{node}".encode()), node)
            at = self._lower_bound(point[0])
            while at < len(self._ring) and self._ring[at] < point:
                at += 1
            self._ring.insert(at, point)
        self._weights[node] = weight

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        del self._weights[node]
        self._ring = [point for point in self._ring if point[1] != node]

    def _lower_bound(self, position: int) -> int:
        """Index of the first point at or after `position`; len(ring) if there is none."""
        lo, hi = 0, len(self._ring)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._ring[mid][0] < position:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _locate(self, key: Key) -> int:
        if not self._ring:
            raise LookupError("empty ring")
        if isinstance(key, str):
            data = key.encode("utf-8")
        elif isinstance(key, bytes):
            data = key
        else:
            raise TypeError("key must be str or bytes")
        i = self._lower_bound(self._hash_fn(data))
        return i if i < len(self._ring) else 0

    def _distinct_from(self, start: int) -> Iterator[str]:
        seen: set[str] = set()
        size = len(self._ring)
        i = start
        for _ in range(size):
            node = self._ring[i][1]
            if node not in seen:
                seen.add(node)
                yield node
                if len(seen) == len(self._weights):
                    return
            i = i + 1 if i + 1 < size else 0

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The first node clockwise at or after hash(key), or the first with room under `loads`."""
        if loads is not None and c < 1:
            raise ValueError("c must be >= 1")
        start = self._locate(key)
        if loads is None:
            return self._ring[start][1]
        total = sum(loads.values())
        limit = math.ceil(c * (total + 1) / len(self._weights))
        for node in self._distinct_from(start):
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise LookupError("no node has room")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes clockwise from hash(key); all nodes if n exceeds their count."""
        if n < 1:
            raise ValueError("n must be >= 1")
        start = self._locate(key)
        if n > len(self._weights):
            primary = self._ring[start][1]
            return [primary, *sorted(node for node in self._weights if node != primary)]
        walk = self._distinct_from(start)
        return [next(walk) for _ in range(n)]

    @property
    def nodes(self) -> frozenset[str]:
        """The nodes on the ring."""
        return frozenset(self._weights)

    def __len__(self) -> int:
        """The number of nodes on the ring."""
        return len(self._weights)
