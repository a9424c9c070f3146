"""``--format json``: the versioned results document (docs/results-schema.json, version 1),
exactly :meth:`~grader.results.RunResult.to_json`."""

from __future__ import annotations

import json

from grader.formats.base import Renderer, ReportContext
from grader.results import RunResult


class JsonRenderer(Renderer):
    name = "json"

    def render(self, run: RunResult, ctx: ReportContext) -> str:
        return json.dumps(run.to_json(), indent=2) + "\n"


RENDERER = JsonRenderer()
