"""Render a :class:`~grader.results.RunResult` in any format, by name.

Each format lives in its own module under :mod:`grader.formats`; this module keeps the names
the rest of the grader has always used (``Style``, ``printable``, ``render``).
"""

from __future__ import annotations

from grader.formats import NAMES as FORMATS
from grader.formats import renderer
from grader.formats.base import ReportContext, printable
from grader.formats.style import Style
from grader.formats.text import render_kata_text, render_text
from grader.results import RunResult

__all__ = ["FORMATS", "Style", "printable", "render", "render_kata_text", "render_text"]


def render(run: RunResult, fmt: str, style: Style, *, verbose: bool = False) -> str:
    """``run`` as format ``fmt``, as it would go to standard output (no file is written)."""
    return renderer(fmt).render(run, ReportContext(style=style, verbose=verbose))
