"""Hostile submissions, each graded for real with ``--path``: every one must be held.

Each module in ``hostile/`` is what a learner bent on a better score, or a careless one,
might submit. Its header says which kata it targets, whether it builds on an honest (correct)
implementation, and how the grader must answer: the status (and, for ``forbidden``, the kind
that starts the detail) and whether the score must be 0 or only below 100. For every one the
grader must also exit 1, finish within its limits, leave no process behind and change nothing
outside its temporary folder: not the hidden suites, the solutions, the submission itself or
the learner's home.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_grade

HERE = Path(__file__).resolve().parent
MODULES = {"lru-cache": "lru_cache", "consistent-hash-ring": "hash_ring",
           "token-bucket": "rate_limiter"}
HONEST = {"lru-cache": "plain_dict_insertion_order.py",
          "consistent-hash-ring": "blake2b_struct_names_weight_copies.py",
          "token-bucket": "integer_nanoseconds.py"}
MARKER = "katas-hostile"


@dataclass(frozen=True)
class Case:
    path: Path
    kata: str
    honest: bool
    statuses: tuple[str, ...]
    kinds: tuple[str, ...]
    zero: bool
    time_limit: float

    @classmethod
    def read(cls, path: Path) -> Case:
        header = dict(re.findall(r"^# ([a-z-]+): (.+)$", path.read_text(), flags=re.M))
        expected = header["expect"].split("|")
        return cls(
            path=path, kata=header["kata"], honest=header["base"] == "honest",
            statuses=tuple(e.split(":")[0] for e in expected),
            kinds=tuple(e.split(":")[1] for e in expected if ":" in e),
            zero=header["score"] == "0", time_limit=float(header.get("time-limit", 60)))


CASES = sorted(HERE.glob("hostile/*.py"))


def fingerprint(*folders: Path) -> dict[str, str]:
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftovers() -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if MARKER in line and "ps -ww" not in line]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_hostile_submission_is_held(tmp_path: Path, path: Path) -> None:
    case = Case.read(path)
    folder = tmp_path / "submission"
    folder.mkdir()
    target = folder / f"{MODULES[case.kata]}.py"
    shutil.copy(path, target)
    if case.honest:
        shutil.copy(ROOT / "tests" / "alternatives" / case.kata / HONEST[case.kata],
                    folder / "honest.py")
    home = tmp_path / "home"
    home.mkdir()
    watched = (ROOT / "grader", ROOT / "solutions", ROOT / "katas", folder, home)
    before = fingerprint(*watched)
    started = time.monotonic()
    result = run_grade(case.kata, "--path", str(folder), "--format", "json",
                       "--time-limit", f"{case.time_limit:g}", env={"HOME": str(home)})
    elapsed = time.monotonic() - started

    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    kata = result.json()["katas"][0]
    assert kata["status"] in case.statuses, kata.get("detail")
    if kata["status"] == "forbidden" and case.kinds:
        assert kata["detail"].split(":")[0] in case.kinds, kata["detail"]
    if case.zero:
        assert kata["score"] == 0, kata["detail"]
    assert kata["score"] < 100
    assert kata["tests"], "every hidden test is still listed and counted"
    assert elapsed < case.time_limit + 60, "the grader itself must finish within its limits"
    time.sleep(0.2)
    assert not leftovers(), "no process of the submission may outlive the grade"
    assert fingerprint(*watched) == before, "nothing outside the grading folder may change"
    history = ROOT / ".grade" / "history.db"
    if history.exists():
        assert MARKER.encode() not in history.read_bytes()


def test_every_hostile_module_names_its_expectations() -> None:
    assert len(CASES) >= 30
    for path in CASES:
        case = Case.read(path)
        assert case.kata in MODULES
        assert case.statuses
