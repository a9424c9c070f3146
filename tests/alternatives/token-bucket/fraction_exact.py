"""Exact rational arithmetic: rate, capacity, tokens and timestamps are all Fractions.

Every float the clock returns converts to a Fraction exactly, so refills and decisions
follow exact arithmetic. `tokens` converts to the nearest float; `wait_time` returns the
smallest float that, added to the current reading, reaches the exact moment the request
would succeed.

The limiter keeps an OrderedDict in least-recently-used order and a heap of the readings
at which buckets are full again, each rounded up to a float: clock readings are floats, so
a bucket is full at a reading exactly when its rounded-up time is <= that reading (an entry
is stale once its key is used again or dropped; the heap is rebuilt when it holds more than
twice as many entries as there are buckets). When it is full it drops every bucket that has
refilled, or the least recently used one if none has.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from fractions import Fraction


def _float_at_least(value: Fraction) -> float:
    result = float(value)
    if Fraction(result) < value:
        result = math.nextafter(result, math.inf)
    return result


class TokenBucket:
    """A token bucket computed in Fractions."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        self._rate = Fraction(rate)
        self._capacity = Fraction(capacity)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = self._capacity
        self._last = Fraction(clock())

    def _refill(self) -> tuple[float, Fraction]:
        """Refill up to the reading just taken; return it as given and as a Fraction."""
        reading = self._clock()
        now = Fraction(reading)
        if now > self._last:
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
            self._last = now
        return reading, now

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        wanted = Fraction(tokens)
        if wanted < 0:
            raise ValueError("tokens must be >= 0")
        if wanted > self._capacity:
            return False
        with self._lock:
            self._refill()
            if self._tokens >= wanted:
                self._tokens -= wanted
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        wanted = Fraction(tokens)
        if wanted > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._lock:
            reading, now = self._refill()
            missing = wanted - self._tokens
            if missing <= 0:
                return 0.0
            ready = self._last + missing / self._rate
            wait = float(ready - now)
            while Fraction(reading + wait) < ready:
                wait = math.nextafter(wait, math.inf)
            return wait

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            self._refill()
            return float(self._tokens)

    def _is_full(self) -> bool:
        with self._lock:
            self._refill()
            return self._tokens >= self._capacity

    def _full_at(self) -> Fraction:
        """The clock reading from which the bucket is back at capacity."""
        with self._lock:
            return self._last + (self._capacity - self._tokens) / self._rate

    def _seen(self) -> Fraction:
        with self._lock:
            return self._last


class RateLimiter:
    """One Fraction bucket per key; drops every refilled bucket when full."""

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
        self._buckets: OrderedDict[Hashable, tuple[TokenBucket, int]] = OrderedDict()
        self._heap: list[tuple[float, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest: Fraction | float = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            entry = self._buckets.get(key)
            if entry is None:
                if len(self._buckets) >= self._max_keys:
                    self._make_room()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
            else:
                bucket = entry[0]
                self._buckets.move_to_end(key)
            stamp = next(self._stamps)
            self._buckets[key] = (bucket, stamp)
            allowed = bucket.try_acquire(tokens)
            heapq.heappush(self._heap, self._heap_entry(key, bucket, stamp))
            self._latest = max(self._latest, bucket._seen())
            if len(self._heap) > 2 * len(self._buckets) + 64:
                self._heap = [self._heap_entry(k, b, s) for k, (b, s) in self._buckets.items()]
                heapq.heapify(self._heap)
            return allowed

    @staticmethod
    def _heap_entry(key: Hashable, bucket: TokenBucket, stamp: int) -> tuple[float, int, Hashable]:
        return _float_at_least(bucket._full_at()), stamp, key

    def _make_room(self) -> None:
        now = max(Fraction(self._clock()), self._latest)
        heap = self._heap
        while heap:
            full_at, stamp, key = heap[0]
            entry = self._buckets.get(key)
            if entry is None or entry[1] != stamp:
                heapq.heappop(heap)
            elif full_at <= now and entry[0]._is_full():
                heapq.heappop(heap)
                del self._buckets[key]
            else:
                break
        if len(self._buckets) >= self._max_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
