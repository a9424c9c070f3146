"""Every report format ``grade --format`` speaks, one module each, all rendered from the one
:class:`~grader.results.RunResult` a run builds (no format re-runs a test).

The registry names each format, what it is for and the module that renders it; a module is
imported only when its format is asked for, so ``grade --help`` stays instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.formats.base import Renderer

#: name -> (module under grader.formats, what the format is for)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "for people: levels, score and the first failure of each level"),
    "json": ("results_json", "the versioned results (docs/results-schema.json)"),
    "junit": ("junit", "JUnit XML for CI test reporters"),
    "gradescope": ("gradescope", "Gradescope's results.json"),
    "github": ("github", "GitHub Actions annotations and a step summary"),
    "classroom50": ("classroom50", "a Classroom 50 autograder's result.json"),
}
NAMES: tuple[str, ...] = tuple(FORMATS)


def renderer(name: str) -> Renderer:
    """The renderer of format ``name`` (one of :data:`NAMES`)."""
    module = importlib.import_module(f"grader.formats.{FORMATS[name][0]}")
    found: Renderer = module.RENDERER
    return found
