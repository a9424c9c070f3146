"""The grader's pytest plugin: level and points markers, one record per test, done last."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SUITE = '''
import pytest
from grader.checks import Script, fail

pytestmark = pytest.mark.level(1)

def test_passes():
    """adds up"""
    assert 1 + 1 == 2

@pytest.mark.points(3)
def test_mismatch():
    s = Script()
    s.note("cache = LRUCache(2)")
    s.expect(1, 2, "cache.get('a')", "it was just put")

@pytest.mark.level(2)
@pytest.mark.parametrize("n", [1, 2])
def test_raises(n):
    raise KeyError(n)

@pytest.mark.level(2)
def test_plain_assert():
    assert False
'''


def run(pytester: pytest.Pytester, source: str, *args: str) -> tuple[pytest.RunResult,
                                                                      list[dict[str, Any]]]:
    pytester.makepyfile(test_hidden=source)
    out = pytester.path / "records.jsonl"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT)
    try:
        result = pytester.runpytest_inprocess("-p", "no:xdist", "-p", "no:benchmark",
                                              "-p", "grader.plugin", "--assert=plain",
                                              f"--grade-results-fd={fd}", *args)
    finally:
        os.close(fd)
    records = [json.loads(line) for line in Path(out).read_text().splitlines()]
    return result, records


def test_records_collection_outcomes_and_done(pytester: pytest.Pytester) -> None:
    _, records = run(pytester, SUITE)
    assert [r["type"] for r in records] == ["collected"] + ["start", "test"] * 5 + ["done"]
    collected = {t["id"].split("::")[1]: t for t in records[0]["tests"]}
    assert collected["test_passes"] == {"id": "test_hidden.py::test_passes", "level": 1,
                                        "title": "adds up", "points": 1}
    assert collected["test_mismatch"]["points"] == 3
    assert collected["test_raises[1]"]["level"] == 2
    assert collected["test_raises[1]"]["title"] == "raises [1]"
    tests = {r["id"].split("::")[1]: r for r in records if r["type"] == "test"}
    assert tests["test_passes"]["outcome"] == "passed"
    mismatch = tests["test_mismatch"]
    assert mismatch["outcome"] == "failed"
    assert mismatch["message"].startswith(
        "cache.get('a') gave 1, expected 2 (it was just put).\nThe calls, in order:")
    assert tests["test_raises[2]"]["outcome"] == "error"
    assert "KeyError: 2" in tests["test_raises[2]"]["message"]
    assert tests["test_plain_assert"]["outcome"] == "failed"
    assert tests["test_plain_assert"]["message"] == "a hidden check failed"
    assert records[-1] == {"type": "done", "exitstatus": 1}


def test_a_test_without_a_level_is_an_error(pytester: pytest.Pytester) -> None:
    result, records = run(pytester, "def test_unlevelled():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "needs @pytest.mark.level(n)" in "\n".join(result.errlines)
    assert not any(r["type"] == "test" for r in records)


@pytest.mark.parametrize("marker", ["level(0)", "level('1')", "points(True)", "level(1, 2)"])
def test_bad_markers_are_errors(pytester: pytest.Pytester, marker: str) -> None:
    source = f"import pytest\n@pytest.mark.{marker}\ndef test_x():\n    pass\n"
    if not marker.startswith("level"):
        source = source.replace("import pytest\n",
                                "import pytest\npytestmark = pytest.mark.level(1)\n")
    result, _ = run(pytester, source)
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_unknown_markers_are_rejected(pytester: pytest.Pytester) -> None:
    source = "import pytest\n@pytest.mark.level(1)\n@pytest.mark.lvl(1)\ndef test_x():\n    pass\n"
    result, _ = run(pytester, source, "--strict-markers")
    assert result.ret != pytest.ExitCode.OK


def test_fail_fast_stops_after_the_first_failure(pytester: pytest.Pytester) -> None:
    _, records = run(pytester, SUITE, "--grade-fail-fast")
    outcomes = [r["outcome"] for r in records if r["type"] == "test"]
    assert outcomes == ["passed", "failed"]
