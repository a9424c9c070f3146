"""Integer arithmetic only: time in whole nanoseconds, tokens as integer multiples of a unit.

Each reading is converted exactly (through its integer ratio) to nanoseconds, rounded up.
Tokens are stored as an int count of 1/scale of a token, where scale is chosen so that the
capacity and the refill per nanosecond are whole numbers of units; a request whose size is
not a whole number of units multiplies the scale (and everything stored) by the missing
factor. `wait_time` is the exact wait rounded up to the next float. Bucket state is guarded
by an RLock.

The limiter keeps its buckets in a plain dict (insertion order: pop and re-insert on use, so
the first key is the least recently used) and a heap of the readings at which buckets are
full again. When it is full it drops every bucket that has refilled, or the least recently
used one if none has.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable, Hashable
from fractions import Fraction

_NS = 1_000_000_000


def _float_at_least(value: Fraction) -> float:
    result = float(value)
    if Fraction(result) < value:
        result = math.nextafter(result, math.inf)
    return result


def _to_ns(reading: float) -> int:
    numerator, denominator = reading.as_integer_ratio()
    return -(-numerator * _NS // denominator)


class TokenBucket:
    """Tokens in integer units, time in integer nanoseconds."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must both be > 0")
        rate_num, rate_den = rate.as_integer_ratio()
        cap_num, cap_den = capacity.as_integer_ratio()
        self._capacity = capacity
        self._clock = clock
        self._lock = threading.RLock()
        self._scale = math.lcm(rate_den * _NS, cap_den)
        self._per_ns = rate_num * self._scale // (rate_den * _NS)
        self._cap_units = cap_num * self._scale // cap_den
        self._units = self._cap_units
        self._last_ns = _to_ns(clock())

    def _units_of(self, tokens: float) -> int:
        numerator, denominator = tokens.as_integer_ratio()
        numerator *= self._scale
        factor = denominator // math.gcd(numerator, denominator)
        if factor != 1:
            self._scale *= factor
            self._per_ns *= factor
            self._cap_units *= factor
            self._units *= factor
            numerator *= factor
        return numerator // denominator

    def _refill(self) -> float:
        reading = self._clock()
        now_ns = _to_ns(reading)
        if now_ns > self._last_ns:
            earned = (now_ns - self._last_ns) * self._per_ns
            self._units = min(self._cap_units, self._units + earned)
            self._last_ns = now_ns
        return reading

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take all `tokens` or none of them."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        if tokens > self._capacity:
            return False
        with self._lock:
            needed = self._units_of(tokens)
            self._refill()
            if self._units >= needed:
                self._units -= needed
                return True
            return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed."""
        if tokens > self._capacity:
            raise ValueError("more tokens than the capacity would never be available")
        with self._lock:
            needed = self._units_of(tokens)
            reading = self._refill()
            missing = needed - self._units
            if missing <= 0:
                return 0.0
            ready_ns = self._last_ns + Fraction(missing, self._per_ns)
            return _float_at_least(ready_ns / _NS - Fraction(reading))

    @property
    def tokens(self) -> float:
        """The tokens available now."""
        with self._lock:
            self._refill()
            return self._units / self._scale

    def _is_full(self) -> bool:
        with self._lock:
            self._refill()
            return self._units >= self._cap_units

    def _full_at_ns(self) -> int:
        """The reading, in nanoseconds, from which the bucket is back at capacity."""
        with self._lock:
            return self._last_ns - (self._units - self._cap_units) // self._per_ns

    def _seen_ns(self) -> int:
        with self._lock:
            return self._last_ns


class RateLimiter:
    """One integer bucket per key in a plain dict; drops every refilled bucket when full."""

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
        self._buckets: dict[Hashable, tuple[TokenBucket, int]] = {}
        self._heap: list[tuple[int, int, Hashable]] = []
        self._stamps = itertools.count()
        self._latest_ns: int | None = None

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire on the key's bucket, which becomes the most recently used."""
        if tokens < 0:
            raise ValueError("tokens must be >= 0")
        with self._lock:
            entry = self._buckets.pop(key, None)
            if entry is None:
                if len(self._buckets) >= self._max_keys:
                    self._make_room()
                bucket = TokenBucket(self._rate, self._capacity, self._clock)
            else:
                bucket = entry[0]
            stamp = next(self._stamps)
            self._buckets[key] = (bucket, stamp)
            allowed = bucket.try_acquire(tokens)
            heapq.heappush(self._heap, (bucket._full_at_ns(), stamp, key))
            seen = bucket._seen_ns()
            if self._latest_ns is None or seen > self._latest_ns:
                self._latest_ns = seen
            if len(self._heap) > 2 * len(self._buckets) + 64:
                self._heap = [(b._full_at_ns(), s, k) for k, (b, s) in self._buckets.items()]
                heapq.heapify(self._heap)
            return allowed

    def _make_room(self) -> None:
        now = _to_ns(self._clock())
        if self._latest_ns is not None:
            now = max(now, self._latest_ns)
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
            del self._buckets[next(iter(self._buckets))]

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
