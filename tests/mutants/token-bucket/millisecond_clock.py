"""Level 1: reads the clock in whole milliseconds (truncated), losing sub-millisecond time.

1/512 s is 1.953125 ms; truncating each reading to 1 ms drops fractions of a
millisecond, which later readings partly give back, so counts and decisions drift.
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
        self._last = self._now()

    def _now(self) -> float:
        return math.floor(self._clock() * 1000) / 1000

    def _refill(self) -> float:
        """Add what was earned since the latest reading; return the reading just taken."""
        now = self._now()
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


class _Slot:
    __slots__ = ("bucket", "stamp")

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket
        self.stamp = -1


class RateLimiter:
    """Buckets in an OrderedDict in least-recently-used order, plus a heap of the readings
    at which they are full again (stale entries are skipped, and the heap is rebuilt when
    it holds more than twice as many entries as there are buckets).

    When full, every refilled bucket is dropped at once; if none has refilled, the least
    recently used one is.
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
        self._slots: OrderedDict[Hashable, _Slot] = OrderedDict()
        self._heap: list[tuple[float, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest = -math.inf

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                if len(self._slots) >= self._max_keys:
                    self._make_room()
                slot = _Slot(TokenBucket(self._rate, self._capacity, self._clock))
                self._slots[key] = slot
            else:
                self._slots.move_to_end(key)
            allowed = slot.bucket.try_acquire(tokens)
            self._track(key, slot)
            return allowed

    def _track(self, key: Hashable, slot: _Slot) -> None:
        slot.stamp = next(self._stamps)
        heapq.heappush(self._heap, (slot.bucket._full_at(), slot.stamp, key))
        self._latest = max(self._latest, slot.bucket._last)
        if len(self._heap) > 2 * len(self._slots) + 64:
            self._heap = [(s.bucket._full_at(), s.stamp, k) for k, s in self._slots.items()]
            heapq.heapify(self._heap)

    def _make_room(self) -> None:
        now = max(self._clock(), self._latest)
        margin = 1e-9 * (1.0 + abs(now))
        heap = self._heap
        while heap:
            full_at, stamp, key = heap[0]
            slot = self._slots.get(key)
            if slot is None or slot.stamp != stamp:
                heapq.heappop(heap)
            elif full_at <= now + margin and slot.bucket._is_full():
                heapq.heappop(heap)
                del self._slots[key]
            else:
                break
        if len(self._slots) >= self._max_keys:
            self._slots.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)
