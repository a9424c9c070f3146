"""Level 4: cost, counted rather than timed. get_node calls hash_fn once and compares the key's
hash with O(log n) points (binary search over sorted points); add_node hashes only the new
node's points.

The key's hash is a CountingInt, an int that counts every comparison it takes part in; the
checks also count the lines of your module that run and the memory a lookup allocates, from a
ring of 1,024 points to one of 65,536."""

from __future__ import annotations

import statistics
import tracemalloc

import hash_ring as subject
import pytest
from hash_ring import HashRing

from grader.checks import CountingInt, KeyStats, LineCounter, Script, fail
from grader.oracles.hash_ring import KEY_PREFIX, SPACE, scattered

pytestmark = [pytest.mark.level(4), pytest.mark.points(3)]

SMALL = (16, 64)  # nodes, vnodes: 1,024 points
WRAP_PREFIX = b"key:wrap-"
LARGE = (64, 1024)  # 65,536 points


class CountingHash:
    """Counts its calls; a probe key's hash is a CountingInt, point positions are plain ints."""

    def __init__(self) -> None:
        self.calls = 0
        self.stats = KeyStats()

    def __call__(self, data: bytes) -> int:
        self.calls += 1
        data = bytes(data)
        if data.startswith(WRAP_PREFIX):  # above every point: the lookup wraps around
            return CountingInt(SPACE - 1 - int(data[len(WRAP_PREFIX):]), self.stats)
        position = scattered(data)
        if data.startswith(KEY_PREFIX):
            return CountingInt(position, self.stats)
        return position

    def __repr__(self) -> str:
        return "counting_hash"


def ring_of(nodes: int, vnodes: int) -> tuple[HashRing, CountingHash]:
    counting = CountingHash()
    ring = HashRing([f"node-{i}" for i in range(nodes)], vnodes=vnodes, hash_fn=counting)
    ring.get_node(b"key:warm-up")  # a ring that sorts lazily does it here, once
    return ring, counting


def per_lookup(ring: HashRing, counting: CountingHash) -> tuple[float, float, float, float]:
    """Mean hash calls, comparisons and lines, and the median allocation peak, per get_node."""
    calls, compares, lines, peaks = [], [], [], []
    for i in range(60):
        key = f"key:{i}" if i % 2 else f"key:wrap-{i}"  # half of them past the last point
        counting.calls = 0
        counting.stats.reset()
        with LineCounter(subject) as counter:
            ring.get_node(key)
        calls.append(counting.calls)
        compares.append(counting.stats.compares)
        lines.append(counter.lines)
    tracemalloc.start()
    try:
        for i in range(30):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            ring.get_node(f"key:{i}" if i % 2 else f"key:wrap-{i}")
            peaks.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return (statistics.mean(calls), statistics.mean(compares), statistics.mean(lines),
            statistics.median(peaks))


@pytest.fixture(scope="module")
def measured() -> dict[str, tuple[float, float, float, float]]:
    small, large = ring_of(*SMALL), ring_of(*LARGE)
    return {"small": per_lookup(*small), "large": per_lookup(*large)}


def test_get_node_hashes_once(measured: dict[str, tuple[float, float, float, float]]) -> None:
    """get_node calls hash_fn exactly once per lookup"""
    for size, (calls, *_rest) in measured.items():
        if calls != 1:
            fail(f"get_node called hash_fn {calls:g} times per lookup on the {size} ring; hash "
                 "the key once, and keep the points' positions from add_node.")


def test_lookup_compares_log_n_points(
        measured: dict[str, tuple[float, float, float, float]]) -> None:
    """get_node compares the key's hash with O(log n) points, not all of them, wrapping or not"""
    compares = measured["large"][1]
    bound = 4 * 16 + 8  # log2(65,536) = 16, and a hand-written binary search compares twice
    if compares > bound:
        fail(f"on a ring of 65,536 points, get_node compared the key's hash {compares:.0f} times "
             f"per lookup (on 1,024 points: {measured['small'][1]:.0f}); a binary search needs "
             f"about 16, and at most {bound} pass. bisect.bisect_left on the sorted positions "
             "does it.")


def test_lookup_work_grows_with_log_n(
        measured: dict[str, tuple[float, float, float, float]]) -> None:
    """the lines of your code a lookup runs grow with log n: x64 points, not x64 work"""
    small, large = measured["small"][2], measured["large"][2]
    if large > 2 * small + 60:
        fail(f"get_node ran {small:.0f} lines of your code per lookup on 1,024 points and "
             f"{large:.0f} on 65,536; with a binary search the count barely grows "
             f"(log2 goes from 10 to 16). A loop over the points is O(n).")


def test_lookup_does_not_copy_the_points(
        measured: dict[str, tuple[float, float, float, float]]) -> None:
    """a lookup allocates the same small amount of memory whatever the ring's size"""
    small, large = measured["small"][3], measured["large"][3]
    if large > 2 * small + 16_384:
        fail(f"one get_node allocated {large / 1024:.0f} KiB at its peak on a ring of 65,536 "
             f"points, and {small / 1024:.1f} KiB on 1,024: copying or sorting the points per "
             "lookup is O(n). Keep them sorted as nodes come and go.")


def test_add_node_hashes_only_the_new_points() -> None:
    """add_node hashes the new node's vnodes × weight points, not every node's"""
    counting = CountingHash()
    s = Script()
    ring = s.new("ring", HashRing, [f"node-{i}" for i in range(50)], vnodes=20,
                 hash_fn=counting)
    for node, weight in (("fresh-1", 1), ("fresh-2", 3)):
        counting.calls = 0
        s.call("ring", ring, "add_node", node, weight)
        if counting.calls > 20 * weight + 2:
            fail(f"ring.add_node({node!r}, {weight}) on a ring of {len(ring) - 1} nodes with "
                 f"vnodes=20 called hash_fn {counting.calls} times; it needs only its own "
                 f"{20 * weight} points. The other nodes' points have not moved.", s)
