"""Consistent hash ring kata: map keys to nodes so that adding or removing a node moves
as few keys as possible.

Fill in every method below. The README explains the rules and the five levels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

Key = str | bytes


class HashRing:
    """Nodes placed on a circle of hash values; a key belongs to the node of the first point
    clockwise at or after the key's own hash, wrapping around past the largest point.

    Each node owns `vnodes × weight` points ("virtual nodes"), which evens out the arcs.
    A lookup should cost one call of `hash_fn` and O(log n) comparisons for n points.
    """

    def __init__(
        self,
        nodes: Iterable[str] = (),
        vnodes: int = 100,
        hash_fn: Callable[[bytes], int] | None = None,
    ) -> None:
        """Create a ring holding `nodes`, each with weight 1.

        vnodes: how many points a node of weight 1 owns on the ring.
        hash_fn: maps bytes to a non-negative int; every position on the ring (keys and
            points alike) comes from it. None means a stable 64-bit hash of your choice
            that gives the same answer in every process: not Python's hash(), which is
            salted per process.
        """
        raise NotImplementedError

    def add_node(self, node: str, weight: int = 1) -> None:
        """Add `node` with `vnodes × weight` points. Raise ValueError if it is already here.

        Hash only the new node's points: the others stay where they are.
        """
        raise NotImplementedError

    def remove_node(self, node: str) -> None:
        """Remove `node` and all its points. Raise KeyError if it is not on the ring."""
        raise NotImplementedError

    def get_node(
        self, key: Key, loads: Mapping[str, int] | None = None, c: float = 1.25
    ) -> str:
        """The node of the first point clockwise at or after hash(key), wrapping around.

        A str key is hashed as its UTF-8 bytes, so "abc" and b"abc" share a node.
        Raise LookupError if the ring is empty.

        With `loads` (node → current load; a node missing from it has load 0), return
        instead the first node clockwise whose load + 1 stays within the bound
        ceil(c × (sum(loads.values()) + 1) / len(nodes)). With loads given, even empty,
        raise ValueError if c < 1.
        """
        raise NotImplementedError

    def get_nodes(self, key: Key, n: int) -> list[str]:
        """`n` distinct nodes met walking clockwise from hash(key), the first being
        get_node(key): where a key and its replicas live.

        n greater than the number of nodes: all of them. Raise ValueError if n < 1 and
        LookupError if the ring is empty.
        """
        raise NotImplementedError

    @property
    def nodes(self) -> set[str]:
        """The nodes on the ring (any collection will do; it is compared as a set)."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of nodes (not points) on the ring."""
        raise NotImplementedError
