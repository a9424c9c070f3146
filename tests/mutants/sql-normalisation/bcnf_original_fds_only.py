"""Level 4: decompose_bcnf looks for violations among the original FDs that fit inside a schema, missing the FDs a schema inherits through attributes split away.

Functional dependencies and normalisation: the theory, then a real table in SQLite.

Attribute sets are frozensets of strings. The algorithms are the textbook ones, each with
the trick that keeps it polynomial where one is known:

- ``closure`` is the linear-time algorithm of Beeri and Bernstein (a counter per FD);
- ``candidate_keys`` is Lucchesi and Osborn's: every key is found from an earlier key and
  one FD, so the work is polynomial in the number of keys, not in 2^n;
- ``normal_form``, ``synthesize_3nf`` and ``decompose_bcnf`` work on a cover of the FDs that
  hold inside the relation (``_project``), so FDs through attributes outside it count too;
- ``discover_fds`` is level-wise and TANE-like: a set of columns is summarised by the
  partition of the rows it induces, and X -> a holds exactly when adding a to X splits no
  class, that is when X and X | {a} have the same number of classes.

FDs that mention attributes outside the relation are not an error: they take part in every
closure (A -> X and X -> B give A -> B), and only the relation's own attributes end up in
keys and schemas.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import sqlite_utils

Attributes = frozenset[str]
NormalForm = Literal["1NF", "2NF", "3NF", "BCNF"]


@dataclass(frozen=True)
class FD:
    """The functional dependency lhs -> rhs: rows that agree on lhs agree on rhs."""

    lhs: frozenset[str]
    rhs: frozenset[str]

    def __post_init__(self) -> None:
        # Accept any iterable of names (a set, a list), but not a bare string, which would
        # silently become a set of its characters.
        for side in ("lhs", "rhs"):
            value = getattr(self, side)
            if isinstance(value, str):
                raise TypeError(f"FD.{side} must be a set of attribute names, not the "
                                f"string {value!r}")
            object.__setattr__(self, side, frozenset(value))

    def __str__(self) -> str:
        return f"{' '.join(sorted(self.lhs))} -> {' '.join(sorted(self.rhs))}".strip()


# ---------------------------------------------------------------------------------------
# Parsing

_ARROW = re.compile(r"->|→")
_NAME = re.compile(r"\w+")
_SEPARATOR = re.compile(r"[\s,]+")


def _parse_side(text: str, part: str) -> Attributes:
    names = [name for name in _SEPARATOR.split(text.strip()) if name]
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} in {part!r} is not an attribute name (letters, "
                             "digits and underscores)")
    return frozenset(names)


def parse_fds(text: str) -> list[FD]:
    """Parse FDs written as ``"A B -> C; C -> D"``.

    FDs are separated by ``;`` or new lines; attributes by spaces and/or commas
    (``"A, B -> C"``); an attribute name is letters, digits and underscores. ``→`` works as
    well as ``->``. An empty left side (``"-> A"``: A is constant) is accepted; an empty
    right side, a missing or doubled arrow, or a bad name is a ValueError that quotes the
    bad part. Blank parts are skipped, so a trailing ``;`` is fine.
    """
    fds = []
    for raw in re.split(r"[;\n]", text):
        part = raw.strip()
        if not part:
            continue
        sides = _ARROW.split(part)
        if len(sides) != 2:
            problem = "has no '->'" if len(sides) == 1 else "has more than one '->'"
            raise ValueError(f"{part!r} {problem}: write an FD as 'A B -> C'")
        lhs, rhs = (_parse_side(side, part) for side in sides)
        if not rhs:
            raise ValueError(f"{part!r} has nothing right of '->'")
        fds.append(FD(lhs, rhs))
    return fds


# ---------------------------------------------------------------------------------------
# Closure, keys, covers


def closure(attrs: Iterable[str], fds: Iterable[FD]) -> Attributes:
    """Every attribute that ``attrs`` determines under ``fds``. O(total size of fds).

    Each FD keeps a count of its left attributes not yet known; when the count reaches
    zero the FD fires. Each attribute is processed once, and touches only the FDs whose
    left side mentions it, so the whole run is linear, not a fixpoint of repeated passes.
    """
    fds = list(fds)
    result = set(attrs)
    missing = [len(fd.lhs) for fd in fds]
    waiting: defaultdict[str, list[int]] = defaultdict(list)  # attribute -> FDs that need it
    for i, fd in enumerate(fds):
        for attribute in fd.lhs:
            waiting[attribute].append(i)
    queue = list(result)
    for fd in fds:
        if not fd.lhs:  # an empty left side holds from the start
            queue.extend(fd.rhs - result)
            result |= fd.rhs
    while queue:
        attribute = queue.pop()
        for i in waiting.pop(attribute, ()):
            missing[i] -= 1
            if missing[i] == 0:
                new = fds[i].rhs - result
                result |= new
                queue.extend(new)
    return frozenset(result)


def _singletons(fds: Iterable[FD]) -> list[FD]:
    """One FD per right attribute, trivial ones (a in lhs) left out, duplicates dropped,
    first occurrence first."""
    seen: dict[FD, None] = {}
    for fd in fds:
        for attribute in sorted(fd.rhs - fd.lhs):
            seen.setdefault(FD(fd.lhs, frozenset({attribute})), None)
    return list(seen)


def minimal_cover(fds: Iterable[FD]) -> list[FD]:
    """An equivalent set of FDs with one right attribute each, no redundant left attribute
    and no redundant FD. O(n² · size) for n FDs.

    The order of the steps matters: reduce the left sides first, then drop redundant FDs.
    Done the other way round, shrinking a left side can make another FD redundant after the
    redundancy pass has already run.
    """
    cover = _singletons(fds)
    for i, fd in enumerate(cover):
        lhs = set(fd.lhs)
        for attribute in sorted(fd.lhs):
            # Removing `attribute` is safe when the rest still determines the right side
            # under the current FDs (equivalent to the original ones at every step).
            if fd.rhs <= closure(lhs - {attribute}, cover):
                lhs.discard(attribute)
        cover[i] = FD(frozenset(lhs), fd.rhs)
    cover = list(dict.fromkeys(cover))  # reducing can make two FDs equal
    kept = list(cover)
    for fd in cover:
        rest = [other for other in kept if other != fd]
        if fd.rhs <= closure(fd.lhs, rest):
            kept = rest
    return kept


def _project(fds: Iterable[FD], attributes: Attributes) -> list[FD]:
    """Singleton FDs over ``attributes`` only, equivalent to everything ``fds`` imply there.

    Attributes outside are eliminated one by one, by chaining every FD into it with every
    FD out of it (X -> b and b Z -> a give X Z -> a), then forgetting the FDs that mention
    it: for FDs, as for Horn clauses, this resolution keeps exactly the consequences over
    the remaining attributes. Usually cheap; a projection can need exponentially many FDs,
    which no algorithm avoids.
    """
    current = _singletons(fds)
    outside = set().union(*(fd.lhs | fd.rhs for fd in current)) - attributes
    for attribute in sorted(outside):
        into = [fd for fd in current if attribute in fd.rhs]
        out_of = [fd for fd in current if attribute in fd.lhs]
        current = [fd for fd in current if attribute not in fd.lhs | fd.rhs]
        for source in into:
            for target in out_of:
                lhs = source.lhs | (target.lhs - {attribute})
                if not target.rhs <= lhs:
                    current.append(FD(lhs, target.rhs))
        current = _drop_subsumed(current)
    return current


def _drop_subsumed(fds: list[FD]) -> list[FD]:
    """Drop X -> a when some Y -> a with Y ⊂ X is there too."""
    by_rhs: defaultdict[Attributes, list[Attributes]] = defaultdict(list)
    for fd in sorted(set(fds), key=lambda fd: len(fd.lhs)):
        if not any(smaller <= fd.lhs for smaller in by_rhs[fd.rhs]):
            by_rhs[fd.rhs].append(fd.lhs)
    return [FD(lhs, rhs) for rhs, lhss in by_rhs.items() for lhs in lhss]


def _minimise_key(superkey: Attributes, attributes: Attributes,
                  fds: Sequence[FD]) -> Attributes:
    """Drop attributes from a superkey while it stays one: a candidate key."""
    key = set(superkey)
    for attribute in sorted(superkey):
        if attributes <= closure(key - {attribute}, fds):
            key.discard(attribute)
    return frozenset(key)


def candidate_keys(attributes: Iterable[str], fds: Iterable[FD]) -> set[Attributes]:
    """Every minimal set of attributes whose closure is all of ``attributes``.

    Lucchesi and Osborn (1978): if K is a key and X -> Y an FD, then X | (K - Y) is a
    superkey; every key is found by minimising such a superkey built from a key found
    earlier. So the cost is polynomial per key (there can be exponentially many keys, but
    never a blind search of all 2^n subsets). On top of that, an attribute that no FD
    determines is in every key, which the minimising step keeps by itself.
    """
    relation = frozenset(attributes)
    cover = _project(fds, relation)
    keys = [_minimise_key(relation, relation, cover)]
    found = set(keys)
    for key in keys:  # grows while we iterate
        for fd in cover:
            superkey = fd.lhs | (key - fd.rhs)
            if any(known <= superkey for known in found):
                continue  # it would minimise to a key we have (or a superset of one)
            new = _minimise_key(superkey, relation, cover)
            found.add(new)
            keys.append(new)
    return found


# ---------------------------------------------------------------------------------------
# Normal forms


def _is_superkey(attrs: Attributes, relation: Attributes, fds: Sequence[FD]) -> bool:
    return relation <= closure(attrs, fds)


def normal_form(attributes: Iterable[str], fds: Iterable[FD]) -> NormalForm:
    """The highest normal form the relation is in: "BCNF", "3NF", "2NF" or "1NF".

    - BCNF: the left side of every non-trivial FD is a superkey.
    - 3NF: ... or its right side is prime (part of some candidate key).
    - 2NF: no non-prime attribute depends on a proper subset of a candidate key.
    - 1NF: always (the attributes are atomic by assumption).

    Checking the FDs of a cover is enough for all three: an FD of the closure that breaks a
    rule is derived through one of the cover that breaks it too.
    """
    relation = frozenset(attributes)
    cover = _project(fds, relation)
    violations = [fd for fd in cover if not _is_superkey(fd.lhs, relation, cover)]
    if not violations:
        return "BCNF"
    keys = candidate_keys(relation, cover)
    prime = frozenset().union(*keys)
    if all(fd.rhs <= prime for fd in violations):
        return "3NF"
    non_prime = relation - prime
    # A proper subset of K lies inside some K - {k}; closures only grow with the set, so
    # trying the |K| subsets one smaller finds every partial dependency.
    for key in keys:
        for attribute in key:
            if closure(key - {attribute}, cover) & non_prime:
                return "1NF"
    return "2NF"


# ---------------------------------------------------------------------------------------
# Decompositions


def _drop_contained(schemas: Iterable[Attributes]) -> list[Attributes]:
    """Keep each schema once, and only if no other schema contains it; order kept."""
    unique = list(dict.fromkeys(schemas))
    return [s for s in unique if not any(s < other for other in unique)]


def synthesize_3nf(attributes: Iterable[str], fds: Iterable[FD]) -> list[Attributes]:
    """Bernstein's synthesis: a lossless, dependency-preserving decomposition into 3NF.

    1. Take a minimal cover; 2. one schema per left side, holding it and everything it
    determines; 3. if no schema holds a candidate key of the whole relation, add one (that
    schema is what makes the join lossless, and it collects the attributes no FD mentions);
    4. drop schemas contained in another.
    """
    order = {attribute: i for i, attribute in enumerate(dict.fromkeys(attributes))}
    relation = frozenset(order)
    cover = minimal_cover(_project(fds, relation))
    groups: dict[Attributes, set[str]] = {}
    for fd in cover:
        groups.setdefault(fd.lhs, set()).update(fd.rhs)
    schemas = [lhs | rhs for lhs, rhs in groups.items()]
    if not any(_is_superkey(schema, relation, cover) for schema in schemas):
        # Any key will do; the smallest, earliest in the order of ``attributes``, reads best.
        keys = candidate_keys(relation, cover)
        schemas.append(min(keys, key=lambda k: (len(k), sorted(order[a] for a in k))))
    return _drop_contained(schemas)


def decompose_bcnf(attributes: Iterable[str], fds: Iterable[FD]) -> list[Attributes]:
    """A lossless decomposition into schemas that are each in BCNF.

    While a schema S has a violation X -> a (X not a superkey of S), split it into
    X⁺ ∩ S and S - (X⁺ - X): they share X, which determines the first, so the split is
    lossless. Violations are looked for among the FDs that hold *inside* S, projected from
    all of them: checking only the original FDs that fit in S misses implied ones. Not
    always dependency-preserving; no BCNF decomposition can be, for some relations.
    """
    relation = frozenset(attributes)
    done: list[Attributes] = []
    todo = [(relation, _project(fds, relation))]
    while todo:
        schema, cover = todo.pop()
        violation = next((fd for fd in cover if not _is_superkey(fd.lhs, schema, cover)), None)
        if violation is None:
            done.append(schema)
            continue
        determined = closure(violation.lhs, cover) & schema  # grow X to X⁺: fewer splits
        rest = schema - (determined - violation.lhs)
        # Push the remainder first so the determined part is finished first: the output then
        # reads in the order a person would split the relation.
        todo.append((rest, [fd for fd in cover if fd.lhs | fd.rhs <= rest]))
        todo.append((determined, [fd for fd in cover if fd.lhs | fd.rhs <= determined]))
    return _drop_contained(done)


def is_lossless(attributes: Iterable[str], fds: Iterable[FD],
                schemas: Iterable[Iterable[str]]) -> bool:
    """Whether joining the projections on ``schemas`` always gives back the relation: the
    chase.

    Build a tableau with one row per schema: the row holds the "distinguished" symbol for
    the schema's attributes and a symbol of its own elsewhere. Apply the FDs (rows that
    agree on X are made to agree on Y, preferring the distinguished symbol) until nothing
    changes. Lossless exactly when some row becomes all distinguished. Attributes of the
    relation that no schema holds can never come back, so that is lossy.
    """
    relation = frozenset(attributes)
    parts = [frozenset(schema) for schema in schemas]
    columns = sorted(relation | frozenset().union(*parts))
    cover = _singletons(fds)
    distinguished = 0  # symbol 0 stands for "the value of the original row"
    tableau = [{a: distinguished if a in part else 1 + i for a in columns}
               for i, part in enumerate(parts)]
    # Attributes an FD mentions outside the columns get a fresh symbol per row too.
    extra = set().union(*(fd.lhs | fd.rhs for fd in cover)) - set(columns)
    for i, row in enumerate(tableau):
        for attribute in extra:
            row[attribute] = 1 + i
    changed = True
    while changed:
        changed = False
        for fd in cover:
            (target,) = fd.rhs
            groups: defaultdict[tuple[int, ...], list[dict[str, int]]] = defaultdict(list)
            for row in tableau:
                groups[tuple(row[a] for a in sorted(fd.lhs))].append(row)
            for rows in groups.values():
                symbol = min(row[target] for row in rows)  # 0, distinguished, wins
                for row in rows:
                    if row[target] != symbol:
                        old = row[target]
                        # Equate the symbols everywhere in the column, not only in this row.
                        for other in tableau:
                            if other[target] == old:
                                other[target] = symbol
                        changed = True
        if any(all(row[a] == distinguished for a in relation) for row in tableau):
            return True
    return any(all(row[a] == distinguished for a in relation) for row in tableau)


def preserves_dependencies(fds: Iterable[FD], schemas: Iterable[Iterable[str]]) -> bool:
    """Whether the FDs that hold inside each schema together still imply every FD.

    The polynomial test, with no projection computed: for X -> Y, grow Z from X by
    Z |= closure(Z ∩ Ri) ∩ Ri over the schemas Ri until nothing changes; X -> Y is preserved
    exactly when Y ⊆ Z.
    """
    fds = list(fds)
    parts = [frozenset(schema) for schema in schemas]
    for fd in fds:
        reached = set(fd.lhs)
        changed = True
        while changed and not fd.rhs <= reached:
            changed = False
            for part in parts:
                gained = closure(reached & part, fds) & part
                if not gained <= reached:
                    reached |= gained
                    changed = True
        if not fd.rhs <= reached:
            return False
    return True


# ---------------------------------------------------------------------------------------
# Discovering FDs in data


def _discover(columns: Sequence[str], rows: Sequence[Sequence[Hashable]],
              max_lhs: int) -> list[FD]:
    """``discover_fds`` on rows given as tuples in the order of ``columns``."""
    # A set of columns X is represented by the partition it induces on the rows: one integer
    # label per row, equal labels for rows that agree on all of X. Refining by one more
    # column is one pass (label * width + label of the column). X -> a holds exactly when
    # adding a splits no class of X: each class of X sees one value of a.
    single: dict[str, tuple[list[int], int]] = {}
    for position, column in enumerate(columns):
        labels: dict[Hashable, int] = {}
        single[column] = ([labels.setdefault(row[position], len(labels)) for row in rows],
                          len(labels))
    partitions: dict[Attributes, list[int]] = {frozenset(): [0] * len(rows)}
    classes: dict[Attributes, int] = {frozenset(): min(len(rows), 1)}

    def refine(base: list[int], column: str) -> list[int]:
        labels, width = single[column]
        return [label * width + other for label, other in zip(base, labels, strict=True)]

    def partition(attrs: Attributes) -> list[int]:
        if attrs not in partitions:
            last = max(attrs, key=columns.index)
            partitions[attrs] = refine(partition(attrs - {last}), last)
            classes[attrs] = len(set(partitions[attrs]))
        return partitions[attrs]

    def count(attrs: Attributes) -> int:
        partition(attrs)
        return classes[attrs]

    def holds(lhs: Attributes, attribute: str) -> bool:
        # The same test as comparing class counts, but it stops at the first class of X
        # that holds two values of a: most candidate FDs fail within a few rows.
        value_of: dict[int, int] = {}
        for label, value in zip(partition(lhs), single[attribute][0], strict=True):
            if value_of.setdefault(label, value) != value:
                return False
        return True

    everything = len(set(map(tuple, rows)))  # distinct rows: what a superkey tells apart
    found: list[FD] = []
    determined_by: defaultdict[str, list[Attributes]] = defaultdict(list)  # a -> minimal X

    def implied(lhs: Attributes, attribute: str) -> bool:
        """A proper subset of lhs determines attribute (level-wise, all such FDs with a
        smaller left side are already found)."""
        return any(smaller < lhs for smaller in determined_by[attribute])

    for size in range(max_lhs + 1):
        for lhs_tuple in combinations(columns, size):
            lhs = frozenset(lhs_tuple)
            # TANE's pruning: if part of lhs determines another of its attributes, or lhs
            # holds a superkey, every FD with this left side has a smaller one that implies it.
            if any(implied(lhs, x) for x in lhs) or any(
                    count(lhs - {x}) == everything for x in lhs):
                continue
            for attribute in columns:
                if attribute not in lhs and not implied(lhs, attribute) and holds(lhs, attribute):
                    found.append(FD(lhs, frozenset({attribute})))
                    determined_by[attribute].append(lhs)
    return found


def discover_fds(rows: Sequence[Mapping[str, Any]], max_lhs: int = 2) -> list[FD]:
    """Every minimal non-trivial FD X -> a (one right attribute, |X| <= max_lhs) that holds
    in ``rows``.

    Values are compared with ``==`` (by hashing), and ``None`` is an ordinary value, equal
    only to ``None``. A constant column gives ∅ -> a; with one row every column is constant.
    The columns are the keys of the rows, in order of first appearance; a row without a key
    reads None there. With no rows there are no columns, hence no FDs.

    Cost: O(C(m, max_lhs) · m · n) for m columns and n rows, each test one pass over the
    rows with a dict, never a comparison of every pair of rows.
    """
    if max_lhs < 0:
        raise ValueError(f"max_lhs must be >= 0, not {max_lhs}")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    tuples = [tuple(row.get(column) for column in columns) for row in rows]
    return _discover(columns, tuples, max_lhs)


# ---------------------------------------------------------------------------------------
# Normalising a real table


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... whichever is free (compared case-insensitively,
    as SQLite does)."""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate.lower())
    return candidate


@dataclass(frozen=True)
class _NewTable:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key
    unique: tuple[tuple[str, ...], ...] = ()  # the other candidate keys


def normalise(db: sqlite_utils.Database, table: str) -> list[str]:
    """Split ``table`` into 3NF tables discovered from its data; return their names.

    The FDs are discovered in the rows (``discover_fds``, left sides of up to two columns),
    and Bernstein's synthesis gives the schemas. Each new table is named after the original
    and its primary key (``orders_customer_id``; ``orders_constants`` for the columns that
    never change); its primary key is its shortest key, its other keys are UNIQUE, and it has
    a foreign key to every other new table one of whose keys it holds. ``table`` itself is
    not changed.

    Duplicate rows: when the table has some, a column ``occurrence`` (1, 2, ... within each
    group of identical rows) joins the relation. Nothing determines it, so the synthesis puts
    it in the key schema, ``<table>_rows``: joining every new table on its shared columns
    (with ``IS``, NULL-safe) gives back every row as many times as it was there. Values keep
    their storage class: each column keeps its declared type.
    """
    original = db.table(table)
    if not original.exists():
        raise ValueError(f"there is no table {table!r} in this database")
    declared = {column.name: column.type for column in original.columns}
    columns = list(declared)
    select = ", ".join(map(_quote, columns))
    # Python compares the values SQLite hands back as SQLite does (1 == 1.0, '1' != 1, None
    # equal to None as with IS), so rows can be grouped and hashed as they are: the primary
    # keys and the IS join will agree with every grouping made here.
    rows = [tuple(row) for row in db.execute(f"SELECT {select} FROM {_quote(table)}")]  # noqa: S608 - quoted identifiers
    # FDs are a property of the set of rows: duplicates change none of them.
    fds = _discover(columns, rows, max_lhs=2)

    occurrences = _occurrences(rows)
    occurrence = None
    if max(occurrences, default=1) > 1:
        occurrence = _fresh("occurrence", {column.lower() for column in columns})
        declared[occurrence] = "INTEGER"
        columns.append(occurrence)
        rows = [(*row, n) for row, n in zip(rows, occurrences, strict=True)]

    # The cover keeps, of two FDs that imply each other, the one it meets last. Handing it
    # the FDs from the last column backwards keeps those of the leftmost columns, where an
    # export usually has its ids: order_id -> customer_id rather than -> customer_email.
    cover = minimal_cover(reversed(fds))
    taken = {name.lower() for name in db.table_names()}
    new_tables = []
    for schema in synthesize_3nf(columns, cover):
        ordered = tuple(sorted(schema, key=columns.index))
        keys = sorted(candidate_keys(schema, _project(cover, schema)),
                      key=lambda k: (len(k), sorted(map(columns.index, k))))
        key = keys[0]  # the shortest, leftmost key is the primary one
        if occurrence in schema:
            name = f"{table}_rows"
        elif not key:
            name = f"{table}_constants"
        else:
            name = f"{table}_" + "_".join(sorted(key, key=columns.index))
        # A table with an empty key holds one row (the constant columns); SQLite wants a
        # column in a primary key, and the whole row is a key too.
        primary = tuple(sorted(key, key=columns.index)) or ordered
        # The other keys (customer_email beside customer_id) get UNIQUE constraints: they
        # are keys too, and another table may reference the table through one of them.
        unique = tuple(tuple(sorted(k, key=columns.index)) for k in keys[1:])
        new_tables.append(_NewTable(_fresh(name, taken), ordered, primary, unique))

    data = []
    for new in new_tables:
        positions = [columns.index(column) for column in new.columns]
        # Each distinct projection once, in the order the rows came.
        data.append(list(dict.fromkeys(tuple(row[p] for p in positions) for row in rows)))
    _create(db, new_tables, data, declared)
    return [new.name for new in new_tables]


def _occurrences(rows: Sequence[tuple[Hashable, ...]]) -> list[int]:
    """For each row, how many identical rows came before it, plus one."""
    counts: defaultdict[tuple[Hashable, ...], int] = defaultdict(int)
    result = []
    for row in rows:
        counts[row] += 1
        result.append(counts[row])
    return result


def _create(db: sqlite_utils.Database, tables: Sequence[_NewTable],
            data: Sequence[Sequence[tuple[Any, ...]]], declared: Mapping[str, str]) -> None:
    """Create and fill the tables in one transaction.

    The DDL is written by hand rather than with ``Table.create``: a lone primary key
    declared exactly ``INTEGER`` would become an alias of the rowid, which turns an
    inserted NULL into a fresh number and rejects text. Such a column is declared ``INT``
    (the same INTEGER affinity) to keep every value as it was.
    """
    statements = []
    for new in tables:
        parts = []
        for column in new.columns:
            kind = declared[column]
            if new.key == (column,) and kind.strip().upper() == "INTEGER":
                kind = "INT"
            parts.append(f"{_quote(column)} {kind}".rstrip())
        parts.append(f"PRIMARY KEY ({', '.join(map(_quote, new.key))})")
        parts.extend(f"UNIQUE ({', '.join(map(_quote, key))})" for key in new.unique)
        for parent in tables:
            # A foreign key to every other table whose primary key (or, failing that, another
            # of its keys) this table holds: a child row's values are in the parent, since
            # both are projections of the same rows.
            target = next((key for key in (parent.key, *parent.unique)
                           if set(key) <= set(new.columns)), None)
            if parent is not new and target is not None:
                keys = ", ".join(map(_quote, target))
                parts.append(f"FOREIGN KEY ({keys}) REFERENCES {_quote(parent.name)} ({keys})")
        statements.append(f"CREATE TABLE {_quote(new.name)} (\n  " + ",\n  ".join(parts)
                          + "\n)")
    conn = db.conn
    # A savepoint, not BEGIN: it works whether or not the caller has a transaction open
    # (and then the new tables become permanent with the caller's commit).
    conn.execute("SAVEPOINT normalise")
    try:
        # With PRAGMA foreign_keys on, each insert would be checked at once (and refused
        # while a parent table does not exist yet). Creating every table first and
        # deferring the checks to the commit lets the tables be filled in any order.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for statement in statements:
            conn.execute(statement)
        for new, rows in zip(tables, data, strict=True):
            marks = ", ".join("?" * len(new.columns))
            conn.executemany(f"INSERT INTO {_quote(new.name)} VALUES ({marks})", rows)  # noqa: S608
    except BaseException:
        conn.execute("ROLLBACK TO normalise")
        conn.execute("RELEASE normalise")
        raise
    conn.execute("RELEASE normalise")
