"""Level 2: every operation is O(1). Work is counted, never timed: calls of the keys' __hash__
and __eq__, lines executed in your module, and memory allocated per call, at 10 and at 10,000
entries. An O(1) cache does about the same work at both sizes; an O(n) one does ~1000x more."""

from __future__ import annotations

import contextlib
import statistics
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import lru_cache as subject
import pytest
from lru_cache import LRUCache

from grader.checks import CountingKey, KeyStats, LineCounter, Script, fail, same, show

# O(1) is the heart of the kata, so each operation is worth three points.
pytestmark = [pytest.mark.level(2), pytest.mark.points(3)]

SMALL, LARGE = 10, 10_000
OPS = 500


@dataclass
class Workload:
    """A full cache of ``size`` counting keys, and a batch of one kind of operation on it."""

    size: int
    stats: KeyStats
    cache: object
    keys: list[CountingKey]
    fresh: list[CountingKey]

    def renew(self, batch: int) -> None:
        """New never-seen keys for the next batch of misses and inserts."""
        start = self.size + batch * OPS
        self.fresh = [CountingKey(start + i, self.stats) for i in range(OPS)]


def full_cache(size: int, operation: str = "") -> Workload:
    """Fill a cache to ``size`` entries, watching the cost of each put on the way: a put that
    grows with the size is reported here, before filling to 10,000 would take minutes."""
    stats = KeyStats()
    keys = [CountingKey(i, stats) for i in range(size)]
    s = Script(record=False)
    cache = s.new("cache", LRUCache, size)
    spent: list[tuple[int, int]] = []
    lines = LineCounter(subject)
    for i, key in enumerate(keys):
        hashes, executed = stats.total, lines.lines
        # lines are counted (a trace, which is slow) only in the puts that watch_fill compares:
        # the 50 from the 10th, and the 50 up to each check
        with lines if 10 <= i < 60 or (i + 49) % 500 < 50 else contextlib.nullcontext():
            s.call("cache", cache, "put", key, key.ident)
        spent.append((stats.total - hashes, lines.lines - executed))
        if i >= 1000 and i % 500 == 0:
            watch_fill(spent, i, operation)
    stats.reset()
    return Workload(size, stats, cache, keys, [])


def watch_fill(spent: list[tuple[int, int]], filled: int, operation: str) -> None:
    for index, measure in enumerate(("hash/eq calls", "lines executed")):
        factor, slack = LIMITS[measure]
        early = statistics.median(cost[index] for cost in spent[10:60])
        recent = statistics.median(cost[index] for cost in spent[-50:])
        if recent > factor * early + slack:
            before = f"before {operation} could be measured, " if operation else ""
            fail(f"{before}filling the cache showed that put (new key) grows with its size: "
                 f"a typical call costs {recent:,.1f} {measure} once the cache holds "
                 f"{filled:,} entries, but {early:,.1f} while it held about 30. It must stay "
                 "flat (O(1)).")


def pick(w: Workload, i: int) -> CountingKey:
    # a fixed pseudo-random walk over the keys, so hits land all over the recency order
    return w.keys[(i * 7919 + 13) % w.size]


OPERATIONS: dict[str, Callable[[Workload, int], object]] = {
    "get (hit)": lambda w, i: w.cache.get(pick(w, i)),  # type: ignore[attr-defined]
    "get (miss)": lambda w, i: w.cache.get(w.fresh[i]),  # type: ignore[attr-defined]
    "put (update)": lambda w, i: w.cache.put(pick(w, i), pick(w, i).ident),  # type: ignore[attr-defined]
    "put (new key, evicts)": lambda w, i: w.cache.put(w.fresh[i], i),  # type: ignore[attr-defined]
    "peek": lambda w, i: w.cache.peek(pick(w, i)),  # type: ignore[attr-defined]
    "in": lambda w, i: pick(w, i) in w.cache,  # type: ignore[operator]
    "len": lambda w, i: len(w.cache),  # type: ignore[arg-type]
}

# What each operation must return, so that doing nothing is never "fast enough".
EXPECTED: dict[str, Callable[[Workload, int], object]] = {
    "get (hit)": lambda w, i: pick(w, i).ident,
    "get (miss)": lambda w, i: None,
    "put (update)": lambda w, i: None,
    "put (new key, evicts)": lambda w, i: None,
    "peek": lambda w, i: pick(w, i).ident,
    "in": lambda w, i: True,
    "len": lambda w, i: w.size,
}


def run(w: Workload, operation: str, i: int) -> None:
    result = OPERATIONS[operation](w, i)
    expected = EXPECTED[operation](w, i)
    if operation.startswith("put"):
        return  # put's return value is not part of the contract; its effect is checked below
    if not same(result, expected):
        fail(f"{operation}: with {w.size:,} entries the call gave {show(result)}, "
             f"expected {show(expected)}; level 2 measures correct operations only.")


def check_effects(w: Workload, operation: str) -> None:
    size = len(w.cache)  # type: ignore[arg-type]
    if size != w.size:
        fail(f"after {OPS} calls of {operation} on a full LRUCache({w.size:,}), len(cache) "
             f"was {size:,}, expected {w.size:,}.")
    probe = w.fresh[-1] if operation == "put (new key, evicts)" else pick(w, 0)
    value = w.cache.peek(probe)  # type: ignore[attr-defined]
    expected = OPS - 1 if operation == "put (new key, evicts)" else probe.ident
    if not same(value, expected):
        fail(f"after {OPS} calls of {operation}, cache.peek({probe!r}) gave {show(value)}, "
             f"expected {show(expected)}.")


class Meter:
    """Measures one kind of work per call: key hash/eq calls, lines run in your module, or the
    peak memory allocated during the call."""

    def __init__(self, measure: str, w: Workload) -> None:
        self.measure, self.w = measure, w
        self.lines: LineCounter | None = None

    def __enter__(self) -> Meter:
        if self.measure == "lines executed":
            self.lines = LineCounter(subject).__enter__()
        elif self.measure == "bytes allocated":
            tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.lines is not None:
            self.lines.__exit__()
        elif self.measure == "bytes allocated":
            tracemalloc.stop()

    def cost(self, call: Callable[[], None]) -> float:
        if self.measure == "hash/eq calls":
            before = self.w.stats.total
            call()
            return self.w.stats.total - before
        if self.lines is not None:
            before = self.lines.lines
            call()
            return self.lines.lines - before
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        call()
        return tracemalloc.get_traced_memory()[1] - base


def costs(w: Workload, operation: str, measure: str, *,
          limit: float | None = None) -> list[float]:
    """The cost of each of OPS calls on the full cache ``w``. With ``limit``, stop early once
    the first calls' median is already above it (no need to wait for an O(n) cache)."""
    found: list[float] = []
    with Meter(measure, w) as meter:
        for i in range(OPS):
            found.append(meter.cost(lambda i=i: run(w, operation, i)))
            if limit is not None and i == EARLY and statistics.median(found) > limit:
                break
    return found


LIMITS = {
    # measure: (factor, slack): at 10,000 entries the median call may cost up to
    # factor x the median at 10 entries + slack. The mean gets ten times that room, so an
    # occasional O(n) rebuild (amortised O(1)) passes and an O(n) scan every few calls fails.
    "hash/eq calls": (2.0, 4.0),
    "lines executed": (3.0, 30.0),
    "bytes allocated": (4.0, 4096.0),
}
EARLY = 50


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_cost_stays_flat(operation: str) -> None:
    """an operation costs the same at 10 and at 10,000 entries"""
    small, large = full_cache(SMALL, operation), full_cache(LARGE, operation)
    for batch, (measure, (factor, slack)) in enumerate(LIMITS.items()):
        small.renew(batch)
        large.renew(batch)
        check(operation, measure, small, large, factor, slack)
        if batch == 0:
            check_effects(large, operation)


def check(operation: str, measure: str, w_small: Workload, w_large: Workload, factor: float,
          slack: float) -> None:
    small = costs(w_small, operation, measure)
    median_limit = factor * statistics.median(small) + slack
    mean_limit = 10 * (factor * statistics.mean(small) + slack)
    large = costs(w_large, operation, measure, limit=median_limit)
    median, mean = statistics.median(large), statistics.mean(large)
    if median > median_limit or mean > mean_limit:
        typical = "a typical" if median > median_limit else "an average"
        value = median if median > median_limit else mean
        at_small = statistics.median(small) if median > median_limit else statistics.mean(small)
        fail(
            f"{operation}: {typical} call costs {value:,.1f} {measure} with {LARGE:,} "
            f"entries, but {at_small:,.1f} with {SMALL} entries. The cost grows with the size "
            "of the cache; it must stay flat (O(1)). Usual causes: a list of keys in recency "
            "order (list.remove / index scan it), min() over timestamps to find the LRU key, "
            "copying the keys or scanning every entry on each call."
        )
