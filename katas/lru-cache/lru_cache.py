"""LRU cache kata: a bounded cache that evicts the least recently used entry.

Fill in every method below. The README explains the rules and the four levels.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A mapping of at most `capacity` entries that evicts the least recently used one.

    "Recently used" means touched by `get` or `put`. `peek`, `in`, `len` and `keys`
    only look: they never change the order. Every operation should cost O(1), except
    `keys`, which copies all keys.

    An entry put at time t with a ttl expires when `clock() >= t + ttl`. From that
    moment it behaves as absent everywhere (get, peek, in, len, keys), and it is
    dropped silently: expiry is not an eviction.

    The cache must be safe to use from many threads at once.
    """

    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[K, V], object] | None = None,
    ) -> None:
        """Create an empty cache holding at most `capacity` entries.

        capacity: the maximum number of entries; 0 means the cache stores nothing.
            Raise ValueError if it is negative.
        ttl: the default time-to-live of every entry, in clock seconds; None means
            entries never expire.
        clock: a zero-argument callable returning the current time in seconds (float).
            Always read the time through it, never through the time module directly.
        on_evict: called as on_evict(key, value) once for each entry evicted to make
            room. Not called when an existing key is updated, nor for expired entries.
        """
        raise NotImplementedError

    def get(self, key: K, default: V | None = None) -> V | None:
        """Return the value stored for `key`, or `default` if it is absent or expired.

        A hit makes `key` the most recently used entry.
        """
        raise NotImplementedError

    def peek(self, key: K, default: V | None = None) -> V | None:
        """Like `get`, but never changes the recency order."""
        raise NotImplementedError

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Insert `key` or update its value, and make it the most recently used entry.

        If the cache now holds more than `capacity` entries, evict the least recently
        used one and report it to `on_evict`. Expired entries never count against the
        capacity: a live entry must not be evicted while an expired one takes up room.

        ttl: the time-to-live of this entry, overriding the cache's default; None means
            use the cache's default. Updating a key restarts its time-to-live.

        With capacity 0, store nothing and call nothing.
        """
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        """`key in cache`: whether `key` holds a live entry. Does not change recency."""
        raise NotImplementedError

    def __len__(self) -> int:
        """`len(cache)`: the number of live entries, never more than `capacity`."""
        raise NotImplementedError

    def keys(self) -> list[K]:
        """A new list of the live keys, from least to most recently used.

        Does not change recency.
        """
        raise NotImplementedError
