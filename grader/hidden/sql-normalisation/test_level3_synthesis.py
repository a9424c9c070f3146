"""Level 3: synthesize_3nf returns schemas that hold every attribute, each in 3NF under the
FDs that hold within it (the projection of the closure, computed over every subset), whose
join is lossless (checked by the chase and on random relations that satisfy the FDs) and
which together preserve every FD. Any such decomposition is right: Bernstein's is one of
many. is_lossless and preserves_dependencies agree with the model on random decompositions,
lossless and lossy, preserving and not."""

from __future__ import annotations

import random

import normalisation as subject
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalisation import FD

from grader.checks import Script, fail, show, written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Attrs, Dep

pytestmark = pytest.mark.level(3)


def check_synthesis(attrs: Attrs, deps: list[Dep]) -> None:
    oracle.check_decomposition(FD, subject.synthesize_3nf, "synthesize_3nf", attrs, deps,
                               form="3NF", preserving=True)


@pytest.fixture
def synthesis_written() -> None:
    written(lambda: subject.synthesize_3nf(frozenset("AB"), [FD(frozenset("A"), frozenset("B"))]))


@pytest.mark.usefixtures("synthesis_written")
@pytest.mark.points(3)
@settings(max_examples=70)
@given(schema=oracle.schemas(max_attrs=6, max_deps=6))
def test_synthesis_properties(schema: tuple[Attrs, list[Dep]]) -> None:
    """on random schemas, synthesize_3nf covers every attribute with schemas in 3NF, lossless
    and dependency preserving"""
    check_synthesis(*schema)


SYNTHESIS_CASES = [
    ("ABC", "A B -> C; C -> B"),                    # 3NF keeps A B C: BCNF would lose A B -> C
    ("ABCDE", "A -> B; B -> C"),                    # D E are in no FD: a key schema holds them
    ("ABCD", ""),                                   # no FDs at all
    ("ABCDEF", "A -> B C; C -> D; A B -> C; E -> F"),
    ("ABCD", "A -> B; B -> A; A C -> D"),            # equivalent left sides
    ("ABCDEF", ("A B -> C; C -> A; B C -> D; A C D -> B; D -> E F; B E -> C; C F -> B D; "
                "A C D -> E")),                        # a classic exercise with a redundant cover
]


@pytest.mark.points(2)
@pytest.mark.parametrize(("letters", "text"), SYNTHESIS_CASES)
def test_synthesis_textbook_cases(letters: str, text: str) -> None:
    """attributes no FD mentions, no FDs, a relation whose BCNF decomposition would lose an
    FD, redundant and equivalent FDs"""
    check_synthesis(frozenset(letters), oracle.parsed(text))


# -- is_lossless and preserves_dependencies ------------------------------------------------------

@st.composite
def decomposed(draw: st.DrawFn) -> tuple[Attrs, list[Dep], list[Attrs]]:
    attrs, deps = draw(SCHEMAS)
    rng = random.Random(draw(st.integers(0, 2**32)))
    return attrs, deps, oracle.decomposition(rng, attrs, deps)


SCHEMAS = oracle.schemas(max_attrs=6, max_deps=5)


@pytest.fixture
def lossless_written() -> None:
    written(lambda: subject.is_lossless(frozenset("AB"), [FD(frozenset("A"), frozenset("B"))],
                                        [frozenset("AB")]))


@pytest.mark.usefixtures("lossless_written")
@pytest.mark.points(2)
@settings(max_examples=80)
@given(case=decomposed())
def test_is_lossless_matches_the_chase(case: tuple[Attrs, list[Dep], list[Attrs]]) -> None:
    """on random decompositions, lossless and lossy, is_lossless agrees with the chase"""
    expect_lossless(*case)


def expect_lossless(attrs: Attrs, deps: list[Dep], schemas: list[Attrs]) -> None:
    s = Script()
    s.note(oracle.fds_source(deps))
    text = (f"is_lossless({oracle.attrs_text(attrs)}, fds, "
            f"[{', '.join(map(oracle.attrs_text, schemas))}])")
    got = oracle.record(s, text, subject.is_lossless, attrs, oracle.learner_fds(FD, deps),
                        list(schemas))
    expected = oracle.is_lossless(attrs, deps, schemas)
    if type(got) is not bool or got != expected:
        if expected:
            rows = oracle.chase(attrs, deps, schemas)
            row = next(r for r in rows if all(r[a] == f"{a}0" for a in attrs))
            why = (f"the chase ends with the all-distinguished row {oracle.row_text(row)}, so "
                   "the join of the projections gives back exactly the relation")
        else:
            why = ("the chase ends without an all-distinguished row: "
                   f"{', '.join(map(oracle.row_text, oracle.chase(attrs, deps, schemas)))} "
                   "satisfy every FD, and their projections join into a row they do not have, "
                   f"({', '.join(f'{a}={a}0' for a in sorted(attrs))})")
        fail(f"{text} gave {show(got)}, expected {expected}: {why}.", s)


LOSSLESS_CASES = [
    ("ABC", "A -> B", ["AB"], False),               # C is in no schema: no join gives it back
    ("AB", "-> A", ["A", "B"], True),               # a constant A: the cross product is exact
    ("ABC", "A -> B", ["AB", "AC"], True),
    ("ABC", "A -> B", ["AB", "BC"], False),
    ("ABCDE", "A -> C; B -> C; C -> D; D E -> C; C E -> A",
     ["AD", "AB", "BE", "CDE", "AE"], True),        # the classic chase exercise
    ("ABCD", "A -> B; C -> D", ["AB", "CD"], False),  # nothing shared: a cross product
    ("ABCD", "", ["ABCD"], True),
    ("ABCD", "A B -> C; C -> D", ["ABC", "CD"], True),
    ("ABCD", "A B -> C; C -> D", ["ABD", "CD"], False),
]


@pytest.mark.points(1)
@pytest.mark.parametrize(("letters", "text", "parts", "expected"), LOSSLESS_CASES)
def test_is_lossless_textbook_cases(letters: str, text: str, parts: list[str],
                                    expected: bool) -> None:
    """classic chase exercises, a cross product, and a single schema"""
    schemas = [frozenset(p) for p in parts]
    assert oracle.is_lossless(frozenset(letters), oracle.parsed(text), schemas) is expected
    expect_lossless(frozenset(letters), oracle.parsed(text), schemas)


def expect_preserving(deps: list[Dep], schemas: list[Attrs]) -> None:
    s = Script()
    s.note(oracle.fds_source(deps))
    text = f"preserves_dependencies(fds, [{', '.join(map(oracle.attrs_text, schemas))}])"
    got = oracle.record(s, text, subject.preserves_dependencies, oracle.learner_fds(FD, deps),
                        list(schemas))
    lost = oracle.unpreserved(deps, schemas)
    expected = lost is None
    if type(got) is not bool or got != expected:
        why = (f"{oracle.dep_text(lost)} does not follow from the FDs that hold within the "
               "schemas" if lost is not None else
               "every FD follows from the FDs that hold within the schemas")
        fail(f"{text} gave {show(got)}, expected {expected}: {why}.", s)


@pytest.fixture
def preserving_written() -> None:
    written(lambda: subject.preserves_dependencies([FD(frozenset("A"), frozenset("B"))],
                                                   [frozenset("AB")]))


@pytest.mark.usefixtures("preserving_written")
@pytest.mark.points(2)
@settings(max_examples=80)
@given(case=decomposed())
def test_preserves_dependencies_matches_the_model(
        case: tuple[Attrs, list[Dep], list[Attrs]]) -> None:
    """on random decompositions, preserves_dependencies agrees with the model (the closure of
    the projected FDs implies every FD)"""
    _attrs, deps, schemas = case
    expect_preserving(deps, schemas)


PRESERVING_CASES = [
    ("-> A; B -> C", ["AB", "BC"], True),           # a constant's FD holds inside A B
    ("A B -> C; C -> B", ["BC", "AC"], False),      # the BCNF split of the classic example
    ("A -> B; B -> C; C -> A", ["AB", "BC"], True),  # C -> A is preserved through C -> B -> A
    ("A -> B; B -> C", ["AB", "AC"], False),
    ("A -> B; B -> C", ["AB", "BC"], True),
    ("A B -> C; C -> D", ["ABC", "CD"], True),
    ("", ["AB", "CD"], True),
]


@pytest.mark.points(1)
@pytest.mark.parametrize(("text", "parts", "expected"), PRESERVING_CASES)
def test_preserves_dependencies_textbook_cases(text: str, parts: list[str],
                                               expected: bool) -> None:
    """an FD preserved only through a chain across schemas, and the classic losses"""
    schemas = [frozenset(p) for p in parts]
    assert (oracle.unpreserved(oracle.parsed(text), schemas) is None) is expected
    expect_preserving(oracle.parsed(text), schemas)
