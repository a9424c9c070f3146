"""Render benchmark results: the text table, the JSON record and the PNG chart.

The ratio is a contender's ops/s over the best pure-Python peer's on the same workload:
>= 1.0 means at least as fast. C peers are shown as the speed-of-light line, never as the
denominator; ``unlocked`` rows are peers without the thread safety the kata promises.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

from benchmarks.harness import KataResult

MARKS = {"reference": "*", "python": "", "c": " (C)", "unlocked": " (no lock)"}


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table(results: list[KataResult]) -> str:
    """One block per kata: a row per workload and contender, the reference first."""
    lines = []
    for kata in results:
        lines.append(f"\n{kata.slug}")
        lines.append(f"  {'workload':<14} {'implementation':<26} {'ops/s':>12} {'ratio':>8}")
        for outcome in kata.workloads:
            ordered = sorted(outcome.timings, key=lambda t: (t.kind != "reference", t.best_s))
            for timing in ordered:
                name = timing.contender + (" (C)" if timing.kind == "c" else "")
                lines.append(f"  {outcome.workload.name:<14} {name:<26} "
                             f"{timing.ops_per_s(outcome.workload.ops):>12,.0f} "
                             f"{_ratio(outcome.ratio(timing)):>8}")
        for name, reason in kata.skipped.items():
            lines.append(f"  (skipped {name}: {reason})")
        if kata.notes:
            lines.append(f"  note: {kata.notes}")
    return "\n".join(lines)


def summary(results: list[KataResult]) -> list[tuple[str, str, float | None]]:
    """(kata, workload, the reference's ratio) for every workload."""
    return [(kata.slug, outcome.workload.name, outcome.ratio(outcome.reference()))
            for kata in results for outcome in kata.workloads]


def as_json(results: list[KataResult], *, quick: bool, runs: int) -> dict[str, Any]:
    """The versioned record of one run."""
    return {
        "version": 1,
        "python": sys.version.split()[0],
        "machine": f"{platform.system()} {platform.machine()}",
        "quick": quick,
        "runs": runs,
        "timing": "best of runs, time.perf_counter, garbage collector paused while timed",
        "katas": [{
            "slug": kata.slug,
            "notes": kata.notes,
            "skipped": kata.skipped,
            "workloads": [{
                "name": outcome.workload.name,
                "description": outcome.workload.description,
                "ops": outcome.workload.ops,
                "reference_ratio": outcome.ratio(outcome.reference()),
                "results": [{
                    "implementation": t.contender,
                    "kind": t.kind,
                    "ops_per_s": t.ops_per_s(outcome.workload.ops),
                    "best_s": t.best_s,
                    "median_s": t.median_s,
                    "ratio": outcome.ratio(t),
                } for t in outcome.timings],
            } for outcome in kata.workloads],
        } for kata in results],
    }


def write_json(results: list[KataResult], path: Path, *, quick: bool, runs: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(results, quick=quick, runs=runs), indent=2) + "\n",
                    encoding="utf-8")


def write_chart(results: list[KataResult], path: Path) -> None:
    """A bar per workload and contender, ops/s relative to the best pure-Python peer (log
    scale, the 1.0 line marked), one panel per kata. Needs matplotlib (the bench extra)."""
    import matplotlib as mpl

    mpl.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    colours = {"reference": "#1f77b4", "python": "#ff7f0e", "c": "#7f7f7f",
               "unlocked": "#ffbb78"}
    figure, axes = plt.subplots(len(results), 1, figsize=(11, 2.6 * len(results)),
                                squeeze=False)
    for ax, kata in zip(axes[:, 0], results, strict=True):
        labels: list[str] = []
        ticks: list[float] = []
        x = 0.0
        seen: set[str] = set()
        heights: list[float] = []
        for outcome in kata.workloads:
            ordered = sorted(outcome.timings, key=lambda t: (t.kind != "reference", t.best_s))
            start = x
            for timing in ordered:
                ratio = outcome.ratio(timing)
                if ratio is None:
                    continue
                label = timing.contender if timing.contender not in seen else None
                seen.add(timing.contender)
                heights.append(ratio)
                ax.bar(x, ratio, color=colours[timing.kind], edgecolor="black",
                       linewidth=0.4, label=label,
                       hatch="//" if timing.kind == "unlocked" else None)
                x += 1
            ticks.append((start + x - 1) / 2)
            labels.append(outcome.workload.name)
            x += 1
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
        if max(heights) / min(heights) > 4:  # a log scale, ticked at the powers of two
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(base=2))
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
        ax.set_xticks(ticks, labels)
        ax.set_title(f"{kata.slug}: ops/s relative to the best pure-Python peer",
                     fontsize=10, loc="left")
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
