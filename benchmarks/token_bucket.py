"""token-bucket: the reference keyed ``RateLimiter`` against ``limits`` (in-memory storage;
its moving-window and fixed-window strategies) and ``pyrate-limiter`` (its token bucket,
one in-memory bucket per key).

The three algorithms differ on partly refilled buckets, so the trace keeps to traffic on
which a correct limiter of each kind must agree: every client sends bursts of requests at
one instant, and a client's bursts are further apart than the window (``capacity / rate``
seconds), by which time a token bucket has refilled and every window has expired. Each
burst then admits exactly its first ``capacity`` requests, in every library. Time comes
from a fake clock that all of them read (``limits`` and ``pyrate-limiter`` have it patched
in), so nothing sleeps and every run sees the same times.

- ``mixed``: 2,000 clients, bursts of 1 to 2 × capacity requests, interleaved;
- ``admitted``: bursts within capacity (every request allowed);
- ``rejected``: bursts far over capacity (most requests refused).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

CAPACITY = 10
WINDOW_S = 1  # limits counts windows in whole seconds
RATE = CAPACITY / WINDOW_S
CLIENTS = 2_000

Trace = list[tuple[float, str]]


class FakeClock:
    """Seconds, set by the replay before each request."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def bursts(rng: random.Random, requests: int, low: int, high: int) -> Trace:
    """``(time, client)`` requests: bursts of ``low..high`` requests at one instant, one
    client's bursts at least ``2 × WINDOW_S`` apart, times increasing."""
    trace: Trace = []
    next_free = {f"client-{i}": 0.0 for i in range(CLIENTS)}
    clients = list(next_free)
    now = 1_000_001.0
    while len(trace) < requests:
        now += rng.choice((0.001, 0.002, 0.005))
        client = rng.choice(clients)
        if next_free[client] > now:
            continue
        next_free[client] = now + 2 * WINDOW_S + rng.random()
        trace += [(now, client)] * rng.randint(low, high)
    return trace[:requests]


def _replay(make: Callable[[FakeClock], Callable[[str], bool]], trace: Trace) -> Setup:
    def setup() -> Callable[[], object]:
        clock = FakeClock()
        allow = make(clock)

        def replay() -> object:
            results: list[bool] = []
            append = results.append
            for now, client in trace:
                clock.now = now
                append(allow(client))
            return results

        return replay

    return setup


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The token-bucket benchmark; ``quick`` shortens the traces."""
    n = ops or (5_000 if quick else 30_000)
    rng = random.Random(3)
    traces = {
        "mixed": bursts(rng, n, 1, 2 * CAPACITY),
        "admitted": bursts(rng, n, 1, CAPACITY),
        "rejected": bursts(rng, n, 3 * CAPACITY, 5 * CAPACITY),
    }
    workloads = [
        Workload("mixed", n, "bursts of 1 to 2 × capacity, per client"),
        Workload("admitted", n, "bursts within capacity"),
        Workload("rejected", n, "bursts of 3 to 5 × capacity"),
    ]

    def contender(name: str, kind: Any,
                  make: Callable[[FakeClock], Callable[[str], bool]]) -> Contender:
        return Contender(name, kind, {w: _replay(make, t) for w, t in traces.items()})

    solution = load_solution("token-bucket", "rate_limiter")
    contenders = [contender("reference", "reference", lambda clock: solution.RateLimiter(
        RATE, CAPACITY, clock=clock, max_keys=10_000).allow)]
    skipped: dict[str, str] = {}
    for name, make in (("limits", _limits), ("pyrate-limiter", _pyrate)):
        try:
            contenders += make(contender)
        except ImportError as error:
            skipped[name] = str(error)
    return KataBench("token-bucket", workloads, contenders, skipped)


def _limits(contender: Callable[..., Contender]) -> list[Contender]:
    limits = importlib.import_module("limits")
    memory = importlib.import_module("limits.storage.memory")
    item = limits.RateLimitItemPerSecond(CAPACITY, WINDOW_S)

    def make(strategy: Any) -> Callable[[FakeClock], Callable[[str], bool]]:
        def build_limiter(clock: FakeClock) -> Callable[[str], bool]:
            # The storage reads ``time.time()`` (also in its expiry timer): give it ours.
            vars(memory)["time"] = SimpleNamespace(time=clock)
            limiter = strategy(memory.MemoryStorage())
            hit = limiter.hit
            return lambda client: hit(item, client)

        return build_limiter

    return [contender("limits moving window", "python",
                      make(limits.strategies.MovingWindowRateLimiter)),
            contender("limits fixed window", "python",
                      make(limits.strategies.FixedWindowRateLimiter))]


def _pyrate(contender: Callable[..., Contender]) -> list[Contender]:
    pyrate = importlib.import_module("pyrate_limiter")
    algorithm = importlib.import_module("pyrate_limiter.abstracts.algorithm")
    state = importlib.import_module("pyrate_limiter.buckets.state_bucket")
    rate = pyrate.Rate(CAPACITY, WINDOW_S * 1000)
    abstract_clock: Any = pyrate.AbstractClock
    bucket_factory: Any = pyrate.BucketFactory

    class MillisecondClock(abstract_clock):  # type: ignore[misc]
        def __init__(self, clock: FakeClock) -> None:
            self.clock = clock

        def now(self) -> int:
            return round(self.clock.now * 1000)

    class BucketPerClient(bucket_factory):  # type: ignore[misc]
        """One token bucket per client name, made on first use."""

        def __init__(self, clock: MillisecondClock) -> None:
            self.clock = clock
            self.buckets: dict[str, Any] = {}

        def wrap_item(self, name: str, weight: int = 1) -> Any:
            return pyrate.RateItem(name, self.clock.now(), weight)

        def get(self, item: Any) -> Any:
            bucket = self.buckets.get(item.name)
            if bucket is None:
                bucket = self.buckets[item.name] = state.StateBucket(
                    [rate], algorithm.TokenBucket(), clock=self.clock)
            return bucket

    def make(clock: FakeClock) -> Callable[[str], bool]:
        limiter = pyrate.Limiter(BucketPerClient(MillisecondClock(clock)))
        try_acquire = limiter.try_acquire
        return lambda client: try_acquire(client, blocking=False)

    return [contender("pyrate-limiter", "python", make)]
