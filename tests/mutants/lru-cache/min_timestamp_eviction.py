"""Level 2: finds the LRU entry with min() over last-used timestamps, an O(n) scan per eviction.

Behaviourally correct: every access stamps the key with an increasing counter and the
victim is `min(self._last_used, key=self._last_used.get)`. get is O(1), but each put that
has to evict looks at (and hashes) every key in the cache.
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
        self._last_used: dict[Hashable, int] = {}
        self._ticks = itertools.count()
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
                del self._last_used[key]

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            entry = self._values.get(key)
            if entry is None:
                return default
            self._last_used[key] = next(self._ticks)
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
            if key not in self._values and len(self._values) >= self._capacity:
                victim = min(self._last_used, key=self._last_used.get)
                evicted = (victim, self._values.pop(victim)[0])
                del self._last_used[victim]
            self._values[key] = (value, expires_at)
            self._last_used[key] = next(self._ticks)
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
            return sorted(self._last_used, key=self._last_used.get)
