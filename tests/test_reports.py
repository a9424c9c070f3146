"""Every report format, read back by a reader that is not the renderer: JSON Schema, a JUnit
library, Gradescope's field list, Classroom 50's result rules, and a parser of GitHub's
workflow-command syntax. Real runs (the reference, the stub, a hostile submission, and ones
that crash while importing) ask for every format at once; hand-built results check the
escaping and the size caps, including text meant to break each format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from junitparser import Error, Failure, JUnitXml, Skipped

from grader.formats import NAMES, renderer
from grader.formats.base import ReportContext, cap, ranked_failures
from grader.formats.classroom50 import classroom50_result, release_body
from grader.formats.github import (
    MAX_ERRORS,
    command,
    error_annotations,
    escape_data,
    escape_property,
    step_summary,
)
from grader.formats.gradescope import (
    TEST_OUTPUT_LIMIT,
    TOTAL_OUTPUT_LIMIT,
    GradescopeRenderer,
    gradescope_results,
)
from grader.formats.markdown import cell, fence
from grader.results import KataResult, LevelResult, Location, RunResult
from grader.results import TestResult as Check  # not a pytest class
from tests.conftest import ROOT, GradeRunner
from tests.test_schema import SCHEMA

# Learner text aimed at every format at once: workflow commands (new and legacy syntax, and
# an escaped newline), the end of a CDATA section and of the failure element, HTML, Markdown
# table pipes, a code span, a mention, an issue reference, CR LF, a terminal escape and NUL.
HOSTILE = ("::error file=x.py,line=1::pwned\n::warning::w\r\n]]></failure><script>alert(1)"
           "</script> | a | b | `x` @all #1 %0A ##[error]legacy \x1b[2J\x00 end\n"
           "::error::injected\r::endgroup::")
CLASSROOM_ENV = {
    "CLASSROOM": "backend-2026", "ASSIGNMENT": "jwt-validation", "USERNAME": "alice",
    "OWNER": "alice", "ASSIGNMENT_TYPE": "individual",
    "SUBMISSION_TAG": "submit/2026-06-01T14-32-05Z-a1b2c3d",
    "COMMIT_URL": "https://github.com/course/backend-2026-jwt-validation-alice/commit/a1b2c3d",
    "RELEASE_URL": "https://github.com/course/backend-2026-jwt-validation-alice/releases/tag/"
                   "submit%2F2026-06-01T14-32-05Z-a1b2c3d",
}


# ----------------------------------------------------------------- independent readers ---


@dataclass(frozen=True)
class WorkflowCommand:
    name: str
    properties: dict[str, str]
    message: str


_COMMAND = re.compile(r"::(?P<name>[^\s:]+)(?: (?P<props>[^:]*))?::(?P<message>.*)")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse_workflow_commands(log: str) -> list[WorkflowCommand]:
    """The workflow commands a GitHub runner would act on in ``log``, read the way the runner
    reads them: line by line, leading whitespace ignored, ``::name props::message``; nothing
    between ``::stop-commands::TOKEN`` and ``::TOKEN::``. A line outside such a block that
    starts with ``::`` but is not a command, or that holds the legacy ``##[`` syntax, fails."""
    found: list[WorkflowCommand] = []
    stopped_by: str | None = None
    for raw in log.split("\n"):
        line = raw.rstrip("\r").lstrip()
        if stopped_by is not None:
            if line == f"::{stopped_by}::":
                stopped_by = None
            continue
        if not line.startswith("::"):
            assert "##[" not in line, f"a legacy workflow command outside a stopped block: {raw!r}"
            continue
        match = _COMMAND.fullmatch(line)
        assert match, f"a line that starts like a workflow command but is not one: {raw!r}"
        properties = {}
        for item in filter(None, (match["props"] or "").split(",")):
            key, _, value = item.partition("=")
            properties[key] = _unescape_property(value)
        parsed = WorkflowCommand(match["name"], properties, _unescape_data(match["message"]))
        found.append(parsed)
        if parsed.name == "stop-commands":
            assert re.fullmatch(r"[0-9a-f]{32}", parsed.message), "a guessable stop token"
            stopped_by = parsed.message
    assert stopped_by is None, "commands were stopped and never resumed"
    return found


def check_github_log(log: str) -> list[WorkflowCommand]:
    """Every command in ``log`` is one the github format means to give."""
    commands = parse_workflow_commands(log)
    assert {c.name for c in commands} <= {"error", "notice", "group", "endgroup",
                                          "stop-commands"}, commands
    errors = [c for c in commands if c.name == "error"]
    assert len(errors) <= MAX_ERRORS
    for error in errors:
        assert set(error.properties) <= {"file", "line", "title"}
        assert error.properties["file"]
        assert error.properties["title"]
        assert "line" not in error.properties or error.properties["line"].isdigit()
    return commands


GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
                  "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                  "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
                   "output_format", "tags", "visibility", "extra_data"}
GRADESCOPE_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope(document: dict[str, Any]) -> None:
    """``document`` uses only the fields of Gradescope's autograder specification, with the
    types and values it lists, and keeps its outputs within the caps this project sets."""
    assert set(document) <= GRADESCOPE_TOP
    assert isinstance(document["score"], int | float)  # required when tests carry no score
    assert isinstance(document.get("execution_time", 0), int | float)
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert document.get(key, "text") in GRADESCOPE_FORMATS
    assert document.get("visibility", "visible") in GRADESCOPE_VISIBILITY
    assert isinstance(document["tests"], list)
    total = len(document.get("output", "").encode("utf-8"))
    for test in document["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert isinstance(test["name"], str)
        assert test["name"]
        assert isinstance(test["number"], str)
        assert test["status"] in ("passed", "failed")
        assert test.get("visibility", "visible") in GRADESCOPE_VISIBILITY
        assert 0 <= test["score"] <= test["max_score"]
        size = len(test["output"].encode("utf-8"))
        assert size <= TEST_OUTPUT_LIMIT
        total += size
    assert total <= TOTAL_OUTPUT_LIMIT
    assert document["score"] == sum(t["score"] for t in document["tests"])
    assert len({t["number"] for t in document["tests"]}) == len(document["tests"])


def check_classroom50(result: dict[str, Any], env: dict[str, str]) -> None:
    """``result`` passes the checks Classroom 50's runner and score collector make, after the
    runner has stamped the fields it owns (owner, assignment_type, datetime)."""
    stamped = {**result, "owner": "alice", "assignment_type": "individual",
               "datetime": "2026-06-01T14:32:01Z"}
    assert stamped["schema"] == "classroom50/result/v1"
    assert stamped["classroom"] == env["CLASSROOM"]
    assert stamped["assignment"] == env["ASSIGNMENT"]
    assert isinstance(stamped["submission"], str)
    assert stamped["submission"].startswith("submit/")
    for key in ("commit", "release", "review", "datetime"):
        assert isinstance(stamped[key], str), key
        assert stamped[key], key
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", result["datetime"])

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    assert whole(stamped["score"])
    assert whole(stamped["max-score"])
    assert stamped["score"] <= stamped["max-score"]
    assert isinstance(stamped["tests"], list)
    for test in stamped["tests"]:
        assert isinstance(test, dict)
        assert isinstance(test["test-name"], str)
        assert test["test-name"]
        assert isinstance(test["passed"], bool)
        assert whole(test["score"])
        assert whole(test["max-score"])
        assert test["score"] <= test["max-score"]
    assert stamped["score"] == sum(t["score"] for t in stamped["tests"])
    assert stamped["max-score"] == sum(t["max-score"] for t in stamped["tests"])
    assert len(json.dumps(result).encode("utf-8")) <= 10 * 1024 * 1024


def check_junit(text: str) -> JUnitXml:
    xml = JUnitXml.fromstring(text)
    for suite in xml:
        cases = list(suite)
        assert suite.tests == len(cases)
        assert suite.failures == sum(isinstance(r, Failure) for c in cases for r in c.result)
        assert suite.errors == sum(isinstance(r, Error) for c in cases for r in c.result)
        assert suite.skipped == sum(isinstance(r, Skipped) for c in cases for r in c.result)
        properties = {p.name: p.value for p in suite.properties()}
        assert {"score", "points", "max_points", "status"} <= set(properties)
        for case in cases:
            assert case.classname.startswith(f"{suite.name}.")
    return xml


# ------------------------------------------------------------------ hand-built results ---


def _levels(tests: tuple[Check, ...], count: int = 3) -> tuple[LevelResult, ...]:
    levels = []
    for number in range(1, count + 1):
        mine = [t for t in tests if t.level == number]
        passed = [t for t in mine if t.outcome == "passed"]
        levels.append(LevelResult(number, f"Level {number} | name", "goal", bool(mine) and
                                  len(passed) == len(mine), sum(t.points for t in mine),
                                  sum(t.max_points for t in mine), len(mine), len(passed)))
    return tuple(levels)


def make_kata(slug: str = "jwt-validation", *, status: str = "graded", detail: str = "",
              tests: tuple[Check, ...] | None = None) -> KataResult:
    if tests is None:
        where = Location("jwt_validation.py", 42, "decode", HOSTILE)
        tests = (
            Check("t.py::test_ok", 1, "a passing check", "passed", 1, 1),
            Check("t.py::test_hostile", 1, "a check | with `pipes`", "failed", 0, 2,
                       HOSTILE, where, HOSTILE * 3, 0.25),
            Check("t.py::test_raise", 2, "", "error", 0, 1, f"RuntimeError: {HOSTILE}"),
            Check("t.py::test_slow", 3, "a slow check", "timeout", 0, 1, "timed out"),
            Check("t.py::test_skip", 3, "a skipped check", "skipped", 0, 1),
        )
    earned, total = sum(t.points for t in tests), sum(t.max_points for t in tests)
    return KataResult(slug=slug, title=f"Title of {slug}", score=earned * 100 // total
                      if total else 0, status=status, duration_s=1.5,
                      levels=_levels(tests), tests=tests,
                      source=f"katas/{slug}/{slug.replace('-', '_')}.py", source_hash="ab",
                      detail=detail)


def hostile_run() -> RunResult:
    """One kata of each kind a run can end as, every learner-written field hostile."""
    crashed_tests = tuple(Check(f"t.py::test_{i}", 1 + i % 3, f"check {i}", "error", 0, 1,
                                     HOSTILE) for i in range(4))
    return RunResult((
        make_kata(),
        make_kata("lru-cache", status="crashed", detail=HOSTILE, tests=crashed_tests),
        make_kata("token-bucket", status="timeout", detail=f"stopped: {HOSTILE}",
                  tests=tuple(replace(t, outcome="timeout") for t in crashed_tests)),
        make_kata("bplus-tree", status="import-error", detail=f"importing failed: {HOSTILE}",
                  tests=crashed_tests),
        make_kata("lsm-tree", status="missing", detail="no lsm_tree.py in katas/lsm-tree",
                  tests=()),
        make_kata("consistent-hash-ring", tests=(
            Check("t.py::test_all", 1, "all good", "passed", 3, 3),)),
    ))


def context(tmp_path: Path, **environ: str) -> ReportContext:
    return ReportContext(environ=environ, cwd=tmp_path)


# ------------------------------------------------ every format on hostile hand-built runs ---


def test_the_registry_names_every_format() -> None:
    assert NAMES == ("text", "json", "junit", "gradescope", "github", "classroom50")
    for name in NAMES:
        assert renderer(name).name == name


def test_json_validates_and_keeps_hostile_text_exactly() -> None:
    run = hostile_run()
    data = json.loads(renderer("json").render(run, ReportContext()))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data["katas"][0]["tests"][1]["message"] == HOSTILE
    assert [k["status"] for k in data["katas"]] == [
        "graded", "crashed", "timeout", "import-error", "missing", "graded"]


def test_junit_parses_and_hostile_text_cannot_break_out() -> None:
    text = renderer("junit").render(hostile_run(), ReportContext())
    assert "<script>" not in text
    assert "]]>" not in text
    xml = check_junit(text)
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["jwt-validation", "lru-cache", "token-bucket", "bplus-tree",
                            "lsm-tree", "consistent-hash-ring"]
    graded = {case.name: case for case in suites["jwt-validation"]}
    hostile = graded["a check | with `pipes`"]
    assert hostile.classname == "jwt-validation.level1"
    (failure,) = hostile.result
    assert isinstance(failure, Failure)
    assert failure.message == "::error file=x.py,line=1::pwned"
    # control characters XML cannot hold are gone; everything else arrives as written
    def lines(text: str) -> str:  # an XML reader turns CR LF and a lone CR into LF
        return text.replace("\r\n", "\n").replace("\r", "\n")

    assert lines(HOSTILE.replace("\x1b", "").replace("\x00", "")) in lines(failure.text)
    assert "\x00" not in hostile.system_out
    assert "]]></failure>" in hostile.system_out
    assert isinstance(graded["t.py::test_raise"].result[0], Error)  # untitled: named by id
    assert isinstance(graded["a slow check"].result[0], Error)
    assert isinstance(graded["a skipped check"].result[0], Skipped)
    assert graded["a passing check"].is_passed
    properties = {p.name: p.value for p in suites["jwt-validation"].properties()}
    assert properties["score"] == "16"
    assert properties["points"] == "1"
    assert properties["max_points"] == "6"
    for slug in ("lru-cache", "token-bucket", "bplus-tree"):  # crashed runs are errors
        assert all(isinstance(case.result[0], Error) for case in suites[slug])
    (missing,) = list(suites["lsm-tree"])
    assert missing.name == "grading"
    assert isinstance(missing.result[0], Error)
    assert xml.tests == sum(suite.tests for suite in xml)


def test_gradescope_fields_and_hostile_text() -> None:
    document = gradescope_results(hostile_run())
    check_gradescope(document)
    assert document["output_format"] == document["test_output_format"] == "text"
    names = [t["name"] for t in document["tests"]]
    assert "lsm-tree · grading" in names
    hostile = next(t for t in document["tests"] if t["name"].endswith("with `pipes`"))
    assert hostile["number"] == "1.1.2"
    assert hostile["status"] == "failed"
    assert "\x1b" not in hostile["output"]
    assert "\\x1b[2J" in hostile["output"]
    assert "crashed: ::error" in document["output"]


def test_github_commands_are_only_the_intended_ones(tmp_path: Path) -> None:
    log = renderer("github").render(hostile_run(), context(tmp_path))
    commands = check_github_log(log)
    errors = [c for c in commands if c.name == "error"]
    # one annotation each for the runs that did not end as graded, the graded kata's failures
    titles = [e.properties["title"] for e in errors]
    assert titles[0] == "lsm-tree: missing"  # nothing could be listed at all
    assert "jwt-validation level 1 (Level 1 | name): a check | with `pipes`" in titles
    assert {"lru-cache: crashed", "token-bucket: timeout", "bplus-tree: import-error"} <= set(
        titles)
    first = next(e for e in errors if e.properties["title"].endswith("with `pipes`"))
    assert first.properties == {"file": "katas/jwt-validation/jwt_validation.py", "line": "42",
                                "title": first.properties["title"]}
    assert first.message.startswith("::error file=x.py,line=1::pwned\n::warning::w\\r\n]]>")
    notices = [c for c in commands if c.name == "notice"]
    assert [n.properties["title"] for n in notices] == ["consistent-hash-ring 100/100"]
    assert sum(c.name == "group" for c in commands) == 6
    assert sum(c.name == "stop-commands" for c in commands) == 6
    # the learner's text is in the log, inside the stopped blocks, where it does nothing
    assert "::error file=x.py,line=1::pwned" in log.split("::stop-commands::", 1)[1]


def test_github_error_annotations_are_capped_and_the_most_useful_come_first(
        tmp_path: Path) -> None:
    def failing(level: int, i: int) -> Check:
        return Check(f"t.py::test_{level}_{i}", level, f"check {level}.{i}", "failed", 0, 1,
                          f"wrong {level}.{i}", Location("x.py", 10 * level + i, "f"))

    tests = tuple(failing(level, i) for level in (1, 2, 3) for i in range(5))
    run = RunResult((make_kata("a-kata", tests=tests), make_kata("b-kata", tests=tests[5:])))
    log = renderer("github").render(run, context(tmp_path))
    errors = [c for c in check_github_log(log) if c.name == "error"]
    assert len(errors) == MAX_ERRORS
    order = [(e.properties["title"].split()[0], e.message.split()[1]) for e in errors]
    assert order[:5] == [("a-kata", "1.0"), ("b-kata", "2.0"), ("a-kata", "2.0"),
                         ("b-kata", "3.0"), ("a-kata", "3.0")]
    assert len(error_annotations(run, tmp_path)) == 25
    assert "15 more failing checks are not annotated" in log
    assert [k.slug for k, _ in ranked_failures(run)][:5] == [
        "a-kata", "b-kata", "a-kata", "b-kata", "a-kata"]


def test_github_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("%0A") == "%250A"  # an escape the learner wrote stays text
    line = command("error", "x\n::error::y", file="a,b.py", line=3, title="t: u")
    assert line == "::error file=a%2Cb.py,line=3,title=t%3A u::x%0A::error::y"
    (parsed,) = parse_workflow_commands(line)
    assert parsed == WorkflowCommand("error", {"file": "a,b.py", "line": "3", "title": "t: u"},
                                     "x\n::error::y")


def test_the_command_parser_catches_an_injected_command() -> None:
    """The reader would notice if learner text reached the log unescaped."""
    with pytest.raises(AssertionError):
        check_github_log("::notice::fine\n::set-output name=x::injected\n")
    with pytest.raises(AssertionError):
        check_github_log("plain text\n  ::pwned\n")
    with pytest.raises(AssertionError):
        check_github_log("plain ##[error]legacy\n")
    with pytest.raises(AssertionError):
        check_github_log(f"::stop-commands::{'a' * 32}\n::error::inside\n")  # never resumed
    assert check_github_log(f"::stop-commands::{'a' * 32}\n::error::x\n::{'a' * 32}::\n") == [
        WorkflowCommand("stop-commands", {}, "a" * 32)]


def test_step_summary_table_escapes_cells_and_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step's summary\n", encoding="utf-8")
    run = hostile_run()
    renderer("github").deliver(run, context(tmp_path, GITHUB_STEP_SUMMARY=str(summary)),
                               tmp_path / "commands.txt")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# an earlier step's summary\n## Backend Katas: ")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| kata | score | levels | first failure |"
    assert len(rows) == 1 + len(run.katas)
    for row in rows:  # exactly four cells: no learner pipe splits one, no line break ends one
        assert row.count("|") == 5, row
    assert "<script>" not in text
    assert "`x`" not in text
    assert "@all" not in text
    assert "crashed" in rows[2]
    assert "&#60;script&#62;" in rows[2]
    assert check_github_log((tmp_path / "commands.txt").read_text(encoding="utf-8"))


def test_step_summary_stays_under_its_cap() -> None:
    katas = tuple(make_kata(f"kata-{i}") for i in range(200))
    run = RunResult(katas)
    full = step_summary(run)
    assert len(full.encode("utf-8")) > 20_000
    capped = step_summary(run, limit=20_000)
    assert len(capped.encode("utf-8")) <= 20_000
    assert "The table is cut here" in capped
    assert step_summary(run, limit=50) == ""  # a summary already full gets nothing more
    assert all(line.count("|") == 5 for line in capped.splitlines() if line.startswith("| "))


def test_markdown_cells_and_fences() -> None:
    assert cell("a | b\nc `d` <e> @f #1") == (
        "a &#124; b<br>c &#96;d&#96; &#60;e&#62; &#64;f &#35;1")
    assert cell("x" * 400).endswith("…")
    assert len(cell("x" * 400)) == 300
    block = fence("before ```` inside")
    assert block.startswith("`````text\n")
    assert block.endswith("\n`````")


def test_gradescope_caps_each_output_and_all_of_them() -> None:
    huge = "y" * 40_000
    tests = tuple(Check(f"t.py::test_{i}", 1 + i % 3, f"check {i}", "failed", 0, 1,
                             f"wrong {i}", None, huge) for i in range(30))
    document = gradescope_results(RunResult((make_kata(tests=tests),)))
    check_gradescope(document)
    outputs = [t["output"] for t in document["tests"]]
    assert all(len(o.encode("utf-8")) <= TEST_OUTPUT_LIMIT for o in outputs)
    assert outputs[0].endswith("more bytes)")  # said where it was cut
    assert outputs[-1] == ""  # the budget ran out before the last
    assert "failing check(s) have no output here" in document["output"]
    # the most useful get their output first: each level's first failure
    assert all(document["tests"][i]["output"] for i in (0, 1, 2))


def test_cap_cuts_on_a_character_boundary() -> None:
    text = "é" * 100  # two bytes each
    capped = cap(text, 101, "text")
    assert len(capped.encode("utf-8")) <= 101
    assert capped.startswith("é")
    assert "more bytes" in capped
    assert cap("short", 10) == "short"


def test_gradescope_writes_into_the_autograder_results_folder(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    run = hostile_run()
    assert GradescopeRenderer(results).deliver(run, context(tmp_path), None) is None
    check_gradescope(json.loads((results / "results.json").read_text(encoding="utf-8")))
    elsewhere = GradescopeRenderer(tmp_path / "absent")
    printed = elsewhere.deliver(run, context(tmp_path), None)
    assert printed is not None
    check_gradescope(json.loads(printed))


def test_classroom50_files_outputs_and_log(tmp_path: Path) -> None:
    github_output = tmp_path / "github_output"
    env = {**CLASSROOM_ENV, "GITHUB_OUTPUT": str(github_output)}
    run = hostile_run()
    log = renderer("classroom50").deliver(run, context(tmp_path, **env), None)
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    check_classroom50(result, env)
    assert result["owner"] == "alice"
    assert result["submission"] == env["SUBMISSION_TAG"]
    assert result["commit"] == result["review"] == env["COMMIT_URL"]
    hostile = next(t for t in result["tests"] if t["test-name"].endswith("with `pipes`"))
    assert hostile["passed"] is False
    assert hostile["kata"] == "jwt-validation"
    assert "::error file=x.py" in hostile["message"]
    assert "\x00" not in hostile["message"]
    outputs = github_output.read_text(encoding="utf-8").splitlines()
    assert outputs[0] == "status=failure"
    assert outputs[1].startswith("summary=Backend Katas: ")
    assert len(outputs) == 2
    body = (tmp_path / "release-body.md").read_text(encoding="utf-8")
    prose = re.sub(r"^(`{3,})text\n.*?\n\1$", "", body, flags=re.DOTALL | re.MULTILINE)
    assert prose.count("```") == 0  # every fence closed, by a fence of its own length
    assert "<script>" not in prose
    assert "@all" not in prose
    assert "<script>" in body  # shown, as code
    assert all(line.count("|") == 5 for line in body.splitlines() if line.startswith("| "))
    assert log is not None
    commands = parse_workflow_commands(log)
    assert [c.name for c in commands] == ["stop-commands"]
    assert log.rstrip().splitlines()[-1].startswith("autograder: Backend Katas: ")


def test_classroom50_builds_links_from_the_github_environment(tmp_path: Path) -> None:
    env = {"CLASSROOM": "c", "ASSIGNMENT": "a", "SUBMISSION_TAG": "submit/x y",
           "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc"}
    result = classroom50_result(RunResult((make_kata(),)), env, "2026-01-01T00:00:00Z")
    assert result["commit"] == "https://github.com/o/r/commit/abc"
    assert result["release"] == "https://github.com/o/r/releases/tag/submit%2Fx%20y"
    assert "owner" not in result  # the runner stamps it
    check_classroom50(result, env)


def test_classroom50_release_body_stays_under_its_cap() -> None:
    tests = tuple(Check(f"t.py::test_{i}", 1 + i % 3, f"check {i}", "failed", 0, 1,
                             "z" * 1900) for i in range(3))
    run = RunResult(tuple(make_kata(f"kata-{i}", tests=tests) for i in range(40)))
    body = release_body(run, limit=30_000)
    assert len(body) <= 30_000
    assert "more not shown here" in body
    assert body.count("```") % 2 == 0  # every fence that opens, closes


# ------------------------------------------- the command line, with grading stubbed out ---


@pytest.fixture
def fake_grading(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``grade`` in-process, every kata 'graded' to :func:`make_kata`'s hostile result; the
    list records each grading."""
    graded: list[str] = []

    def grade_kata(kata: Any, submission: Any, *, fail_fast: bool = False) -> KataResult:
        graded.append(kata.slug)
        return make_kata(kata.slug)

    monkeypatch.setattr("grader.grading.grade_kata", grade_kata)
    monkeypatch.setenv("GRADE_ROOT", str(ROOT))
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return graded


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    from grader.cli import cli

    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_every_format_from_one_grading(fake_grading: list[str], tmp_path: Path) -> None:
    files = {name: tmp_path / f"report-{name}" for name in NAMES if name != "github"}
    args = ["jwt-validation", "--solution"]
    for name, path in files.items():
        args += ["--format", name, "--output", str(path)]
    summary = tmp_path / "summary.md"
    result = invoke(*args, "--format", "github",
                    env={**CLASSROOM_ENV, "GITHUB_STEP_SUMMARY": str(summary)})
    assert fake_grading == ["jwt-validation"]  # graded once, rendered six times
    assert result.exit_code == 0  # classroom50 asked: grading ran, whatever the score
    check_github_log(result.stdout)
    assert "a check | with `pipes`" in summary.read_text(encoding="utf-8").replace(
        "&#124;", "|").replace("&#96;", "`")
    jsonschema.validate(json.loads(files["json"].read_text(encoding="utf-8")), SCHEMA)
    check_junit(files["junit"].read_text(encoding="utf-8"))
    check_gradescope(json.loads(files["gradescope"].read_text(encoding="utf-8")))
    check_classroom50(json.loads(files["classroom50"].read_text(encoding="utf-8")),
                      CLASSROOM_ENV)
    assert (tmp_path / "release-body.md").is_file()
    assert "Score: 16/100" in files["text"].read_text(encoding="utf-8")


def test_the_text_report_reaches_the_terminal_when_every_report_has_a_file(
        fake_grading: list[str], tmp_path: Path) -> None:
    result = invoke("jwt-validation", "--solution", "--format", "json", "--output",
                    str(tmp_path / "r.json"), "--format=junit", f"--output={tmp_path}/r.xml")
    assert result.exit_code == 1
    assert "Score: 16/100" in result.stdout
    assert (tmp_path / "r.json").is_file()
    assert (tmp_path / "r.xml").is_file()


def test_a_format_without_an_output_goes_to_standard_output(
        fake_grading: list[str], tmp_path: Path) -> None:
    result = invoke("jwt-validation", "--solution", "--format", "json", "--format", "junit",
                    "--output", str(tmp_path / "r.xml"))
    assert result.exit_code == 1
    jsonschema.validate(json.loads(result.stdout), SCHEMA)  # nothing else on stdout
    check_junit((tmp_path / "r.xml").read_text(encoding="utf-8"))


def test_a_report_that_cannot_be_written_is_an_error(
        fake_grading: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from grader.cli import main

    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-folder" / "summary.md"))
    monkeypatch.setattr("sys.argv", ["grade", "jwt-validation", "--solution", "--format",
                                     "github"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert "grade: error: cannot append to" in capsys.readouterr().err


# ----------------------------------------------------------- real runs, every format ---


def _import_crash(source: str) -> str:
    return f"raise RuntimeError({HOSTILE!r})\n{source}"


def _exit_crash(source: str) -> str:
    """The first call ends the whole test process, mid-suite."""
    return source.replace("raise NotImplementedError",
                          f"print({HOSTILE!r}, flush=True); import os; os._exit(3)")


def _hostile(source: str) -> str:
    return source.replace("raise NotImplementedError",
                          f"print({HOSTILE!r}); raise ValueError({HOSTILE!r})")


SUBMISSIONS = {"reference": None, "stub": None, "hostile": _hostile,
               "import-error": _import_crash, "exit": _exit_crash}


@pytest.mark.parametrize("kind", list(SUBMISSIONS))
def test_every_format_parses_on_a_real_run(grade: GradeRunner, tmp_path: Path,
                                           kind: str) -> None:
    stub = ROOT / "katas" / "jwt-validation"
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(stub / "jwt_validation.py", folder)
    make = SUBMISSIONS[kind]
    if make is not None:
        module = folder / "jwt_validation.py"
        module.write_text(make(module.read_text(encoding="utf-8")), encoding="utf-8")
    source = ["--solution"] if kind == "reference" else ["--path", str(folder)]
    out = tmp_path / "reports"
    out.mkdir()
    env = {**CLASSROOM_ENV, "GITHUB_STEP_SUMMARY": str(out / "summary.md"),
           "GITHUB_OUTPUT": str(out / "github_output")}
    result = grade("jwt-validation", *source, "--time-limit", "120",
                   "--format", "json", "--output", str(out / "results.json"),
                   "--format", "junit", "--output", str(out / "results.xml"),
                   "--format", "gradescope", "--output", str(out / "gradescope.json"),
                   "--format", "classroom50", "--output", str(out / "result.json"),
                   "--format", "text", "--output", str(out / "report.txt"),
                   "--format", "github", env=env)
    assert result.exit_code == 0, result.stderr
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    kata = data["katas"][0]
    expected = {"reference": ("graded", 100), "stub": ("graded", 0), "hostile": ("graded", 0),
                "import-error": ("import-error", 0), "exit": ("crashed", 0)}[kind]
    assert (kata["status"], kata["score"]) == expected

    xml = check_junit((out / "results.xml").read_text(encoding="utf-8"))
    (suite,) = list(xml)
    assert suite.tests == len(kata["tests"])
    assert {p.name: p.value for p in suite.properties()}["score"] == str(kata["score"])
    verdicts = {type(r).__name__ for case in suite for r in case.result}
    if kind == "reference":
        assert verdicts == set()
    elif kind in ("import-error", "exit"):
        assert verdicts == {"Error"}
    else:
        assert "Failure" in verdicts

    gradescope = json.loads((out / "gradescope.json").read_text(encoding="utf-8"))
    check_gradescope(gradescope)
    assert gradescope["extra_data"]["score_percent"] == kata["score"]

    classroom = json.loads((out / "result.json").read_text(encoding="utf-8"))
    check_classroom50(classroom, CLASSROOM_ENV)
    assert all(t["passed"] for t in classroom["tests"]) == (kind == "reference")
    status = (out / "github_output").read_text(encoding="utf-8").splitlines()[0]
    assert status == ("status=success" if kind == "reference" else "status=failure")
    assert (out / "release-body.md").is_file()

    commands = check_github_log(result.stdout)
    errors = [c for c in commands if c.name == "error"]
    assert bool(errors) == (kind != "reference")
    if kind in ("stub", "hostile"):  # on the learner's own line
        assert errors[0].properties["file"] == f"{folder.resolve()}/jwt_validation.py"
        assert int(errors[0].properties["line"]) > 50
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert all(line.count("|") == 5 for line in summary.splitlines() if line.startswith("| "))
    assert f"Score: {kata['score']}/100" in (out / "report.txt").read_text(encoding="utf-8")
    if kind == "hostile":
        assert "::error file=x.py" in json.dumps(data)  # the hostile text did arrive


# -------------------------------------------------- the autograders shipped for services ---


def _fake_autograder_root(tmp_path: Path, scratch_repo: Path, katas: str) -> Path:
    """A tree shaped like Gradescope's /autograder after setup.sh: the pinned checkout, a
    'venv' whose grade runs this checkout's grader, the uploaded files, a results folder."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    for name in ("setup.sh", "run_autograder"):
        shutil.copy(ROOT / "gradescope" / name, root / "source")
    config = (ROOT / "gradescope" / "config.sh").read_text(encoding="utf-8")
    (root / "source" / "config.sh").write_text(
        config.replace('KATAS="--all"', f'KATAS="{katas}"'), encoding="utf-8")
    shutil.move(str(scratch_repo), root / "backend-katas")
    bin_dir = root / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "grade").write_text(
        f'#!/usr/bin/env bash\nPYTHONPATH={ROOT} exec {sys.executable} -m grader "$@"\n',
        encoding="utf-8")
    (bin_dir / "grade").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def test_gradescope_run_autograder_grades_the_uploaded_files(tmp_path: Path,
                                                             scratch_repo: Path) -> None:
    assert 'KATAS="--all"' in (ROOT / "gradescope" / "config.sh").read_text(encoding="utf-8")
    root = _fake_autograder_root(tmp_path, scratch_repo, "jwt-validation lru-cache")
    uploaded = root / "submission" / "katas" / "jwt-validation"
    uploaded.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "jwt-validation" / "jwt_validation.py", uploaded)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root,
                         env={**os.environ, "AUTOGRADER": str(root)}, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_gradescope(results)
    katas = {k["slug"]: k for k in results["extra_data"]["katas"]}
    assert katas["jwt-validation"]["score"] == 100
    assert katas["lru-cache"]["status"] == "missing"  # not uploaded: not graded as the stub
    assert results["score"] == katas["jwt-validation"]["max_points"]
    assert "jwt-validation · JWT validation" in run.stdout  # the text report, for instructors


def test_gradescope_run_autograder_reports_a_grader_that_could_not_run(
        tmp_path: Path, scratch_repo: Path) -> None:
    root = _fake_autograder_root(tmp_path, scratch_repo, "no-such-kata")
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root,
                         env={**os.environ, "AUTOGRADER": str(root)}, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_gradescope(results)
    assert "could not grade this submission (grade exited 2)" in results["output"]


def _classroom50_autograder() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "classroom50_autograder", ROOT / "classroom50" / "autograder.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("layout", ["clone", "one-kata repository"])
def test_classroom50_autograder_grades_the_students_checkout(
        tmp_path: Path, scratch_repo: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """The shipped autograder.py, past its install step (the upstream here is a scratch copy
    of this checkout and the grader the one under test): the runner's environment in, a
    result.json the runner accepts out, exit 0."""
    autograder = _classroom50_autograder()
    workspace = tmp_path / "student"
    reference = ROOT / "solutions" / "jwt-validation" / "jwt_validation.py"
    if layout == "clone":
        (workspace / "katas" / "jwt-validation").mkdir(parents=True)
        shutil.copy(reference, workspace / "katas" / "jwt-validation")
        env = CLASSROOM_ENV  # the assignment is named after the kata: that kata alone
    else:
        workspace.mkdir()
        shutil.copy(reference, workspace)
        monkeypatch.setattr(autograder, "KATAS", ["jwt-validation", "token-bucket"])
        env = {**CLASSROOM_ENV, "ASSIGNMENT": "week-3"}
    github_output = tmp_path / "github_output"
    for key, value in {**env, "GITHUB_OUTPUT": str(github_output),
                       "PYTHONPATH": str(ROOT)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(workspace)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    status = autograder.grade_submission(Path(sys.executable), scratch_repo, workspace, scratch)
    assert status == 0
    result = json.loads((workspace / "result.json").read_text(encoding="utf-8"))
    check_classroom50(result, env)
    katas = {t["kata"] for t in result["tests"]}
    if layout == "clone":
        assert katas == {"jwt-validation"}
        assert all(t["passed"] for t in result["tests"])
        assert github_output.read_text(encoding="utf-8").startswith("status=success\n")
    else:
        assert katas == {"jwt-validation", "token-bucket"}
        missing = [t for t in result["tests"] if t["kata"] == "token-bucket"]
        assert missing
        assert not any(t["passed"] for t in missing)
        assert "rate_limiter.py was not found" in missing[0]["message"]
        assert github_output.read_text(encoding="utf-8").startswith("status=failure\n")
    assert (workspace / "release-body.md").read_text(encoding="utf-8").startswith(
        "### Backend Katas: ")
    assert autograder.katas_to_grade(scratch_repo, "lru-cache") == (
        autograder.KATAS or ["lru-cache"])
