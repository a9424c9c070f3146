"""Integer "tick" counters with lazy deletion in a deque: amortised O(1) without a linked list.

Every touch stamps the entry with a fresh tick and appends (tick, entry) to a deque; the
older deque items of that entry become stale instead of being removed. The LRU entry is
found by discarding stale items from the left end. When stale items outnumber live ones
the deque is compacted by comparing the ticks stored on the entry objects, so no key is
ever hashed or compared for it. Deadlines go into a heap of (deadline, tick, entry) that is
drained eagerly at the start of each call; the clock is only read while the heap is non-empty.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any


class _Entry:
    __slots__ = ("alive", "deadline", "key", "tick", "value")

    def __init__(self, key: Hashable, value: Any, deadline: float | None) -> None:
        self.key = key
        self.value = value
        self.deadline = deadline
        self.tick = -1
        self.alive = True


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
            raise ValueError(f"capacity must be >= 0, not {capacity}")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._entries: dict[Hashable, _Entry] = {}
        self._queue: deque[tuple[int, _Entry]] = deque()
        self._ticks = itertools.count()
        self._expiry_heap: list[tuple[float, int, _Entry]] = []
        self._guard = threading.Lock()

    @staticmethod
    def _current(item: tuple[int, _Entry]) -> bool:
        tick, entry = item
        return entry.alive and entry.tick == tick

    def _touch(self, entry: _Entry) -> None:
        entry.tick = next(self._ticks)
        self._queue.append((entry.tick, entry))
        if len(self._queue) > 2 * len(self._entries) + 32:
            self._queue = deque(filter(self._current, self._queue))

    def _kill(self, entry: _Entry) -> None:
        entry.alive = False
        del self._entries[entry.key]

    def _oldest(self) -> _Entry:
        queue = self._queue
        while not self._current(queue[0]):
            queue.popleft()
        return queue[0][1]

    def _purge(self) -> None:
        heap = self._expiry_heap
        if not heap:
            return
        now = self._clock()
        while heap and heap[0][0] <= now:
            deadline, _, entry = heapq.heappop(heap)
            if entry.alive and entry.deadline == deadline:
                self._kill(entry)

    def _schedule(self, entry: _Entry, deadline: float) -> None:
        heap = self._expiry_heap
        heapq.heappush(heap, (deadline, next(self._ticks), entry))
        if len(heap) > 2 * len(self._entries) + 32:
            heap = [
                (e.deadline, next(self._ticks), e)
                for e in self._entries.values()
                if e.deadline is not None
            ]
            heapq.heapify(heap)
            self._expiry_heap = heap

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._guard:
            self._purge()
            entry = self._entries.get(key)
            if entry is None:
                return default
            self._touch(entry)
            return entry.value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._guard:
            self._purge()
            entry = self._entries.get(key)
            return default if entry is None else entry.value

    def __contains__(self, key: object) -> bool:
        with self._guard:
            self._purge()
            return key in self._entries

    def __len__(self) -> int:
        with self._guard:
            self._purge()
            return len(self._entries)

    def keys(self) -> list[Hashable]:
        with self._guard:
            self._purge()
            return [item[1].key for item in self._queue if self._current(item)]

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        lifetime = self._ttl if ttl is None else ttl
        victim = None
        with self._guard:
            if self._capacity == 0:
                return
            self._purge()
            deadline = None if lifetime is None else self._clock() + lifetime
            entry = self._entries.get(key)
            if entry is not None:
                entry.value = value
                entry.deadline = deadline
            else:
                if len(self._entries) >= self._capacity:
                    victim = self._oldest()
                    self._kill(victim)
                entry = _Entry(key, value, deadline)
                self._entries[key] = entry
            self._touch(entry)
            if deadline is not None:
                self._schedule(entry, deadline)
        if victim is not None and self._on_evict is not None:
            self._on_evict(victim.key, victim.value)
