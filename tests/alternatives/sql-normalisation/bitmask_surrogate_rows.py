"""Functional dependencies and normalisation, with attribute sets as bitmasks.

Attribute names are mapped to bit positions, so a set of attributes is an int: union is |,
containment is ``x & ~y == 0``. Keys are found by fixing the attributes every key needs and
trying subsets of the rest; BCNF violations by trying the subsets of a schema. FDs that
mention attributes outside the relation are ignored by the decompositions. normalise gives
every row a surrogate number (``_row``), which determines the whole row, and names the new
tables ``<table>_part1``, ``<table>_part2``...
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
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
# Closure, keys, covers -- on bitmasks
#
# Every function maps the attribute names it meets to bits (``_Bits``), works on ints, where
# union is |, intersection is &, and "X inside Y" is X & ~Y == 0, and maps back at the end.


class _Bits:
    """Names <-> bit positions, in order of first appearance."""

    def __init__(self, *groups: Iterable[str]) -> None:
        self.names: list[str] = []
        self.position: dict[str, int] = {}
        for group in groups:
            for name in group:
                self.add(name)

    def add(self, name: str) -> None:
        if name not in self.position:
            self.position[name] = len(self.names)
            self.names.append(name)

    def mask(self, names: Iterable[str]) -> int:
        result = 0
        for name in names:
            self.add(name)
            result |= 1 << self.position[name]
        return result

    def names_of(self, mask: int) -> Attributes:
        return frozenset(name for i, name in enumerate(self.names) if mask >> i & 1)


def _masks(fds: Iterable[FD], bits: _Bits) -> list[tuple[int, int]]:
    """Singleton, non-trivial FDs as (lhs mask, rhs bit), duplicates dropped."""
    seen: dict[tuple[int, int], None] = {}
    for fd in fds:
        lhs = bits.mask(sorted(fd.lhs))
        for name in sorted(fd.rhs):
            bit = bits.mask([name])
            if not bit & lhs:
                seen.setdefault((lhs, bit), None)
    return list(seen)


def _close(mask: int, fds: Sequence[tuple[int, int]]) -> int:
    """Fixpoint: pass over the FDs until a pass adds nothing. O(passes × FDs), at most one
    pass per attribute added."""
    changed = True
    while changed:
        changed = False
        for lhs, rhs in fds:
            if not lhs & ~mask and rhs & ~mask:
                mask |= rhs
                changed = True
    return mask


def closure(attrs: Iterable[str], fds: Iterable[FD]) -> Attributes:
    fds = list(fds)
    bits = _Bits()
    start = bits.mask(attrs)
    return bits.names_of(_close(start, _masks(fds, bits)))


def minimal_cover(fds: Iterable[FD]) -> list[FD]:
    """Reduce left sides, then drop redundant FDs, going through the FDs last first."""
    bits = _Bits()
    cover = _masks(fds, bits)[::-1]
    for i, (lhs, rhs) in enumerate(cover):
        for position in range(len(bits.names) - 1, -1, -1):
            bit = 1 << position
            if lhs & bit and _close(lhs & ~bit, cover) & rhs:
                lhs &= ~bit
        cover[i] = (lhs, rhs)
    cover = list(dict.fromkeys(cover))
    kept = list(cover)
    for fd in cover:
        rest = [other for other in kept if other != fd]
        if _close(fd[0], rest) & fd[1]:
            kept = rest
    return [FD(bits.names_of(lhs), bits.names_of(rhs)) for lhs, rhs in kept]


def _submasks_by_size(mask: int) -> Iterator[int]:
    """Every subset of mask, smallest first."""
    positions = [i for i in range(mask.bit_length()) if mask >> i & 1]
    for size in range(len(positions) + 1):
        for chosen in combinations(positions, size):
            yield sum(1 << i for i in chosen)


def _keys_mask(relation: int, fds: Sequence[tuple[int, int]]) -> list[int]:
    """Keys of ``relation`` under the closure of all ``fds``: an attribute that the rest of
    the relation does not determine is in every key; only subsets of the others are tried,
    smallest first, skipping supersets of keys found."""
    core = 0
    for position in range(relation.bit_length()):
        bit = 1 << position
        if relation & bit and not _close(relation & ~bit, fds) & bit:
            core |= bit
    keys: list[int] = []
    for extra in _submasks_by_size(relation & ~core):
        candidate = core | extra
        if any(not key & ~candidate for key in keys):
            continue
        if not relation & ~_close(candidate, fds):
            keys.append(candidate)
    return keys


def candidate_keys(attributes: Iterable[str], fds: Iterable[FD]) -> set[Attributes]:
    bits = _Bits(sorted(attributes))
    relation = (1 << len(bits.names)) - 1
    masks = _masks(list(fds), bits)
    # Attributes on no left side are in no key (dropping one from a key leaves a key).
    on_left = 0
    for lhs, _ in masks:
        on_left |= lhs
    on_right = 0
    for _, rhs in masks:
        on_right |= rhs
    core = relation & ~on_right
    middle = relation & on_right & on_left
    keys: list[int] = []
    for extra in _submasks_by_size(middle):
        candidate = core | extra
        if any(not key & ~candidate for key in keys):
            continue
        if not relation & ~_close(candidate, masks):
            keys.append(candidate)
    return {bits.names_of(key) for key in keys}


def _violations(schema: int, fds: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(X, X+ within schema) for subsets X of schema that break BCNF inside it."""
    for lhs in _submasks_by_size(schema):
        inside = _close(lhs, fds) & schema
        if inside != lhs and inside != schema:
            yield lhs, inside


def normal_form(attributes: Iterable[str], fds: Iterable[FD]) -> NormalForm:
    bits = _Bits(sorted(attributes))
    relation = (1 << len(bits.names)) - 1
    masks = _masks(list(fds), bits)
    broken = list(_violations(relation, masks))
    if not broken:
        return "BCNF"
    keys = _keys_mask(relation, masks)
    prime = 0
    for key in keys:
        prime |= key
    if all(not (inside & ~lhs & ~prime) for lhs, inside in broken):
        return "3NF"
    non_prime = relation & ~prime
    for key in keys:
        for part in _submasks_by_size(key):
            if part != key and _close(part, masks) & non_prime:
                return "1NF"
    return "2NF"


def synthesize_3nf(attributes: Iterable[str], fds: Iterable[FD]) -> list[Attributes]:
    return [schema for schema, _ in _synthesize(list(attributes), list(fds))]


def _synthesize(attributes: list[str], fds: list[FD]) -> list[tuple[Attributes, Attributes]]:
    """(schema, a key of it) pairs of Bernstein's synthesis."""
    bits = _Bits(attributes)
    relation = (1 << len(bits.names)) - 1
    inside = [fd for fd in fds if not (bits.mask(fd.lhs | fd.rhs) & ~relation)]
    groups: dict[int, int] = {}
    for fd in minimal_cover(inside):
        lhs = bits.mask(fd.lhs)
        groups[lhs] = groups.get(lhs, lhs) | bits.mask(fd.rhs)
    masks = _masks(inside, bits)
    pairs = list(groups.items())
    if not any(not relation & ~_close(schema, masks) for _, schema in pairs):
        key = _keys_mask(relation, masks)[0]
        pairs.append((key, key))
    kept = [(key, schema) for i, (key, schema) in enumerate(pairs)
            if not any((schema & ~other == 0) and (schema != other or j < i)
                       for j, (_, other) in enumerate(pairs) if j != i)]
    return [(bits.names_of(schema), bits.names_of(key)) for key, schema in kept]


def _schema_keys(schema: Iterable[str], fds: Iterable[FD]) -> list[Attributes]:
    """The keys of ``schema`` under the closure of all ``fds``, smallest first."""
    schema = list(schema)
    bits = _Bits(schema)
    relation = (1 << len(bits.names)) - 1
    return [bits.names_of(key) for key in _keys_mask(relation, _masks(list(fds), bits))]


def decompose_bcnf(attributes: Iterable[str], fds: Iterable[FD]) -> list[Attributes]:
    """Split on the first violating X found (smallest first): X+ ∩ S and S - (X+ - X)."""
    attributes = list(attributes)
    bits = _Bits(attributes)
    relation = (1 << len(bits.names)) - 1
    masks = [fd for fd in _masks(list(fds), bits) if not (fd[0] | fd[1]) & ~relation]
    todo, done = [relation], []
    while todo:
        schema = todo.pop()
        violation = next(_violations(schema, masks), None)
        if violation is None:
            done.append(schema)
            continue
        lhs, inside = violation
        todo += [inside, schema & ~(inside & ~lhs)]
    unique = list(dict.fromkeys(done))
    return [bits.names_of(s) for s in unique if not any(s != o and not s & ~o for o in unique)]


def is_lossless(attributes: Iterable[str], fds: Iterable[FD],
                schemas: Iterable[Iterable[str]]) -> bool:
    """The chase, with each tableau row a list of symbols: 0 is distinguished."""
    attributes = list(attributes)
    parts = [list(schema) for schema in schemas]
    bits = _Bits(attributes, *parts)
    relation = bits.mask(attributes)
    masks = _masks(list(fds), bits)
    width = len(bits.names)
    part_masks = [bits.mask(part) for part in parts]
    rows = [[0 if part >> c & 1 else 1 + r * width + c for c in range(width)]
            for r, part in enumerate(part_masks)]

    def agree(a: list[int], b: list[int], mask: int) -> bool:
        return all(a[c] == b[c] for c in range(width) if mask >> c & 1)

    changed = True
    while changed:
        changed = False
        for lhs, rhs in masks:
            c = rhs.bit_length() - 1
            for a in rows:
                for b in rows:
                    if a is not b and a[c] != b[c] and agree(a, b, lhs):
                        low, high = sorted((a[c], b[c]))
                        for row in rows:
                            if row[c] == high:
                                row[c] = low
                        changed = True
    return any(all(row[c] == 0 for c in range(width) if relation >> c & 1) for row in rows)


def preserves_dependencies(fds: Iterable[FD], schemas: Iterable[Iterable[str]]) -> bool:
    fds = list(fds)
    parts = [list(schema) for schema in schemas]
    bits = _Bits(*parts)
    masks = _masks(fds, bits)
    part_masks = [bits.mask(part) for part in parts]
    for fd in fds:
        reached, target = bits.mask(fd.lhs), bits.mask(fd.rhs)
        while True:
            before = reached
            for part in part_masks:
                reached |= _close(reached & part, masks) & part
            if reached == before:
                break
        if target & ~reached:
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
    rows = [tuple(row) for row in db.execute(f"SELECT {select} FROM {_quote(table)}")]  # noqa: S608
    fds = _discover(columns, rows, max_lhs=2)
    surrogate = _fresh("_row", {column.lower() for column in columns})
    declared[surrogate] = "INTEGER"
    fds += [FD(frozenset({surrogate}), frozenset({column})) for column in columns]
    columns.append(surrogate)
    rows = [(*row, n) for n, row in enumerate(rows, start=1)]
    taken = {name.lower() for name in db.table_names()}
    new_tables = []
    for number, (schema, key) in enumerate(_synthesize(columns, fds), start=1):
        ordered = tuple(sorted(schema, key=columns.index))
        primary = tuple(sorted(key, key=columns.index)) or ordered
        others = tuple(tuple(sorted(k, key=columns.index)) for k in _schema_keys(ordered, fds)
                       if k and k != key)
        new_tables.append(_NewTable(_fresh(f"{table}_part{number}", taken), ordered, primary,
                                    others))

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
