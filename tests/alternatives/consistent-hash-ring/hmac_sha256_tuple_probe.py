"""Keyed HMAC-SHA256 by default; (position, node) tuples searched with a one-element probe.

The default hash is HMAC-SHA256 under a fixed, public key, truncated to 64 bits: as
stable as any digest. Points are kept as sorted (position, node) tuples and a key is
located with bisect_left(points, (h,)): a 1-tuple sorts before every pair that starts
with h, so this finds the first point at or after h, and ties between equal positions
fall to the smaller node name. Points are named f"{node}@{i}"; a new node's points are
inserted one at a time with insort.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping

Key = str | bytes

_KEY = b"consistent-hash-ring"


def hmac_sha256_64(data: bytes) -> int:
    """HMAC-SHA256(_KEY, data) truncated to its first 64 bits."""
    return int.from_bytes(hmac.new(_KEY, data, hashlib.sha256).digest()[:8], "big")


class HashRing:
    """Consistent hash ring over a sorted list of (position, node) tuples."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be a positive integer, got {vnodes!r}")
        self._vnodes = vnodes
        self._hash_fn: Callable[[bytes], int] = hmac_sha256_64 if hash_fn is None else hash_fn
        self._weight: dict[str, int] = {}
        self._points: list[tuple[int, str]] = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._weight:
            raise ValueError(f"{node!r} is already a node")
        if weight < 1:
            raise ValueError(f"weight must be a positive integer, got {weight!r}")
        for i in range(self._vnodes * weight):
            insort(self._points, (self._hash_fn(f"{node}@{i}".encode()), node))
        self._weight[node] = weight

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        try:
            del self._weight[node]
        except KeyError:
            raise KeyError(node) from None
        self._points = [point for point in self._points if point[1] != node]

    def _locate(self, key: Key) -> int:
        if not self._points:
            raise LookupError("no nodes on the ring")
        if isinstance(key, str):
            data = key.encode("utf-8")
        elif isinstance(key, bytes):
            data = key
        else:
            raise TypeError(f"expected str or bytes, got {type(key).__name__}")
        i = bisect_left(self._points, (self._hash_fn(data),))
        return i if i < len(self._points) else 0

    def _nodes_clockwise(self, start: int, limit: int) -> list[str]:
        """Up to `limit` distinct nodes in ring order from point `start`."""
        found: dict[str, None] = {}
        size = len(self._points)
        i = start
        for _ in range(size):
            found.setdefault(self._points[i][1])
            if len(found) == limit:
                break
            i += 1
            if i == size:
                i = 0
        return list(found)

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The first node clockwise at or after hash(key); with `loads`, the first with room."""
        if loads is not None and c < 1:
            raise ValueError(f"c must be >= 1, got {c!r}")
        start = self._locate(key)
        if loads is None:
            return self._points[start][1]
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._weight))
        size = len(self._points)
        tried: set[str] = set()
        for step in range(size):
            node = self._points[(start + step) % size][1]
            if node in tried:
                continue
            if loads.get(node, 0) + 1 <= limit:
                return node
            tried.add(node)
        raise LookupError("all nodes are at the load limit")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes walking clockwise from hash(key)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        return self._nodes_clockwise(self._locate(key), min(n, len(self._weight)))

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weight)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._weight)
