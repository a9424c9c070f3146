"""Tokens tracked as a debt (how far the bucket is below capacity), under threading.Condition.

The bucket stores `debt = capacity - tokens`, starting at 0. Time pays the debt off at
`rate` per second and never below 0, which is the cap; a request of n tokens is granted
when `debt + n <= capacity` and then adds n to the debt. Time is counted from the latest
reading seen, so a clock that steps back adds nothing. Every bucket and the limiter guard
their state with a threading.Condition used as a plain mutex.

The limiter keeps an OrderedDict in least-recently-used order and a heap of the readings
at which buckets are out of debt. When it is full it drops the one bucket that cleared its
debt first, or the least recently used bucket if none has.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TokenBucket:
    """A token bucket that stores its debt below capacity instead of its token count."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        self._rate = float(rate)
        self._capacity = float(capacity)
        self._clock = clock
        self._guard = threading.Condition()
        self._debt = 0.0
        self._last = clock()

    def _settle(self) -> float:
        """Pay the debt off up to the reading just taken; return that reading."""
        reading = self._clock()
        if reading > self._last:
            self._debt = max(0.0, self._debt - (reading - self._last) * self._rate)
            self._last = reading
        return reading

    def _debt_at(self, reading: float) -> float:
        if reading <= self._last:
            return self._debt
        return max(0.0, self._debt - (reading - self._last) * self._rate)

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        if tokens > self._capacity:
            return False
        with self._guard:
            self._settle()
            if self._debt + tokens <= self._capacity:
                self._debt += tokens
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        if tokens > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._guard:
            reading = self._settle()
            excess = self._debt + tokens - self._capacity
            if excess <= 0:
                return 0.0
            wait = (self._last - reading) + excess / self._rate
            while self._debt_at(reading + wait) + tokens > self._capacity:
                wait = math.nextafter(wait, math.inf)
            return wait

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._guard:
            self._settle()
            return self._capacity - self._debt

    def _is_full(self) -> bool:
        with self._guard:
            self._settle()
            return self._debt <= 0.0

    def _full_at(self) -> float:
        """The clock reading from which the bucket is out of debt."""
        with self._guard:
            return self._last + self._debt / self._rate

    def _seen(self) -> float:
        with self._guard:
            return self._last


class RateLimiter:
    """One debt bucket per key; drops the earliest refilled bucket, else the LRU one."""

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
        self._guard = threading.Condition()
        self._buckets: OrderedDict[Hashable, tuple[TokenBucket, int]] = OrderedDict()
        self._heap: list[tuple[float, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._guard:
            entry = self._buckets.get(key)
            if entry is None:
                if len(self._buckets) >= self._max_keys:
                    self._drop_one()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
            else:
                bucket = entry[0]
                self._buckets.move_to_end(key)
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
        self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._guard:
            return len(self._buckets)
