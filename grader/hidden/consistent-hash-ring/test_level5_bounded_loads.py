"""Level 5: consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2016).

get_node(key, loads, c) returns the first node clockwise from the key whose
loads.get(node, 0) + 1 <= ceil(c * (sum(loads.values()) + 1) / len(nodes)). Where floating point
puts c * (total + 1) / len(nodes) within 1e-9 of a whole number, either rounding is accepted."""

from __future__ import annotations

import math
from fractions import Fraction
from types import MappingProxyType

import pytest
from hash_ring import HashRing
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import Script, fail, same, show, written
from grader.oracles.hash_ring import SPACE, PlacedHash, RingModel, key, scattered

pytestmark = pytest.mark.level(5)

NAMES = ["cache-a", "cache-b", "cache-c", "cache-d", "cache-e", "cache-f"]
FACTORS = [1.0, 1.1, 1.25, 1.5, 2.0, 3.0]


def limits(c: float, total: int, nodes: int) -> set[int]:
    """The load limit; both roundings where c × (total + 1) / nodes is a hair from an integer."""
    exact = Fraction(c) * (total + 1) / nodes
    nearest = round(exact)
    if abs(exact - nearest) <= Fraction(1, 10**9) * max(1, nearest):
        return {nearest, nearest + 1}
    return {math.ceil(exact)}


def bounded(model: RingModel, position: int, loads: dict[str, int], c: float,
            nodes: int) -> set[str]:
    answers = set()
    for limit in limits(c, sum(loads.values()), nodes):
        answers.add(next(node for _, node in model.clockwise(position)
                         if loads.get(node, 0) + 1 <= limit))
    return answers


def build(vnodes: int, count: int) -> tuple[Script, PlacedHash, HashRing, RingModel]:
    placed = PlacedHash()
    s = Script()
    s.note("# placed_hash(b'key:<n>') == n; other bytes hash to a fixed value below 2**32")
    ring = s.new("ring", HashRing, vnodes=vnodes, hash_fn=placed)
    for node in NAMES[:count]:
        with placed.adding(node):
            s.call("ring", ring, "add_node", node)
    return s, placed, ring, RingModel(placed.owner)


def check(s: Script, ring: HashRing, model: RingModel, position: int, loads: dict[str, int],
          c: float, count: int) -> None:
    actual = s.call("ring", ring, "get_node", key(position), loads, c)
    expected = bounded(model, position, loads, c, count)
    if not any(same(actual, node) for node in expected):
        limit = min(limits(c, sum(loads.values()), count))
        order = []
        for _, node in model.clockwise(position):
            if node not in order:
                order.append(node)
        fail(f"ring.get_node({key(position)!r}, {show(loads, 200)}, c={c}) gave {show(actual)}, "
             f"expected {' or '.join(sorted(expected))}. total = {sum(loads.values())}, so "
             f"the limit is ceil({c} × {sum(loads.values()) + 1} / {count}) = {limit}; "
             f"clockwise from the key the nodes come in the order {order}, and the first with "
             f"load + 1 <= {limit} takes the key.", s)


@pytest.fixture
def bounded_loads_written() -> None:
    written(lambda: HashRing(["cache-a"], vnodes=1).get_node("user:1", {}, 1.25))


@pytest.mark.usefixtures("bounded_loads_written")
@settings(max_examples=100)
@given(vnodes=st.integers(1, 4), count=st.integers(1, 6), position=st.integers(0, SPACE - 1),
       raw=st.lists(st.integers(0, 12), min_size=6, max_size=6),
       present=st.lists(st.booleans(), min_size=6, max_size=6), c=st.sampled_from(FACTORS))
@pytest.mark.points(5)
def test_first_node_clockwise_with_room(vnodes: int, count: int, position: int, raw: list[int],
                                        present: list[bool], c: float) -> None:
    """random rings, loads and factors c, compared with the rule; loads may name nodes that
    are not on the ring (their load still counts in the total)"""
    s, placed, ring, model = build(vnodes, count)
    if placed.collided:
        return
    loads = {node: load for node, load, here in zip(NAMES, raw, present, strict=True) if here}
    check(s, ring, model, position, loads, c, count)


def test_missing_nodes_have_load_zero() -> None:
    """a node missing from loads counts as load 0, and loads may be any read-only mapping"""
    s, _, ring, model = build(3, 4)
    for position in model.positions[:6]:
        first = model.node(position)
        loads = MappingProxyType({first: 3})  # total 3: limit ceil(1.25 × 4 / 4) = 2
        check(s, ring, model, position, dict(loads), 1.25, 4)
        actual = s.call("ring", ring, "get_node", key(position), loads, 1.25)
        if not any(same(actual, node) for node in NAMES[:4]):
            fail(f"ring.get_node({key(position)!r}, {dict(loads)}) gave {show(actual)} (a "
                 f"{type(actual).__name__}), not a node of the ring.", s)
        if same(actual, first):
            fail(f"{first!r} already has load 3, above the limit of 2, yet "
                 f"ring.get_node({key(position)!r}, {dict(loads)}) still chose it.", s)


def test_no_loads_means_plain_lookup() -> None:
    """empty or all-zero loads give the same node as a plain get_node"""
    s, _, ring, model = build(2, 5)
    for position in [0, *model.positions, SPACE - 1]:
        plain = model.node(position)
        for loads in ({}, dict.fromkeys(NAMES[:5], 0)):
            actual = s.call("ring", ring, "get_node", key(position), loads)
            s.expect(actual, plain, f"ring.get_node({key(position)!r}, {loads})",
                     "with no load anywhere every node has room, so the plain answer stands")


def test_factor_below_one_is_rejected() -> None:
    """c < 1 raises ValueError whenever loads are given, even empty ones; c = 1 is fine"""
    s = Script()
    ring = s.new("ring", HashRing, ["cache-a", "cache-b"])
    s.expect_raises(ValueError, "ring", ring, "get_node", "user:1", {"cache-a": 1}, 0.99)
    s.expect_raises(ValueError, "ring", ring, "get_node", "user:1", {"cache-a": 1}, c=0.5)
    s.expect_raises(ValueError, "ring", ring, "get_node", "user:1", {}, 0.5)
    s.call("ring", ring, "get_node", "user:1", {"cache-a": 1}, 1.0)


def test_assigning_many_keys_stays_within_the_bound() -> None:
    """placing 2,000 keys one by one, feeding loads back: no node ever exceeds the bound"""
    s = Script()
    servers = [f"backend-{i}" for i in range(8)]
    ring = s.new("ring", HashRing, servers, vnodes=50)
    current = dict.fromkeys(servers, 0)
    for i in range(2000):
        node = ring.get_node(f"request:{i}", current, 1.25)
        if not any(same(node, server) for server in servers):
            fail(f"ring.get_node('request:{i}', loads, 1.25) gave {show(node)} (a "
                 f"{type(node).__name__}), not a node of the ring.", s)
        current[node] += 1
        limit = math.ceil(1.25 * (i + 1) / len(servers))
        if current[node] > limit:
            fail(f"after placing {i + 1} keys with c=1.25 (feeding the loads back each time), "
                 f"{node} holds {current[node]}, above ceil(1.25 × {i + 1} / 8) = {limit}. "
                 f"Loads: {current}.", s)


def test_the_walk_wraps_around() -> None:
    """past the last point, with the first nodes clockwise full: the walk wraps and goes on"""
    s, _, ring, model = build(2, 4)
    for position in (model.positions[-2], model.positions[-1], model.positions[-1] + 1):
        for count in (1, 2):
            full = model.nodes(position, count)
            loads = dict.fromkeys(full, 3)  # limit ceil(1.0 × (3 × count + 1) / 4) <= 2: full
            check(s, ring, model, position, loads, 1.0, 4)


def test_weighted_nodes_are_walked_point_by_point() -> None:
    """a heavy node owns many points in a row: the walk passes all of them to find room"""
    placed = PlacedHash()
    s = Script()
    ring = s.new("ring", HashRing, vnodes=1, hash_fn=placed)
    for node, weight in (("cache-a", 5), ("cache-b", 1), ("cache-c", 1)):
        with placed.adding(node):
            s.call("ring", ring, "add_node", node, weight)
    model = RingModel(placed.owner)
    for position in [0, *model.positions, SPACE - 1]:
        check(s, ring, model, position, {"cache-a": 4, "cache-b": 1}, 1.0, 3)


def test_bounded_lookup_hashes_the_key_once() -> None:
    """get_node with loads calls hash_fn once, like the plain lookup"""
    calls: list[bytes] = []

    def counting(data: bytes) -> int:
        calls.append(bytes(data))
        return scattered(bytes(data))

    s = Script()
    ring = s.new("ring", HashRing, ["cache-a", "cache-b", "cache-c"], vnodes=3,
                 hash_fn=counting)
    calls.clear()
    s.call("ring", ring, "get_node", "user:1", {"cache-a": 5, "cache-b": 1}, 1.0)
    if len(calls) != 1:
        fail(f"ring.get_node('user:1', loads, 1.0) called hash_fn {len(calls)} times "
             f"({show(calls)}); hash the key once.", s)
