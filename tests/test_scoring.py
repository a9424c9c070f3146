"""Scoring: levels pass only when all their tests pass; the score is a whole percentage
rounded down; tests that never reported count as failed, with the child's fate as status."""

from __future__ import annotations

import signal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from grader.catalog import Kata, Level
from grader.runner import ChildRun, RawRun
from grader.scoring import score_run

KATA = Kata(slug="demo", title="Demo", module="demo", difficulty="easy", minutes=1,
            topic="Testing", topics=(), levels=(Level(1, "One", "g"), Level(2, "Two", "g")),
            hints=("h",), root=Path("/nonexistent"))

tests_strategy = st.lists(
    st.tuples(st.integers(1, 2), st.integers(1, 5),
              st.sampled_from(["passed", "failed", "error", "timeout", "missing"])),
    min_size=1, max_size=12,
)


def raw(tests: list[tuple[int, int, str]], *, done: bool = True, returncode: int = 0,
        timed_out: bool = False) -> RawRun:
    collected = [{"id": f"t{i}", "level": lv, "points": pts, "title": f"t{i}"}
                 for i, (lv, pts, _) in enumerate(tests)]
    reported = {f"t{i}": {"type": "test", "id": f"t{i}", "outcome": outcome, "message": "m"}
                for i, (_, _, outcome) in enumerate(tests) if outcome != "missing"}
    records = [{"type": "done"}] if done else []
    child = ChildRun(records=records, returncode=returncode, timed_out=timed_out)
    return RawRun(collected=collected, reported=reported, child=child, import_error=None)


@given(tests_strategy)
def test_score_is_passed_points_over_total_rounded_down(tests: list[tuple[int, int, str]]) -> None:
    result = score_run(KATA, raw(tests), source="x", module_path=Path("/nonexistent/x.py"))
    total = sum(p for _, p, _ in tests)
    earned = sum(p for _, p, o in tests if o == "passed")
    assert result.score == earned * 100 // total
    assert (result.score == 100) == all(o == "passed" for _, _, o in tests)
    for level in result.levels:
        mine = [o for lv, _, o in tests if lv == level.number]
        assert level.passed == (bool(mine) and all(o == "passed" for o in mine))
        assert level.max_points == sum(p for lv, p, _ in tests if lv == level.number)
    assert all(t.outcome != "passed" for t in result.tests
               if t.id in {f"t{i}" for i, x in enumerate(tests) if x[2] == "missing"})


def test_a_level_without_tests_does_not_pass() -> None:
    result = score_run(KATA, raw([(1, 1, "passed")]), source="x", module_path=Path("/x"))
    assert [lv.passed for lv in result.levels] == [True, False]


def test_nothing_collected_scores_zero() -> None:
    result = score_run(KATA, raw([], done=True), source="x", module_path=Path("/x"))
    assert result.score == 0


def test_missing_done_record_is_a_crash_even_with_exit_status_zero() -> None:
    result = score_run(KATA, raw([(1, 1, "passed"), (2, 1, "missing")], done=False),
                       source="x", module_path=Path("/x"))
    assert result.status == "crashed"
    assert "exited early" in result.detail
    assert result.score == 50
    assert result.tests[1].outcome == "error"


def test_a_signal_is_named() -> None:
    result = score_run(KATA, raw([(1, 1, "missing")], done=False, returncode=-signal.SIGSEGV),
                       source="x", module_path=Path("/x"))
    assert result.status == "crashed"
    assert "segmentation fault" in result.detail


def test_wall_limit_marks_unreported_tests_as_timeouts() -> None:
    result = score_run(KATA, raw([(1, 1, "passed"), (1, 1, "missing")], done=False,
                                 timed_out=True), source="x", module_path=Path("/x"))
    assert result.status == "timeout"
    assert [t.outcome for t in result.tests] == ["passed", "timeout"]
    assert result.score == 50
