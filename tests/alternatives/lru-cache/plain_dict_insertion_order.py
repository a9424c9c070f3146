"""Plain dict relying on insertion order: pop and re-insert to refresh, next(iter(d)) for the LRU.

No OrderedDict and no linked list: a dict already iterates in insertion order, so
popping a key and inserting it again makes it the most recent, and the first key is the
least recent one. keys() returns a generator over a snapshot taken under the lock.
Entries carry their deadline inside the stored tuple; expired entries are swept only
while some entry has a deadline, so without ttl each call costs O(1) hash/eq calls.

Caveat (CPython): deleting the first entry leaves a hole that next(iter(d)) has to skip
until the dict compacts itself on its next resize, so the *wall time* of an eviction grows
with the number of recent evictions even though the counted hash/eq calls stay flat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
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
            raise ValueError(f"negative capacity: {capacity}")
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self.on_evict = on_evict
        self._entries: dict[Hashable, tuple[Any, float | None]] = {}
        self._timed = 0
        self._mutex = threading.Lock()

    def _drop_expired(self) -> None:
        if not self._timed:
            return
        now = self.clock()
        dead = [k for k, (_, dl) in self._entries.items() if dl is not None and now >= dl]
        for k in dead:
            del self._entries[k]
        self._timed -= len(dead)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._mutex:
            self._drop_expired()
            try:
                entry = self._entries.pop(key)
            except KeyError:
                return default
            self._entries[key] = entry
            return entry[0]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._mutex:
            self._drop_expired()
            entry = self._entries.get(key)
            return default if entry is None else entry[0]

    def __contains__(self, key: object) -> bool:
        with self._mutex:
            self._drop_expired()
            return key in self._entries

    def __len__(self) -> int:
        with self._mutex:
            self._drop_expired()
            return len(self._entries)

    def keys(self) -> Iterator[Hashable]:
        with self._mutex:
            self._drop_expired()
            snapshot = list(self._entries)
        return (k for k in snapshot)

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.ttl
        evicted: tuple[Hashable, Any] | None = None
        with self._mutex:
            if not self.capacity:
                return
            self._drop_expired()
            deadline = None if ttl is None else self.clock() + ttl
            old = self._entries.pop(key, None)
            if old is not None and old[1] is not None:
                self._timed -= 1
            if old is None and len(self._entries) >= self.capacity:
                lru = next(iter(self._entries))
                lru_value, lru_deadline = self._entries.pop(lru)
                if lru_deadline is not None:
                    self._timed -= 1
                evicted = (lru, lru_value)
            self._entries[key] = (value, deadline)
            if deadline is not None:
                self._timed += 1
        if evicted is not None and self.on_evict is not None:
            self.on_evict(*evicted)
