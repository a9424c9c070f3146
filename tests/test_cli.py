"""The ``grade`` command through its public surface: exit status first, then output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from grader.catalog import load_catalog
from tests.conftest import ROOT, GradeRunner, run_grade, submission
from tests.test_schema import SCHEMA


def test_help_lists_the_commands(grade: GradeRunner) -> None:
    result = grade("--help")
    assert result.exit_code == 0
    for word in ("grade <slug>", "--all", "list", "hint", "verify"):
        assert word in result.stdout


def test_reference_solution_scores_100(grade: GradeRunner) -> None:
    result = grade("lru-cache", "--solution", "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    data = result.json()
    assert data["score"] == 100
    kata = data["katas"][0]
    assert kata["status"] == "graded"
    assert all(level["passed"] for level in kata["levels"])
    assert [level["number"] for level in kata["levels"]] == [1, 2, 3, 4]
    assert all(t["outcome"] == "passed" for t in kata["tests"])


def test_untouched_stub_scores_0_with_feedback(grade: GradeRunner) -> None:
    result = grade("lru-cache")
    assert result.exit_code == 1
    assert "Score: 0/100" in result.stdout
    assert "not implemented yet" in result.stdout
    assert "lru_cache.py:" in result.stdout  # points at the learner's own line
    assert "Traceback" not in result.stdout + result.stderr


def test_reports_go_to_their_files_and_the_text_report_to_the_terminal(
        grade: GradeRunner, tmp_path: Path) -> None:
    from junitparser import JUnitXml

    stub = str(ROOT / "katas" / "jwt-validation")
    result = grade("jwt-validation", "--path", stub, "--format", "json", "--output",
                   str(tmp_path / "r.json"), "--format", "junit", "--output",
                   str(tmp_path / "r.xml"))
    assert result.exit_code == 1
    assert "Score: 0/100" in result.stdout
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    suites = list(JUnitXml.fromfile(str(tmp_path / "r.xml")))
    assert [s.name for s in suites] == ["jwt-validation"]
    assert suites[0].failures == len(data["katas"][0]["tests"])
    classroom = grade("jwt-validation", "--path", stub, "--format", "classroom50",
                      "--output", str(tmp_path / "result.json"))
    assert classroom.exit_code == 0  # grading ran: the score is in result.json
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["score"] == 0


def test_snake_case_spelling_is_accepted(grade: GradeRunner) -> None:
    result = grade("lru_cache", "--format", "json")
    assert result.exit_code == 1
    assert result.json()["katas"][0]["slug"] == "lru-cache"


def test_unknown_kata_suggests_close_names(grade: GradeRunner) -> None:
    result = grade("lru-cach")
    assert result.exit_code == 2
    assert "Did you mean: lru-cache?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("lru-cache", "--solution", "--path", "."), "choose one of"),
        (("lru-cache", "--path", "/no/such/folder"), "not a folder"),
        (("lru-cache", "--path", "docs"), "no lru_cache.py"),
        ((), "Usage: grade"),
        (("--all", "lru-cache"), "not both"),
        (("lru-cache", "--format", "yaml"), "Invalid value"),
        (("lru-cache", "--output", "r.json"), "needs a --format before it"),
        (("lru-cache", "--format", "json", "--format", "junit"),
         "--format json and --format junit would both print to standard output"),
        (("lru-cache", "--format", "json", "--output", "a.json", "--output", "b.json"),
         "--output b.json follows no --format of its own"),
        (("lru-cache", "--format", "json", "--output", "a.json", "--format", "junit",
          "--output", "a.json"), "--output a.json is given twice"),
        (("lru-cache", "--format", "json", "--output", "/no/such/folder/r.json"),
         "there is no folder /no/such/folder"),
        (("lru-cache", "--format", "json", "--format", "classroom50", "--output", "r.json"),
         "--format json and --format classroom50 would both print"),
        (("hint", "lru-cache", "99"), "has 4 hints"),
    ],
)
def test_usage_errors_exit_2_with_a_message(grade: GradeRunner, args: tuple[str, ...],
                                            expected: str) -> None:
    result = grade(*args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_kata_without_a_close_name_lists_them_all(grade: GradeRunner) -> None:
    result = grade("no-such")
    assert result.exit_code == 2
    assert "no kata named 'no-such'" in result.stderr
    from grader.catalog import load_catalog

    slugs = ", ".join(k.slug for k in load_catalog(ROOT))
    assert f"The katas are: {slugs}" in result.stderr


def test_outside_a_checkout_is_a_clear_error(grade: GradeRunner, tmp_path: Path) -> None:
    result = grade("lru-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not a Backend Katas checkout" in result.stderr


def test_broken_metadata_names_the_file_and_field(grade: GradeRunner, scratch_repo: Path) -> None:
    toml = scratch_repo / "katas" / "lru-cache" / "kata.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('module = "lru_cache"\n', ""),
                    encoding="utf-8")
    result = grade("list", cwd=scratch_repo)
    assert result.exit_code == 2
    assert "kata.toml" in result.stderr
    assert "missing field 'module'" in result.stderr


def test_invalid_toml_is_reported(grade: GradeRunner, scratch_repo: Path) -> None:
    toml = scratch_repo / "katas" / "lru-cache" / "kata.toml"
    toml.write_text("slug = [unclosed\n", encoding="utf-8")
    result = grade("lru-cache", cwd=scratch_repo)
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr


def test_grading_records_history_and_list_shows_best(grade: GradeRunner,
                                                     scratch_repo: Path) -> None:
    kata = scratch_repo / "katas" / "lru-cache"
    (kata / "lru_cache.py").write_text(
        (ROOT / "solutions" / "lru-cache" / "lru_cache.py").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    katas = len(list((scratch_repo / "katas").iterdir()))
    assert grade("list", cwd=scratch_repo).stdout.count("not graded yet") == katas
    result = grade("lru-cache", cwd=scratch_repo)
    assert result.exit_code == 0, result.stdout
    assert (scratch_repo / ".grade" / "history.db").is_file()
    listing = grade("list", cwd=scratch_repo)
    assert listing.exit_code == 0
    assert "100/100" in listing.stdout
    assert listing.stdout.count("not graded yet") == katas - 1


def test_corrupt_history_never_costs_the_result(grade: GradeRunner, scratch_repo: Path) -> None:
    (scratch_repo / ".grade").mkdir()
    (scratch_repo / ".grade" / "history.db").write_bytes(b"this is not a database" * 100)
    result = grade("lru-cache", "--format", "json", cwd=scratch_repo)
    assert result.exit_code == 1  # the stub's score decides, not the broken history
    assert result.json()["score"] == 0
    assert "warning" in result.stderr
    kept = list((scratch_repo / ".grade").glob("history.db.corrupt-*"))
    assert [p.read_bytes()[:11] for p in kept] == [b"this is not"]  # moved aside, not lost


def test_hint_shows_hints_in_order(grade: GradeRunner, scratch_repo: Path) -> None:
    first = grade("hint", "lru-cache", cwd=scratch_repo)
    assert first.exit_code == 0
    assert "Hint 1 of 4" in first.stdout
    assert "grade hint lru-cache 2" in first.stdout
    assert "Hint 2 of 4" in grade("hint", "lru-cache", "2", cwd=scratch_repo).stdout


def test_grade_all_grades_every_kata(grade: GradeRunner, scratch_repo: Path) -> None:
    """--all grades every kata of the catalogue (here a scratch one of the two fastest, so the
    test stays quick; `grade verify` grades every reference in CI anyway)."""
    for kata in (scratch_repo / "katas").iterdir():
        if kata.name not in ("jwt-validation", "token-bucket"):
            shutil.rmtree(kata)
    report = scratch_repo / "results.json"
    result = grade("--all", "--solution", "-j", "2", "--format", "json", "--output", str(report),
                   cwd=scratch_repo)
    assert result.exit_code == 0, result.stdout[-2000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert [k["slug"] for k in data["katas"]] == ["jwt-validation", "token-bucket"]
    assert data["score"] == 100
    # without a terminal, progress is one plain line per finished kata, in finishing order
    progress = result.stderr.splitlines()
    assert [line[:6] for line in progress] == ["[1/2] ", "[2/2] "], result.stderr
    assert sorted(line.split()[2] for line in progress) == ["jwt-validation:",
                                                            "token-bucket:"]
    assert all("100/100" in line for line in progress)
    assert "Overall: 100/100" in result.stdout


def test_quiet_prints_one_line_per_kata_and_no_progress(grade: GradeRunner,
                                                        scratch_repo: Path) -> None:
    result = grade("token-bucket", "jwt-validation", "--quiet", cwd=scratch_repo)
    assert result.exit_code == 1
    assert result.stdout == ("token-bucket: 0/100  (0/5 levels)\n"
                             "jwt-validation: 0/100  (0/5 levels)\n")
    assert result.stderr == ""
    both = grade("token-bucket", "-q", "-v", cwd=scratch_repo)
    assert both.exit_code == 2
    assert "choose one of --verbose and --quiet" in both.stderr


def test_a_partial_solution_gets_partial_credit(grade: GradeRunner, tmp_path: Path) -> None:
    """The reference without its lock: levels 1-3 pass, level 4 fails."""
    source = (ROOT / "solutions" / "lru-cache" / "lru_cache.py").read_text(encoding="utf-8")
    unlocked = source.replace("threading.Lock()", "_NoLock()") + (
        "\n\nclass _NoLock:\n"
        "    def acquire(self, *args: object) -> bool:\n        return True\n\n"
        "    def release(self) -> None:\n        pass\n\n"
        "    def __enter__(self) -> None:\n        pass\n\n"
        "    def __exit__(self, *args: object) -> None:\n        pass\n")
    assert unlocked != source
    result = grade("lru-cache", "--path", str(submission(tmp_path, unlocked)),
                   "--format", "json")
    assert result.exit_code == 1
    kata = result.json()["katas"][0]
    assert [lv["passed"] for lv in kata["levels"]] == [True, True, True, False]
    assert 0 < kata["score"] < 100


def test_same_code_same_result(grade: GradeRunner, tmp_path: Path) -> None:
    """Derandomized hypothesis, no example database: two gradings of a flawed module report
    the same score and the same shrunk counterexample, word for word."""
    source = (ROOT / "tests" / "mutants" / "consistent-hash-ring" / "remove_unknown_ignored.py"
              ).read_text(encoding="utf-8")
    folder = submission(tmp_path, source, module="hash_ring")

    def messages() -> tuple[int, list[str]]:
        result = grade("consistent-hash-ring", "--path", str(folder), "--format", "json")
        kata = result.json()["katas"][0]
        return kata["score"], [t["message"] for t in kata["tests"] if t["outcome"] != "passed"]

    first, second = messages(), messages()
    assert first == second
    assert first[0] < 100
    assert any("The calls, in order:" in m for m in first[1])
    assert not (tmp_path / ".hypothesis").exists()
    assert not (folder / ".hypothesis").exists()


def test_from_grades_another_checkouts_files(grade: GradeRunner, tmp_path: Path) -> None:
    """`--from` takes the learner's module from another checkout and everything else from
    this one; a kata missing there is reported as missing."""
    learner = tmp_path / "learner"
    (learner / "katas" / "lru-cache").mkdir(parents=True)
    shutil.copy(ROOT / "katas" / "lru-cache" / "lru_cache.py", learner / "katas" / "lru-cache")
    result = grade("lru-cache", "token-bucket", "--from", str(learner), "--format", "json")
    assert result.exit_code == 1, result.stderr
    katas = {k["slug"]: k for k in result.json()["katas"]}
    assert katas["lru-cache"]["status"] == "graded"
    assert katas["lru-cache"]["score"] == 0
    assert str(learner) in katas["lru-cache"]["source"]
    assert katas["token-bucket"]["status"] == "missing"
    not_a_checkout = grade("lru-cache", "--from", str(tmp_path / "nowhere"))
    assert not_a_checkout.exit_code == 2
    assert "no katas/ folder" in not_a_checkout.stderr
    both = grade("lru-cache", "--from", str(learner), "--solution")
    assert both.exit_code == 2


def complete(words: str, cwd: Path = ROOT) -> list[str]:
    """What the shell's TAB offers after ``words`` (bash's protocol, as click implements it)."""
    typed = words.split(" ")
    result = run_grade(cwd=cwd, env={"_GRADE_COMPLETE": "bash_complete", "COMP_WORDS": words,
                                     "COMP_CWORD": str(len(typed) - 1)})
    assert result.exit_code == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_shell_completion_offers_commands_katas_and_options(tmp_path: Path) -> None:
    slugs = [k.slug for k in load_catalog(ROOT)]
    first = complete("grade ")
    assert {"list", "watch", "hint", "verify", "new"} <= set(first)
    assert set(slugs) <= set(first)
    assert "kata" not in first, "the hidden command behind 'grade <slug>' is not offered"
    assert complete("grade lr") == ["lru-cache"]
    assert complete("grade hint to") == ["token-bucket"]
    assert complete("grade watch b") == ["bplus-tree"]
    assert complete("grade new lr") == []
    assert "--solution" in complete("grade lru-cache --s")
    assert complete("grade lr", cwd=tmp_path) == [], "outside a checkout: no katas, no error"


def test_a_learner_at_100_is_pointed_to_the_reference(grade: GradeRunner,
                                                       scratch_repo: Path) -> None:
    shutil.copyfile(scratch_repo / "solutions" / "jwt-validation" / "jwt_validation.py",
                    scratch_repo / "katas" / "jwt-validation" / "jwt_validation.py")
    result = grade("jwt-validation", cwd=scratch_repo)
    assert result.exit_code == 0, result.stdout
    assert ("Every level passes. Compare your code with the reference solution in "
            "solutions/jwt-validation/.") in result.stdout
    reference = grade("jwt-validation", "--solution", cwd=scratch_repo)
    assert "Compare your code" not in reference.stdout
