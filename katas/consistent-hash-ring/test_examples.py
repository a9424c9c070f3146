"""Examples of the hash ring rules. Run them with: pytest katas/consistent-hash-ring"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find hash_ring.py from any directory

from hash_ring import HashRing


class Placed:
    """A hash function that puts things where the examples want them: a key named "k<n>"
    hashes to n; node "alpha"'s points hash to 10 and 30 (in the order they are hashed) and
    node "beta"'s point to 20, whatever names your ring gives its points, as long as the
    names contain the node's name."""

    def __init__(self) -> None:
        self.alpha_points = 0

    def __call__(self, data: bytes) -> int:
        if data.startswith(b"k"):
            return int(data[1:])
        if b"alpha" in data:
            self.alpha_points += 1
            return [10, 30][(self.alpha_points - 1) % 2]
        return 20


def small_ring() -> HashRing:
    ring = HashRing(vnodes=1, hash_fn=Placed())
    ring.add_node("alpha", weight=2)  # two points: 10 and 30
    ring.add_node("beta")  # one point: 20
    return ring


def test_first_point_at_or_after_the_key() -> None:
    ring = small_ring()
    assert ring.get_node("k10") == "alpha"  # exactly on alpha's point
    assert ring.get_node("k11") == "beta"  # the next point is beta's, at 20
    assert ring.get_node("k30") == "alpha"
    assert ring.get_node(b"k15") == "beta"  # bytes keys work too


def test_wrap_around() -> None:
    ring = small_ring()
    assert ring.get_node("k31") == "alpha"  # past the last point: back to 10
    assert ring.get_node("k0") == "alpha"


def test_get_nodes_walks_clockwise() -> None:
    ring = small_ring()
    assert ring.get_nodes("k11", 2) == ["beta", "alpha"]
    assert ring.get_nodes("k25", 2) == ["alpha", "beta"]
    assert sorted(ring.get_nodes("k25", 5)) == ["alpha", "beta"]  # more than there are: all of them


def test_membership_and_errors() -> None:
    ring = HashRing(["cache-a", "cache-b"])
    assert set(ring.nodes) == {"cache-a", "cache-b"}
    assert len(ring) == 2
    with pytest.raises(ValueError):  # noqa: PT011 (any message will do)
        ring.add_node("cache-a")
    with pytest.raises(KeyError):
        ring.remove_node("cache-z")
    ring.remove_node("cache-a")
    ring.remove_node("cache-b")
    with pytest.raises(LookupError):
        ring.get_node("user:1")


def test_adding_a_node_moves_keys_only_onto_it() -> None:
    ring = HashRing(["cache-a", "cache-b", "cache-c"])
    before = {k: ring.get_node(k) for k in (f"user:{i}" for i in range(1000))}
    ring.add_node("cache-d")
    after = {k: ring.get_node(k) for k in before}
    assert all(after[k] in (before[k], "cache-d") for k in before)


def test_bounded_loads() -> None:
    ring = small_ring()
    # k11's first point is beta's (20), then alpha's (30).
    # total load 2: limit ceil(1.0 × 3 / 2) = 2, and beta (2 + 1 > 2) is full: alpha gets it
    assert ring.get_node("k11", loads={"beta": 2}, c=1.0) == "alpha"
    # total load 1: limit ceil(1.5 × 2 / 2) = 2, and beta (1 + 1 <= 2) has room
    assert ring.get_node("k11", loads={"beta": 1}, c=1.5) == "beta"
