"""Level 1: parse_fds reads "A B -> C; C -> D" and names the bad part of malformed text;
closure and candidate_keys agree with a brute-force model (a fixpoint for closures, every
subset tried for keys) on random schemas; and both stay cheap on big inputs, counted in the
lines of your module that run (never timed)."""

from __future__ import annotations

import normalisation as subject
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalisation import FD

from grader.checks import Script, fail, show, written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Attrs, Dep

pytestmark = pytest.mark.level(1)


def closure_of(s: Script, attrs: Attrs, deps: list[Dep]) -> Attrs:
    text = f"closure({oracle.attrs_text(attrs)}, fds)"
    got = oracle.record(s, text, subject.closure, attrs, oracle.learner_fds(FD, deps))
    return oracle.attr_set(s, got, text)


def keys_of(s: Script, attrs: Attrs, deps: list[Dep]) -> set[Attrs]:
    text = f"candidate_keys({oracle.attrs_text(attrs)}, fds)"
    got = oracle.record(s, text, subject.candidate_keys, attrs, oracle.learner_fds(FD, deps))
    if not isinstance(got, set | frozenset | list | tuple):
        fail(f"{text} returned {show(got)}; expected a set of frozensets.", s)
    return {oracle.attr_set(s, key, f"a key returned by {text}") for key in got}


def expect_closure(s: Script, attrs: Attrs, deps: list[Dep]) -> None:
    got = closure_of(s, attrs, deps)
    expected = oracle.closure(attrs, deps)
    if got != expected:
        missing, extra = expected - got, got - expected
        detail = []
        if missing:
            detail.append(f"it misses {oracle.names(missing)}")
        if extra:
            detail.append(f"{oracle.names(extra)} does not follow from {{{oracle.names(attrs)}}}")
        fail(f"closure({oracle.attrs_text(attrs)}, fds) gave {{{oracle.names(got)}}}, expected "
             f"{{{oracle.names(expected)}}}: {'; '.join(detail)}.", s)


def expect_keys(s: Script, attrs: Attrs, deps: list[Dep]) -> None:
    got = keys_of(s, attrs, deps)
    expected = oracle.candidate_keys(attrs, deps)
    if got == expected:
        return
    shown = ", ".join("{" + oracle.names(k) + "}" for k in sorted(got, key=sorted))
    wanted = ", ".join("{" + oracle.names(k) + "}" for k in sorted(expected, key=sorted))
    for key in sorted(got - expected, key=sorted):
        reach = oracle.closure(key, deps)
        if not attrs <= reach:
            why = (f"{{{oracle.names(key)}}} is not a key: its closure lacks "
                   f"{oracle.names(attrs - reach)}")
        else:
            smaller = next(k for k in sorted(expected, key=sorted) if k < key)
            why = (f"{{{oracle.names(key)}}} is not minimal: {{{oracle.names(smaller)}}} is "
                   "already a key")
        fail(f"candidate_keys returned [{shown}], expected [{wanted}]; {why}.", s)
    missing = sorted(expected - got, key=sorted)[0]
    fail(f"candidate_keys returned [{shown}], expected [{wanted}]; it misses the key "
         f"{{{oracle.names(missing)}}} (its closure is every attribute, and no smaller set's "
         "is).", s)


# -- parse_fds ---------------------------------------------------------------------------------

VALID = [
    ("A B -> C; C -> D", [("A B", "C"), ("C", "D")]),
    ("A -> B", [("A", "B")]),
    ("emp_id dept -> manager; manager -> dept", [("emp_id dept", "manager"),
                                                   ("manager", "dept")]),
    ("A  B  ->  C D ;  D -> A", [("A B", "C D"), ("D", "A")]),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_fds_reads_dependencies(text: str, expected: list[tuple[str, str]]) -> None:
    """parse_fds reads attributes separated by spaces, '->' between the sides and ';' between
    dependencies, names of several letters included"""
    s = Script()
    got = oracle.read_deps(s, oracle.record(s, f"parse_fds({text!r})", subject.parse_fds, text),
                           f"parse_fds({text!r})")
    want = [(frozenset(lhs.split()), frozenset(rhs.split())) for lhs, rhs in expected]
    # Whether "A -> B C" comes back as one FD or as two is left open: compare the pairs
    # (left side, one right attribute).
    def pairs(deps: list[Dep]) -> set[tuple[Attrs, str]]:
        return {(lhs, a) for lhs, rhs in deps for a in rhs}

    if pairs(got) != pairs(want):
        fail(f"parse_fds({text!r}) gave {show(oracle.deps_text(got), 200)!s}, expected "
             f"{oracle.deps_text(want)}.", s)


MALFORMED = [
    ("A B -> ", "A B ->"),
    ("A B C", "A B C"),
    ("->->", "->->"),
    ("A -> B; C D", "C D"),
    ("A -> B -> C", "A -> B -> C"),
    ("C -> D; A B ->", "A B ->"),
]


@pytest.mark.parametrize(("text", "bad"), MALFORMED)
def test_parse_fds_rejects_malformed_text(text: str, bad: str) -> None:
    """malformed text (no arrow, two arrows, an empty right side) raises ValueError whose
    message quotes the bad part"""
    s = Script()
    s.note(f"parse_fds({text!r})")
    try:
        got = subject.parse_fds(text)
    except NotImplementedError:
        raise
    except ValueError as exc:
        message = " ".join(str(exc).split())
        if bad not in message:
            fail(f"parse_fds({text!r}) raised ValueError({str(exc)!r}); the message should "
                 f"quote the bad part, {bad!r}, so that the user can find it.", s)
        return
    except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
        fail(f"parse_fds({text!r}) raised {type(exc).__name__}: {exc}; expected ValueError.", s)
    fail(f"parse_fds({text!r}) returned {show(got)}; {bad!r} is not a dependency, so it must "
         "raise ValueError.", s)


# -- closure -----------------------------------------------------------------------------------

@pytest.fixture
def closure_written() -> None:
    written(lambda: subject.closure(frozenset("A"), [FD(frozenset("A"), frozenset("B"))]))


@pytest.mark.usefixtures("closure_written")
@pytest.mark.points(2)
@settings(max_examples=70)
@given(schema=oracle.schemas(max_attrs=7, max_deps=7), data=st.data())
def test_closure_matches_the_model(schema: tuple[Attrs, list[Dep]], data: st.DataObject) -> None:
    """closure(attrs, fds) is exactly what a fixpoint over the FDs reaches, on random schemas"""
    attrs, deps = schema
    probes = data.draw(st.lists(st.sets(st.sampled_from(sorted(attrs))).map(frozenset),
                                min_size=1, max_size=4))
    s = oracle.script_for(deps)
    for probe in probes:
        expect_closure(s, probe, deps)


def test_closure_edge_cases() -> None:
    """closure with no FDs, of the empty set, through an FD with an empty left side (a
    constant), with trivial FDs, and with FDs listed in an unhelpful order"""
    cases: list[tuple[str, list[Dep]]] = [
        ("AB", []),
        ("", [(frozenset("A"), frozenset("B"))]),
        ("", [(frozenset(), frozenset("A")), (frozenset("A"), frozenset("B"))]),
        ("C", [(frozenset(), frozenset("A")), (frozenset("AC"), frozenset("D"))]),
        ("A", [(frozenset("AB"), frozenset("A")), (frozenset("A"), frozenset("A"))]),
        ("A", [(frozenset("CD"), frozenset("E")), (frozenset("BC"), frozenset("D")),
               (frozenset("B"), frozenset("C")), (frozenset("A"), frozenset("B"))]),
        ("A", [(frozenset("AB"), frozenset("BC")), (frozenset("A"), frozenset("B"))]),
    ]
    for start, deps in cases:
        expect_closure(oracle.script_for(deps), frozenset(start), deps)


# -- candidate keys ----------------------------------------------------------------------------

@pytest.fixture
def keys_written() -> None:
    written(lambda: subject.candidate_keys(frozenset("AB"), [FD(frozenset("A"), frozenset("B"))]))


@pytest.mark.usefixtures("keys_written")
@pytest.mark.points(3)
@settings(max_examples=80)
@given(schema=oracle.schemas(max_attrs=7, max_deps=6))
def test_candidate_keys_match_the_model(schema: tuple[Attrs, list[Dep]]) -> None:
    """candidate_keys(attributes, fds) is exactly the set of minimal superkeys, found by
    trying every subset, on random schemas"""
    attrs, deps = schema
    expect_keys(oracle.script_for(deps), attrs, deps)


KEY_CASES = [
    ("ABC", "A B -> C; C -> B"),   # two keys, AB and AC
    ("ABC", ""),                   # no FDs: the whole relation is the key
    ("ABC", "A -> B; B -> C; C -> A"),  # every attribute alone is a key
    ("ABCDE", "A -> B; B -> A"),    # C D E are in no FD: in every key
    ("ABCDEF", "A B -> C; C D -> E; E -> A; F -> D"),
]


@pytest.mark.parametrize(("letters", "text"), KEY_CASES)
def test_candidate_keys_textbook_cases(letters: str, text: str) -> None:
    """several keys; no FDs; a cycle where each attribute is a key; attributes no FD mentions
    belong to every key"""
    deps = [(frozenset(lhs.split()), frozenset(rhs.split()))
            for lhs, rhs in (part.split("->") for part in text.split(";") if part.strip())]
    expect_keys(oracle.script_for(deps), frozenset(letters), deps)


# -- cost --------------------------------------------------------------------------------------

def chain(n: int) -> list[Dep]:
    """X1 -> X2, ..., listed last first: a fixpoint that passes over the list once per new
    attribute needs n passes."""
    return [(frozenset({f"X{i}"}), frozenset({f"X{i + 1}"})) for i in range(n, 0, -1)]


def ladder(n: int) -> list[Dep]:
    """n diamonds in a row: Xi -> Li, Xi -> Ri, Li -> X(i+1), Ri -> X(i+1). 2^n paths lead from
    X0 to Xn; a closure that follows paths instead of marking attributes explores them all."""
    deps = []
    for i in range(n):
        x, nxt = f"X{i}", f"X{i + 1}"
        deps += [(frozenset({x}), frozenset({f"L{i}"})), (frozenset({x}), frozenset({f"R{i}"})),
                 (frozenset({f"L{i}"}), frozenset({nxt})), (frozenset({f"R{i}"}), frozenset({nxt}))]
    return deps[::-1]


@pytest.mark.points(2)
@pytest.mark.parametrize(("shape", "deps"), [("a chain of 200 FDs", chain(200)),
                                             ("a ladder of 40 diamonds", ladder(40))])
def test_closure_cost(shape: str, deps: list[Dep]) -> None:
    """closure on 160-200 FDs runs at most 10 × (number of FDs)² lines of your module: a
    fixpoint that passes over the FDs once per new attribute fits, a search along every
    path does not"""
    start = frozenset({"X0"}) if shape.startswith("a ladder") else frozenset({"X1"})
    fds = oracle.learner_fds(FD, deps)
    budget = 10 * len(deps) ** 2
    s = Script()
    s.note(f"fds = <{shape}, last first>")
    text = f"closure({oracle.attrs_text(start)}, fds)"
    s.note(text)
    ok, _lines, got = oracle.within_lines(subject, budget, lambda: subject.closure(start, fds))
    if not ok:
        fail(f"{text} on {shape} ran more than {budget:,} lines of your module (10 × "
             f"{len(deps)}² FDs) before it was stopped. Mark the attributes you have found and "
             "apply each FD once its whole left side is known; never follow every path.", s)
    expected = oracle.closure(start, deps)
    got = oracle.attr_set(s, got, text)
    if got != expected:
        fail(f"{text} on {shape} gave {len(got)} attributes, expected {len(expected)} (it "
             f"misses {show(sorted(expected - got))}).", s)


def wide_schema() -> tuple[Attrs, list[Dep]]:
    """20 attributes: A and B are on no right side (so in every key), K..T on no left side (so
    in no key), and the 8 attributes C..J between them make 9 keys."""
    text = ("A C -> D; D E -> C; C F -> E; E -> F; G H -> I; I -> J; J G -> H; H -> G; "
            "A B C -> K L; D -> M; E F -> N O; G -> P; I J -> Q R; C H -> S T")
    deps = [(frozenset(lhs.split()), frozenset(rhs.split()))
            for lhs, rhs in (part.split("->") for part in text.split(";"))]
    return frozenset(oracle.LETTERS[:20]), deps


def keys_with_fixed_attributes(attrs: Attrs, deps: list[Dep]) -> set[Attrs]:
    """Keys by trying subsets of the middle attributes only: an attribute on no right side is
    in every key, and one on no left side is in none (dropping it from a key leaves a key),
    so no other attributes need trying."""
    on_right = frozenset().union(*(rhs - lhs for lhs, rhs in deps))
    on_left = frozenset().union(*(lhs for lhs, _ in deps))
    core = attrs - on_right
    middle = (attrs & on_right & on_left)
    superkeys = [core | x for x in oracle.subsets(middle)
                 if attrs <= oracle.closure(core | x, deps)]
    return {k for k in superkeys if not any(other < k for other in superkeys)}


@pytest.mark.points(2)
def test_candidate_keys_cost() -> None:
    """candidate_keys on 20 attributes with 9 keys runs at most 1,000,000 lines of your
    module: trying every one of the 2^20 subsets does not fit; putting the attributes on no
    right side in every key and those on no left side in none, then trying subsets of the rest
    (or Lucchesi and Osborn's algorithm) does"""
    attrs, deps = wide_schema()
    s = oracle.script_for(deps)
    fds = oracle.learner_fds(FD, deps)
    budget = 1_000_000
    text = f"candidate_keys(set({''.join(sorted(attrs))!r}), fds)"
    s.note(text)
    ok, _lines, got = oracle.within_lines(subject, budget,
                                         lambda: subject.candidate_keys(attrs, fds))
    if not ok:
        fail(f"{text} ran more than {budget:,} lines of your module before it was stopped: "
             "trying all 2^20 subsets is too much. An attribute that is on no right side is in "
             "every key; one that is on no left side is in none; only the others need trying "
             "(or grow new keys from known ones, as Lucchesi and Osborn do).", s)
    if not isinstance(got, set | frozenset | list | tuple):
        fail(f"{text} returned {show(got)}; expected a set of frozensets.", s)
    found = {oracle.attr_set(s, key, f"a key returned by {text}") for key in got}
    expected = keys_with_fixed_attributes(attrs, deps)
    if found != expected:
        fail(f"{text} returned {show(sorted(map(sorted, found)), 300)}, expected "
             f"{show(sorted(map(sorted, expected)), 300)}.", s)
