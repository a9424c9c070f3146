"""The side-by-side harness: one deterministic trace per workload, replayed by every contender,
timed with ``time.perf_counter``, and checked to give the same results as the reference.

A kata's benchmark is a :class:`KataBench`: its workloads (a mix a user would run, then one
workload per kind of operation) and its contenders (the reference solution, the pure-Python
peers a user would pick instead, and C implementations shown as a speed-of-light line). A
contender supplies, for each workload it can run, a *setup* that builds a fresh instance
outside the timed region and returns the timed *replay*; the replay returns the results of
the trace, which must equal the reference's, so that no contender wins by doing less.
"""

from __future__ import annotations

import gc
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent

#: ``reference``: the kata's solution; ``python``: a peer whose work runs as Python code (the
#: ratio's denominator is the fastest of these); ``c``: a peer whose work runs in C, shown as
#: the speed-of-light line and never used as the denominator; ``unlocked``: a pure-Python peer
#: without the thread safety the kata promises, shown for what that costs, not the denominator.
Kind = Literal["reference", "python", "c", "unlocked"]

#: Builds a fresh instance (untimed) and returns the replay, which is timed and returns the
#: results of the trace.
Setup = Callable[[], Callable[[], object]]


class MismatchError(AssertionError):
    """A contender's results differ from the reference's on the same trace."""


@dataclass(frozen=True)
class Workload:
    """One trace: ``ops`` operations of the kinds ``name`` describes. ``canonical`` maps a
    replay's results to the form compared (untimed), where equal outcomes may be spelt
    differently (two encoders' tokens for the same claims)."""

    name: str
    ops: int
    description: str
    canonical: Callable[[object], object] | None = None

    def compared(self, results: object) -> object:
        return results if self.canonical is None else self.canonical(results)


@dataclass(frozen=True)
class Contender:
    """An implementation under comparison; ``setups`` maps workload names to setups (a
    contender may sit out a workload it cannot express, such as ``functools.lru_cache``
    outside a read-through trace)."""

    name: str
    kind: Kind
    setups: dict[str, Setup]


@dataclass(frozen=True)
class KataBench:
    """Everything needed to benchmark one kata; ``skipped`` names peers that could not be
    imported, with the reason."""

    slug: str
    workloads: list[Workload]
    contenders: list[Contender]
    skipped: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    cleanup: Callable[[], None] | None = None  # run once the benchmark is over


@dataclass(frozen=True)
class Timing:
    """The best and median seconds of one contender on one workload over ``runs`` runs."""

    contender: str
    kind: Kind
    best_s: float
    median_s: float
    runs: int

    def ops_per_s(self, ops: int) -> float:
        return ops / self.best_s if self.best_s > 0 else float("inf")


@dataclass(frozen=True)
class WorkloadResult:
    """All timings of one workload; the ratio is ops/s over the best pure-Python peer's."""

    workload: Workload
    timings: list[Timing]

    def best_python(self) -> Timing | None:
        peers = [t for t in self.timings if t.kind == "python"]
        return min(peers, key=lambda t: t.best_s) if peers else None

    def ratio(self, timing: Timing) -> float | None:
        """``timing``'s speed over the best pure-Python peer's (>= 1.0: at least as fast)."""
        best = self.best_python()
        return None if best is None else best.best_s / timing.best_s

    def reference(self) -> Timing:
        return next(t for t in self.timings if t.kind == "reference")


@dataclass(frozen=True)
class KataResult:
    slug: str
    workloads: list[WorkloadResult]
    skipped: dict[str, str]
    notes: str


def load_solution(slug: str, module: str) -> ModuleType:
    """Import ``solutions/<slug>/<module>.py`` under a private name (solutions are not a
    package, and the learner's stub of the same name must not shadow it)."""
    name = f"_bench_solution_{module}"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "solutions" / slug / f"{module}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reference solution {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded  # dataclasses and typing look the module up by name
    spec.loader.exec_module(loaded)
    return loaded


def check_same(slug: str, workload: str, contender: str, expected: object,
               actual: object) -> None:
    """Raise :class:`MismatchError`, naming the first differing item, unless the results
    are equal."""
    if actual == expected:
        return
    detail = ""
    if isinstance(expected, Sequence) and isinstance(actual, Sequence):
        if len(expected) != len(actual):
            detail = f": {len(actual)} results where the reference gave {len(expected)}"
        else:
            at = next(i for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                      if e != a)
            detail = f": result {at} is {actual[at]!r}, the reference gave {expected[at]!r}"
    raise MismatchError(f"{slug} / {workload}: {contender} disagrees with the reference"
                        f"{detail}")


def _time_once(setup: Setup) -> tuple[float, object]:
    replay = setup()
    gc.collect()
    # As timeit does: a collection triggered by another contender's garbage must not land
    # in this one's timing.
    gc.disable()
    try:
        started = time.perf_counter()
        results = replay()
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    return elapsed, results


def run_kata(bench: KataBench, *, runs: int,
             progress: Callable[[str], None] | None = None) -> KataResult:
    """Run every workload of ``bench`` ``runs`` times per contender, interleaved (so drift
    in the machine's load hits all alike), checking every run's results against the
    reference's first; raises :class:`MismatchError` on a difference."""
    try:
        return _run_kata(bench, runs=runs, progress=progress)
    finally:
        if bench.cleanup is not None:
            bench.cleanup()


def _run_kata(bench: KataBench, *, runs: int,
              progress: Callable[[str], None] | None) -> KataResult:
    reference = next(c for c in bench.contenders if c.kind == "reference")
    outcomes: list[WorkloadResult] = []
    for workload in bench.workloads:
        contenders = [c for c in bench.contenders if workload.name in c.setups]
        if progress is not None:
            progress(f"{bench.slug} / {workload.name}")
        expected = workload.compared(_time_once(reference.setups[workload.name])[1])
        samples: dict[str, list[float]] = {c.name: [] for c in contenders}
        for _ in range(runs):
            for contender in contenders:
                elapsed, results = _time_once(contender.setups[workload.name])
                check_same(bench.slug, workload.name, contender.name, expected,
                           workload.compared(results))
                samples[contender.name].append(elapsed)
        outcomes.append(WorkloadResult(workload, [
            Timing(c.name, c.kind, min(samples[c.name]), statistics.median(samples[c.name]),
                   runs)
            for c in contenders
        ]))
    return KataResult(bench.slug, outcomes, bench.skipped, bench.notes)


def check_only(bench: KataBench) -> None:
    """Replay every workload once per contender and compare with the reference, untimed
    beyond one run: the same-results check on its own (what the project's tests run)."""
    try:
        _check_only(bench)
    finally:
        if bench.cleanup is not None:
            bench.cleanup()


def _check_only(bench: KataBench) -> None:
    reference = next(c for c in bench.contenders if c.kind == "reference")
    for workload in bench.workloads:
        expected = workload.compared(reference.setups[workload.name]()())
        for contender in bench.contenders:
            if contender is reference or workload.name not in contender.setups:
                continue
            check_same(bench.slug, workload.name, contender.name, expected,
                       workload.compared(contender.setups[workload.name]()()))
