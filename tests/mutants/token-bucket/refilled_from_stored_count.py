"""Level 5: judges "refilled" from each bucket's stored count without refilling it first.

A bucket drained at 0 and idle since then still stores 0 tokens, so it looks empty
until something refills it; the limiter drops a busy bucket in its place.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TokenBucket:
    """A float token count, refilled from the latest clock reading before each decision."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        self._rate = float(rate)
        self._capacity = float(capacity)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = self._capacity
        self._last = clock()

    def _refill(self) -> float:
        """Add what was earned since the latest reading; return the reading just taken."""
        now = self._clock()
        if now > self._last:
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
            self._last = now
        return now

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        if tokens > self._capacity:
            return False
        with self._lock:
            self._refill()
            if self._tokens >= tokens:
                self._tokens -= tokens
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        if tokens > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._lock:
            now = self._refill()
            missing = tokens - self._tokens
            if missing <= 0:
                return 0.0
            wait = (self._last - now) + missing / self._rate
            while self._tokens + (now + wait - self._last) * self._rate < tokens:
                wait = math.nextafter(wait, math.inf)
            return wait

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            self._refill()
            return self._tokens

    def _is_full(self) -> bool:
        with self._lock:
            self._refill()
            return self._tokens >= self._capacity

    def _full_at(self) -> float:
        """The clock reading from which the bucket is back at capacity."""
        with self._lock:
            return self._last + (self._capacity - self._tokens) / self._rate


class RateLimiter:
    """Buckets in an OrderedDict in least-recently-used order.

    When full, every refilled bucket is dropped at once. `_next_full` is a lower bound on
    the reading at which any held bucket can be full again, so a full table on a clock
    that has not reached it skips the scan and drops the least recently used bucket.
    """

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
        self._next_full = math.inf
        self._latest = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max_keys:
                    self._make_room()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
                self._buckets[key] = bucket
            else:
                self._buckets.move_to_end(key)
            allowed = bucket.try_acquire(tokens)
            self._next_full = min(self._next_full, bucket._full_at())
            self._latest = max(self._latest, bucket._last)
            return allowed

    def _make_room(self) -> None:
        now = max(self._clock(), self._latest)
        if self._next_full <= now + 1e-9 * (1.0 + abs(now)):
            refilled = [
                key for key, bucket in self._buckets.items()
                if bucket._tokens >= bucket._capacity
            ]
            for key in refilled:
                del self._buckets[key]
            self._next_full = min(
                (bucket._full_at() for bucket in self._buckets.values()), default=math.inf
            )
        if len(self._buckets) >= self._max_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
