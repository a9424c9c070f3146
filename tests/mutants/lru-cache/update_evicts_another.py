"""Level 1: updating an existing key in a full cache evicts the LRU entry anyway.

put() makes room before it checks whether the key is already present, so an update
of a full cache throws out (and reports to on_evict) an entry it did not need to.
"""

from __future__ import annotations

import heapq
import itertools
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
        # key -> (value, expires_at); expires_at is None when the entry never expires
        self._data: OrderedDict[Hashable, tuple[Any, float | None]] = OrderedDict()
        # min-heap of (expires_at, seq, key); stale items are skipped when popped
        self._expiries: list[tuple[float, int, Hashable]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    # -- helpers (the caller holds the lock) ------------------------------------------------

    def _purge_expired(self) -> None:
        heap = self._expiries
        if not heap:
            return
        now = self._clock()
        while heap and heap[0][0] <= now:
            expires_at, _, key = heapq.heappop(heap)
            entry = self._data.get(key)
            if entry is not None and entry[1] == expires_at:
                del self._data[key]

    def _track_expiry(self, key: Hashable, expires_at: float) -> None:
        heapq.heappush(self._expiries, (expires_at, next(self._seq), key))
        if len(self._expiries) > 2 * len(self._data) + 64:
            # too many stale heap items: rebuild it from the live entries
            self._expiries = [
                (exp, next(self._seq), k) for k, (_, exp) in self._data.items() if exp is not None
            ]
            heapq.heapify(self._expiries)

    # -- public API ---------------------------------------------------------------------------

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry[0]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._purge_expired()
            entry = self._data.get(key)
            if entry is None:
                return default
            return entry[0]

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self._ttl
        evicted = None
        with self._lock:
            if self._capacity == 0:
                return
            self._purge_expired()
            expires_at = None if ttl is None else self._clock() + ttl
            data = self._data
            if len(data) >= self._capacity:
                evicted = data.popitem(last=False)
            data[key] = (value, expires_at)
            data.move_to_end(key)
            if expires_at is not None:
                self._track_expiry(key, expires_at)
        if evicted is not None and self._on_evict is not None:
            old_key, (old_value, _) = evicted
            self._on_evict(old_key, old_value)

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
