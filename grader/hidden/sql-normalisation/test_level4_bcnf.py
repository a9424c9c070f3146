"""Level 4: decompose_bcnf returns schemas that hold every attribute, each in BCNF under the
FDs that hold within it (the projection of the closure, computed over every subset, so an
FD implied through attributes split away counts too), and whose join is lossless (the chase,
and random relations that satisfy the FDs). Dependency preservation is not asked for: some
relations have no BCNF decomposition that preserves every FD. Any such decomposition is
right."""

from __future__ import annotations

import random

import normalisation as subject
import pytest
from hypothesis import given, settings
from normalisation import FD

from grader.checks import written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Attrs, Dep

pytestmark = pytest.mark.level(4)


def check_bcnf(attrs: Attrs, deps: list[Dep]) -> None:
    oracle.check_decomposition(FD, subject.decompose_bcnf, "decompose_bcnf", attrs, deps,
                               form="BCNF", preserving=False)


@pytest.fixture
def bcnf_written() -> None:
    written(lambda: subject.decompose_bcnf(frozenset("AB"), [FD(frozenset("A"), frozenset("B"))]))


@pytest.mark.usefixtures("bcnf_written")
@pytest.mark.points(3)
@settings(max_examples=80)
@given(schema=oracle.schemas(max_attrs=6, max_deps=6))
def test_bcnf_properties(schema: tuple[Attrs, list[Dep]]) -> None:
    """on random schemas, decompose_bcnf covers every attribute with BCNF schemas, lossless"""
    check_bcnf(*schema)


BCNF_CASES = [
    ("AB", "-> A"),                       # a constant A is no key of A B: split, even 2 columns
    ("ABC", "-> A; B -> C"),
    ("ABC", "A B -> C; C -> B"),          # C -> B forces B C and A C: A B -> C is lost
    ("ABCD", "A -> B; B -> C"),           # after A B splits off, A -> C holds in A C D
    ("ABCDE", "A -> B; B -> C; C -> D; D -> E"),
    ("ABCD", "A -> B C D; B -> A"),       # already in BCNF
    ("ABCD", ""),
    ("ABCDEF", ("A B -> C; C -> A; B C -> D; A C D -> B; D -> E F; B E -> C; C F -> B D; "
                "A C D -> E")),
    ("ABCDEFG", "A -> B; A -> C; C D -> E; B -> F; A G -> D"),
    ("ABCD", "D -> B; A -> D; B -> D"),   # in A B C, A -> B holds only through D
    ("ABCDE", "B E -> A; C -> B"),        # in A C D E, C E -> A holds only through B
]


@pytest.mark.points(2)
@pytest.mark.parametrize(("letters", "text"), BCNF_CASES)
def test_bcnf_textbook_cases(letters: str, text: str) -> None:
    """the classic relation with no dependency-preserving BCNF split, a violation that shows
    only through an implied FD, chains, a relation already in BCNF, and no FDs"""
    check_bcnf(frozenset(letters), oracle.parsed(text))


def seeded_schemas(seed: int, count: int) -> list[tuple[Attrs, list[Dep]]]:
    """Small random schemas from a fixed seed: 3 to 6 attributes, 1 to 5 FDs with one or two
    attributes on the left. Unlike hypothesis, which starts from the simplest examples, they
    are spread evenly, so FDs that hold in a part only through attributes split away are
    common."""
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        attrs = oracle.LETTERS[:rng.randint(3, 6)]
        deps = []
        for _ in range(rng.randint(1, 5)):
            lhs = frozenset(rng.sample(attrs, rng.randint(1, 2)))
            rhs = frozenset(rng.sample(attrs, 1)) - lhs
            if rhs:
                deps.append((lhs, rhs))
        drawn.append((frozenset(attrs), deps))
    return drawn


@pytest.mark.points(2)
def test_bcnf_on_seeded_random_schemas() -> None:
    """on 200 evenly spread random schemas, every part is in BCNF (implied FDs included) and
    the join is lossless"""
    for attrs, deps in seeded_schemas(4, 200):
        check_bcnf(attrs, deps)
