"""``--format junit``: JUnit XML, the format CI test reporters read.

``<testsuites>`` holds one ``<testsuite>`` per kata (its score, points and status as
properties) and one ``<testcase>`` per hidden check, with ``classname`` ``<slug>.level<N>``.
A failed check carries ``<failure>`` with the learner-facing message; a check that errored or
timed out, or every check of a kata whose run crashed or timed out, carries ``<error>``. A kata
whose checks could not even be listed gets one ``grading`` test case with that error, so no
reporter shows it as green.

Text is XML-escaped by the serializer, and the characters XML 1.0 cannot hold at all (control
characters other than tab, newline and carriage return; lone surrogates) are stripped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.formats.base import (
    Renderer,
    ReportContext,
    cap,
    failure_text,
    learner_file,
    points,
    test_name,
)
from grader.results import KataResult, RunResult, TestResult

SUITES_NAME = "Backend Katas"
MESSAGE_ATTRIBUTE_LIMIT = 500
BODY_LIMIT = 16 * 1024
OUTPUT_LIMIT = 16 * 1024

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", text)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:MESSAGE_ATTRIBUTE_LIMIT]


def _set(element: ET.Element, **attributes: str) -> None:
    for key, value in attributes.items():
        element.set(key, xml_text(value))


def _property(parent: ET.Element, name: str, value: object) -> None:
    _set(ET.SubElement(parent, "property"), name=name, value=str(value))


def _testcase(suite: ET.Element, kata: KataResult, test: TestResult) -> str:
    """Add ``test`` to ``suite``; return its verdict (passed, failure, error or skipped)."""
    case = ET.SubElement(suite, "testcase")
    _set(case, classname=f"{kata.slug}.level{test.level}", name=test_name(test),
         time=f"{test.duration_s:.3f}")
    if test.location is not None:
        _set(case, file=learner_file(kata, test), line=str(test.location.line))
    if test.outcome == "passed":
        return "passed"
    if test.outcome == "skipped":
        ET.SubElement(case, "skipped")
        return "skipped"
    is_error = test.outcome in ("error", "timeout") or kata.status != "graded"
    verdict = "error" if is_error else "failure"
    element = ET.SubElement(case, verdict)
    message = test.message or (kata.detail if kata.status != "graded" else test.outcome)
    _set(element, message=_first_line(message),
         type=test.outcome if kata.status == "graded" else kata.status)
    body = failure_text(test, output_limit=0)
    if kata.status != "graded" and kata.detail and kata.detail not in body:
        body += f"\n{kata.status}: {kata.detail}"
    element.text = xml_text(cap(body, BODY_LIMIT, "message"))
    if test.output:
        ET.SubElement(case, "system-out").text = xml_text(cap(test.output, OUTPUT_LIMIT,
                                                                "output"))
    return verdict


def _testsuite(parent: ET.Element, kata: KataResult) -> dict[str, int]:
    suite = ET.SubElement(parent, "testsuite")
    properties = ET.SubElement(suite, "properties")
    earned, possible = points(kata)
    _property(properties, "score", kata.score)
    _property(properties, "points", earned)
    _property(properties, "max_points", possible)
    _property(properties, "status", kata.status)
    _property(properties, "source", kata.source)
    if kata.detail:
        _property(properties, "detail", kata.detail)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for test in kata.tests:
        verdict = _testcase(suite, kata, test)
        counts["tests"] += 1
        if verdict == "failure":
            counts["failures"] += 1
        elif verdict == "error":
            counts["errors"] += 1
        elif verdict == "skipped":
            counts["skipped"] += 1
    if not kata.tests and kata.status != "graded":
        case = ET.SubElement(suite, "testcase")
        _set(case, classname=f"{kata.slug}.grading", name="grading", time="0.000")
        error = ET.SubElement(case, "error")
        _set(error, message=_first_line(kata.detail), type=kata.status)
        error.text = xml_text(kata.detail)
        counts["tests"] += 1
        counts["errors"] += 1
    _set(suite, name=kata.slug, tests=str(counts["tests"]), failures=str(counts["failures"]),
         errors=str(counts["errors"]), skipped=str(counts["skipped"]),
         time=f"{kata.duration_s:.3f}")
    if kata.status != "graded":
        ET.SubElement(suite, "system-err").text = xml_text(f"{kata.status}: {kata.detail}")
    # ElementTree keeps attributes in insertion order; name first reads best
    suite.attrib = {"name": suite.attrib.pop("name"), **suite.attrib}
    return counts


def render_junit(run: RunResult) -> str:
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for kata in run.katas:
        for key, value in _testsuite(root, kata).items():
            totals[key] += value
    _set(root, name=f"{SUITES_NAME}: {run.score}/100",
         time=f"{sum(k.duration_s for k in run.katas):.3f}",
         **{key: str(value) for key, value in totals.items()})
    root.attrib = {"name": root.attrib.pop("name"), **root.attrib}
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


class JunitRenderer(Renderer):
    name = "junit"

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        return render_junit(run)


RENDERER = JunitRenderer()
