"""Level 4: a lock-free fast path for updating an existing key races with evictions."""

from __future__ import annotations
import heapq, itertools, threading, time
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity, *, ttl=None, clock=time.monotonic, on_evict=None):
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self._cap = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._d = OrderedDict()  # key -> (value, expiry or None)
        self._heap = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def _purge(self):
        if not self._heap:
            return
        now = self._clock()
        h = self._heap
        while h and h[0][0] <= now:
            exp, _, key = heapq.heappop(h)
            item = self._d.get(key)
            if item is not None and item[1] == exp:
                del self._d[key]

    def get(self, key, default=None):
        with self._lock:
            self._purge()
            item = self._d.get(key)
            if item is None:
                return default
            self._d.move_to_end(key)
            return item[0]

    def peek(self, key, default=None):
        with self._lock:
            self._purge()
            item = self._d.get(key)
            return default if item is None else item[0]

    def put(self, key, value, ttl=None):
        evicted = []
        if self._cap and not self._heap and ttl is None and self._ttl is None and key in self._d:
            self._d[key] = (value, None)   # fast path: plain update, size unchanged
            self._d.move_to_end(key)
            return
        with self._lock:
            if self._cap == 0:
                return
            self._purge()
            t = ttl if ttl is not None else self._ttl
            exp = None
            if t is not None:
                exp = self._clock() + t
                heapq.heappush(self._heap, (exp, next(self._seq), key))
            if key in self._d:
                self._d[key] = (value, exp)
                self._d.move_to_end(key)
            else:
                self._d[key] = (value, exp)
                while len(self._d) > self._cap:
                    k, (v, _) = self._d.popitem(last=False)
                    evicted.append((k, v))
        if self._on_evict is not None:
            for k, v in evicted:
                self._on_evict(k, v)

    def __contains__(self, key):
        with self._lock:
            self._purge()
            return key in self._d

    def __len__(self):
        with self._lock:
            self._purge()
            return len(self._d)

    def keys(self):
        with self._lock:
            self._purge()
            return list(self._d)
