"""What a run shows while it grades, on standard error: on a terminal a progress bar (rich) with
the katas being graded and one line per finished kata; elsewhere (CI logs, pipes) one plain line
per finished kata; nothing with ``--quiet``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import click

if TYPE_CHECKING:
    from grader.catalog import Kata
    from grader.formats.style import Style
    from grader.results import KataResult


class Display(Protocol):
    def started(self, kata: Kata) -> None: ...

    def finished(self, result: KataResult) -> None: ...


class Silent:
    def started(self, kata: Kata) -> None:
        pass

    def finished(self, result: KataResult) -> None:
        pass


def _outcome(result: KataResult, style: Style) -> str:
    mark = style.good(style.tick) if result.passed else style.bad(style.cross)
    status = "" if result.status == "graded" else f", {result.status}"
    return f"{mark} {result.slug}: {result.score}/100  ({result.duration_s:.1f} s{status})"


class Lines:
    """One line per finished kata, numbered, for logs."""

    def __init__(self, total: int, style: Style) -> None:
        self.total = total
        self.done = 0
        self.style = style
        self.lock = threading.Lock()

    def started(self, kata: Kata) -> None:
        pass

    def finished(self, result: KataResult) -> None:
        with self.lock:
            self.done += 1
            click.echo(f"[{self.done}/{self.total}] {_outcome(result, self.style)}", err=True,
                       color=self.style.color)


class Bar:
    """A live bar on the terminal: katas done of all, those being graded, time so far."""

    def __init__(self, total: int, style: Style) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.style = style
        self.total = total
        self.running: list[str] = []
        self.lock = threading.Lock()
        console = Console(stderr=True, no_color=not style.color, highlight=False)
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total > 1:
            columns += [BarColumn(), MofNCompleteColumn()]
        self.progress = Progress(*columns, TimeElapsedColumn(), console=console, transient=True)
        self.task = self.progress.add_task("Grading", total=total)

    def _describe(self) -> None:
        names = ", ".join(self.running) or "..."
        self.progress.update(self.task, description=f"Grading {names}")

    def started(self, kata: Kata) -> None:
        with self.lock:
            self.running.append(kata.slug)
            self._describe()

    def finished(self, result: KataResult) -> None:
        with self.lock:
            if result.slug in self.running:
                self.running.remove(result.slug)
            self._describe()
            self.progress.advance(self.task)
            if self.total > 1:  # a single kata's report follows at once
                from rich.text import Text

                self.progress.console.print(Text.from_ansi(_outcome(result, self.style)))


@contextmanager
def display(total: int, style: Style, *, terminal: bool, quiet: bool) -> Iterator[Display]:
    """The display for a run of ``total`` katas; the bar is removed when the run ends."""
    if quiet:
        yield Silent()
        return
    if not terminal:
        yield Lines(total, style) if total > 1 else Silent()
        return
    bar = Bar(total, style)
    bar.progress.start()
    try:
        yield bar
    finally:
        bar.progress.stop()
