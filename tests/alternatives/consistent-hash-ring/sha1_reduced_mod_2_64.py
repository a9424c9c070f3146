"""Full SHA-1 as the default hash, every position (keys and points alike) reduced mod 2**64.

The default hash is the whole 160-bit SHA-1 digest as an integer; the ring works mod
2**64 and applies the same reduction to every value hash_fn returns, so keys and points
stay comparable whatever range a custom hash_fn uses (values already in range are kept
unchanged). Each distinct position appears once in a sorted list, inserted eagerly with
insort, and a dict maps it to the nodes whose points landed there, smallest name first.
Points are named f"{node}:{i}".
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping

Key = str | bytes

RING_SIZE = 1 << 64


def sha1_int(data: bytes) -> int:
    """SHA-1 of `data` as a 160-bit integer."""
    return int.from_bytes(hashlib.sha1(data).digest(), "big")


def _reduce(value: int) -> int:
    """`value` mod 2**64."""
    return value if 0 <= value < RING_SIZE else value % RING_SIZE


class HashRing:
    """Consistent hash ring on the circle of integers mod 2**64."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be >= 1, got {vnodes!r}")
        self._vnodes = vnodes
        self._hash_fn = sha1_int if hash_fn is None else hash_fn
        self._positions: list[int] = []
        self._owners: dict[int, list[str]] = {}
        self._points_of: dict[str, list[int]] = {}
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._points_of:
            raise ValueError(f"node {node!r} is already on the ring")
        if weight < 1:
            raise ValueError(f"weight must be >= 1, got {weight!r}")
        mine: list[int] = []
        for i in range(self._vnodes * weight):
            position = _reduce(self._hash_fn(f"{node}:{i}".encode()))
            owners = self._owners.get(position)
            if owners is None:
                self._owners[position] = [node]
                insort(self._positions, position)
            else:
                insort(owners, node)
            mine.append(position)
        self._points_of[node] = mine

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        if node not in self._points_of:
            raise KeyError(node)
        for position in self._points_of.pop(node):
            owners = self._owners[position]
            owners.remove(node)
            if not owners:
                del self._owners[position]
                del self._positions[bisect_left(self._positions, position)]

    def _slot(self, key: Key) -> int:
        if not self._points_of:
            raise LookupError("the ring is empty")
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif not isinstance(key, bytes):
            raise TypeError(f"key must be str or bytes, not {type(key).__name__}")
        i = bisect_left(self._positions, _reduce(self._hash_fn(key)))
        return 0 if i == len(self._positions) else i

    def _walk(self, slot: int) -> Iterator[str]:
        seen: set[str] = set()
        count = len(self._positions)
        for step in range(count):
            for node in self._owners[self._positions[(slot + step) % count]]:
                if node not in seen:
                    seen.add(node)
                    yield node
            if len(seen) == len(self._points_of):
                return

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node at or after hash(key) mod 2**64; with `loads`, the first with room."""
        if loads is not None and c < 1:
            raise ValueError(f"c must be >= 1, got {c!r}")
        slot = self._slot(key)
        if loads is None:
            return self._owners[self._positions[slot]][0]
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._points_of))
        for node in self._walk(slot):
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise LookupError("no node has room below the bound")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes met walking clockwise from hash(key)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        picked: list[str] = []
        for node in self._walk(self._slot(key)):
            picked.append(node)
            if len(picked) == n:
                break
        return picked

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._points_of)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._points_of)
