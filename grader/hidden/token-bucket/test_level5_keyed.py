"""Level 5: the keyed limiter. One bucket per key, at most max_keys of them. When it is full it
drops buckets that have refilled to capacity first (nobody can tell them from new ones), then
the least recently used; the memory it keeps stays bounded however many keys pass through;
and two threads cannot create two buckets for one new key."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterable, Iterator

import pytest
import rate_limiter as subject
from rate_limiter import RateLimiter

from grader.checks import FakeClock, Script, fail, run_threads, show

pytestmark = pytest.mark.level(5)


def allow(s: Script, limiter: RateLimiter, key: str, tokens: float = 1) -> bool:
    args = (key,) if tokens == 1 else (key, tokens)
    return decided(s.call("limiter", limiter, "allow", *args),
                   f"limiter.allow({', '.join(map(repr, args))})", s)


def decided(answer: object, call: str, s: Script | None = None) -> bool:
    """``answer``, what ``call`` gave, which must be True or False (any other object would
    decide by its own truthiness)."""
    if type(answer) is not bool:
        fail(f"{call} gave {show(answer)}; expected True or False.", s)
    return answer


def expect_len_at_most(s: Script, limiter: RateLimiter, bound: int) -> None:
    size = s.observe("len(limiter)", len, limiter)
    if not isinstance(size, int) or size > bound:
        fail(f"len(limiter) gave {size!r}; the limiter may hold at most max_keys = {bound} "
             "buckets.", s)


@pytest.mark.points(2)
def test_each_key_has_its_own_bucket() -> None:
    """keys do not share tokens: one client's burst leaves another's bucket full"""
    clock = FakeClock()
    s = Script()
    limiter = s.new("limiter", RateLimiter, 1, 3, clock)
    for i in range(3):
        s.expect(allow(s, limiter, "10.0.0.1"), True, "limiter.allow('10.0.0.1')",
                 f"request {i + 1} of a burst of 3")
    s.expect(allow(s, limiter, "10.0.0.1"), False, "limiter.allow('10.0.0.1')",
             "10.0.0.1 used its 3 tokens")
    s.expect(allow(s, limiter, "10.0.0.2", 3), True, "limiter.allow('10.0.0.2', 3)",
             "10.0.0.2 has a full bucket of its own")
    s.expect(s.observe("len(limiter)", len, limiter), 2, "len(limiter)")
    clock.advance(1)
    s.note("clock.advance(1)")
    s.expect(allow(s, limiter, "10.0.0.1"), True, "limiter.allow('10.0.0.1')",
             "one second refilled one token")
    s.expect(allow(s, limiter, "10.0.0.1", 5), False, "limiter.allow('10.0.0.1', 5)",
             "5 is more than the capacity")
    clock.advance(1)
    s.note("clock.advance(1)")
    s.expect(allow(s, limiter, "10.0.0.1", 2), False, "limiter.allow('10.0.0.1', 2)",
             "one token is back, not two")
    s.expect(allow(s, limiter, "10.0.0.1"), True, "limiter.allow('10.0.0.1')",
             "a refused request takes nothing, so the one token is still there")


def test_keys_are_compared_as_they_are() -> None:
    """1 and '1' are different clients, with a bucket each"""
    s = Script()
    limiter = s.new("limiter", RateLimiter, 1, 1, FakeClock())
    s.expect(s.call("limiter", limiter, "allow", 1), True, "limiter.allow(1)")
    s.expect(s.call("limiter", limiter, "allow", "1"), True, "limiter.allow('1')",
             "the str '1' is another key than the int 1")
    s.expect(s.call("limiter", limiter, "allow", (1,)), True, "limiter.allow((1,))",
             "any hashable is a key")


@pytest.mark.points(2)
def test_never_more_than_max_keys() -> None:
    """1,000 distinct keys through a limiter with max_keys=10: len never exceeds 10"""
    clock = FakeClock()
    s = Script()
    limiter = s.new("limiter", RateLimiter, 1, 2, clock, max_keys=10)
    for i in range(1000):
        key = f"client-{i}"
        if not allow(s, limiter, key):
            fail(f"limiter.allow({key!r}) gave False for a key never seen before; a new key "
                 "gets a full bucket.", s)
        expect_len_at_most(s, limiter, 10)
        if i % 7 == 0:
            clock.advance(1 / 64)
            s.note("clock.advance(1 / 64)")


@pytest.mark.points(3)
@pytest.mark.parametrize("drained", [2, 24])
def test_refilled_buckets_go_before_limited_ones(drained: int) -> None:
    """when full, a bucket refilled to capacity is dropped before a limited client's bucket,
    even if the limited one is the least recently used"""
    clock = FakeClock()
    s = Script()
    limiter = s.new("limiter", RateLimiter, 1, 2, clock, max_keys=drained + 1)
    limited = [f"k{i}" for i in range(drained)]
    for key in limited:  # drained, least recently used first
        allow(s, limiter, key)
        allow(s, limiter, key)
    allow(s, limiter, "fresh")  # used last
    clock.advance(1)
    s.note(f"clock.advance(1)  # k0..k{drained - 1} are back to 1 token; 'fresh' is full "
           "again, like a new bucket")
    s.expect(allow(s, limiter, "d"), True, "limiter.allow('d')", "d is a new key")
    expect_len_at_most(s, limiter, drained + 1)
    for key in limited:
        s.expect(allow(s, limiter, key, 2), False, f"limiter.allow({key!r}, 2)",
                 f"{key} has 1 token left; if it gets 2, its bucket was dropped and recreated "
                 "full, while 'fresh', refilled to capacity, should have made room")


@pytest.mark.points(3)
def test_least_recently_used_goes_when_none_refilled() -> None:
    """when full and no bucket has refilled, the least recently used bucket is dropped"""
    clock = FakeClock()
    s = Script()
    limiter = s.new("limiter", RateLimiter, 0.125, 2, clock, max_keys=3)
    for key in ("a", "b", "c", "a"):  # b is now the least recently used
        allow(s, limiter, key)
        clock.advance(1 / 512)
        s.note("clock.advance(1 / 512)")
    s.expect(allow(s, limiter, "d"), True, "limiter.allow('d')", "d is a new key")
    expect_len_at_most(s, limiter, 3)
    s.expect(allow(s, limiter, "c", 2), False, "limiter.allow('c', 2)",
             "c used a token and was more recently used than b, so it must still be limited")
    s.expect(allow(s, limiter, "a", 2), False, "limiter.allow('a', 2)",
             "a used two tokens and is recently used; its bucket must be kept")
    s.expect(allow(s, limiter, "b", 2), True, "limiter.allow('b', 2)",
             "b was the least recently used bucket, so it was dropped: it starts full again")


def growth(limiter: RateLimiter, keys: Iterable[str]) -> int:
    """How much the memory the limiter keeps grew while ``keys`` went through it (bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for key in keys:
            limiter.allow(key)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.mark.points(2)
def test_memory_stays_bounded_with_many_keys() -> None:
    """4,000 distinct keys through max_keys=20: the memory the limiter keeps stops growing"""
    limiter = RateLimiter(1, 2, FakeClock(), max_keys=20)
    for i in range(200):
        limiter.allow(f"warm-up-client-{i:06d}")
    grown = growth(limiter, (f"passing-client-{i:06d}" for i in range(4_000)))
    if grown > 128 * 1024:
        fail(f"after 4,000 more distinct keys through RateLimiter(1, 2, max_keys=20), the "
             f"memory the limiter keeps grew by {grown / 1024:.0f} KiB; with at most 20 "
             "buckets it should not grow at all. Something besides the buckets (a list of "
             "keys, a heap, a log) keeps every key ever seen.")
    if len(limiter) > 20:
        fail(f"len(limiter) is {len(limiter)} after 4,200 distinct keys with max_keys=20.")


@pytest.mark.points(2)
def test_memory_stays_bounded_with_returning_keys() -> None:
    """the same 20 keys, 4,000 requests: the memory the limiter keeps stops growing"""
    clock = FakeClock()
    limiter = RateLimiter(1, 2, clock, max_keys=20)

    def returning() -> Iterator[str]:
        for i in range(4_000):
            if i % 20 == 0:
                clock.advance(1 / 8)
            yield f"regular-client-{i % 20:02d}"

    for i in range(100):
        limiter.allow(f"regular-client-{i % 20:02d}")
    grown = growth(limiter, returning())
    if grown > 128 * 1024:
        fail(f"20 clients making 4,000 requests in all through RateLimiter(1, 2, max_keys=20) "
             f"made the memory the limiter keeps grow by {grown / 1024:.0f} KiB; with the same "
             "20 buckets throughout it should not grow. Something (a heap or a log of "
             "requests) gains an entry per request and is never trimmed.")


@pytest.mark.points(2)
def test_one_new_key_from_32_threads() -> None:
    """32 threads hit one new key at once on a frozen clock: exactly capacity (10) succeed"""
    limiter = RateLimiter(1, 10, FakeClock())
    admitted = [0] * 32

    def work(t: int) -> None:
        if decided(limiter.allow("shared-key"), "limiter.allow('shared-key')"):
            admitted[t] += 1

    run_threads(32, work, yield_in=subject)
    if sum(admitted) != 10:
        fail(f"32 threads each called limiter.allow('shared-key') once, with a frozen clock "
             f"and capacity 10; {sum(admitted)} succeeded, expected exactly 10. Two threads "
             "created a bucket each for the same new key: guard the limiter's table with a "
             "lock.")


@pytest.mark.points(2)
def test_many_keys_from_32_threads_stay_bounded() -> None:
    """32 threads with distinct keys through max_keys=8: no error, len never above 8"""
    limiter = RateLimiter(1, 2, FakeClock(), max_keys=8)
    sizes: list[int] = []

    def work(t: int) -> None:
        for i in range(6):
            limiter.allow(f"thread-{t}-key-{i}")
            sizes.append(len(limiter))

    run_threads(32, work, yield_in=subject)
    if max(sizes) > 8:
        fail(f"with 32 threads adding keys at once, len(limiter) reached {max(sizes)}; "
             "max_keys is 8. Check and eviction must happen under one lock.")
