"""Level 1: the node is chosen as hash(key) mod the number of nodes in a sorted list, not by a ring.

This is the "obvious" scheme the kata exists to replace: it ignores the at-or-after rule,
and adding or removing a node changes the modulus and remaps almost every key.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping

Key = str | bytes


def _blake2b_64(data: bytes) -> int:
    """A stable 64-bit hash: the first 8 bytes of BLAKE2b, big-endian."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class HashRing:
    """Keys spread over the nodes, each node listed once per unit of weight."""

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
        self._slots: list[str] = []
        for node in nodes:
            self.add_node(node)

    def _rebuild(self) -> None:
        self._slots = sorted(node for node, weight in self._weights.items() for _ in range(weight))

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with weight `weight`; ValueError if already present."""
        if node in self._weights:
            raise ValueError(f"node {node!r} is already on the ring")
        if weight < 1:
            raise ValueError(f"weight must be >= 1, got {weight!r}")
        self._weights[node] = weight
        self._rebuild()

    def remove_node(self, node: str) -> None:
        """Remove `node`; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        del self._weights[node]
        self._rebuild()

    def _position(self, key: Key) -> int:
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif not isinstance(key, bytes):
            raise TypeError(f"key must be str or bytes, not {type(key).__name__}")
        return self._hash(key)

    def _start(self, key: Key) -> int:
        if not self._slots:
            raise LookupError("the ring is empty")
        return self._position(key) % len(self._slots)

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node in slot hash(key) mod the number of slots; with `loads`, bounded loads."""
        if loads is None:
            return self._slots[self._start(key)]
        if c < 1:
            raise ValueError(f"c must be >= 1, got {c!r}")
        start = self._start(key)
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._weights))
        count = len(self._slots)
        for step in range(count):
            node = self._slots[(start + step) % count]
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise LookupError("no node has room under the load bound")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes from the key's slot onwards."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        start = self._start(key)
        found: list[str] = []
        count = len(self._slots)
        for step in range(count):
            node = self._slots[(start + step) % count]
            if node not in found:
                found.append(node)
                if len(found) == min(n, len(self._weights)):
                    break
        return found

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weights)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._weights)
