"""What the history says about a learner: best scores, last attempts, streaks, time spent, and
the text the ``list``, ``progress`` and ``history`` commands show. Pure functions of the runs
and a clock (``now``), so every figure is testable without waiting for days to pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from grader.catalog import Kata
from grader.formats.style import Style
from grader.history import Run

BAR_WIDTH = 20


@dataclass(frozen=True)
class KataProgress:
    kata: Kata
    best: int | None  # None: never graded
    levels_passed: int  # in its best run
    last_attempt: float | None
    runs: int


@dataclass(frozen=True)
class Summary:
    katas: tuple[KataProgress, ...]
    levels_passed: int
    levels_total: int
    katas_at_100: int
    streak_days: int
    time_spent_s: float
    runs: int


def ago(then: float, now: float) -> str:
    """``then`` as a learner says it: just now, 5 minutes ago, yesterday, on 2024-03-01."""
    seconds = max(0.0, now - then)
    if seconds < 60:
        return "just now"
    for unit, size in (("minute", 60), ("hour", 3600)):
        if seconds < size * (60 if unit == "minute" else 24):
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    days = (_day(now) - _day(then)).days
    if days <= 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return f"on {_day(then).isoformat()}"


def duration(seconds: float) -> str:
    """2.1 s, 4 min 12 s, 1 h 05 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _day(timestamp: float) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp).date()


def streak(runs: Sequence[Run], now: float) -> int:
    """Consecutive local days with a graded run, ending today (or yesterday: a streak is not
    broken until a whole day passes without a run). O(n) in the runs."""
    days = {_day(run.graded_at) for run in runs}
    day = _day(now)
    if day not in days:
        day -= dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def summarize(catalog: Sequence[Kata], runs: Sequence[Run], now: float) -> Summary:
    by_kata: dict[str, list[Run]] = {}
    for run in runs:
        by_kata.setdefault(run.kata, []).append(run)
    katas = []
    for kata in catalog:
        mine = by_kata.get(kata.slug, [])
        best_run = max(mine, key=lambda r: (r.score, r.levels_passed), default=None)
        katas.append(KataProgress(
            kata=kata,
            best=best_run.score if best_run else None,
            levels_passed=max((r.levels_passed for r in mine), default=0),
            last_attempt=max((r.graded_at for r in mine), default=None),
            runs=len(mine),
        ))
    return Summary(
        katas=tuple(katas),
        levels_passed=sum(k.levels_passed for k in katas),
        levels_total=sum(len(k.kata.levels) for k in katas),
        katas_at_100=sum(1 for k in katas if k.best == 100),
        streak_days=streak(runs, now),
        time_spent_s=sum(run.duration_s for run in runs),
        runs=len(runs),
    )


def _table(rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def render_list(summary: Summary, now: float) -> str:
    rows = [["kata", "difficulty", "topic", "best", "last attempt"]]
    rows.extend([k.kata.slug, k.kata.difficulty, k.kata.topic,
                 f"{k.best}/100" if k.best is not None else "-",
                 ago(k.last_attempt, now) if k.last_attempt is not None else "not graded yet"]
                for k in summary.katas)
    return "\n".join(_table(rows, right=frozenset({3}))) + "\n"


def render_progress(summary: Summary, style: Style) -> str:
    if summary.runs == 0:
        return ("No graded runs yet. Grade a kata (e.g. 'grade lru-cache') and your progress "
                "shows here; 'grade list' shows the catalogue.\n")
    days = f"{summary.streak_days} day{'s' if summary.streak_days != 1 else ''}"
    lines = [
        f"Katas at 100: {summary.katas_at_100} of {len(summary.katas)}",
        f"Levels passed: {summary.levels_passed} of {summary.levels_total}",
        f"Streak: {days} in a row with a graded run",
        (f"Time spent grading: {duration(summary.time_spent_s)} over {summary.runs} "
        f"run{'s' if summary.runs != 1 else ''}"),
        "",
        "Best score per kata:",
    ]
    full, empty = ("█", "░") if style.unicode else ("#", ".")
    width = max(len(k.kata.slug) for k in summary.katas)
    for k in summary.katas:
        filled = (k.best or 0) * BAR_WIDTH // 100
        bar = full * filled + empty * (BAR_WIDTH - filled)
        score = f"{k.best:>3}" if k.best is not None else "  -"
        painted = style.good(bar) if k.best == 100 else bar
        lines.append(f"  {k.kata.slug.ljust(width)}  {painted}  {score}")
    return "\n".join(lines) + "\n"


def render_history(kata: Kata, runs: Sequence[Run], now: float) -> str:
    if not runs:
        return (f"No graded runs of {kata.slug} yet. Run 'grade {kata.slug}' to grade your "
                f"{kata.module_file}.\n")
    plural = "s" if len(runs) != 1 else ""
    rows = [["when", "", "score", "levels", "duration", "source", "status"]]
    for run in runs:
        when = dt.datetime.fromtimestamp(run.graded_at).strftime(
            "%Y-%m-%d %H:%M")
        rows.append([when, f"({ago(run.graded_at, now)})", str(run.score),
                     f"{run.levels_passed}/{len(run.levels) or len(kata.levels)}",
                     duration(run.duration_s), run.source_hash[:10],
                     "" if run.status == "graded" else run.status])
    header = f"{kata.slug}: {len(runs)} graded run{plural}, newest first\n\n"
    return header + "\n".join(_table(rows, right=frozenset({2, 3, 4}))) + "\n"
