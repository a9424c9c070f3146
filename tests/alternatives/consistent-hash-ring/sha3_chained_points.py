"""Hash-chained points: each point of a node is named after the position of the one before.

Point 0 of a node is named f"{node}>" and point i + 1 f"{node}>{position of point i}", so
a node's points are a chain that depends on nothing but the node (one hash_fn call per
point, as always). The default hash is the first 8 bytes of SHA3-256. Bounded loads use
the fact that, for an integer load, load + 1 <= ceil(x) holds exactly when load < x, so
no ceiling is taken.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping

Key = str | bytes


def sha3_64(data: bytes) -> int:
    """The first 8 bytes of SHA3-256(data), big-endian."""
    return int.from_bytes(hashlib.sha3_256(data).digest()[:8], "big")


class HashRing:
    """Consistent hash ring whose virtual points are generated as a hash chain."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError("vnodes must be at least 1")
        self._vnodes = vnodes
        self._hash_fn = hash_fn if hash_fn is not None else sha3_64
        self._weights: dict[str, int] = {}
        self._positions: list[int] = []
        self._owners: list[str] = []
        for node in nodes:
            self.add_node(node)

    def _chain(self, node: str, count: int) -> Iterator[int]:
        name = f"{node}>"
        for _ in range(count):
            position = self._hash_fn(name.encode("utf-8"))
            yield position
            name = f"{node}>{position}"

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._weights:
            raise ValueError(f"node {node!r} is already present")
        if weight < 1:
            raise ValueError("weight must be at least 1")
        self._weights[node] = weight
        for position in self._chain(node, self._vnodes * weight):
            i = bisect_left(self._positions, position)
            while (
                i < len(self._positions)
                and self._positions[i] == position
                and self._owners[i] < node
            ):
                i += 1
            self._positions.insert(i, position)
            self._owners.insert(i, node)

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        del self._weights[node]
        pairs = [(p, o) for p, o in zip(self._positions, self._owners, strict=True) if o != node]
        self._positions = [p for p, _ in pairs]
        self._owners = [o for _, o in pairs]

    def _start(self, key: Key) -> int:
        if not self._weights:
            raise LookupError("the ring is empty")
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif not isinstance(key, bytes):
            raise TypeError("key must be str or bytes")
        i = bisect_left(self._positions, self._hash_fn(key))
        return i if i < len(self._positions) else 0

    def _successors(self, start: int) -> Iterator[str]:
        """Each node once, in clockwise order from point `start`."""
        emitted: set[str] = set()
        size = len(self._owners)
        for offset in range(size):
            owner = self._owners[start + offset - size]
            if owner not in emitted:
                emitted.add(owner)
                yield owner
                if len(emitted) == len(self._weights):
                    break

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node of the first point at or after hash(key); bounded loads with `loads`."""
        if loads is None:
            return self._owners[self._start(key)]
        if c < 1:
            raise ValueError("c must be at least 1")
        start = self._start(key)
        share = c * (sum(loads.values()) + 1) / len(self._weights)
        for node in self._successors(start):
            if loads.get(node, 0) < share:
                return node
        raise LookupError("no node has room")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes clockwise from hash(key): a primary and its replicas."""
        if n < 1:
            raise ValueError("n must be at least 1")
        replicas: list[str] = []
        for node in self._successors(self._start(key)):
            if len(replicas) == n:
                break
            replicas.append(node)
        return replicas

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weights)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._weights)
