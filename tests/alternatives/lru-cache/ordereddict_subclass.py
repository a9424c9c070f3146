"""LRU cache that *is* an OrderedDict (key -> [value, expiry])."""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import OrderedDict

_MISSING = object()


class LRUCache(OrderedDict):
    def __init__(self, capacity, *, ttl=None, clock=time.monotonic, on_evict=None):
        super().__init__()
        if capacity < 0:
            raise ValueError("capacity must not be negative")
        self.capacity = capacity
        self.default_ttl = ttl
        self.clock = clock
        self.on_evict = on_evict
        self._lock = threading.RLock()
        self._expiries = []  # heap of (expiry, seq, key)
        self._seq = itertools.count()

    __hash__ = object.__hash__  # identity hash, so the cache can live in sets

    def __eq__(self, other):
        return self is other

    def _expire(self):
        heap = self._expiries
        if not heap:
            return
        now = self.clock()
        while heap and heap[0][0] <= now:
            exp, _, key = heapq.heappop(heap)
            entry = OrderedDict.get(self, key)
            if entry is not None and entry[1] == exp:
                OrderedDict.__delitem__(self, key)

    def get(self, key, default=None):
        with self._lock:
            self._expire()
            entry = OrderedDict.get(self, key, _MISSING)
            if entry is _MISSING:
                return default
            self.move_to_end(key)
            return entry[0]

    def peek(self, key, default=None):
        with self._lock:
            self._expire()
            entry = OrderedDict.get(self, key, _MISSING)
            return default if entry is _MISSING else entry[0]

    def put(self, key, value, ttl=None):
        if self.capacity == 0:
            return
        evicted = []
        with self._lock:
            self._expire()
            life = self.default_ttl if ttl is None else ttl
            expiry = None
            if life is not None:
                expiry = self.clock() + life
                heapq.heappush(self._expiries, (expiry, next(self._seq), key))
            OrderedDict.__setitem__(self, key, [value, expiry])
            self.move_to_end(key)
            while OrderedDict.__len__(self) > self.capacity:
                k, (v, _) = self.popitem(last=False)
                evicted.append((k, v))
        if self.on_evict is not None:
            for k, v in evicted:
                self.on_evict(k, v)

    def __contains__(self, key):
        with self._lock:
            self._expire()
            return OrderedDict.__contains__(self, key)

    def __len__(self):
        with self._lock:
            self._expire()
            return OrderedDict.__len__(self)

    def keys(self):
        with self._lock:
            self._expire()
            return list(OrderedDict.keys(self))

    def __repr__(self):
        return f"LRUCache({self.capacity}, keys={self.keys()!r})"
