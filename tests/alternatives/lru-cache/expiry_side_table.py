"""Values in an OrderedDict, deadlines in a separate dict (only for keys that have one).

The recency structure knows nothing about time: `self._values` is a plain LRU
OrderedDict and `self._deadline_of` maps only the keys that carry a deadline. Access
checks the side table for that one key (lazy expiry); len(), keys() and a put into a
full cache first drop every expired key, found through a heap of (deadline, seq, key)
whose stale items are recognised by comparing with the side table. Without ttl the side
table and heap stay empty and every operation is O(1).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_NOTHING = object()


class LRUCache:
    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[Any, Any], None] | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError("capacity must be zero or positive")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._deadline_of: dict[Hashable, float] = {}
        self._agenda: list[tuple[float, int, Hashable]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def _delete(self, key: Hashable) -> None:
        del self._values[key]
        self._deadline_of.pop(key, None)

    def _alive(self, key: Hashable) -> bool:
        if key not in self._values:
            return False
        deadline = self._deadline_of.get(key) if self._deadline_of else None
        if deadline is not None and self._clock() >= deadline:
            self._delete(key)
            return False
        return True

    def _drop_expired(self) -> None:
        agenda = self._agenda
        if not agenda:
            return
        now = self._clock()
        while agenda and agenda[0][0] <= now:
            deadline, _, key = heapq.heappop(agenda)
            if self._deadline_of.get(key) == deadline:
                self._delete(key)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if not self._alive(key):
                return default
            self._values.move_to_end(key)
            return self._values[key]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._values[key] if self._alive(key) else default

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self._alive(key)

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired()
            return len(self._values)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._drop_expired()
            return [*self._values]

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self._ttl
        evicted: Any = _NOTHING
        with self._lock:
            if self._capacity <= 0:
                return
            if self._alive(key):
                self._values.move_to_end(key)
            else:
                if len(self._values) >= self._capacity:
                    self._drop_expired()
                if len(self._values) >= self._capacity:
                    evicted = self._values.popitem(last=False)
                    self._deadline_of.pop(evicted[0], None)
            self._values[key] = value
            if ttl is None:
                self._deadline_of.pop(key, None)
            else:
                deadline = self._clock() + ttl
                self._deadline_of[key] = deadline
                heapq.heappush(self._agenda, (deadline, next(self._seq), key))
                if len(self._agenda) > 2 * len(self._deadline_of) + 32:
                    self._agenda = [(d, next(self._seq), k) for k, d in self._deadline_of.items()]
                    heapq.heapify(self._agenda)
        if evicted is not _NOTHING and self._on_evict is not None:
            self._on_evict(*evicted)
