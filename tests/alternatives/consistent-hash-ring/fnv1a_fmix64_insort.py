"""FNV-1a 64-bit finished with MurmurHash3's fmix64 as the default hash; points inserted one by one.

Plain FNV-1a leaves the high bits of short, similar names ("node#17", "node#18") almost
equal, so their points would bunch together on the ring; the fmix64 avalanche step spreads
them out while staying a pure function of the bytes. Points live in two parallel lists,
positions sorted and owners beside them, and every new point goes in with bisect.insort
semantics. Points at exactly the same position are ordered by node name, so insertion
order never matters.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping

Key = str | bytes

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1


def fnv1a_64(data: bytes) -> int:
    """FNV-1a over `data`, then the fmix64 finaliser, as an unsigned 64-bit int."""
    h = _FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & _MASK64
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK64
    h ^= h >> 33
    return h


class HashRing:
    """Consistent hash ring over parallel sorted lists of point positions and owners."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be at least 1, got {vnodes!r}")
        self._vnodes = vnodes
        self._hash_fn = hash_fn if hash_fn is not None else fnv1a_64
        self._weights: dict[str, int] = {}
        self._positions: list[int] = []
        self._owners: list[str] = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._weights:
            raise ValueError(f"{node!r} is already on the ring")
        if weight < 1:
            raise ValueError(f"weight must be at least 1, got {weight!r}")
        self._weights[node] = weight
        for i in range(self._vnodes * weight):
            self._insert(self._hash_fn(f"{node}#{i}".encode()), node)

    def _insert(self, position: int, node: str) -> None:
        i = bisect_left(self._positions, position)
        while (
            i < len(self._positions) and self._positions[i] == position and self._owners[i] < node
        ):
            i += 1
        self._positions.insert(i, position)
        self._owners.insert(i, node)

    def remove_node(self, node: str) -> None:
        """Remove `node` and every point it owns; KeyError if it is not on the ring."""
        if node not in self._weights:
            raise KeyError(node)
        del self._weights[node]
        keep = [i for i, owner in enumerate(self._owners) if owner != node]
        self._positions = [self._positions[i] for i in keep]
        self._owners = [self._owners[i] for i in keep]

    def _first_index(self, key: Key) -> int:
        if not self._owners:
            raise LookupError("the ring has no nodes")
        data = key.encode("utf-8") if isinstance(key, str) else key
        if not isinstance(data, bytes):
            raise TypeError(f"keys are str or bytes, not {type(key).__name__}")
        i = bisect_left(self._positions, self._hash_fn(data))
        return i if i < len(self._positions) else 0

    def _clockwise(self, start: int) -> Iterable[str]:
        """Distinct nodes in ring order from point `start`."""
        seen: set[str] = set()
        count = len(self._owners)
        for step in range(count):
            owner = self._owners[(start + step) % count]
            if owner not in seen:
                seen.add(owner)
                yield owner
                if len(seen) == len(self._weights):
                    return

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The owner of the first point at or after hash(key); with `loads`, bounded loads."""
        if loads is not None and c < 1:
            raise ValueError(f"c must be at least 1, got {c!r}")
        start = self._first_index(key)
        if loads is None:
            return self._owners[start]
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._weights))
        for node in self._clockwise(start):
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise LookupError("no node is below the load bound")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes clockwise from hash(key), the first being get_node(key)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n!r}")
        found: list[str] = []
        for node in self._clockwise(self._first_index(key)):
            found.append(node)
            if len(found) == n:
                break
        return found

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring."""
        return set(self._weights)

    def __len__(self) -> int:
        """How many nodes (not points) are on the ring."""
        return len(self._weights)
