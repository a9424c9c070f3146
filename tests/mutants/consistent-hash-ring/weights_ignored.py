"""Level 1: add_node records the weight but always creates vnodes points, so weights have no effect."""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping

Key = str | bytes


def _blake2b_64(data: bytes) -> int:
    """A stable 64-bit hash: the first 8 bytes of BLAKE2b, big-endian."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class HashRing:
    """Consistent hash ring with virtual nodes, weights, replicas and bounded loads."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be >= 1, got {vnodes!r}")
        self._vnodes = vnodes
        self._hash = hash_fn if hash_fn is not None else _blake2b_64
        self._weights: dict[str, int] = {}
        self._points: list[tuple[int, str]] = []
        self._hashes: list[int] = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if already present."""
        if node in self._weights:
            raise ValueError(f"node {node!r} is already on the ring")
        if weight < 1:
            raise ValueError(f"weight must be >= 1, got {weight!r}")
        self._weights[node] = weight
        for i in range(self._vnodes):
            point = (self._hash(f"{node}#{i}".encode()), node)
            at = bisect_left(self._hashes, point[0])
            while at < len(self._points) and self._points[at] < point:
                at += 1
            self._points.insert(at, point)
            self._hashes.insert(at, point[0])

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        del self._weights[node]
        self._points = [p for p in self._points if p[1] != node]
        self._hashes = [h for h, _ in self._points]

    def _position(self, key: Key) -> int:
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif not isinstance(key, bytes):
            raise TypeError(f"key must be str or bytes, not {type(key).__name__}")
        return self._hash(key)

    def _start(self, key: Key) -> int:
        if not self._points:
            raise LookupError("the ring is empty")
        i = bisect_left(self._hashes, self._position(key))
        return 0 if i == len(self._hashes) else i

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node of the first point at or after hash(key); with `loads`, bounded loads."""
        if loads is None:
            return self._points[self._start(key)][1]
        if c < 1:
            raise ValueError(f"c must be >= 1, got {c!r}")
        start = self._start(key)
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._weights))
        seen: set[str] = set()
        count = len(self._points)
        for step in range(count):
            node = self._points[(start + step) % count][1]
            if node in seen:
                continue
            if loads.get(node, 0) + 1 <= limit:
                return node
            seen.add(node)
            if len(seen) == len(self._weights):
                break
        raise LookupError("no node has room under the load bound")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes clockwise from hash(key), the first being get_node(key)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        start = self._start(key)
        want = min(n, len(self._weights))
        found: list[str] = []
        seen: set[str] = set()
        count = len(self._points)
        for step in range(count):
            node = self._points[(start + step) % count][1]
            if node not in seen:
                seen.add(node)
                found.append(node)
                if len(found) == want:
                    break
        return found

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weights)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._weights)
