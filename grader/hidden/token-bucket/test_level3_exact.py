"""Level 3: over any schedule of requests, waits and sizes, every decision, tokens and wait_time
match an exact model (the GCRA, in Fractions), and the tokens admitted never exceed
capacity + rate × elapsed.

Times are multiples of 1/512 s and rates and capacities binary fractions, so floats, Fractions
and integer nanoseconds are all exact here; within 1e-9 (relative) of a boundary either
decision is accepted."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from rate_limiter import TokenBucket

from grader.checks import FakeClock, Script, fail, machine_test, show
from grader.oracles.token_bucket import STEP, BucketModel, TickingClock, close

pytestmark = pytest.mark.level(3)

RATES = [0.25, 0.5, 1, 1.5, 2, 3, 10, 12.5, 64]
CAPACITIES = [0.5, 1, 1.25, 2, 3, 5, 7.5, 10, 100]
SIZES = [0.25, 0.5, 1, 1, 1, 2, 3, 4.5, 8]


class ExactBucket(RuleBasedStateMachine):
    """Random schedules compared step by step with an exact model of the bucket."""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.clock = FakeClock()
        self.bucket: TokenBucket | None = None
        self.model: BucketModel | None = None

    @initialize(rate=st.sampled_from(RATES), capacity=st.sampled_from(CAPACITIES))
    def create(self, rate: float, capacity: float) -> None:
        self.bucket = self.script.new("bucket", TokenBucket, rate, capacity, self.clock)
        self.model = BucketModel(rate, capacity, self.clock.now)

    @rule(steps=st.one_of(st.integers(0, 64), st.integers(0, 512 * 20)))
    def advance(self, steps: int) -> None:
        self.clock.advance(steps * STEP)
        self.script.note(f"clock.advance({steps * STEP!r})")

    @rule(tokens=st.sampled_from(SIZES))
    def acquire(self, tokens: float) -> None:
        assert self.model is not None
        expected = self.model.decision(tokens, self.clock.now)
        actual = self.script.call("bucket", self.bucket, "try_acquire", tokens)
        if type(actual) is not bool:
            fail(f"bucket.try_acquire({tokens}) gave {show(actual)}; expected True or False.",
                 self.script)
        if expected is not None and actual != expected:
            fail(f"bucket.try_acquire({tokens}) gave {actual}, expected {expected}: exactly "
                 f"{float(self.model.tokens)} tokens are there (rate {float(self.model.rate)}/s, "
                 f"capacity {float(self.model.capacity)}).", self.script)
        self.model.follow(tokens, actual)

    @rule(tokens=st.sampled_from(SIZES))
    def wait_time(self, tokens: float) -> None:
        assert self.model is not None
        if tokens > self.model.capacity:
            self.script.expect_raises(ValueError, "bucket", self.bucket, "wait_time", tokens)
            return
        expected = self.model.wait(tokens, self.clock.now)
        actual = self.script.call("bucket", self.bucket, "wait_time", tokens)
        if not close(actual, expected, max(1, expected)):
            fail(f"bucket.wait_time({tokens}) gave {show(actual)}, expected "
                 f"{float(expected)!r}: {float(self.model.tokens)} tokens are there and they "
                 f"refill at {float(self.model.rate)} per second.", self.script)

    @rule(tokens=st.sampled_from(SIZES))
    def wait_then_acquire(self, tokens: float) -> None:
        """Wait as long as wait_time says (rounded up to the checks' 1/512 s grid): the request
        then succeeds."""
        assert self.model is not None
        if tokens > self.model.capacity:
            return
        wait = self.script.call("bucket", self.bucket, "wait_time", tokens)
        try:
            steps = math.ceil(Fraction(wait) * 512)
        except (TypeError, ValueError):
            fail(f"bucket.wait_time({tokens}) gave {show(wait)}, not a number of seconds.",
                 self.script)
        self.clock.advance(steps * STEP)
        self.script.note(f"clock.advance({steps * STEP!r})")
        expected = self.model.decision(tokens, self.clock.now)
        actual = self.script.call("bucket", self.bucket, "try_acquire", tokens)
        if type(actual) is not bool:
            fail(f"bucket.try_acquire({tokens}) gave {show(actual)}; expected True or False.",
                 self.script)
        if actual is not True and expected is not None:
            fail(f"bucket.try_acquire({tokens}) gave {show(actual)} right after waiting "
                 f"wait_time({tokens}) = {show(wait)} seconds; waiting that long must be "
                 "enough.", self.script)
        self.model.follow(tokens, actual is True)

    @invariant()
    def tokens_and_ceiling(self) -> None:
        if self.model is None:
            return
        bucket = self.bucket
        actual = self.script.observe("bucket.tokens", lambda: bucket.tokens)  # type: ignore[union-attr]
        expected = self.model.refill(self.clock.now)
        if not close(actual, expected, self.model.capacity):
            fail(f"then bucket.tokens gave {show(actual)}, expected {float(expected)!r}.",
                 self.script)
        ceiling = self.model.ceiling()
        if self.model.admitted > ceiling:
            fail(f"the bucket admitted {float(self.model.admitted)} tokens in "
                 f"{float(self.model.last - self.model.start)} s; at most capacity + rate × "
                 f"elapsed = {float(ceiling)} may pass.", self.script)


TestExactBucket = machine_test(ExactBucket, points=8, max_examples=100, steps=30)


@pytest.mark.points(2)
def test_steady_demand_on_a_ticking_clock_gets_the_full_rate() -> None:
    """a request at every moment, on a clock that ticks at every read: about rate × elapsed
    tokens are admitted, no more and not much less (no time is lost between readings)"""
    clock = TickingClock()
    start = clock.now
    bucket = TokenBucket(4, 2, clock)
    admitted = 0
    for _ in range(4000):
        decision = bucket.try_acquire()
        if type(decision) is not bool:
            fail(f"TokenBucket(4, 2).try_acquire() gave {show(decision)}; expected True or "
                 "False.")
        admitted += decision
    elapsed = clock.now - start
    earned = 2 + 4 * elapsed
    if admitted > earned + 1e-6:
        fail(f"TokenBucket(4, 2) on a clock that ticks 1/512 s at every read admitted {admitted} "
             f"requests in {elapsed:g} s; at most 2 + 4 × {elapsed:g} = {earned:g} tokens "
             "ever existed.")
    if admitted < 0.95 * earned - 1:
        fail(f"TokenBucket(4, 2) on a clock that ticks 1/512 s at every read admitted only "
             f"{admitted} of 4,000 back-to-back requests over {elapsed:g} s, when "
             f"2 + 4 × {elapsed:g} = {earned:g} tokens accrued and every one was wanted. Time "
             "between two readings of the clock is being lost: read the clock once per call, "
             "and refill from the reading you remember to the reading you use.")
