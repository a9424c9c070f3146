"""Level 3: preserves_dependencies skips every schema that shares no attribute with the set grown so far, so what the empty set determines (∅ -> A, a constant) is never collected and such an FD is reported as not preserved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import sqlite_utils

NormalForm = Literal["1NF", "2NF", "3NF", "BCNF"]


@dataclass(frozen=True)
class FD:
    """The functional dependency lhs -> rhs: rows that agree on lhs agree on rhs."""

    lhs: frozenset[str]
    rhs: frozenset[str]

    def __post_init__(self) -> None:
        for side in ("lhs", "rhs"):
            value = getattr(self, side)
            if isinstance(value, str):
                raise TypeError(f"FD.{side} must be a set of attribute names, not the "
                                f"string {value!r}")
            object.__setattr__(self, side, frozenset(value))

    def __str__(self) -> str:
        return f"{' '.join(sorted(self.lhs))} -> {' '.join(sorted(self.rhs))}".strip()


# --------------------------------------------------------------------------- parsing

def parse_fds(text: str) -> list[FD]:
    """Parse FDs written as ``"A B -> C; C -> D"`` (``;`` or new lines between FDs, spaces or
    commas between attributes; an empty left side means a constant)."""
    if not isinstance(text, str):
        raise TypeError("parse_fds expects a string")
    result: list[FD] = []
    for part in re.split(r"[;\n]", text):
        piece = part.strip()
        if not piece:
            continue
        if piece.count("->") != 1:
            raise ValueError(f"malformed FD {piece!r}: expected exactly one '->'")
        left, right = piece.split("->")
        lhs = [a for a in re.split(r"[\s,]+", left.strip()) if a]
        rhs = [a for a in re.split(r"[\s,]+", right.strip()) if a]
        if not rhs:
            raise ValueError(f"malformed FD {piece!r}: nothing on the right side")
        result.append(FD(frozenset(lhs), frozenset(rhs)))
    return result


# --------------------------------------------------------------------------- closure

def _fd_list(fds: Iterable[FD]) -> list[FD]:
    out = list(fds)
    for fd in out:
        if not isinstance(fd, FD):
            raise TypeError(f"not an FD: {fd!r}")
    return out


def _closure(attrs: frozenset[str], fds: list[FD]) -> frozenset[str]:
    """Linear closure (Beeri-Bernstein): count the missing left attributes of each FD."""
    missing = [len(fd.lhs) for fd in fds]
    by_attr: dict[str, list[int]] = {}
    for i, fd in enumerate(fds):
        for a in fd.lhs:
            by_attr.setdefault(a, []).append(i)
    result = set(attrs)
    queue = list(result)
    for i, fd in enumerate(fds):
        if missing[i] == 0:
            for b in fd.rhs:
                if b not in result:
                    result.add(b)
                    queue.append(b)
    while queue:
        a = queue.pop()
        for i in by_attr.get(a, ()):
            missing[i] -= 1
            if missing[i] == 0:
                for b in fds[i].rhs:
                    if b not in result:
                        result.add(b)
                        queue.append(b)
    return frozenset(result)


def closure(attrs: Iterable[str], fds: Iterable[FD]) -> frozenset[str]:
    """Every attribute that ``attrs`` determines under ``fds`` (``attrs`` included)."""
    return _closure(frozenset(attrs), _fd_list(fds))


def _split(fds: Iterable[FD]) -> list[FD]:
    """Single-attribute right sides, trivial parts dropped, duplicates removed (ordered)."""
    seen: set[FD] = set()
    out: list[FD] = []
    for fd in fds:
        for a in sorted(fd.rhs):
            if a in fd.lhs:
                continue
            g = FD(fd.lhs, frozenset([a]))
            if g not in seen:
                seen.add(g)
                out.append(g)
    return out


def _project(attributes: frozenset[str], fds: Iterable[FD]) -> list[FD]:
    """FDs over ``attributes`` only, equivalent to the projection of ``fds`` onto them
    (attributes outside are eliminated by resolution, so ``A -> X, X -> B`` gives
    ``A -> B``)."""
    current = _split(fds)
    outside = set()
    for fd in current:
        outside |= (fd.lhs | fd.rhs) - attributes
    for z in sorted(outside):
        producers = [fd for fd in current if z in fd.rhs]
        consumers = [fd for fd in current if z in fd.lhs]
        rest = [fd for fd in current if z not in fd.rhs and z not in fd.lhs]
        new = list(rest)
        for p in producers:
            for c in consumers:
                lhs = (c.lhs - {z}) | p.lhs
                if not (c.rhs <= lhs):
                    new.append(FD(lhs, c.rhs))
        current = _split(new)
        # prune FDs whose left side strictly contains another with the same right side
        current = [fd for fd in current
                   if not any(g.rhs == fd.rhs and g.lhs < fd.lhs for g in current)]
    return current


# --------------------------------------------------------------------------- covers

def minimal_cover(fds: Iterable[FD]) -> list[FD]:
    """An equivalent set of FDs with a single attribute on each right side, no redundant
    attribute on any left side, and no redundant FD."""
    current = _split(_fd_list(fds))
    # 1. extraneous left attributes
    for i in range(len(current)):
        fd = current[i]
        lhs = set(fd.lhs)
        (a,) = fd.rhs
        for b in sorted(fd.lhs):
            if a in _closure(frozenset(lhs - {b}), current):
                lhs.discard(b)
                current[i] = FD(frozenset(lhs), fd.rhs)
    # dedupe after reduction
    current = _split(current)
    # 2. redundant FDs
    i = 0
    while i < len(current):
        others = current[:i] + current[i + 1:]
        fd = current[i]
        if fd.rhs <= _closure(fd.lhs, others):
            current = others
        else:
            i += 1
    return current


# --------------------------------------------------------------------------- keys

def _minimize(s: frozenset[str], attributes: frozenset[str], fds: list[FD]) -> frozenset[str]:
    key = set(s)
    for a in sorted(s):
        trial = frozenset(key - {a})
        if attributes <= _closure(trial, fds):
            key.discard(a)
    return frozenset(key)


def _keys(attributes: frozenset[str], fds: list[FD]) -> list[frozenset[str]]:
    """Lucchesi-Osborn, ``fds`` over ``attributes`` only."""
    keys = [_minimize(attributes, attributes, fds)]
    i = 0
    while i < len(keys):
        k = keys[i]
        for fd in fds:
            s = fd.lhs | (k - fd.rhs)
            if not any(known <= s for known in keys):
                keys.append(_minimize(s, attributes, fds))
        i += 1
    return keys


def candidate_keys(attributes: Iterable[str], fds: Iterable[FD]) -> set[frozenset[str]]:
    """Every minimal set of attributes whose closure holds all of ``attributes``."""
    r = frozenset(attributes)
    g = _project(r, _fd_list(fds))
    return set(_keys(r, g))


# --------------------------------------------------------------------------- normal forms

def _normal_form(r: frozenset[str], g: list[FD]) -> NormalForm:
    keys = _keys(r, g)
    prime = frozenset().union(*keys)
    bcnf = True
    three = True
    for fd in g:
        if r <= _closure(fd.lhs, g):
            continue
        bcnf = False
        if not fd.rhs <= prime:
            three = False
    if bcnf:
        return "BCNF"
    if three:
        return "3NF"
    for k in keys:
        for b in k:
            if (_closure(k - {b}, g) - prime):
                return "1NF"
    return "2NF"


def normal_form(attributes: Iterable[str], fds: Iterable[FD]) -> NormalForm:
    """The highest normal form that holds: "BCNF", "3NF", "2NF", or "1NF"."""
    r = frozenset(attributes)
    return _normal_form(r, _project(r, _fd_list(fds)))


# --------------------------------------------------------------------------- decompositions

def _drop_contained(schemas: list[frozenset[str]]) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for s in schemas:
        if s in out:
            continue
        out.append(s)
    return [s for s in out if not any(s < t for t in out)]


def synthesize_3nf(attributes: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Schemas, each in 3NF, whose join is lossless and which preserve every FD."""
    r = frozenset(attributes)
    g = _project(r, _fd_list(fds))
    cover = minimal_cover(g)
    groups: dict[frozenset[str], set[str]] = {}
    for fd in cover:
        groups.setdefault(fd.lhs, set(fd.lhs)).update(fd.rhs)
    schemas = [frozenset(s) for s in groups.values()]
    if not any(r <= _closure(s, cover) for s in schemas):
        schemas.append(_minimize(r, r, cover))
    return _drop_contained(schemas)


def _bad_pair(z: frozenset[str], g: list[FD]):
    ordered = sorted(z)
    for a in ordered:
        for b in ordered:
            if a != b and a in _closure(z - {a, b}, g):
                return a, b
    return None


def decompose_bcnf(attributes: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Schemas, each in BCNF (for the FDs that hold inside it), whose join is lossless.

    Tsou-Fischer: polynomial, each output part has no pair a, b with a in
    closure(part - {a, b}), which is sufficient for BCNF."""
    r = frozenset(attributes)
    g = _project(r, _fd_list(fds))
    parts: list[frozenset[str]] = []
    z = r
    while True:
        pair = _bad_pair(z, g)
        if pair is None:
            parts.append(z)
            break
        y = z
        last = pair
        while pair is not None:
            last = pair
            y = y - {pair[1]}
            pair = _bad_pair(y, g)
        parts.append(y)
        z = z - {last[0]}
    return _drop_contained(parts)


def _chase(r: frozenset[str], g: list[FD], schemas: list[frozenset[str]]) -> bool:
    cols = sorted(r)
    # symbol 0 is distinguished; row i column j starts as (i, j)+1 unless in schema
    rows = []
    for i, s in enumerate(schemas):
        rows.append({c: (0 if c in s else ("b", i, c)) for c in cols})
    parent: dict[Any, Any] = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(x, y):
        x, y = find(x), find(y)
        if x == y:
            return False
        if y == 0:
            x, y = y, x
        parent[y] = x  # x is 0 when either is distinguished
        return True

    changed = True
    while changed:
        changed = False
        for fd in g:
            (a,) = fd.rhs
            buckets: dict[tuple, Any] = {}
            lhs = sorted(fd.lhs)
            for row in rows:
                key = tuple(find(row[c]) for c in lhs)
                if key in buckets:
                    if union(buckets[key], row[a]):
                        changed = True
                    buckets[key] = find(buckets[key])
                else:
                    buckets[key] = row[a]
    return any(all(find(row[c]) == 0 for c in cols) for row in rows)


def is_lossless(attributes: Iterable[str], fds: Iterable[FD],
                schemas: Iterable[Iterable[str]]) -> bool:
    """Whether joining the projections onto ``schemas`` always gives back the relation
    (the chase)."""
    r = frozenset(attributes)
    parts = [frozenset(s) & r for s in schemas]
    g = _project(r, _fd_list(fds))
    if not parts:
        return not r
    return _chase(r, g, parts)


def preserves_dependencies(fds: Iterable[FD], schemas: Iterable[Iterable[str]]) -> bool:
    """Whether the FDs that hold inside each schema, taken together, still imply every FD
    of ``fds``."""
    f = _fd_list(fds)
    parts = [frozenset(s) for s in schemas]
    for fd in f:
        z = set(fd.lhs)
        changed = True
        while changed and not fd.rhs <= z:
            changed = False
            for s in parts:
                if not (z & s):
                    continue
                add = (_closure(frozenset(z & s), f) & s) - z
                if add:
                    z |= add
                    changed = True
        if not fd.rhs <= z:
            return False
    return True


# --------------------------------------------------------------------------- discovery

_MISSING = object()


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for row in rows:
        for c in row:
            cols.setdefault(c, None)
    return list(cols)


def _discover(columns: list[str], codes: dict[str, list[int]], n: int,
              max_lhs: int, rhs_codes: dict[str, list[int]] | None = None,
              lhs_columns: list[str] | None = None) -> list[FD]:
    """Level-wise search on integer-coded columns (equal codes = equal values).

    ``codes`` group the rows on the left side; ``rhs_codes`` (default ``codes``) decide
    whether the right side agrees; only ``lhs_columns`` (default all) may be on the left."""
    if rhs_codes is None:
        rhs_codes = codes
    if lhs_columns is None:
        lhs_columns = columns
    result: list[FD] = []
    found: dict[str, list[frozenset[str]]] = {c: [] for c in columns}
    if n < 2:
        return [FD(frozenset(), frozenset([c])) for c in columns]
    partition_cache: dict[tuple[str, ...], tuple[list[int], int]] = {}

    def partition(xs: tuple[str, ...]) -> tuple[list[int], int]:
        if xs in partition_cache:
            return partition_cache[xs]
        if not xs:
            res = ([0] * n, 1)
        elif len(xs) == 1:
            col = codes[xs[0]]
            res = (col, len(set(col)))
        else:
            head, _ = partition(xs[:-1])
            last = codes[xs[-1]]
            ids: dict[tuple[int, int], int] = {}
            out = []
            for h, l in zip(head, last):
                out.append(ids.setdefault((h, l), len(ids)))
            res = (out, len(ids))
        partition_cache[xs] = res
        return res

    for size in range(0, max_lhs + 1):
        if size > len(columns) - 1:
            break
        for xs in combinations(lhs_columns, size):
            xset = frozenset(xs)
            ids, count = partition(xs)
            for a in columns:
                if a in xset:
                    continue
                if any(y <= xset for y in found[a]):
                    continue
                pairs = len(set(zip(ids, rhs_codes[a])))
                if pairs == count:
                    found[a].append(xset)
                    result.append(FD(xset, frozenset([a])))
    return result


def _encode(values: list[Any], strict: bool) -> list[int]:
    table: dict[Any, int] = {}
    out = []
    for v in values:
        if v is _MISSING:
            key: Any = ("missing",)
        elif strict:
            key = (type(v).__name__, v if not isinstance(v, float) or v == v else "nan")
            if isinstance(v, float) and v == 0.0:
                key = ("float", str(v))
        else:
            key = ("v", v)
        try:
            out.append(table.setdefault(key, len(table)))
        except TypeError:  # unhashable value: fall back on repr
            out.append(table.setdefault(("repr", repr(v)), len(table)))
    return out


def discover_fds(rows: Sequence[Mapping[str, Any]], max_lhs: int = 2) -> list[FD]:
    """Every minimal non-trivial FD X -> a that holds in ``rows`` (a list of dicts), with one
    attribute on the right and at most ``max_lhs`` on the left."""
    if max_lhs < 0:
        raise ValueError("max_lhs must be at least 0")
    rows = list(rows)
    columns = _columns_of(rows)
    codes = {c: _encode([row.get(c, _MISSING) for row in rows], strict=False)
             for c in columns}
    return _discover(columns, codes, len(rows), max_lhs)


# --------------------------------------------------------------------------- normalise

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique_name(base: str, taken: set[str]) -> str:
    name = base
    n = 2
    while name.lower() in taken:
        name = f"{base}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def normalise(db: sqlite_utils.Database, table: str) -> list[str]:
    """Split ``table`` of ``db`` into 3NF tables and return their names."""
    if not db[table].exists():
        raise ValueError(f"no table {table!r}")
    cols_info = db[table].columns
    columns = [c.name for c in cols_info]
    ctype = {}
    for c in cols_info:
        t = (c.type or "").strip()
        # a single INTEGER primary key would alias the rowid (NULLs get replaced)
        ctype[c.name] = "INT" if t.upper() == "INTEGER" else t
    select = ", ".join(_q(c) for c in columns)
    data = [tuple(r) for r in db.execute(f"SELECT {select} FROM {_q(table)}").fetchall()]
    n = len(data)
    pos = {c: i for i, c in enumerate(columns)}
    # Rows are grouped with Python's (and SQLite's) equality, 1 == 1.0, as primary keys and
    # IS joins do; a right side must agree exactly, type included, to be restored as it was.
    # A column holding equal values of different types (1 and 1.0) is never on a left side.
    loose = {c: _encode([row[pos[c]] for row in data], strict=False) for c in columns}
    codes = {c: _encode([row[pos[c]] for row in data], strict=True) for c in columns}
    clean = [c for c in columns if len(set(loose[c])) == len(set(codes[c]))]
    fds = _discover(columns, loose, n, 2, rhs_codes=codes, lhs_columns=clean)
    r = frozenset(columns)
    cover = minimal_cover(fds)

    order = {c: i for i, c in enumerate(columns)}

    def ordered(attrs) -> list[str]:
        return sorted(attrs, key=order.__getitem__)

    groups: dict[frozenset[str], set[str]] = {}
    for fd in cover:
        groups.setdefault(fd.lhs, set(fd.lhs)).update(fd.rhs)
    # (schema, primary key, name suffix)
    specs: list[tuple[frozenset[str], frozenset[str], str]] = []
    for lhs, attrs in groups.items():
        if lhs:
            specs.append((frozenset(attrs), lhs, "_".join(ordered(lhs))))
        else:
            specs.append((frozenset(attrs), frozenset(attrs), "constants"))
    # the key of the rows: preferably a left side of the cover, so that the table holding it
    # can reference that schema's primary key
    key = None
    for lhs in sorted(groups, key=lambda x: (len(x), ordered(x))):
        if r <= _closure(lhs, cover) and _minimize(lhs, r, cover) == lhs:
            key = lhs
            break
    if key is None:
        key = _minimize(r, r, cover)
    # duplicates?  the key identifies distinct rows
    key_cols = ordered(key)
    key_codes = list(zip(*(loose[c] for c in key_cols))) if key_cols else [()] * n
    has_dups = len(set(key_codes)) < n
    # drop schemas contained in others (keep the bigger one)
    uniq: list[tuple[frozenset[str], frozenset[str], str]] = []
    for spec in specs:
        if any(spec[0] == t[0] for t in uniq):
            continue
        uniq.append(spec)
    specs = [spec for spec in uniq if not any(spec[0] < t[0] for t in uniq)]
    occ_col = None
    if has_dups:
        occ_col = "occurrence"
        while occ_col in r:
            occ_col += "_"
    elif not any(key <= spec[0] for spec in specs):
        specs.append((key, key, "key"))

    taken = {t.lower() for t in db.table_names()} | {v.lower() for v in db.view_names()}
    created: list[tuple[str, list[str], list[str]]] = []  # name, columns, pk
    for s, pk, suffix in specs:
        name = _unique_name(f"{table}_{suffix}", taken)
        created.append((name, ordered(s), ordered(pk)))
    rows_table = None
    if occ_col is not None:
        rows_table = _unique_name(f"{table}_rows", taken)

    def create(name: str, cols: list[str], pk: list[str], extra_types: dict[str, str],
               fks: list[tuple[list[str], str]], uniques: list[list[str]]) -> None:
        defs = []
        for c in cols:
            t = extra_types.get(c, ctype.get(c, ""))
            defs.append(f"{_q(c)} {t}".rstrip())
        if pk:
            defs.append(f"PRIMARY KEY ({', '.join(_q(c) for c in pk)})")
        for u in uniques:
            defs.append(f"UNIQUE ({', '.join(_q(c) for c in u)})")
        for fk_cols, parent in fks:
            cl = ", ".join(_q(c) for c in fk_cols)
            defs.append(f"FOREIGN KEY ({cl}) REFERENCES {_q(parent)} ({cl})")
        db.execute(f"CREATE TABLE {_q(name)} ({', '.join(defs)})")

    def uniques_of(cols: list[str], pk: list[str]) -> list[list[str]]:
        # other left sides that are keys of this table get a UNIQUE constraint
        out = []
        for lhs in groups:
            if lhs and lhs != frozenset(pk) and lhs <= set(cols) and \
                    set(cols) <= _closure(lhs, cover):
                out.append(ordered(lhs))
        return out

    def fks_for(cols: set[str], me: str) -> list[tuple[list[str], str]]:
        out = []
        for other, ocols, opk in created:
            if other == me:
                continue
            if opk and set(opk) <= cols:
                out.append((opk, other))
            else:
                for u in uniques_of(ocols, opk):
                    if set(u) <= cols:
                        out.append((u, other))
                        break
        return out

    with db.conn:
        for name, cols, pk in created:
            create(name, cols, pk, {}, fks_for(set(cols), name), uniques_of(cols, pk))
            seen: set[tuple] = set()
            values = []
            for i, row in enumerate(data):
                code = tuple(codes[c][i] for c in cols)
                if code in seen:
                    continue
                seen.add(code)
                values.append(tuple(row[pos[c]] for c in cols))
            if values:
                marks = ", ".join("?" for _ in cols)
                db.conn.executemany(
                    f"INSERT INTO {_q(name)} ({', '.join(_q(c) for c in cols)}) "
                    f"VALUES ({marks})", values)
        names = [name for name, _, _ in created]
        if rows_table is not None:
            cols = key_cols + [occ_col]
            fks = fks_for(set(key_cols), rows_table)
            create(rows_table, cols, cols, {occ_col: "INTEGER"}, fks, [])
            counter: dict[tuple, int] = {}
            values = []
            for i, row in enumerate(data):
                k = key_codes[i]
                counter[k] = counter.get(k, 0) + 1
                values.append(tuple(row[pos[c]] for c in key_cols) + (counter[k],))
            if values:
                marks = ", ".join("?" for _ in cols)
                db.conn.executemany(
                    f"INSERT INTO {_q(rows_table)} ({', '.join(_q(c) for c in cols)}) "
                    f"VALUES ({marks})", values)
            names.append(rows_table)
    return names
