"""The consistent hash ring's oracle: a hash function the checks control, and a model of the
ring built from the points that hash function handed out."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from grader.checks import fail

KEY_PREFIX = b"key:"
SPACE = 2**32


def scattered(data: bytes) -> int:
    """A fixed pseudo-random position in [0, 2**32) for any bytes."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "big")


class PlacedHash:
    """``hash_fn`` for the checks: ``b"key:<n>"`` hashes to n, so a check puts a key exactly
    where it wants; anything else (the names of your points, whatever your naming scheme)
    hashes to a fixed pseudo-random 32-bit position. Points are attributed to the node being
    added while ``adding(node)`` is active, so the checks know every point of every node."""

    def __init__(self) -> None:
        self.calls = 0
        self.owner: dict[int, str] = {}  # position -> node
        self.named: dict[bytes, str] = {}  # the name of a point -> its node
        self.collided = False  # two different names hashed to one position
        self._adding: str | None = None
        self._added: list[int] = []

    def __call__(self, data: bytes) -> int:
        self.calls += 1
        if not isinstance(data, bytes | bytearray | memoryview):
            fail(f"your ring called hash_fn({data!r}); hash_fn takes bytes (encode a str key "
                 "as UTF-8, and the names of your points too).")
        data = bytes(data)
        if data.startswith(KEY_PREFIX) and data[len(KEY_PREFIX):].isdigit():
            return int(data[len(KEY_PREFIX):])
        position = scattered(data)
        if self._adding is not None and data not in self.named:  # not a re-hash of a point
            self.named[data] = self._adding
            if position in self.owner:
                self.collided = True
            else:
                self.owner[position] = self._adding
                self._added.append(position)
        return position

    def __repr__(self) -> str:
        return "placed_hash"

    @contextmanager
    def adding(self, node: str) -> Iterator[list[int]]:
        """Attribute the new positions hashed inside the block to ``node``; yields them."""
        self._adding, self._added = node, []
        try:
            yield self._added
        finally:
            self._adding = None

    def forget(self, node: str) -> None:
        """``node`` left the ring: its points and their names are free again."""
        self.owner = {p: n for p, n in self.owner.items() if n != node}
        self.named = {d: n for d, n in self.named.items() if n != node}


class RingModel:
    """The ring as the rules define it: sorted points, first at or after, wrap around."""

    def __init__(self, owner: dict[int, str]) -> None:
        self.owner = dict(owner)
        self.positions = sorted(owner)

    def start(self, position: int) -> int:
        index = bisect.bisect_left(self.positions, position)
        return index if index < len(self.positions) else 0

    def clockwise(self, position: int) -> Iterator[tuple[int, str]]:
        start = self.start(position)
        for step in range(len(self.positions)):
            point = self.positions[(start + step) % len(self.positions)]
            yield point, self.owner[point]

    def node(self, position: int) -> str:
        return next(self.clockwise(position))[1]

    def nodes(self, position: int, n: int) -> list[str]:
        found: list[str] = []
        for _, node in self.clockwise(position):
            if node not in found:
                found.append(node)
                if len(found) == n:
                    break
        return found

    def explain(self, position: int) -> str:
        """Where a key sits between the points, for a failure message."""
        start = self.start(position)
        after = self.positions[start]
        before = self.positions[start - 1]
        wrap = " (past the largest point, so it wraps around)" if position > after else ""
        return (f"the key hashes to {position}; the points around it are {before} "
                f"({self.owner[before]}) and {after} ({self.owner[after]}), so the first point "
                f"at or after it is {after}{wrap}")


def key(position: int) -> str:
    """A key that ``PlacedHash`` puts at ``position``."""
    return f"key:{position}"
