"""Level 4: thread safety. Many threads call every method at once; the keys yield the GIL inside
__hash__ and __eq__, and every thread yields before each line of your module, so a thread
switch can land between any two lines of your code. Invariants a race breaks: no entry lost or
duplicated, every eviction reported once, len <= capacity as seen from any thread."""

from __future__ import annotations

import random

import lru_cache as subject
import pytest
from lru_cache import LRUCache

from grader.checks import (
    CountingKey,
    KeyStats,
    Recorder,
    fail,
    run_threads,
    same,
    show,
    within,
)

pytestmark = [pytest.mark.level(4), pytest.mark.points(2)]

THREADS = 8


WRITERS = 5  # in the eviction test; the other three threads only read


def keys_for(thread: int, count: int, stats: KeyStats) -> list[CountingKey]:
    return [CountingKey(thread * 100_000 + i, stats, switch=True) for i in range(count)]


def test_no_entry_lost_without_eviction() -> None:
    """8 threads put distinct keys into a cache large enough for all: none is lost"""
    stats = KeyStats()
    per_thread = 100
    cache = LRUCache(THREADS * per_thread)
    mine = [keys_for(t, per_thread, stats) for t in range(THREADS)]

    def work(t: int) -> None:
        for i, key in enumerate(mine[t]):
            cache.put(key, key.ident)
            back = cache.get(mine[t][i // 2])
            if not same(back, mine[t][i // 2].ident):
                fail(f"with {THREADS} threads putting at once, cache.get({mine[t][i // 2]!r}) "
                     f"gave {show(back)} right after this thread had put it "
                     f"(value {mine[t][i // 2].ident}); an entry was lost in a race.")

    run_threads(THREADS, work, yield_in=subject)
    total = THREADS * per_thread
    if len(cache) != total:
        fail(f"{THREADS} threads each put {per_thread} distinct keys into "
             f"LRUCache({total}); afterwards len(cache) was {len(cache)}, expected {total}.")
    listed = list(cache.keys())
    if len(listed) != total or len(set(listed)) != total:
        fail(f"after {THREADS} threads put {total} distinct keys, keys() listed "
             f"{len(listed)} keys ({len(set(listed))} distinct), expected {total}.")
    for keys in mine:
        for key in keys:
            if not same(cache.peek(key), key.ident):
                fail(f"after the threads finished, cache.peek({key!r}) gave "
                     f"{show(cache.peek(key))}, expected {key.ident}: a put was lost.")


def test_evictions_are_accounted_exactly() -> None:
    """with evictions, every key is either still cached or was evicted exactly once, and
    readers never see more than the capacity"""
    capacity = 64
    stats = KeyStats()
    per_thread = 150
    evicted = Recorder("on_evict")
    cache = LRUCache(capacity, on_evict=evicted)
    mine = [keys_for(t, per_thread, stats) for t in range(WRITERS)]
    over: list[str] = []
    finished: list[int] = []

    def write(t: int) -> None:
        for i, key in enumerate(mine[t]):
            cache.put(key, key.ident)
            cache.get(mine[t][max(0, i - 3)])
            size = len(cache)
            if size > capacity:
                over.append(f"len(cache) was {size}")
        finished.append(t)

    def read(t: int) -> None:
        # each reader hammers one kind of read while the writers work (and at least 100 times)
        rounds = 0
        while len(finished) < WRITERS or rounds < 100:
            rounds += 1
            key = mine[rounds % WRITERS][(rounds * 7 + t) % per_thread]
            if t == WRITERS:
                size = len(cache)
                if size > capacity:
                    over.append(f"len(cache) was {size}")
            elif t == WRITERS + 1:
                value = cache.peek(key)
                if value is not None and not same(value, key.ident):
                    over.append(f"cache.peek({key!r}) gave {show(value)}")
                key in cache  # noqa: B015 - the call itself is what races
            else:
                listed = list(cache.keys())
                if len(listed) > capacity:
                    over.append(f"keys() listed {len(listed)} keys")

    run_threads(THREADS, lambda t: write(t) if t < WRITERS else read(t), yield_in=subject)
    if over:
        fail(f"while {WRITERS} threads put keys into LRUCache({capacity}) and "
             f"{THREADS - WRITERS} others read it, {over[0]}: a reader must never see more "
             "than the capacity or a wrong value.")
    total = WRITERS * per_thread
    present = list(cache.keys())
    if len(cache) != capacity or len(present) != capacity:
        fail(f"after {total} distinct keys were put into LRUCache({capacity}) by "
             f"{WRITERS} threads, len(cache) was {len(cache)} and keys() listed "
             f"{len(present)}; both must be exactly {capacity} (an eviction too many or "
             "too few happened in a race).")
    evicted_keys = [args[0] for args in evicted.calls]
    if len(evicted_keys) != total - capacity or len(set(evicted_keys)) != len(evicted_keys):
        fail(f"{total} distinct keys went into LRUCache({capacity}), so exactly "
             f"{total - capacity} evictions must be reported, each key at most once; "
             f"on_evict was called {len(evicted_keys)} times for "
             f"{len(set(evicted_keys))} distinct keys.")
    if set(evicted_keys) & set(present):
        fail("a key was reported to on_evict and is still in the cache.")
    wrong = [args for args in evicted.calls if not same(args[1], args[0].ident)]
    if wrong:
        fail(f"on_evict got the wrong value for a key: {show(wrong[0])}.")


def test_concurrent_gets_keep_the_recency_order_consistent() -> None:
    """threads reading (and so reordering) shared keys while others write keep the cache whole"""
    capacity = 32
    stats = KeyStats()
    shared = [CountingKey(i, stats, switch=True) for i in range(capacity)]
    cache = LRUCache(capacity)
    for key in shared:
        cache.put(key, key.ident)
    problems: list[str] = []

    def work(t: int) -> None:
        for i in range(150):
            key = shared[(i * 7 + t * 13) % capacity]
            if t % 2:
                cache.put(key, key.ident)
            else:
                value = cache.get(key)
                if not same(value, key.ident):
                    problems.append(f"cache.get({key!r}) gave {show(value)}, "
                                    f"expected {key.ident}")

    run_threads(THREADS, work, yield_in=subject)
    if problems:
        fail(f"while threads read and rewrote the same {capacity} keys (never more than "
             f"the capacity), {problems[0]}: an entry was lost in a race.")
    listed = list(cache.keys())
    if len(cache) != capacity or sorted(k.ident for k in listed) != list(range(capacity)):
        fail(f"after threads read and rewrote the same {capacity} keys in "
             f"LRUCache({capacity}), len(cache) was {len(cache)} and keys() listed "
             f"{len(listed)} keys ({len(set(listed))} distinct); expected exactly the "
             f"{capacity} keys. The recency order was corrupted by a race.")


def test_hot_keys_read_and_written_by_every_thread() -> None:
    """every thread gets, puts, peeks and checks two hot keys in a cache of one: the cache
    stays whole"""
    capacity, count = 1, 2
    for _ in range(2):
        stats = KeyStats()
        hot = [CountingKey(i, stats, switch=True) for i in range(count)]
        cache = LRUCache(capacity)
        problems: list[str] = []

        def work(t: int, cache: object = cache, hot: list[CountingKey] = hot,
                 problems: list[str] = problems) -> None:
            rng = random.Random(t)
            for _ in range(200):
                key = hot[rng.randrange(count)]
                step = rng.randrange(5)
                if step == 0:
                    cache.put(key, key.ident)  # type: ignore[attr-defined]
                elif step == 1:
                    value = cache.peek(key)  # type: ignore[attr-defined]
                    if value is not None and not same(value, key.ident):
                        problems.append(f"cache.peek({key!r}) gave {show(value)}")
                elif step == 2:
                    key in cache  # type: ignore[operator]  # noqa: B015 - the call races
                elif step == 3 and len(cache) > capacity:  # type: ignore[arg-type]
                    problems.append(f"len(cache) was {len(cache)}")  # type: ignore[arg-type]
                else:
                    value = cache.get(key)  # type: ignore[attr-defined]
                    if value is not None and not same(value, key.ident):
                        problems.append(f"cache.get({key!r}) gave {show(value)}")

        run_threads(THREADS, work, yield_in=subject)
        if problems:
            fail(f"while {THREADS} threads used {count} hot keys in LRUCache({capacity}), "
                 f"{problems[0]}.")
        listed = within(5, "list(cache.keys())", lambda cache=cache: list(cache.keys()))
        size = within(5, "len(cache)", lambda cache=cache: len(cache))
        if size != capacity or len(listed) != capacity:
            fail(f"after {THREADS} threads got and put {count} hot keys in "
                 f"LRUCache({capacity}), len(cache) was {size} and keys() listed "
                 f"{show(listed)}; expected exactly {capacity}. If levels 1-3 pass, a race "
                 "corrupted the cache (does every method take the lock?).")
        for key in listed:
            if not same(cache.peek(key), key.ident):
                fail(f"after the threads finished, cache.peek({key!r}) gave "
                     f"{show(cache.peek(key))}, expected {key.ident}.")
