"""Level 2: every operation is O(1). Work is counted, never timed: calls of the keys' __hash__
and __eq__, lines executed in your module, and memory allocated per call, at 10 and at 10,000
entries. An O(1) cache does about the same work at both sizes; an O(n) one does ~1000x more."""

from __future__ import annotations

import statistics
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import lru_cache as subject
import pytest
from lru_cache import LRUCache

from grader.checks import CountingKey, KeyStats, LineCounter, Script, fail, same, show

pytestmark = pytest.mark.level(2)

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


def full_cache(size: int) -> Workload:
    stats = KeyStats()
    keys = [CountingKey(i, stats) for i in range(size)]
    s = Script(record=False)
    cache = s.new("cache", LRUCache, size)
    for key in keys:
        s.call("cache", cache, "put", key, key.ident)
    fresh = [CountingKey(size + i, stats) for i in range(OPS)]
    stats.reset()
    return Workload(size, stats, cache, keys, fresh)


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
    probe = w.fresh[OPS - 1] if operation == "put (new key, evicts)" else pick(w, 0)
    value = w.cache.peek(probe)  # type: ignore[attr-defined]
    expected = OPS - 1 if operation == "put (new key, evicts)" else probe.ident
    if not same(value, expected):
        fail(f"after {OPS} calls of {operation}, cache.peek({probe!r}) gave {show(value)}, "
             f"expected {show(expected)}.")


def per_call(size: int, operation: str, measure: str) -> float:
    w = full_cache(size)
    if measure == "hash/eq calls":
        for i in range(OPS):
            run(w, operation, i)
        calls = w.stats.total
        check_effects(w, operation)
        return calls / OPS
    if measure == "lines executed":
        with LineCounter(subject) as counter:
            for i in range(OPS):
                run(w, operation, i)
        return counter.lines / OPS
    # memory: the median per call of the peak allocated while it runs (a rare resize of a
    # hash table is amortised O(1) and does not move the median; a copy on every call does)
    peaks = []
    tracemalloc.start()
    try:
        for i in range(OPS):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            OPERATIONS[operation](w, i)
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return statistics.median(peaks)


LIMITS = {
    # measure: (factor, slack) — the large cache may cost factor x small + slack per call
    "hash/eq calls": (2.0, 4.0),
    "lines executed": (3.0, 30.0),
    "bytes allocated": (4.0, 4096.0),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_cost_stays_flat(operation: str) -> None:
    """an operation costs the same at 10 and at 10,000 entries"""
    for measure, (factor, slack) in LIMITS.items():
        check(operation, measure, factor, slack)


def check(operation: str, measure: str, factor: float, slack: float) -> None:
    small = per_call(SMALL, operation, measure)
    large = per_call(LARGE, operation, measure)
    if large > factor * small + slack:
        fail(
            f"{operation}: {large:,.1f} {measure} per call with {LARGE:,} entries, but "
            f"{small:,.1f} with {SMALL} entries. The cost grows with the size of the cache; "
            "it must stay flat (O(1)). Usual causes: a list of keys in recency order "
            "(list.remove / index scan it), min() over timestamps to find the LRU key, "
            "copying the keys or scanning every entry on each call."
        )
