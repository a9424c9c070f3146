"""Reads the clock exactly once per public call and purges every expired entry eagerly via a heap.

Each public method samples `now` once and passes it down. Before doing anything else
it pops all heap items whose deadline is <= now, so the OrderedDict never holds an
expired entry when the operation proper starts. Heap items are (deadline, seq, key);
the unique seq means keys are never compared, and stale items (the key was updated,
evicted or re-inserted since) are recognised by comparing deadlines and skipped. The heap
is rebuilt when stale items outnumber live ones, keeping it amortised O(log n) with ttl
and empty (O(1)) without.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from itertools import count
from typing import Any


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
            raise ValueError("capacity must be >= 0")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._od: OrderedDict[Hashable, list[Any]] = OrderedDict()  # key -> [value, deadline]
        self._heap: list[tuple[float, int, Hashable]] = []
        self._tiebreak = count()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        heap, od = self._heap, self._od
        while heap and heap[0][0] <= now:
            deadline, _, key = heapq.heappop(heap)
            slot = od.get(key)
            if slot is not None and slot[1] == deadline:
                del od[key]

    def _schedule(self, key: Hashable, deadline: float) -> None:
        heapq.heappush(self._heap, (deadline, next(self._tiebreak), key))
        if len(self._heap) > 2 * len(self._od) + 16:
            self._heap = [
                (slot[1], next(self._tiebreak), k)
                for k, slot in self._od.items()
                if slot[1] is not None
            ]
            heapq.heapify(self._heap)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._expire(self._clock())
            slot = self._od.get(key)
            if slot is None:
                return default
            self._od.move_to_end(key)
            return slot[0]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            self._expire(self._clock())
            slot = self._od.get(key)
            return default if slot is None else slot[0]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._od

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._od)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._expire(self._clock())
            return list(self._od)

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        evicted = None
        with self._lock:
            now = self._clock()
            if self._capacity == 0:
                return
            self._expire(now)
            lifetime = self._ttl if ttl is None else ttl
            deadline = None if lifetime is None else now + lifetime
            slot = self._od.get(key)
            if slot is not None:
                slot[0] = value
                slot[1] = deadline
                self._od.move_to_end(key)
            else:
                if len(self._od) >= self._capacity:
                    evicted = self._od.popitem(last=False)
                self._od[key] = [value, deadline]
            if deadline is not None:
                self._schedule(key, deadline)
        if evicted is not None and self._on_evict is not None:
            self._on_evict(evicted[0], evicted[1][0])
