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
from typing import Final, Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING: Final = object()  # "no entry", distinct from every value a user may store


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
        # Iteration order is recency order, least recently used first. It holds the bare
        # values: a cache without ttl (the common case) pays nothing for expiry.
        self._data: OrderedDict[K, V] = OrderedDict()
        # Expiry times, only for the entries that have one (a side table, not a tuple per
        # entry: that would cost an allocation per put and an index per get).
        self._expires: dict[K, float] = {}
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
        amortised O(log n) per put with a ttl. Callers skip the call while the heap is
        empty (``if self._heap:``), so with no ttl anywhere the clock is never read.
        """
        heap = self._heap
        now = self._clock()
        expires = self._expires
        while heap and heap[0][0] <= now:
            expires_at, _, key = heapq.heappop(heap)
            # The item may be stale: the key was since evicted, or put again with
            # another expiry (or none). Only remove the entry if it is the one this
            # item is for.
            if expires.get(key) == expires_at:
                del expires[key]
                del self._data[key]  # silently: expiry is not an eviction

    def get(self, key: K, default: V | None = None) -> V | None:
        """Return the value for `key` and make it the most recently used, else `default`.

        O(1).
        """
        # Speed: on the hot paths (get, put) the lock is taken with acquire() and released
        # in a finally, which does exactly what `with self._lock:` does at about half its
        # cost on CPython 3.11, where the lock is most of the price of a cache hit.
        lock = self._lock
        lock.acquire()
        try:
            if self._heap:  # speed: no call at all while no entry has a ttl
                self._expire()
            data = self._data
            # A sentinel, not None: None is a value a user may cache.
            value = data.get(key, _MISSING)
            if value is _MISSING:
                return default
            data.move_to_end(key)
            return cast(V, value)
        finally:
            lock.release()

    def peek(self, key: K, default: V | None = None) -> V | None:
        """Return the value for `key` without changing its recency, else `default`. O(1)."""
        with self._lock:
            if self._heap:
                self._expire()
            value = self._data.get(key, _MISSING)
            return default if value is _MISSING else cast(V, value)

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Insert or update `key` and make it the most recently used. O(1).

        If the cache grows past capacity, the least recently used entry is evicted and
        passed to `on_evict`. `ttl` overrides the cache's default for this entry.
        """
        if self._capacity == 0:
            return  # stores nothing, evicts nothing, calls nothing
        if ttl is None:
            ttl = self._ttl
        lock = self._lock
        lock.acquire()  # not `with`: see get
        try:
            # Purge first, so that a live entry is never evicted while an expired one
            # could make room, and on_evict never sees an expired entry.
            if self._heap:
                self._expire()
            data = self._data
            expires = self._expires
            if ttl is not None:
                if ttl <= 0:
                    # (Unspecified case.) Already expired on arrival: the put overwrites
                    # the key with an absent entry, and must not evict anything for it.
                    data.pop(key, None)
                    expires.pop(key, None)
                    return
                expires_at = self._clock() + ttl
                expires[key] = expires_at
                self._push_expiry(expires_at, key)
            elif expires:
                expires.pop(key, None)  # an update without ttl lives until evicted
            data[key] = value  # an update keeps its old position...
            data.move_to_end(key)  # ...so move it; a new key is already last
            if len(data) <= self._capacity:
                return
            old_key, old_value = data.popitem(last=False)
            if expires:
                expires.pop(old_key, None)
        finally:
            lock.release()
        # Call user code after releasing the lock: the callback may take its time or
        # even use this cache without deadlocking. The price: callbacks from different
        # threads may run in a different order than the evictions happened.
        if self._on_evict is not None:
            self._on_evict(old_key, old_value)

    def _push_expiry(self, expires_at: float, key: K) -> None:
        """Record an expiry in the heap. Caller holds the lock. Amortised O(log n)."""
        heap = self._heap
        heapq.heappush(heap, (expires_at, next(self._seq), key))
        # Updates and evictions leave stale items behind. Rebuild the heap from the live
        # entries once stale ones dominate, so it stays O(capacity) in size. The O(n)
        # rebuild happens at most once per n pushes: amortised O(1).
        if len(heap) > 2 * len(self._data) + 16:
            self._heap = [(exp, next(self._seq), k) for k, exp in self._expires.items()]
            heapq.heapify(self._heap)

    def __contains__(self, key: object) -> bool:
        """Whether `key` holds a live entry. Does not change recency. O(1)."""
        with self._lock:
            if self._heap:
                self._expire()
            return key in self._data

    def __len__(self) -> int:
        """The number of live entries, never more than capacity. O(1)."""
        with self._lock:
            if self._heap:
                self._expire()
            return len(self._data)

    def keys(self) -> list[K]:
        """The live keys, from least to most recently used. O(n) to copy them."""
        with self._lock:
            if self._heap:
                self._expire()
            return list(self._data)
