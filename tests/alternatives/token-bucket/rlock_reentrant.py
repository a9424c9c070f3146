"""Re-entrant locking: the public methods call one another while holding the bucket's RLock.

`try_acquire` and `wait_time` take the RLock and then read the `tokens` property, which
takes the same RLock again to refill; the check and the subtraction therefore happen
under one hold of the lock. Refill works on elapsed time clamped at 0 and a timestamp that
only moves forward (`max(last, now)`), so a clock that steps back adds nothing.

The limiter keeps an OrderedDict in least-recently-used order, guarded by its own RLock,
and a heap of the readings at which buckets are full again. When it is full it drops every
bucket that has refilled, or the least recently used one if none has.
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
    """A float token bucket whose methods re-enter one RLock."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        self._rate = float(rate)
        self._capacity = float(capacity)
        self._clock = clock
        self._lock = threading.RLock()
        self._tokens = self._capacity
        self._last = clock()
        self._reading = self._last

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._last)
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._last = max(self._last, now)
            self._reading = now
            return self._tokens

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        if tokens > self._capacity:
            return False
        with self._lock:
            if self.tokens >= tokens:
                self._tokens -= tokens
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        if tokens > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._lock:
            available = self.tokens
            if available >= tokens:
                return 0.0
            now = self._reading
            wait = (self._last - now) + (tokens - available) / self._rate
            while available + max(0.0, now + wait - self._last) * self._rate < tokens:
                wait = math.nextafter(wait, math.inf)
            return wait

    def _is_full(self) -> bool:
        with self._lock:
            return self.tokens >= self._capacity

    def _full_at(self) -> float:
        """The clock reading from which the bucket is back at capacity."""
        with self._lock:
            return self._last + (self._capacity - self._tokens) / self._rate

    def _seen(self) -> float:
        with self._lock:
            return self._last


class RateLimiter:
    """One bucket per key in an OrderedDict; drops every refilled bucket when full."""

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
        self._lock = threading.RLock()
        self._buckets: OrderedDict[Hashable, tuple[TokenBucket, int]] = OrderedDict()
        self._heap: list[tuple[float, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest = -math.inf

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
            allowed = bucket.try_acquire(tokens)
            self._remember(key, bucket)
            return allowed

    def _remember(self, key: Hashable, bucket: TokenBucket) -> None:
        with self._lock:
            stamp = next(self._stamps)
            self._buckets[key] = (bucket, stamp)
            heapq.heappush(self._heap, (bucket._full_at(), stamp, key))
            self._latest = max(self._latest, bucket._seen())
            if len(self._heap) > 2 * len(self._buckets) + 64:
                self._heap = [(b._full_at(), s, k) for k, (b, s) in self._buckets.items()]
                heapq.heapify(self._heap)

    def _make_room(self) -> None:
        with self._lock:
            now = max(self._clock(), self._latest)
            heap = self._heap
            while heap:
                full_at, stamp, key = heap[0]
                entry = self._buckets.get(key)
                if entry is None or entry[1] != stamp:
                    heapq.heappop(heap)
                elif full_at <= now + 1e-9 * (1.0 + abs(now)) and entry[0]._is_full():
                    heapq.heappop(heap)
                    del self._buckets[key]
                else:
                    break
            if len(self._buckets) >= self._max_keys:
                self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
