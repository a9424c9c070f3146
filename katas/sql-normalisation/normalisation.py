"""SQL normalisation kata: functional dependencies, keys, normal forms and decompositions,
then a real table split into 3NF tables in SQLite.

Fill in every function below. The README explains the rules and the five levels.

Attribute sets are frozensets of strings (the functions accept any iterable of names). FD is
given: it is the data type, not the exercise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


def parse_fds(text: str) -> list[FD]:
    """Parse FDs written as ``"A B -> C; C -> D"``.

    FDs are separated by ``;`` (new lines too, if you like); the attributes of a side by
    spaces (commas too, if you like). Malformed text (no arrow, two arrows, nothing on the
    right...) raises ValueError with a message that quotes the bad part.
    """
    raise NotImplementedError


def closure(attrs: Iterable[str], fds: Iterable[FD]) -> frozenset[str]:
    """Every attribute that ``attrs`` determines under ``fds`` (``attrs`` included)."""
    raise NotImplementedError


def minimal_cover(fds: Iterable[FD]) -> list[FD]:
    """An equivalent set of FDs with a single attribute on each right side, no redundant
    attribute on any left side, and no redundant FD."""
    raise NotImplementedError


def candidate_keys(attributes: Iterable[str], fds: Iterable[FD]) -> set[frozenset[str]]:
    """Every minimal set of attributes whose closure holds all of ``attributes``.

    Must stay quick with 20 attributes: do not try all 2^20 subsets.
    """
    raise NotImplementedError


def normal_form(attributes: Iterable[str], fds: Iterable[FD]) -> NormalForm:
    """The highest normal form that holds: "BCNF", "3NF", "2NF", or "1NF"."""
    raise NotImplementedError


def synthesize_3nf(attributes: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Schemas, each in 3NF, whose join is lossless and which preserve every FD."""
    raise NotImplementedError


def decompose_bcnf(attributes: Iterable[str], fds: Iterable[FD]) -> list[frozenset[str]]:
    """Schemas, each in BCNF (for the FDs that hold inside it), whose join is lossless."""
    raise NotImplementedError


def is_lossless(attributes: Iterable[str], fds: Iterable[FD],
                schemas: Iterable[Iterable[str]]) -> bool:
    """Whether joining the projections of any relation that satisfies ``fds`` onto
    ``schemas`` always gives back exactly that relation (decide it with the chase)."""
    raise NotImplementedError


def preserves_dependencies(fds: Iterable[FD], schemas: Iterable[Iterable[str]]) -> bool:
    """Whether the FDs that hold inside each schema, taken together, still imply every FD
    of ``fds``."""
    raise NotImplementedError


def discover_fds(rows: Sequence[Mapping[str, Any]], max_lhs: int = 2) -> list[FD]:
    """Every minimal non-trivial FD X -> a that holds in ``rows`` (a list of dicts), with one
    attribute on the right and at most ``max_lhs`` on the left.

    ``None`` is an ordinary value, equal only to ``None``. A constant column a gives the FD
    with an empty left side, ∅ -> a. Minimal: no proper subset of X determines a.
    """
    raise NotImplementedError


def normalise(db: sqlite_utils.Database, table: str) -> list[str]:
    """Split ``table`` of ``db`` into 3NF tables and return their names.

    ``table`` is left as it is. The new tables have primary keys and foreign keys
    (``PRAGMA foreign_key_check`` finds nothing), and joining them on their shared columns,
    NULL-safely (``a.x IS b.x``), gives exactly the rows of ``table``, duplicates included,
    with every value as it was.
    """
    raise NotImplementedError
