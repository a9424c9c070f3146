"""Reference solution: a thread-safe LRU cache with optional per-entry time-to-live.

Every operation is O(1) when no entry has a ttl. Entries with a ttl add an amortised
O(log n) for keeping them in a heap ordered by expiry time.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A mapping of at most `capacity` entries that evicts the least recently used one.

    `get` and `put` make a key the most recently used; `peek`, `in`, `len` and `keys` do
    not change the order. An entry put at time t with a ttl expires when
    `clock() >= t + ttl` and from then on behaves as absent everywhere. `on_evict(key,
    value)` is called once for each entry evicted to make room, never for an update of
    an existing key and never for an expired entry.
    """

    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[K, V], object] | None = None,
    ) -> None:
        """Create an empty cache. `ttl` is the default time-to-live in clock seconds.

        Raises ValueError if capacity < 0. A capacity of 0 stores nothing.
        """
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        # An OrderedDict is a hash map threaded on a doubly linked list: O(1) lookup by
        # key, and O(1) move_to_end / popitem(last=False) to reorder and to evict.
        # Iteration order is recency order, least recently used first.
        self._data: OrderedDict[K, tuple[V, float | None]] = OrderedDict()
        # Min-heap of (expires_at, seq, key), only for entries that have an expiry. The
        # unique seq means tuples never compare keys, which may not be orderable.
        self._heap: list[tuple[float, int, K]] = []
        self._seq = itertools.count()
        # One plain lock around every operation: even get mutates (it reorders), so
        # readers need it as much as writers.
        self._lock = threading.Lock()

    def _expire(self) -> None:
        """Drop every entry whose expiry time has passed. Caller holds the lock.

        Expiry is lazy: nothing runs in the background, expired entries are removed at
        the start of the next operation. Each heap item is popped once, so the cost is
        amortised O(log n) per put with a ttl. With no ttl anywhere, the heap is empty
        and this returns at once without even reading the clock.
        """
        heap = self._heap
        if not heap:
            return
        now = self._clock()
        data = self._data
        while heap and heap[0][0] <= now:
            expires_at, _, key = heapq.heappop(heap)
            entry = data.get(key)
            # The item may be stale: the key was since evicted, or put again with
            # another expiry. Only remove the entry if it is the one this item is for.
            if entry is not None and entry[1] == expires_at:
                del data[key]  # silently: expiry is not an eviction

    def get(self, key: K, default: V | None = None) -> V | None:
        """Return the value for `key` and make it the most recently used, else `default`.

        O(1).
        """
        with self._lock:
            self._expire()
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry[0]

    def peek(self, key: K, default: V | None = None) -> V | None:
        """Return the value for `key` without changing its recency, else `default`. O(1)."""
        with self._lock:
            self._expire()
            entry = self._data.get(key)
            return default if entry is None else entry[0]

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Insert or update `key` and make it the most recently used. O(1).

        If the cache grows past capacity, the least recently used entry is evicted and
        passed to `on_evict`. `ttl` overrides the cache's default for this entry.
        """
        if self._capacity == 0:
            return  # stores nothing, evicts nothing, calls nothing
        if ttl is None:
            ttl = self._ttl
        evicted: tuple[K, V] | None = None
        with self._lock:
            # Purge first, so that a live entry is never evicted while an expired one
            # could make room, and on_evict never sees an expired entry.
            self._expire()
            data = self._data
            if ttl is not None and ttl <= 0:
                # (Unspecified case.) Already expired on arrival: the put overwrites
                # the key with an absent entry, and must not evict anything for it.
                data.pop(key, None)
                return
            expires_at = None if ttl is None else self._clock() + ttl
            data[key] = (value, expires_at)  # an update keeps its old position...
            data.move_to_end(key)  # ...so move it; a new key is already last
            if len(data) > self._capacity:
                old_key, (old_value, _) = data.popitem(last=False)
                evicted = (old_key, old_value)
            if expires_at is not None:
                self._push_expiry(expires_at, key)
        # Call user code after releasing the lock: the callback may take its time or
        # even use this cache without deadlocking. The price: callbacks from different
        # threads may run in a different order than the evictions happened.
        if evicted is not None and self._on_evict is not None:
            self._on_evict(*evicted)

    def _push_expiry(self, expires_at: float, key: K) -> None:
        """Record an expiry in the heap. Caller holds the lock. Amortised O(log n)."""
        heap = self._heap
        heapq.heappush(heap, (expires_at, next(self._seq), key))
        # Updates and evictions leave stale items behind. Rebuild the heap from the live
        # entries once stale ones dominate, so it stays O(capacity) in size. The O(n)
        # rebuild happens at most once per n pushes: amortised O(1).
        if len(heap) > 2 * len(self._data) + 16:
            self._heap = [
                (exp, next(self._seq), k) for k, (_, exp) in self._data.items() if exp is not None
            ]
            heapq.heapify(self._heap)

    def __contains__(self, key: object) -> bool:
        """Whether `key` holds a live entry. Does not change recency. O(1)."""
        with self._lock:
            self._expire()
            return key in self._data

    def __len__(self) -> int:
        """The number of live entries, never more than capacity. O(1)."""
        with self._lock:
            self._expire()
            return len(self._data)

    def keys(self) -> list[K]:
        """The live keys, from least to most recently used. O(n) to copy them."""
        with self._lock:
            self._expire()
            return list(self._data)
