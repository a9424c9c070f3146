"""Token bucket and a keyed rate limiter with bounded memory.

The bucket keeps two numbers, the tokens and the time it last looked, and refills lazily on
every call: no timer thread, O(1) per call. The limiter keeps one bucket per key in an
OrderedDict (least recently used first), at most ``max_keys`` of them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TokenBucket:
    """At most ``capacity`` tokens, refilled continuously at ``rate`` per second; starts full."""

    def __init__(self, rate: float, capacity: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError(f"rate and capacity must be > 0 (got {rate}, {capacity})")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = float(capacity)
        self._last = clock()
        # Refill, check and take must be one atomic step, or two threads both see the
        # last token and both take it.
        self._lock = threading.Lock()

    def _refill(self) -> float:
        """Add the tokens earned since the last reading; the caller holds the lock."""
        now = self._clock()
        if now > self._last:
            self._tokens = min(float(self.capacity), self._tokens + (now - self._last) * self.rate)
            self._last = now
        # A clock that stepped back adds nothing, and ``_last`` keeps the latest reading,
        # so the time the clock takes to catch up is not counted twice.
        return self._tokens

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take ``tokens`` if all are there (True), else none (False). O(1)."""
        if tokens < 0:
            raise ValueError(f"cannot acquire a negative number of tokens ({tokens})")
        with self._lock:
            if self._refill() >= tokens:
                self._tokens -= tokens
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds until ``try_acquire(tokens)`` would succeed (0.0 if now). O(1)."""
        if tokens > self.capacity:
            raise ValueError(f"{tokens} tokens exceed the capacity {self.capacity}: "
                             "the request can never succeed")
        with self._lock:
            missing = tokens - self._refill()
        return max(0.0, missing / self.rate)

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            return self._refill()

    def is_full(self) -> bool:
        """Whether the bucket has refilled to capacity: then it is as good as a new one."""
        return self.tokens >= self.capacity

    def full_at(self) -> float:
        """The clock time at which the bucket will be full again, if nobody takes tokens."""
        with self._lock:
            return self._last + (self.capacity - self._tokens) / self.rate


class RateLimiter:
    """One bucket per key, at most ``max_keys`` buckets. ``allow`` is amortised O(1): when the
    table is full and a new key arrives, a scan drops every refilled bucket at once, and a
    scan that finds none tells when the next one can refill, so a flood of new keys does not
    rescan the table for each of them."""

    def __init__(self, rate: float, capacity: float,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1 (got {max_keys})")
        TokenBucket(rate, capacity, clock)  # validate rate and capacity now, not on first use
        self.rate = rate
        self.capacity = capacity
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[Hashable, TokenBucket] = OrderedDict()  # LRU first
        self._none_full_before = -math.inf  # no bucket can have refilled before this time
        # Guards the table: without it two threads may each create a bucket for one new key
        # and both admit a full burst.
        self._lock = threading.Lock()

    def _bucket(self, key: Hashable) -> TokenBucket:
        """The key's bucket, made the most recently used; the caller holds the lock."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            self._buckets.move_to_end(key)
            return bucket
        if len(self._buckets) >= self.max_keys:
            self._make_room()
        bucket = self._buckets[key] = TokenBucket(self.rate, self.capacity, self._clock)
        return bucket

    def _make_room(self) -> None:
        # A bucket that has refilled to capacity is indistinguishable from a new one, so
        # dropping it loses nothing; a limited client's bucket is kept as long as possible.
        if self._clock() >= self._none_full_before:
            full = [key for key, bucket in self._buckets.items() if bucket.is_full()]
            for key in full:
                del self._buckets[key]
            if full:
                return
            self._none_full_before = min(b.full_at() for b in self._buckets.values())
        self._buckets.popitem(last=False)

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """``try_acquire(tokens)`` on the key's bucket; a use of the key."""
        with self._lock:
            bucket = self._bucket(key)
            allowed = bucket.try_acquire(tokens)
            # Taking tokens only delays a bucket's refill, but a new bucket may refill sooner
            # than every bucket the last scan saw.
            self._none_full_before = min(self._none_full_before, bucket.full_at())
            return allowed

    def __len__(self) -> int:
        return len(self._buckets)
