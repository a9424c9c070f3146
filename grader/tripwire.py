"""Tripwires: what the code under test must leave as it found it.

Before the learner's module is imported, the child takes a snapshot of the functions, classes
and modules bound in the modules grading relies on (pytest, pluggy, hypothesis, the grader and
its hidden suites, ``builtins``, the clock, ``os``, ``threading``...), of the environment and
of the import system. After the import, and after every test, the snapshot is compared again:
a submission that patched any of them to turn failures into passes is caught whether or not its
tests pass.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterable
from typing import Any

# Modules whose functions, classes and submodules must not change (by name prefix).
WATCHED = ("builtins", "time", "os", "posixpath", "signal", "threading", "_thread", "random",
           "math", "statistics", "fractions", "hmac", "hashlib", "json", "tracemalloc", "gc",
           "importlib", "inspect", "functools", "operator", "unittest", "_pytest", "pytest",
           "pluggy", "hypothesis", "_hypothesis_pytestplugin", "pytest_timeout", "grader")
# Of those, the modules where every binding counts, data included (the grader's own).
STRICT = ("grader",)
# Bindings that pytest itself swaps while it runs tests.
SWAPPED_BY_PYTEST = frozenset({("threading", "excepthook"), ("sys", "unraisablehook")})
# Environment variables pytest sets for each test.
ENVIRONMENT_NOISE = frozenset({"PYTEST_CURRENT_TEST"})


def _matches(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _watched(value: Any) -> bool:
    return callable(value) or isinstance(value, types.ModuleType)


class Tripwire:
    def __init__(self) -> None:
        self._bindings: list[tuple[str, dict[str, Any], str, Any]] = []
        self._lists: list[tuple[str, list[Any], tuple[Any, ...]]] = []
        self._environ: dict[str, str] = {}
        self.types: set[type] = set()

    def watch_module(self, name: str, module: types.ModuleType, *, strict: bool) -> None:
        namespace = vars(module)
        for attribute, value in list(namespace.items()):
            if (name, attribute) in SWAPPED_BY_PYTEST:
                continue
            if strict or _watched(value):
                self._bindings.append((name, namespace, attribute, value))
            if isinstance(value, type):
                self.types.add(value)

    def watch(self, prefixes: Iterable[str] = WATCHED) -> Tripwire:
        """Snapshot every loaded module matching ``prefixes``, the environment and the import
        system."""
        prefixes = tuple(prefixes)
        for name, module in list(sys.modules.items()):
            if isinstance(module, types.ModuleType) and _matches(name, prefixes):
                self.watch_module(name, module, strict=_matches(name, STRICT))
        for attribute in ("meta_path", "path_hooks", "path"):
            value = getattr(sys, attribute)
            self._lists.append((f"sys.{attribute}", value, tuple(value)))
        self._environ = self._environment()
        return self

    @staticmethod
    def _environment() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_NOISE}

    def changes(self) -> list[str]:
        """What was patched since the snapshot, for people ("_pytest.runner.call_and_report
        was replaced")."""
        found: list[str] = []
        missing = object()
        for module, namespace, attribute, value in self._bindings:
            now = namespace.get(attribute, missing)
            if now is not value:
                verb = "deleted" if now is missing else "replaced"
                found.append(f"{module}.{attribute} was {verb}")
                if len(found) >= 5:
                    return found
        for name, current, before in self._lists:
            if len(current) != len(before) or any(
                    a is not b for a, b in zip(current, before, strict=True)):
                found.append(f"{name} was changed")
        if self._environment() != self._environ:
            found.append("os.environ was changed")
        return found
