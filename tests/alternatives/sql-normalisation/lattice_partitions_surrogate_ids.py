"""A correct normalisation.py built differently from the reference: plain Python sets.

Choices (all within the kata's contract):
- closure by the linear-time counter algorithm (Beeri-Bernstein);
- candidate keys by the Lucchesi-Osborn algorithm (no subset enumeration);
- 2NF tested only on maximal proper subsets of each key (closure is monotone);
- BCNF decomposition splits on the first violating left side by increasing size,
  and drops parts contained in other parts;
- parse_fds accepts an empty left side ("-> A");
- discover_fds is a level-wise lattice search over stripped partitions (TANE-style);
- normalise names tables <table>_part<i>, copies the declared column types
  (INTEGER becomes INT so no column turns into a rowid alias) and keeps duplicate
  rows through a surrogate INTEGER PRIMARY KEY, one per original row, in the key table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class FD:
    lhs: frozenset[str]
    rhs: frozenset[str]

    def __post_init__(self):
        object.__setattr__(self, "lhs", frozenset(self.lhs))
        object.__setattr__(self, "rhs", frozenset(self.rhs))

    def __str__(self):
        return "%s -> %s" % (" ".join(sorted(self.lhs)), " ".join(sorted(self.rhs)))


_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


def parse_fds(text: str) -> list[FD]:
    out = []
    for raw in text.replace("\n", ";").split(";"):
        part = raw.strip()
        if not part:
            continue
        if part.count("->") != 1:
            raise ValueError(f"cannot parse {part!r}: need exactly one '->'")
        left, right = part.split("->")
        lhs = [t for t in re.split(r"[\s,]+", left.strip()) if t]
        rhs = [t for t in re.split(r"[\s,]+", right.strip()) if t]
        if not rhs:
            raise ValueError(f"cannot parse {part!r}: empty right side")
        bad = [t for t in lhs + rhs if not _NAME.match(t)]
        if bad:
            raise ValueError(f"cannot parse {part!r}: bad attribute {bad[0]!r}")
        out.append(FD(frozenset(lhs), frozenset(rhs)))
    return out


# ------------------------------------------------------------------ level 1
def closure(attrs, fds) -> frozenset[str]:
    fds = list(fds)
    result = set(attrs)
    missing = [len(f.lhs) for f in fds]
    waiting: dict[str, list[int]] = {}
    for i, f in enumerate(fds):
        for a in f.lhs:
            waiting.setdefault(a, []).append(i)
    queue = list(result)
    for i, f in enumerate(fds):
        if not f.lhs:
            queue.extend(f.rhs)
    seen = set()
    while queue:
        a = queue.pop()
        if a not in result:
            result.add(a)
        if a in seen:
            continue
        seen.add(a)
        for i in waiting.get(a, ()):
            missing[i] -= 1
            if missing[i] == 0:
                queue.extend(fds[i].rhs)
    return frozenset(result)


def _reduce_key(superkey, attributes, fds, last=frozenset()):
    key = set(superkey)
    for a in sorted(superkey, key=lambda a: (a in last, a)):
        if attributes <= closure(key - {a}, fds):
            key.discard(a)
    return frozenset(key)


def candidate_keys(attributes, fds) -> set[frozenset[str]]:
    attributes = frozenset(attributes)
    fds = [f for f in fds if f.lhs <= attributes]
    first = _reduce_key(attributes, attributes, fds)
    keys = [first]
    i = 0
    while i < len(keys):
        k = keys[i]
        for f in fds:
            s = f.lhs | (k - f.rhs)
            if not any(other <= s for other in keys):
                keys.append(_reduce_key(s, attributes, fds))
        i += 1
    return set(keys)


# ------------------------------------------------------------------ level 2
def _split(fds):
    out = []
    for f in fds:
        for a in sorted(f.rhs - f.lhs):
            fd = FD(f.lhs, frozenset([a]))
            if fd not in out:
                out.append(fd)
    return out


def minimal_cover(fds) -> list[FD]:
    work = _split(list(fds))
    for i, f in enumerate(work):
        lhs = set(f.lhs)
        for a in sorted(f.lhs):
            if f.rhs <= closure(lhs - {a}, work):
                lhs.discard(a)
                work[i] = FD(frozenset(lhs), f.rhs)
    dedup = []
    for f in work:
        if f not in dedup:
            dedup.append(f)
    result = list(dedup)
    for f in dedup:
        rest = [g for g in result if g != f]
        if f.rhs <= closure(f.lhs, rest):
            result = rest
    return result


def normal_form(attributes, fds) -> str:
    attributes = frozenset(attributes)
    fds = list(fds)
    keys = candidate_keys(attributes, fds)
    prime = set().union(*keys) if keys else set()
    nonprime = attributes - prime
    for k in keys:
        for b in k:
            if (closure(k - {b}, fds) & nonprime) - k:
                return "1NF"
    single = [f for f in _split(fds) if f.lhs <= attributes and f.rhs <= attributes]
    bad = [f for f in single if not attributes <= closure(f.lhs, fds)]
    if any(f.rhs <= nonprime for f in bad):
        return "2NF"
    if bad:
        return "3NF"
    return "BCNF"


# ------------------------------------------------------------------ level 3
def _synthesis(attributes, fds):
    """Returns [(schema, key_of_schema)], the key schema last when it is added."""
    cover = minimal_cover(fds)
    by_lhs: dict[frozenset, set] = {}
    for f in cover:
        by_lhs.setdefault(f.lhs, set()).update(f.rhs)
    parts = [(frozenset((l | r) & attributes), frozenset(l & attributes)) for l, r in by_lhs.items()]
    kept = []
    for s, k in parts:
        if any(s < t for t, _ in parts) or any(s == t for t, _ in kept):
            continue
        kept.append((s, k))
    key = _reduce_key(attributes, attributes, fds, frozenset().union(*(k for _, k in kept)))
    if not any(attributes <= closure(s, fds) for s, _ in kept):
        kept.append((key, key))
    return kept, key


def synthesize_3nf(attributes, fds) -> list[frozenset[str]]:
    return [s for s, _ in _synthesis(frozenset(attributes), list(fds))[0]]


def is_lossless(attributes, fds, schemas) -> bool:
    attributes = frozenset(attributes)
    schemas = [frozenset(s) for s in schemas]
    rows = [{a: ("a", a) if a in s else ("b", i, a) for a in attributes} for i, s in enumerate(schemas)]
    rules = [f for f in _split(list(fds)) if f.lhs <= attributes and f.rhs <= attributes]
    changed = True
    while changed:
        changed = False
        for f in rules:
            (a,) = f.rhs
            for r1 in rows:
                for r2 in rows:
                    if r1 is r2 or r1[a] == r2[a]:
                        continue
                    if all(r1[x] == r2[x] for x in f.lhs):
                        keep, drop = sorted([r1[a], r2[a]])  # ("a", ...) sorts first
                        for r in rows:
                            if r[a] == drop:
                                r[a] = keep
                        changed = True
    return any(all(r[a] == ("a", a) for a in attributes) for r in rows)


def preserves_dependencies(fds, schemas) -> bool:
    fds = list(fds)
    schemas = [frozenset(s) for s in schemas]
    for f in fds:
        z = set(f.lhs)
        while True:
            before = len(z)
            for s in schemas:
                z |= closure(z & s, fds) & s
            if len(z) == before:
                break
        if not f.rhs <= z:
            return False
    return True


# ------------------------------------------------------------------ level 4
def _violation(s, fds):
    items = sorted(s)
    for size in range(len(items)):
        for x in combinations(items, size):
            x = frozenset(x)
            c = closure(x, fds) & s
            if c != x and c != s:
                return x, c
    return None


def decompose_bcnf(attributes, fds) -> list[frozenset[str]]:
    fds = list(fds)
    pending = [frozenset(attributes)]
    result: list[frozenset[str]] = []
    while pending:
        s = pending.pop(0)
        v = _violation(s, fds)
        if v is None:
            result.append(s)
        else:
            x, c = v
            pending += [c, s - (c - x)]
    final = []
    for s in result:
        if any(s < t for t in result) or s in final:
            continue
        final.append(s)
    return final


# ------------------------------------------------------------------ level 5
def _partition_ids(values):
    ids: dict = {}
    return [ids.setdefault(v, len(ids)) for v in values]


def _product(p, q):
    ids: dict = {}
    return [ids.setdefault(pair, len(ids)) for pair in zip(p, q)]


def _tane(columns, table, max_lhs):
    n = len(columns)
    if max_lhs is None or max_lhs > n - 1:
        max_lhs = n - 1
    nrows = len(table)
    single = {j: _partition_ids([row[j] for row in table]) for j in range(n)}
    part = {(): [0] * nrows}
    for j in range(n):
        part[(j,)] = single[j]

    def count(ids):
        return max(ids) + 1 if ids else 0

    def get(xs):
        if xs not in part:
            part[xs] = _product(get(xs[:-1]), single[xs[-1]])
        return part[xs]

    found: dict[int, list[frozenset]] = {a: [] for a in range(n)}
    out = []
    level = [()]
    for size in range(max_lhs + 1):
        for xs in level:
            px = count(get(xs))
            xset = frozenset(xs)
            for a in range(n):
                if a in xset or any(m <= xset for m in found[a]):
                    continue
                xa = tuple(sorted(xs + (a,)))
                if count(get(xa)) == px:
                    found[a].append(xset)
                    out.append((xs, a))
        # next level: extend by larger column indexes
        level = [xs + (j,) for xs in level for j in range((xs[-1] + 1) if xs else 0, n)]
    return out


def discover_fds(rows, max_lhs=2) -> list[FD]:
    rows = list(rows)
    columns: list = []
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    table = [tuple(r.get(c) for c in columns) for r in rows]
    return [FD(frozenset(columns[j] for j in xs), frozenset([columns[a]]))
            for xs, a in _tane(columns, table, max_lhs)]


def _part_keys(s, fds):
    """Candidate keys of part s under the projection of F+ onto s."""
    projected = []
    for size in range(len(s) + 1):
        for x in combinations(sorted(s), size):
            extra = (closure(x, fds) & s) - set(x)
            if extra:
                projected.append(FD(frozenset(x), extra))
    return candidate_keys(s, projected)


def _q(name):
    return '"%s"' % str(name).replace('"', '""')


def normalise(db, table) -> list[str]:
    info = db[table].columns
    columns = [c.name for c in info]
    decl = {}
    for c in info:
        t = (c.type or "").strip()
        decl[c.name] = "INT" if t.upper() == "INTEGER" else t
    rows = [tuple(r) for r in db.execute(
        "SELECT %s FROM %s" % (", ".join(map(_q, columns)), _q(table))).fetchall()]
    distinct = list(dict.fromkeys(rows))
    attrs = frozenset(columns)
    if distinct:
        fds = [FD(frozenset(columns[j] for j in xs), frozenset([columns[a]]))
               for xs, a in _tane(columns, distinct, len(columns))]
    else:
        fds = [FD(frozenset(), frozenset([c])) for c in columns]
    parts, key = _synthesis(attrs, fds)
    # hang the surrogate table off the first part whose key is a key of the relation
    key = next((k for _, k in parts if k and attrs <= closure(k, fds)), key)
    pos = {c: i for i, c in enumerate(columns)}

    def cols_of(s):
        return sorted(s, key=pos.__getitem__)

    surrogate = "id"
    while surrogate in attrs:
        surrogate += "_"
    specs = []  # (columns, pk, referenceable)
    for s, k in parts:
        if s == key and k == key:
            continue  # the key table gets the surrogate column below
        # declare every key of the part (PRIMARY KEY + UNIQUE); any of them can be referenced
        keys = [cols_of(k)] + sorted(cols_of(x) for x in _part_keys(s, fds) if x != k) if k else []
        specs.append((cols_of(s), cols_of(k) if k else cols_of(s), keys))
    specs.append(([surrogate] + cols_of(key), [surrogate], []))
    existing = set(db.table_names()) | set(db.view_names())
    names = []
    i = 1
    while len(names) < len(specs):
        name = "%s_part%d" % (table, i)
        if name not in existing:
            names.append(name)
        i += 1
    with db.conn:
        for me, (cols, pk, _) in enumerate(specs):
            defs = []
            for c in cols:
                if c == surrogate and me == len(specs) - 1:
                    defs.append("%s INTEGER PRIMARY KEY" % _q(c))
                else:
                    defs.append(("%s %s" % (_q(c), decl[c])).strip())
            if pk != [surrogate]:
                defs.append("PRIMARY KEY (%s)" % ", ".join(map(_q, pk)))
            for uk in specs[me][2][1:]:
                defs.append("UNIQUE (%s)" % ", ".join(map(_q, uk)))
            for other, (ocols, opk, okeys) in enumerate(specs):
                fits = [k for k in okeys if set(k) <= set(cols)]
                if other != me and fits:
                    opk = fits[0]
                    defs.append("FOREIGN KEY (%s) REFERENCES %s (%s) DEFERRABLE INITIALLY DEFERRED"
                                % (", ".join(map(_q, opk)), _q(names[other]), ", ".join(map(_q, opk))))
            db.conn.execute("CREATE TABLE %s (%s)" % (_q(names[me]), ", ".join(defs)))
        for me, (cols, pk, _) in enumerate(specs):
            if me == len(specs) - 1:
                data = [(n,) + tuple(r[pos[c]] for c in cols[1:]) for n, r in enumerate(rows, 1)]
            else:
                data = list(dict.fromkeys(tuple(r[pos[c]] for c in cols) for r in distinct))
            db.conn.executemany("INSERT INTO %s (%s) VALUES (%s)" % (
                _q(names[me]), ", ".join(map(_q, cols)), ", ".join("?" * len(cols))), data)
    return names
