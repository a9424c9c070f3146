"""Level 3: balance and weights, with your default hash and 100,000 keys.

Why these bounds cannot fail a correct ring by bad luck (more than 0.1 % of the time): if a
ring's points land like independent uniform draws, a node's share of the circle is the sum of
its arcs, so the shares of 10 nodes × v points follow a Dirichlet(v, ..., v) law, and the keys
each node gets are then multinomial over those shares. Simulating 2,000,000 such rings (numpy:
gamma draws for the shares, multinomial draws for 100,000 keys) gives these failure rates:

- 10 nodes × 100 vnodes, max/mean > 1.4: 6.6e-4
- 10 nodes × 1000 vnodes, max/mean > 1.15: 2.5e-5
- weights 1, 2, 3, 4 × 1000 vnodes, any share off by more than 15 %: 3e-6

0.07 % in all, whatever names the points get, as long as the hash spreads them like random.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

import pytest
from hash_ring import HashRing

from grader.checks import Script, fail, show
from grader.oracles.hash_ring import PlacedHash

pytestmark = pytest.mark.level(3)

KEYS = [f"user:{i}" for i in range(100_000)]
SERVERS = [f"cache-{i:02d}.internal:6379" for i in range(10)]


def loads(s: Script, ring: HashRing, nodes: Collection[str]) -> Counter[str]:
    """How many of KEYS each node gets, once every answer is checked to be one of ``nodes``
    (an exact str, so the count compares and hashes it as a str, by no rules of its own)."""
    found = [ring.get_node(k) for k in KEYS]
    names = set(nodes)
    for k, node in zip(KEYS, found, strict=True):
        if type(node) is not str or node not in names:
            fail(f"ring.get_node({k!r}) gave {show(node)} (a {type(node).__name__}), not one of "
                 f"the {len(names)} nodes the ring was given: get_node returns one of those "
                 "names, as it was given.", s)
    return Counter(found)


def check_spread(vnodes: int, bound: float) -> None:
    s = Script()
    ring = s.new("ring", HashRing, SERVERS, vnodes=vnodes)
    counts = loads(s, ring, SERVERS)
    mean = len(KEYS) / len(SERVERS)
    busiest, most = counts.most_common(1)[0]
    if most / mean > bound:
        spread = ", ".join(f"{n}: {counts[n]}" for n in SERVERS)
        fail(f"{len(KEYS):,} keys ('user:0' to 'user:99999') over 10 nodes with {vnodes} vnodes "
             f"each: {busiest} got {most}, {most / mean:.3f} × the mean of {mean:.0f}; the bound "
             f"is {bound}. Keys per node: {spread}. Does every node really get {vnodes} points, "
             "spread by a hash that mixes its input well?", s)


@pytest.mark.points(3)
def test_balance_at_100_vnodes() -> None:
    """10 nodes × 100 vnodes, 100,000 keys: the busiest node holds at most 1.4 × the mean"""
    check_spread(100, 1.4)


@pytest.mark.points(3)
def test_balance_at_1000_vnodes() -> None:
    """10 nodes × 1000 vnodes, 100,000 keys: the busiest node holds at most 1.15 × the mean"""
    check_spread(1000, 1.15)


@pytest.mark.points(3)
def test_shares_follow_weights() -> None:
    """weights 1, 2, 3, 4 at 1000 vnodes: each node's share is within 15 % of its weight's"""
    s = Script()
    ring = s.new("ring", HashRing, vnodes=1000)
    weights = {"small": 1, "medium": 2, "large": 3, "xlarge": 4}
    for node, weight in weights.items():
        s.call("ring", ring, "add_node", node, weight)
    counts = loads(s, ring, weights)
    total = sum(weights.values())
    for node, weight in weights.items():
        share, expected = counts[node] / len(KEYS), weight / total
        if abs(share / expected - 1) > 0.15:
            fail(f"{node} (weight {weight}) got {share:.1%} of {len(KEYS):,} keys; its weight's "
                 f"share is {expected:.0%}, and the share must be within 15 % of that. A node "
                 "of weight w owns vnodes × w points.", s)


def test_points_per_node_are_vnodes_times_weight() -> None:
    """a node of weight w owns exactly vnodes × w points"""
    placed = PlacedHash()
    s = Script()
    ring = s.new("ring", HashRing, vnodes=7, hash_fn=placed)
    for node, weight in (("a", 1), ("b", 3), ("c", 2)):
        with placed.adding(node) as points:
            s.call("ring", ring, "add_node", node, weight)
        if len(points) != 7 * weight:
            fail(f"ring.add_node({node!r}, {weight}) with vnodes=7 hashed {len(points)} "
                 f"distinct point names; it needs 7 × {weight} = {7 * weight} points.", s)
