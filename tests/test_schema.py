"""``--format json`` follows docs/results-schema.json for graded, failing and crashed runs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, GradeRunner, submission

SCHEMA = json.loads((ROOT / "docs" / "results-schema.json").read_text(encoding="utf-8"))


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("kind", ["stub", "crashing", "missing"])
def test_output_validates(grade: GradeRunner, tmp_path: Path, kind: str) -> None:
    """(A graded run of every reference is validated in test_cli.)"""
    args = ["lru-cache", "--format", "json"]
    if kind == "crashing":
        args += ["--path", str(submission(tmp_path, "import os\nos._exit(3)\n"))]
    elif kind == "missing":
        (tmp_path / "empty").mkdir()
    result = grade(*args) if kind != "missing" else None
    if kind == "missing":
        from grader.catalog import find_kata, load_catalog
        from grader.grading import grade_kata
        from grader.results import RunResult
        from grader.runner import Submission

        kata = find_kata(load_catalog(ROOT), "lru-cache")
        data = RunResult((grade_kata(kata, Submission(tmp_path / "empty", "empty")),)).to_json()
        assert data["katas"][0]["status"] == "missing"
    else:
        assert result is not None
        data = result.json()
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    kata = data["katas"][0]
    assert kata["passed"] == (kata["score"] == 100)
    assert sum(lv["max_points"] for lv in kata["levels"]) == sum(
        t["max_points"] for t in kata["tests"])
    if kind != "reference":
        assert kata["score"] == 0
        assert all(t["message"] for t in kata["tests"])
