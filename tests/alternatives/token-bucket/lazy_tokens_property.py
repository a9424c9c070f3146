"""Tokens computed lazily: the bucket stores the count at its last grant, never a refill.

State is `(base, since)`: `base` tokens were there at reading `since`, the time of the last
grant. The tokens at any later time are `min(capacity, base + (t - since) * rate)`, computed
on demand by the `tokens` property, `wait_time` and `try_acquire`; only a grant rewrites
the state. Because the refill is a clamp of a straight line, this matches refilling step by
step. The latest reading seen is remembered, and `t` is always that latest reading, so a
clock that steps back (and catches up again) adds nothing.

The limiter keeps its buckets in a plain dict (insertion order: pop and re-insert on use, so
the first key is the least recently used) and a heap of the readings at which buckets are
full again. When it is full it drops the one bucket that refilled first, or the least
recently used one if none has.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable, Hashable


class TokenBucket:
    """A token bucket whose token count is derived on demand from its last grant."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        self._rate = float(rate)
        self._capacity = float(capacity)
        self._clock = clock
        self._lock = threading.Lock()
        self._latest = clock()
        self._base = self._capacity
        self._since = self._latest

    def _observe(self) -> float:
        """Take a reading, remember the latest one, and return the raw reading."""
        reading = self._clock()
        if reading > self._latest:
            self._latest = reading
        return reading

    def _available(self, at: float) -> float:
        return min(self._capacity, self._base + (at - self._since) * self._rate)

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        if tokens > self._capacity:
            return False
        with self._lock:
            self._observe()
            available = self._available(self._latest)
            if available >= tokens:
                self._base = available - tokens
                self._since = self._latest
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        if tokens > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._lock:
            reading = self._observe()
            missing = tokens - self._available(self._latest)
            if missing <= 0:
                return 0.0
            wait = (self._latest - reading) + missing / self._rate
            while self._available(max(reading + wait, self._latest)) < tokens:
                wait = math.nextafter(wait, math.inf)
            return wait

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            self._observe()
            return self._available(self._latest)

    def _is_full(self) -> bool:
        with self._lock:
            self._observe()
            return self._available(self._latest) >= self._capacity

    def _full_at(self) -> float:
        """The clock reading from which the bucket is back at capacity."""
        with self._lock:
            return self._since + (self._capacity - self._base) / self._rate

    def _seen(self) -> float:
        with self._lock:
            return self._latest


class RateLimiter:
    """One lazy bucket per key in a plain dict; drops the earliest refilled one, else LRU."""

    def __init__(
        self,
        rate: float,
        capacity: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        if max_keys < 1:
            raise ValueError("max_keys must be >= 1")
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, tuple[TokenBucket, int]] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            entry = self._buckets.pop(key, None)
            if entry is None:
                if len(self._buckets) >= self._max_keys:
                    self._drop_one()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
            else:
                bucket = entry[0]
            allowed = bucket.try_acquire(tokens)
            stamp = next(self._stamps)
            self._buckets[key] = (bucket, stamp)
            heapq.heappush(self._heap, (bucket._full_at(), stamp, key))
            self._latest = max(self._latest, bucket._seen())
            if len(self._heap) > 2 * len(self._buckets) + 64:
                self._heap = [(b._full_at(), s, k) for k, (b, s) in self._buckets.items()]
                heapq.heapify(self._heap)
            return allowed

    def _drop_one(self) -> None:
        now = max(self._clock(), self._latest)
        heap = self._heap
        while heap:
            full_at, stamp, key = heap[0]
            entry = self._buckets.get(key)
            if entry is None or entry[1] != stamp:
                heapq.heappop(heap)
                continue
            if full_at <= now + 1e-9 * (1.0 + abs(now)) and entry[0]._is_full():
                heapq.heappop(heap)
                del self._buckets[key]
                return
            break
        del self._buckets[next(iter(self._buckets))]

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
