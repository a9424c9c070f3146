"""Personalised BLAKE2b by default; points named by the node's bytes plus a packed (copy, index).

A node of weight w gets w copies of the same vnodes-point pattern: point (copy, i) is
named node.encode() + struct.pack(">II", copy, i), so raising a node's weight keeps its
weight-1 points and adds more. The default hash is an 8-byte BLAKE2b digest with its own
personalisation string, read big-endian. Points are (position, node) tuples in one sorted
list; lookups use bisect with a key function, so only positions are compared.
"""

from __future__ import annotations

import hashlib
import math
import struct
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import itemgetter

Key = str | bytes

_position_of = itemgetter(0)


def blake2b_64(data: bytes) -> int:
    """A 64-bit BLAKE2b digest of `data`, personalised for this ring."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=b"hash-ring").digest(), "big")


class HashRing:
    """Consistent hash ring whose weights are copies of a node's point pattern."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be >= 1, got {vnodes}")
        self._vnodes = vnodes
        self._hash_fn = hash_fn if hash_fn is not None else blake2b_64
        self._weights: dict[str, int] = {}
        self._points: list[tuple[int, str]] = []
        for node in nodes:
            self.add_node(node)

    def _point_names(self, node: str, weight: int) -> Iterable[bytes]:
        prefix = node.encode("utf-8")
        for copy in range(weight):
            for i in range(self._vnodes):
                yield prefix + struct.pack(">II", copy, i)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._weights:
            raise ValueError(f"{node!r} is already on the ring")
        if weight < 1:
            raise ValueError(f"weight must be >= 1, got {weight}")
        for name in self._point_names(node, weight):
            insort(self._points, (self._hash_fn(name), node))
        self._weights[node] = weight

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        self._points = [point for point in self._points if point[1] != node]
        del self._weights[node]

    def _index(self, key: Key) -> int:
        if not self._weights:
            raise LookupError("no nodes on the ring")
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes):
            raise TypeError("keys must be str or bytes")
        i = bisect_left(self._points, self._hash_fn(key), key=_position_of)
        return i if i != len(self._points) else 0

    def _ring_order(self, start: int) -> Iterable[str]:
        """Every node once, in the order met walking clockwise from point `start`."""
        seen: set[str] = set()
        size = len(self._points)
        for i in chain(range(start, size), range(start)):
            node = self._points[i][1]
            if node not in seen:
                seen.add(node)
                yield node
                if len(seen) == len(self._weights):
                    break

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node owning hash(key); with `loads`, the first clockwise with spare capacity."""
        if loads is None:
            return self._points[self._index(key)][1]
        if c < 1:
            raise ValueError(f"c must be >= 1, got {c}")
        start = self._index(key)
        bound = math.ceil(c * (sum(loads.values()) + 1) / len(self._weights))
        found = next(
            (node for node in self._ring_order(start) if loads.get(node, 0) + 1 <= bound),
            None,
        )
        if found is None:
            raise LookupError("no node is below the bound")
        return found

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """The first `n` distinct nodes clockwise from hash(key)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        order = self._ring_order(self._index(key))
        return [node for node, _ in zip(order, range(n), strict=False)]

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weights)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._weights)
