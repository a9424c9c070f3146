"""Level 4: thread safety. Many threads call every method at once; the keys yield the GIL inside
__hash__ and __eq__, and every thread yields before each line of your module, so a thread
switch can land between any two lines of your code. Invariants a race breaks: no entry lost or
duplicated, every eviction reported once, len <= capacity as seen from any thread."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

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


def handed_back(keys: Iterable[object], what: str) -> list[CountingKey]:
    """The keys the cache handed back (``what`` says where), checked to be key objects of the
    checks' own class before they are hashed, compared or sorted: any other object would be
    hashed and compared by its own rules, not by the keys'."""
    found = list(keys)
    for key in found:
        if type(key) is not CountingKey:
            fail(f"{what} included {show(key)} (a {type(key).__name__}), not one of the keys "
                 "that were put: the cache must hand back the very key objects it was given.")
    return found  # type: ignore[return-value]


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
    listed = handed_back(cache.keys(), "keys()")
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
    per_thread = 100
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
    present = handed_back(cache.keys(), "keys()")
    if len(cache) != capacity or len(present) != capacity:
        fail(f"after {total} distinct keys were put into LRUCache({capacity}) by "
             f"{WRITERS} threads, len(cache) was {len(cache)} and keys() listed "
             f"{len(present)}; both must be exactly {capacity} (an eviction too many or "
             "too few happened in a race).")
    evicted_keys = handed_back([args[0] for args in evicted.calls], "the keys passed to on_evict")
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
    listed = handed_back(cache.keys(), "keys()")
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
        listed = handed_back(within(5, "list(cache.keys())",
                                    lambda cache=cache: list(cache.keys())), "keys()")
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


class PausingKey(CountingKey):
    """A key whose n-th __hash__ call from one thread pauses that thread (up to PAUSE seconds)
    and lets another thread run a whole operation in the gap: a check-then-act window left
    outside the lock is then hit every time, not by luck."""

    def __init__(self, ident: int, stats: KeyStats) -> None:
        super().__init__(ident, stats)
        self.thread: int | None = None
        self.at = 0
        self.calls = 0
        self.go = threading.Event()
        self.done = threading.Event()

    def __hash__(self) -> int:
        if self.thread == threading.get_ident():
            self.calls += 1
            if self.calls == self.at:
                self.go.set()
                self.done.wait(PAUSE)
        return super().__hash__()


PAUSE = 0.05
OPERATIONS = {
    "put": lambda cache, key: cache.put(key, "a2"),
    "get": lambda cache, key: cache.get(key),
    "peek": lambda cache, key: cache.peek(key),
    "in": lambda cache, key: key in cache,
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_an_operation_paused_midway_while_another_evicts_its_key(operation: str) -> None:
    """an operation paused midway (inside its key's __hash__) while another thread evicts
    that key still leaves the cache consistent"""
    for at in range(1, 5):
        stats = KeyStats()
        a, b = PausingKey(0, stats), PausingKey(1, stats)
        evicted = Recorder("on_evict")
        cache = LRUCache(1, on_evict=evicted)
        cache.put(a, "a1")
        errors: list[BaseException] = []

        def other(cache: object = cache, a: PausingKey = a, b: PausingKey = b,
                  errors: list[BaseException] = errors) -> None:
            a.go.wait(5)
            try:
                cache.put(b, "b1")  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                a.done.set()

        helper = threading.Thread(target=other, daemon=True)
        helper.start()
        a.thread, a.at = threading.get_ident(), at
        what = f"{'a in cache' if operation == 'in' else f'cache.{operation}(a)'}"
        scene = (f"In LRUCache(1) holding a, thread 1 ran {what} and was paused inside "
                 f"a.__hash__ (call {at}) while thread 2 ran cache.put(b, 'b1'), which evicts a")
        try:
            OPERATIONS[operation](cache, a)
        except Exception as exc:  # noqa: BLE001 - the learner's error, explained
            fail(f"{scene}: thread 1's call raised {type(exc).__name__}: {exc}. Every method "
                 "must hold the lock from its first look at the data to its last change.")
        finally:
            a.thread = None
            a.go.set()
        helper.join(5)
        if helper.is_alive():
            fail(f"{scene}: thread 2 never finished (a deadlock?).")
        if errors:
            fail(f"{scene}: thread 2's put raised {type(errors[0]).__name__}: {errors[0]}.")
        check_after_pause(cache, a, b, evicted, scene, updated=operation == "put")


def check_after_pause(cache: object, a: CountingKey, b: CountingKey, evicted: Recorder,
                      scene: str, *, updated: bool) -> None:
    size = len(cache)  # type: ignore[arg-type]
    listed = list(cache.keys())  # type: ignore[attr-defined]
    if size != 1 or len(listed) != 1:
        fail(f"{scene}: afterwards len(cache) was {size} and keys() listed {show(listed)}; "
             "a cache of capacity 1 must hold exactly one entry. A check and the change it "
             "decided on were not under one lock.")
    if listed[0] is b:
        expected_value, expected_evictions = "b1", [(a, "a2" if updated else "a1")]
    elif listed[0] is a and updated:  # thread 2 ran first, then thread 1's put put a back
        expected_value, expected_evictions = "a2", [(a, "a1"), (b, "b1")]
    elif updated:
        fail(f"{scene}: afterwards the cache held {show(listed[0])}, but it must hold a or b, "
             "the only keys that were put.")
    else:
        fail(f"{scene}: afterwards the cache held {show(listed[0])}, but thread 2's put "
             "of b must be in it.")
    value = cache.peek(listed[0])  # type: ignore[attr-defined]
    if not same(value, expected_value):
        fail(f"{scene}: afterwards cache.peek({listed[0]!r}) gave {show(value)}, expected "
             f"{show(expected_value)}.")
    if not same(evicted.calls, expected_evictions):
        fail(f"{scene}: on_evict was called with {show(evicted.calls)}, expected "
             f"{show(expected_evictions)}.")
