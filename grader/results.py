"""The one result type every stage shares: the runner fills it, scoring totals it, every report
renders it and the history stores it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["passed", "failed", "error", "timeout", "skipped"]
Status = Literal["graded", "timeout", "crashed", "memory", "output", "disk", "forbidden",
                 "import-error", "missing"]
RESULTS_VERSION = 1


@dataclass(frozen=True)
class Location:
    """A place in the learner's own file, where a failure passed through their code."""

    file: str
    line: int
    function: str
    code: str = ""


@dataclass(frozen=True)
class TestResult:
    id: str
    level: int
    title: str
    outcome: Outcome
    points: int
    max_points: int
    message: str = ""
    location: Location | None = None
    output: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True)
class LevelResult:
    number: int
    name: str
    goal: str
    passed: bool
    points: int
    max_points: int
    tests: int
    tests_passed: int


@dataclass(frozen=True)
class KataResult:
    slug: str
    title: str
    score: int
    status: Status
    duration_s: float
    levels: tuple[LevelResult, ...]
    tests: tuple[TestResult, ...]
    source: str
    source_hash: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.score == 100

    def failures(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome not in ("passed", "skipped")]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["levels"] = list(data["levels"])
        data["tests"] = list(data["tests"])
        data["passed"] = self.passed
        data["duration_s"] = round(self.duration_s, 3)
        for test in data["tests"]:
            test["duration_s"] = round(test["duration_s"], 3)
        return data


@dataclass(frozen=True)
class RunResult:
    katas: tuple[KataResult, ...] = field(default_factory=tuple)

    @property
    def score(self) -> int:
        """The mean of the katas' scores, rounded down (100 only when every kata scores 100)."""
        if not self.katas:
            return 0
        return sum(k.score for k in self.katas) // len(self.katas)

    @property
    def passed(self) -> bool:
        return bool(self.katas) and all(k.passed for k in self.katas)

    def to_json(self) -> dict[str, Any]:
        from grader import __version__

        return {
            "version": RESULTS_VERSION,
            "grader_version": __version__,
            "score": self.score,
            "passed": self.passed,
            "katas": [k.to_json() for k in self.katas],
        }
