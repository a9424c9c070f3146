"""MD5 read little-endian as in libketama, points in a dict, sorted index rebuilt lazily.

The default hash takes the first 8 bytes of the MD5 digest as a little-endian 64-bit
integer (libketama reads its 32-bit points the same way). Points are named
f"{node}-{i}". The ring itself is a dict from position to the owners of that position;
the sorted list of positions is rebuilt only on the first lookup after the ring changed,
so a burst of additions costs one sort, and every lookup is still one bisect over that
list. Positions are stored as plain ints; the key's hash is compared with them as is.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping

Key = str | bytes


def ketama_md5(data: bytes) -> int:
    """The first 8 bytes of MD5(data), little-endian."""
    return int.from_bytes(hashlib.md5(data).digest()[:8], "little")


class HashRing:
    """Consistent hash ring stored as {position: owners} with a lazily sorted index."""

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        if vnodes < 1:
            raise ValueError(f"vnodes must be at least 1, got {vnodes!r}")
        self._vnodes = vnodes
        self._hash_fn = ketama_md5 if hash_fn is None else hash_fn
        self._points_of: dict[str, list[int]] = {}
        self._owners_at: dict[int, list[str]] = {}
        self._index: list[int] | None = []
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points; ValueError if it is already here."""
        if node in self._points_of:
            raise ValueError(f"node {node!r} already exists")
        if weight < 1:
            raise ValueError(f"weight must be a positive integer, got {weight!r}")
        positions = [
            int(self._hash_fn(f"{node}-{i}".encode())) for i in range(self._vnodes * weight)
        ]
        self._points_of[node] = positions
        for position in positions:
            insort(self._owners_at.setdefault(position, []), node)
        self._index = None

    def remove_node(self, node: str) -> None:
        """Remove `node` and its points; KeyError if it is not on the ring."""
        positions = self._points_of.pop(node)
        for position in positions:
            owners = self._owners_at[position]
            owners.remove(node)
            if not owners:
                del self._owners_at[position]
        self._index = None

    def _sorted_positions(self) -> list[int]:
        if self._index is None:
            self._index = sorted(self._owners_at)
        return self._index

    def _start(self, key: Key) -> int:
        if not self._points_of:
            raise LookupError("cannot look up a key on an empty ring")
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif not isinstance(key, bytes):
            raise TypeError(f"key must be str or bytes, got {type(key).__name__}")
        index = self._sorted_positions()
        i = bisect_left(index, self._hash_fn(key))
        return 0 if i == len(index) else i

    def _walk(self, start: int) -> Iterator[str]:
        """Distinct owners clockwise from index entry `start`."""
        index = self._sorted_positions()
        seen: set[str] = set()
        for i in range(start, start + len(index)):
            for owner in self._owners_at[index[i % len(index)]]:
                if owner not in seen:
                    seen.add(owner)
                    yield owner
            if len(seen) == len(self._points_of):
                return

    def get_node(self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25) -> str:
        """The node of the first point at or after hash(key), wrapping; bounded with `loads`."""
        if loads is None:
            return self._owners_at[self._sorted_positions()[self._start(key)]][0]
        if c < 1:
            raise ValueError(f"the balance factor c must be >= 1, got {c!r}")
        start = self._start(key)
        limit = math.ceil(c * (sum(loads.values()) + 1) / len(self._points_of))
        for node in self._walk(start):
            if loads.get(node, 0) + 1 <= limit:
                return node
        raise LookupError("every node is at the load bound")

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes walking clockwise from hash(key)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n!r}")
        result: list[str] = []
        for node in self._walk(self._start(key)):
            result.append(node)
            if len(result) == n:
                break
        return result

    @property
    def nodes(self) -> list[str]:
        """The nodes on the ring, in insertion order."""
        return list(self._points_of)

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._points_of)
