"""Level 2: every operation scans the whole cache for expired entries, even when no ttl is used.

Behaviourally correct: deadlines live in a separate dict and each public call first walks
all keys looking them up. Nothing ever expires without a ttl, but the scan still costs
O(n) key lookups per get/put/peek/in/len.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
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
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._expires_at: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def _purge_expired(self) -> None:
        now = self._clock()
        for key in list(self._data):
            deadline = self._expires_at.get(key)
            if deadline is not None and now >= deadline:
                del self._data[key]
                del self._expires_at[key]

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            return self._data.get(key, default)

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self._ttl
        evicted = None
        with self._lock:
            if self._capacity == 0:
                return
            self._purge_expired()
            if key in self._data:
                self._data.move_to_end(key)
            self._data[key] = value
            if ttl is None:
                self._expires_at.pop(key, None)
            else:
                self._expires_at[key] = self._clock() + ttl
            if len(self._data) > self._capacity:
                evicted = self._data.popitem(last=False)
                self._expires_at.pop(evicted[0], None)
        if evicted is not None and self._on_evict is not None:
            self._on_evict(*evicted)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._purge_expired()
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            self._purge_expired()
            return len(self._data)

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            self._purge_expired()
            return list(self._data)
