"""Stores (put_time, ttl) and tests clock() - put_time >= ttl. Condition as the lock.
Reads the clock in every public method."""
import threading
import time
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity, *, ttl=None, clock=time.monotonic, on_evict=None):
        if capacity < 0:
            raise ValueError("capacity < 0")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._data = OrderedDict()  # key -> (value, put_time, ttl)
        self._cond = threading.Condition()

    @staticmethod
    def _dead(entry, now):
        _, born, life = entry
        return life is not None and now - born >= life

    def _sweep(self, now):
        # O(n) only while some entry has a ttl; with no ttl anywhere this is skipped
        if self._with_ttl:
            for k in [k for k, e in self._data.items() if self._dead(e, now)]:
                del self._data[k]
            self._with_ttl = any(e[2] is not None for e in self._data.values())

    _with_ttl = False

    def get(self, key, default=None):
        with self._cond:
            now = self._clock()
            entry = self._data.get(key)
            if entry is None or self._dead(entry, now):
                return default
            self._data.move_to_end(key)
            return entry[0]

    def peek(self, key, default=None):
        with self._cond:
            now = self._clock()
            entry = self._data.get(key)
            if entry is None or self._dead(entry, now):
                return default
            return entry[0]

    def __contains__(self, key):
        with self._cond:
            now = self._clock()
            entry = self._data.get(key)
            return entry is not None and not self._dead(entry, now)

    def put(self, key, value, ttl=None):
        gone = []
        with self._cond:
            now = self._clock()
            if self._capacity == 0:
                return
            life = self._ttl if ttl is None else ttl
            if life is not None:
                self._with_ttl = True
            if key in self._data:
                self._data[key] = (value, now, life)
                self._data.move_to_end(key)
            else:
                self._data[key] = (value, now, life)
                if len(self._data) > self._capacity:
                    self._sweep(now)
                while len(self._data) > self._capacity:
                    k, (v, _, _) = self._data.popitem(last=False)
                    gone.append((k, v))
            self._cond.notify_all()
        for k, v in gone:
            if self._on_evict is not None:
                self._on_evict(k, v)

    def __len__(self):
        with self._cond:
            self._sweep(self._clock())
            return len(self._data)

    def keys(self):
        with self._cond:
            self._sweep(self._clock())
            return list(self._data)
