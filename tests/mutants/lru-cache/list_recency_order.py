"""Level 2: recency kept in a plain Python list, so every refresh is O(n) (list.remove).

Behaviourally correct: a dict holds the values and a list holds the keys from least to
most recently used. But get/put/update call `self._order.remove(key)`, which compares the
key against every entry in front of it, so the cost grows with the size of the cache.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class LRUCache:
    """Least-recently-used cache with an optional time-to-live per entry."""

    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[Any, Any], None] | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity!r}")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._values: dict[Hashable, tuple[Any, float | None]] = {}
        self._order: list[Hashable] = []  # least recently used first
        self._expiries: list[tuple[float, int, Hashable]] = []  # heap
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def _purge_expired(self) -> None:
        heap = self._expiries
        if not heap:
            return
        now = self._clock()
        while heap and heap[0][0] <= now:
            expires_at, _, key = heapq.heappop(heap)
            entry = self._values.get(key)
            if entry is not None and entry[1] == expires_at:
                del self._values[key]
                self._order.remove(key)

    def _touch(self, key: Hashable) -> None:
        self._order.remove(key)
        self._order.append(key)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            entry = self._values.get(key)
            if entry is None:
                return default
            self._touch(key)
            return entry[0]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            entry = self._values.get(key)
            return default if entry is None else entry[0]

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self._ttl
        evicted = None
        with self._lock:
            if self._capacity == 0:
                return
            self._purge_expired()
            expires_at = None if ttl is None else self._clock() + ttl
            if key in self._values:
                self._values[key] = (value, expires_at)
                self._touch(key)
            else:
                self._values[key] = (value, expires_at)
                self._order.append(key)
                if len(self._values) > self._capacity:
                    oldest = self._order.pop(0)
                    evicted = (oldest, self._values.pop(oldest)[0])
            if expires_at is not None:
                heapq.heappush(self._expiries, (expires_at, next(self._seq), key))
        if evicted is not None and self._on_evict is not None:
            self._on_evict(*evicted)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._purge_expired()
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            self._purge_expired()
            return len(self._values)

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            self._purge_expired()
            return list(self._order)
