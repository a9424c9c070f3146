"""Exact rational arithmetic: rate, capacity, tokens and timestamps are all Fractions.

Every float the clock returns converts to a Fraction exactly, so refills and decisions
follow exact arithmetic. `tokens` converts to the nearest float; `wait_time` returns the
smallest float that, added to the current reading, reaches the exact moment the request
would succeed.

The limiter keeps an OrderedDict in least-recently-used order. When it is full it walks
from the least recently used end and drops the first bucket that has refilled, or the
least recently used one if none has. A lower bound on the earliest reading at which any
held bucket can be full again lets it skip the walk while the clock has not reached it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from fractions import Fraction


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
    """One Fraction bucket per key; drops the first refilled bucket from the LRU end."""

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
        self._buckets: OrderedDict[Hashable, TokenBucket] = OrderedDict()
        self._next_full: Fraction | float = math.inf
        self._latest: Fraction | float = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max_keys:
                    self._drop_one()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
                self._buckets[key] = bucket
            else:
                self._buckets.move_to_end(key)
            allowed = bucket.try_acquire(tokens)
            self._next_full = min(self._next_full, bucket._full_at())
            self._latest = max(self._latest, bucket._seen())
            return allowed

    def _drop_one(self) -> None:
        now = max(Fraction(self._clock()), self._latest)
        if self._next_full <= now:
            earliest: Fraction | float = math.inf
            for key, bucket in self._buckets.items():
                if bucket._is_full():
                    del self._buckets[key]
                    return
                earliest = min(earliest, bucket._full_at())
            self._next_full = earliest
        self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
