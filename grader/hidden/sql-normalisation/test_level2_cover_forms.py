"""Level 2: minimal_cover returns a minimal cover (minimal covers are not unique: any answer
with the four properties below is right), and normal_form names the highest normal form,
checked over the closure of every subset of attributes, not only the FDs given.

A minimal cover of F is equivalent to F, every right side is one attribute, no left
attribute is extraneous (X -> A with A already following from X minus one attribute) and
no FD is redundant (following from the others)."""

from __future__ import annotations

import normalisation as subject
import pytest
from hypothesis import given, settings
from normalisation import FD

from grader.checks import fail, show, written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Attrs, Dep

pytestmark = pytest.mark.level(2)


def check_cover(deps: list[Dep]) -> None:
    s = oracle.script_for(deps)
    got = oracle.read_deps(s, oracle.record(s, "minimal_cover(fds)", subject.minimal_cover,
                                            oracle.learner_fds(FD, deps)), "minimal_cover(fds)")
    shown = oracle.deps_text(got) or "nothing"
    prefix = f"minimal_cover returned {shown}"
    for lhs, rhs in got:
        if len(rhs) != 1:
            fail(f"{prefix}; in {oracle.dep_text((lhs, rhs))} the right side has {len(rhs)} "
                 "attributes, but every right side of a minimal cover is a single attribute.", s)
    for lhs, rhs in got:
        if not oracle.implies(deps, lhs, rhs):
            fail(f"{prefix}; {oracle.dep_text((lhs, rhs))} does not follow from the input "
                 f"(there, the closure of {{{oracle.names(lhs)}}} is "
                 f"{{{oracle.names(oracle.closure(lhs, deps))}}}).", s)
    for lhs, rhs in deps:
        if not oracle.implies(got, lhs, rhs):
            reach = oracle.closure(lhs, got)
            fail(f"{prefix}; it is not equivalent to the input: the input has "
                 f"{oracle.dep_text((lhs, rhs))}, but under the cover the closure of "
                 f"{{{oracle.names(lhs)}}} is only {{{oracle.names(reach)}}} (missing "
                 f"{oracle.names(rhs - reach)}).", s)
    for lhs, rhs in got:
        for extra in sorted(lhs):
            if oracle.implies(got, lhs - {extra}, rhs):
                smaller = oracle.dep_text((lhs - {extra}, rhs))
                fail(f"{prefix}; it has {oracle.dep_text((lhs, rhs))}, but {smaller} already "
                     f"follows from the cover, so {extra} is extraneous.", s)
    for i, (lhs, rhs) in enumerate(got):
        rest = got[:i] + got[i + 1:]
        if oracle.implies(rest, lhs, rhs):
            why = ("it is trivial" if rhs <= lhs else
                   "it is listed twice" if (lhs, rhs) in rest else
                   "it follows from the other FDs of the cover")
            fail(f"{prefix}; {oracle.dep_text((lhs, rhs))} is redundant: {why}.", s)


@pytest.fixture
def cover_written() -> None:
    written(lambda: subject.minimal_cover([FD(frozenset("A"), frozenset("B"))]))


@pytest.mark.usefixtures("cover_written")
@pytest.mark.points(3)
@settings(max_examples=100)
@given(schema=oracle.schemas(max_attrs=6, max_deps=7))
def test_minimal_cover_properties(schema: tuple[Attrs, list[Dep]]) -> None:
    """on random FDs, minimal_cover is equivalent to the input, with single-attribute right
    sides, no extraneous left attribute and no redundant FD"""
    check_cover(schema[1])


COVERS = [
    "A -> B C; B -> C; A -> B; A B -> C",      # the textbook example: A -> B, B -> C
    "A B -> C; A -> B",                         # B is extraneous in A B -> C
    "A -> B; B -> A; A -> C; B -> C",           # one of A -> C, B -> C goes
    "A B -> A; A -> B; A -> B",                 # trivial and duplicated FDs
    "A B C -> D; A -> B; B -> C; D -> A",       # A B C -> D shrinks to A -> D
    "A -> B; B -> C; C -> A; A -> C; C -> B; B -> A",
]


@pytest.mark.points(2)
@pytest.mark.parametrize("text", [*COVERS, ""])
def test_minimal_cover_textbook_cases(text: str) -> None:
    """textbook inputs: extraneous left attributes, redundant, duplicated and trivial FDs,
    cycles; and no FDs at all"""
    check_cover(oracle.parsed(text))


# -- normal forms ------------------------------------------------------------------------------

def explain(attrs: Attrs, deps: list[Dep], got: object, expected: str) -> str:
    keys = oracle.candidate_keys(attrs, deps)
    keys_text = ", ".join("{" + oracle.names(k) + "}" for k in sorted(keys, key=sorted))
    if got in oracle.FORMS and oracle.FORMS.index(str(got)) > oracle.FORMS.index(expected):
        broken = oracle.FORMS[oracle.FORMS.index(expected) + 1]
        witness = oracle.violation(attrs, deps, broken)
        assert witness is not None
        lhs, a = witness
        rule = {"2NF": f"{a} is not prime and {{{oracle.names(lhs)}}} is a proper part of a "
                       "key (a partial dependency)",
                "3NF": f"{{{oracle.names(lhs)}}} is not a superkey and {a} is not prime",
                "BCNF": f"{{{oracle.names(lhs)}}} is not a superkey"}[broken]
        return (f"it is not in {broken}: {oracle.dep_text((lhs, frozenset({a})))} follows from "
                f"the FDs, and {rule} (keys: {keys_text}).")
    if expected == "BCNF":
        return (f"every non-trivial FD that follows has a superkey on the left (keys: "
                f"{keys_text}).")
    return f"it is in {expected} (keys: {keys_text})."


@pytest.fixture
def form_written() -> None:
    written(lambda: subject.normal_form(frozenset("AB"), [FD(frozenset("A"), frozenset("B"))]))


def check_form(attrs: Attrs, deps: list[Dep]) -> None:
    s = oracle.script_for(deps)
    text = f"normal_form({oracle.attrs_text(attrs)}, fds)"
    got = oracle.record(s, text, subject.normal_form, attrs, oracle.learner_fds(FD, deps))
    expected = oracle.normal_form(attrs, deps)
    if not (isinstance(got, str) and got == expected):
        fail(f"{text} gave {show(got)}, expected {expected!r}: "
             f"{explain(attrs, deps, got, expected)}", s)


@pytest.mark.usefixtures("form_written")
@pytest.mark.points(3)
@settings(max_examples=120)
@given(schema=oracle.schemas(max_attrs=6, max_deps=5))
def test_normal_form_matches_the_model(schema: tuple[Attrs, list[Dep]]) -> None:
    """on random schemas, normal_form is the highest form that holds over the closure of every
    subset"""
    check_form(*schema)


FORM_CASES = [
    ("AB", "-> B", "1NF"),                          # a constant B depends on the empty part of A
    ("AB", "-> A; -> B", "BCNF"),                   # the empty set is the key
    ("ABC", "A -> B", "1NF"),                       # B depends on part of the key A C
    ("ABCD", "A B -> C; C -> D", "2NF"),            # D transitively on the key
    ("ABC", "A B -> C; C -> B", "3NF"),             # C is no superkey, but B is prime
    ("AB", "A -> B", "BCNF"),
    ("ABC", "", "BCNF"),
    ("ABCD", "A -> B; B -> A; A C -> D", "3NF"),     # B C is a key too, so B is prime
    ("ABCD", "A -> B C D; B -> A", "BCNF"),
    ("ABCDE", "A B -> C; C -> D; D -> B", "3NF"),   # three keys hold every attribute
    ("ABCD", "A -> B; B -> C; C -> A", "3NF"),       # keys A D, B D, C D
    ("ABCD", "A B -> C D; C -> A", "3NF"),
    ("ABCDE", "A -> B; B -> A; B C -> D", "1NF"),   # A C -> D follows, and A C is part of a key
    ("ABCD", "A B -> C; A C -> D", "2NF"),
]


@pytest.mark.points(2)
@pytest.mark.parametrize(("letters", "text", "form"), FORM_CASES)
def test_normal_form_textbook_cases(letters: str, text: str, form: str) -> None:
    """partial, transitive and prime-attribute dependencies, and violations that show only
    through FDs derived from the ones given"""
    attrs, deps = frozenset(letters), oracle.parsed(text)
    assert oracle.normal_form(attrs, deps) == form
    check_form(attrs, deps)
