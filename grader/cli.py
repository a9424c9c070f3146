"""The ``grade`` command. Thin: parse options, call the module that does the work, render.

Heavy modules (pytest, hypothesis, sqlite-utils) are imported inside the commands that need
them, so ``grade --help`` starts instantly.
"""

from __future__ import annotations

import math
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from grader import __version__
from grader.errors import GradeError, UsageError
from grader.formats import NAMES as FORMAT_CHOICES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from grader.catalog import Kata
    from grader.formats.base import Renderer
    from grader.report import Style
    from grader.results import KataResult, RunResult

GRADE_COMMAND = "kata"
REPORT_ORDER = "grade.report_order"


class GradeGroup(click.Group):
    """``grade <slug>`` grades a kata; ``grade <command>`` runs a command. A first argument that
    is not a command name (or ``--all``) is routed to the hidden ``kata`` command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-")), None)
        wants_help = any(a in ("--help", "-h") for a in args) and first is None
        if not wants_help and first not in self.commands and (
            first is not None or "--all" in args
        ):
            args = [GRADE_COMMAND, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        """``grade <TAB>`` offers the commands and the katas (``grade <slug>`` grades one)."""
        items = super().shell_complete(ctx, incomplete)
        if not incomplete.startswith("-"):
            items += _complete_slugs(ctx, None, incomplete)
        return items


def _complete_slugs(ctx: click.Context, param: click.Parameter | None,
                    incomplete: str) -> list[click.shell_completion.CompletionItem]:
    """The katas whose slug starts with what was typed (nothing outside a checkout)."""
    from click.shell_completion import CompletionItem

    try:
        _, catalog = _catalog()
    except GradeError:
        return []
    return [CompletionItem(kata.slug, help=kata.title) for kata in catalog
            if kata.slug.startswith(incomplete)]


class ReportCommand(click.Command):
    """Remembers the order in which ``--format`` and ``--output`` were given (click keeps each
    option's values in order, but not how the two interleave), so that each ``--output`` goes
    with the ``--format`` before it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        order: list[str] = []
        remaining = iter(args)
        for arg in remaining:
            if arg == "--":
                break
            for option in ("--format", "--output"):
                if arg == option or arg.startswith(f"{option}="):
                    order.append(option)
                    if arg == option:
                        next(remaining, None)  # its value, whatever it looks like
        ctx.meta[REPORT_ORDER] = order
        return super().parse_args(ctx, args)


def _report_targets(ctx: click.Context, formats: tuple[str, ...],
                    outputs: tuple[Path, ...]) -> list[tuple[Renderer, Path | None]]:
    """Pair each ``--format`` with the ``--output`` that follows it (None: standard output)."""
    from grader.formats import renderer

    pairing_help = ("give each --output right after the --format it is for, e.g. "
                    "--format json --output results.json --format junit --output results.xml")
    order = ctx.meta.get(REPORT_ORDER, [])
    if (order.count("--format"), order.count("--output")) != (len(formats), len(outputs)):
        raise click.BadOptionUsage("output", f"cannot tell which --output goes with which "
                                   f"--format: {pairing_help}.", ctx)
    if not formats:
        if outputs:
            raise click.BadOptionUsage("output", f"--output {outputs[0]} needs a --format "
                                       f"before it: {pairing_help}.", ctx)
        return [(renderer("text"), None)]
    pairs: list[tuple[str, Path | None]] = []
    next_format, next_output = iter(formats), iter(outputs)
    for option in order:
        if option == "--format":
            pairs.append((next(next_format), None))
            continue
        file = next(next_output)
        if not pairs or pairs[-1][1] is not None:
            raise click.BadOptionUsage("output", f"--output {file} follows no --format of its "
                                       f"own: {pairing_help}.", ctx)
        pairs[-1] = (pairs[-1][0], file)
    targets = [(renderer(name), output) for name, output in pairs]
    printing = [report for report, output in targets
                if output is None or report.prints_with_output]
    to_stdout = [report.name for report in printing]
    if len(printing) > 1 and not all(report.prints_log for report in printing):
        named = " and ".join(f"--format {name}" for name in to_stdout)
        verb = "would both" if len(to_stdout) == 2 else "would all"
        raise click.BadOptionUsage("format", f"{named} {verb} print to standard output: "
                                   "give all but one of them an --output FILE.", ctx)
    seen: set[Path] = set()
    for file in (output for _, output in pairs if output is not None):
        if file.resolve() in seen:
            raise click.BadOptionUsage("output", f"--output {file} is given twice: give each "
                                       "report its own file.", ctx)
        seen.add(file.resolve())
        if not file.parent.is_dir():
            raise click.BadParameter(f"{file}: there is no folder {file.parent}; create it "
                                     "first or choose another path.", ctx, param_hint="--output")
    return targets


@click.group(cls=GradeGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Run 'grade <slug>' to grade a kata, e.g. 'grade lru-cache'.")
@click.version_option(__version__, prog_name="grade")
def cli() -> None:
    """Grade Backend Katas.

    \b
    grade <slug> [--solution | --path DIR] [--format F [--output FILE]]... [-v | -q]
    grade --all [-j N] [--format F [--output FILE]]... [-q]

    Formats: text, json, junit, gradescope, github, classroom50.
    """


def _style() -> Style:
    from grader.report import Style

    stream = sys.stdout
    color = stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    encoding = (getattr(stream, "encoding", None) or "ascii").lower()
    return Style(color=color, unicode=encoding.startswith("utf"))


def _catalog() -> tuple[Path, list[Kata]]:
    from grader.catalog import find_root, load_catalog

    root = find_root()
    return root, load_catalog(root)


def _longest_first(root: Path, katas: list[Kata], jobs: int) -> list[Kata]:
    """With several workers, start the katas that took longest last time (and those never
    timed) first, so that no long kata starts last while the other workers sit idle."""
    if jobs < 2 or len(katas) < 3:
        return katas
    from grader.history import last_durations

    seconds = last_durations(root)
    return sorted(katas, key=lambda kata: -seconds.get(kata.slug, math.inf))


def _in_order(katas: list[Kata], results: Iterable[KataResult]) -> tuple[KataResult, ...]:
    """The results in the catalogue's order, whatever order they were graded in."""
    order = {kata.slug: i for i, kata in enumerate(katas)}
    return tuple(sorted(results, key=lambda result: order[result.slug]))


@cli.command(GRADE_COMMAND, hidden=True, cls=ReportCommand)
@click.argument("slugs", nargs=-1, shell_complete=_complete_slugs)
@click.option("--all", "all_katas", is_flag=True, help="Grade every kata.")
@click.option("--solution", is_flag=True, help="Grade the reference solution instead of yours.")
@click.option("--path", "path", type=click.Path(path_type=Path),
              help="Grade the kata's module found in DIR.")
@click.option("--from", "from_dir", type=click.Path(path_type=Path), metavar="CHECKOUT",
              help="Grade the learner's files of another checkout (CHECKOUT/katas/<slug>/).")
@click.option("--format", "formats", type=click.Choice(FORMAT_CHOICES), multiple=True,
              help="Report format (default: text); give several, each with its own --output.")
@click.option("--output", "outputs", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report of the --format just before it to FILE (without one, "
                   "it goes to standard output). When every report has a file, the text "
                   "report still goes to the terminal.")
@click.option("-v", "--verbose", is_flag=True, help="Show every check, passed and failed.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress, and one line per kata in the text report.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Katas graded in parallel with --all.")
@click.option("--time-limit", type=click.FloatRange(1, None, min_open=False), default=None,
              metavar="SECONDS",
              help="Stop grading a kata after this long (default: the kata's own limit).")
@click.option("--fail-fast", is_flag=True, hidden=True)
@click.pass_context
def grade_command(ctx: click.Context, slugs: tuple[str, ...], all_katas: bool, solution: bool,
                  path: Path | None, from_dir: Path | None, formats: tuple[str, ...],
                  outputs: tuple[Path, ...], verbose: bool, quiet: bool, jobs: int,
                  time_limit: float | None, fail_fast: bool) -> None:
    """Grade one kata (or every kata with --all)."""
    from dataclasses import replace

    from grader.catalog import find_kata
    from grader.grading import grade_kata, learner_submission, path_submission, solution_submission
    from grader.live import display
    from grader.results import RunResult
    from grader.runner import map_in_parallel

    targets = _report_targets(ctx, formats, outputs)
    # progress goes to stderr, and only where standard output is read by people
    for_people = not any(output is None and not report.prints_log for report, output in targets)

    if verbose and quiet:
        raise UsageError("choose one of --verbose and --quiet.")
    if sum((solution, path is not None, from_dir is not None)) > 1:
        raise UsageError("choose one of --solution, --path and --from.")
    if from_dir is not None and not (from_dir / "katas").is_dir():
        raise UsageError(f"--from {from_dir}: not a checkout of the katas (no katas/ folder).")
    if all_katas and slugs:
        raise UsageError("give kata names or --all, not both.")
    if not all_katas and not slugs:
        raise UsageError("name a kata to grade (e.g. 'grade lru-cache'), or use --all.")
    root, catalog = _catalog()
    katas = catalog if all_katas else [find_kata(catalog, s) for s in slugs]
    if time_limit is not None:
        katas = [replace(k, limits=k.limits.capped(time_limit)) for k in katas]
    if path is not None:
        if len(katas) != 1:
            raise UsageError("--path grades one kata; name exactly one.")
        if not path.is_dir():
            raise UsageError(f"--path {path}: not a folder. Give the folder that holds "
                             f"{katas[0].module_file}.")
        if not (path / katas[0].module_file).is_file():
            raise UsageError(f"--path {path}: no {katas[0].module_file} in that folder.")

    def submission_for(kata: Kata) -> Any:
        if path is not None:
            return path_submission(path)
        if from_dir is not None:
            return path_submission(from_dir / "katas" / kata.slug)
        return solution_submission(kata) if solution else learner_submission(kata)

    style = _style()
    terminal = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    with display(len(katas), style, terminal=terminal, quiet=quiet or not for_people) as shown:

        def one(kata: Kata) -> Any:
            shown.started(kata)
            result = grade_kata(kata, submission_for(kata), fail_fast=fail_fast)
            shown.finished(result)
            return result

        results = _in_order(katas, map_in_parallel(one, _longest_first(root, katas, jobs), jobs))
    run = RunResult(results)
    try:
        _deliver_reports(run, targets, style, verbose=verbose, quiet=quiet)
    finally:
        if not solution and path is None and from_dir is None:
            _record(root, results)
    # a grading service that reads the score from its report wants 0 whenever grading ran
    graded_as_data = any(report.exits_zero_when_graded for report, _ in targets)
    ctx.exit(0 if run.passed or graded_as_data else 1)


def _deliver_reports(run: RunResult, targets: list[tuple[Renderer, Path | None]],
                     style: Style, *, verbose: bool, quiet: bool = False) -> None:
    """Every report of the same run (nothing is graded again), each where it belongs; the text
    report goes to the terminal when no report did."""
    from grader.formats import renderer
    from grader.formats.base import ReportContext

    report_ctx = ReportContext(style=style, verbose=verbose, quiet=quiet, environ=os.environ,
                               cwd=Path.cwd())
    printed = False
    for report, output in targets:
        text = report.deliver(run, report_ctx, output)
        if text is not None:
            click.echo(text, nl=False, color=style.color)
            printed = True
    if not printed:
        click.echo(renderer("text").render(run, report_ctx), nl=False, color=style.color)


def _warn(message: str) -> None:
    click.echo(f"grade: warning: {message}", err=True)


def _record(root: Path, results: tuple[Any, ...]) -> None:
    """Record every graded run; a history that cannot be written is a warning, never an error
    (the result is already printed and the exit status is the score's)."""
    from grader.history import HistoryError

    try:
        with _open_history(root) as history:
            for result in results:
                history.record(result)
    except HistoryError as exc:
        _warn(f"{exc}.")


def _open_history(root: Path) -> Any:
    """The history database, its notices (a corrupt file moved aside...) shown as warnings;
    raises HistoryError when it cannot be opened."""
    from grader.history import open_history

    history = open_history(root)
    for notice in history.notices:
        _warn(f"{notice}.")
    return history


def _read_runs(root: Path, kata: str | None = None) -> list[Any]:
    """The recorded runs, newest first; a history that cannot be read is a warning (and no
    runs), so the catalogue still shows."""
    from grader.history import HistoryError, read_runs

    try:
        runs, notices = read_runs(root, kata)
    except HistoryError as exc:
        _warn(f"{exc}.")
        return []
    for notice in notices:
        _warn(f"{notice}.")
    return runs


@cli.command("list")
@click.option("--markdown", is_flag=True, help="Print the catalogue as a Markdown table.")
def list_command(markdown: bool) -> None:
    """The catalogue, with your best scores.

    Each kata with its difficulty, topic, your best score and your last attempt.
    """
    import time

    from grader.progress import render_list, summarize

    root, catalog = _catalog()
    if markdown:
        click.echo("| kata | topic | difficulty | minutes | levels |")
        click.echo("|---|---|---|---|---|")
        for kata in catalog:
            link = f"[{kata.title}](katas/{kata.slug}/README.md)"
            click.echo(f"| {link} (`{kata.slug}`) | {kata.topic} | {kata.difficulty} | "
                       f"{kata.minutes} | {len(kata.levels)} |")
        return
    now = time.time()
    click.echo(render_list(summarize(catalog, _read_runs(root), now), now), nl=False)


@cli.command("progress")
def progress_command() -> None:
    """Your progress across all katas.

    Levels passed, katas at 100, your streak of days and the time spent, with a bar per kata.
    """
    import time

    from grader.progress import render_progress, summarize

    root, catalog = _catalog()
    style = _style()
    summary = summarize(catalog, _read_runs(root), time.time())
    click.echo(render_progress(summary, style), nl=False, color=style.color)


@cli.command("history")
@click.argument("slug", shell_complete=_complete_slugs)
def history_command(slug: str) -> None:
    """The graded runs of one kata, newest first."""
    import time

    from grader.catalog import find_kata
    from grader.progress import render_history

    root, catalog = _catalog()
    kata = find_kata(catalog, slug)
    click.echo(render_history(kata, _read_runs(root, kata.slug), time.time()), nl=False)


@cli.command("hint")
@click.argument("slug", shell_complete=_complete_slugs)
@click.argument("number", required=False, type=click.IntRange(1))
@click.option("--all", "show_seen", is_flag=True, help="Show again every hint you have seen.")
def hint_command(slug: str, number: int | None, show_seen: bool) -> None:
    """Show your next hint, or hint N.

    Shows the next hint you have not seen (or hint N); --all shows again the ones seen.
    """
    from grader.catalog import find_kata
    from grader.history import HistoryError

    root, catalog = _catalog()
    kata = find_kata(catalog, slug)
    count = len(kata.hints)
    if number is not None and show_seen:
        raise UsageError("give a hint number or --all, not both.")
    if number is not None and number > count:
        raise UsageError(f"{kata.slug} has {count} hints; ask for 1 to {count}.")
    history = None
    try:
        history = _open_history(root)
        seen = history.hints_seen(kata.slug)
    except HistoryError as exc:  # hints still work; they are just not remembered
        _warn(f"{exc}.")
        seen = []
    try:
        if show_seen:
            if not seen:
                click.echo(f"You have not seen any hint for {kata.slug} yet; "
                           f"'grade hint {kata.slug}' shows the first.")
            for n in seen:
                click.echo(f"Hint {n} of {count} for {kata.slug}:\n\n{kata.hints[n - 1]}\n")
            return
        if number is None:
            number = next((n for n in range(1, count + 1) if n not in seen), None)
            if number is None:
                click.echo(f"You have seen all {count} hints for {kata.slug}. "
                           f"'grade hint {kata.slug} --all' shows them again, "
                           f"'grade hint {kata.slug} N' shows hint N.")
                return
        click.echo(f"Hint {number} of {count} for {kata.slug}:\n\n{kata.hints[number - 1]}")
        if history is not None:
            try:
                history.mark_hint_seen(kata.slug, number)
            except HistoryError as exc:
                _warn(f"{exc}.")
        unseen = [n for n in range(1, count + 1) if n not in seen and n != number]
        if unseen:
            click.echo(f"\nNext: grade hint {kata.slug} {unseen[0]}")
    finally:
        if history is not None:
            history.close()


@cli.command("reset")
@click.argument("slug", shell_complete=_complete_slugs)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def reset_command(ctx: click.Context, slug: str, yes: bool) -> None:
    """Restore a kata's starter stub.

    Asks first (--yes skips) and keeps a backup of your file in .grade/backups/.
    """
    from grader.catalog import find_kata
    from grader.stubs import pristine_stub, restore_stub

    root, catalog = _catalog()
    kata = find_kata(catalog, slug)
    relative = kata.stub_path.relative_to(root)
    commit, stub = pristine_stub(kata)
    if kata.stub_path.is_file() and kata.stub_path.read_bytes() == stub:
        click.echo(f"{relative} is already the starter stub; nothing to do.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"'grade reset {kata.slug}' replaces your {relative} and needs "
                             "confirmation, but there is no terminal to ask on; add --yes to "
                             "reset without asking.")
        if not click.confirm(f"Replace your {relative} with the starter stub? (a backup is "
                             "kept in .grade/backups/)", default=False):
            click.echo("Nothing changed.")
            ctx.exit(1)
    restored = restore_stub(kata, stub, commit)
    if restored.backup is not None:
        click.echo(f"Your previous file is saved as {restored.backup.relative_to(root)}.")
    click.echo(f"Restored {relative} to the starter stub (from commit {commit[:10]}).")


@cli.command("watch")
@click.argument("slug", shell_complete=_complete_slugs)
@click.option("--poll", is_flag=True,
              help="Poll the file twice a second instead of waiting for file events (for "
                   "network drives and container mounts that do not report saves).")
@click.option("-v", "--verbose", is_flag=True, help="Show every check, passed and failed.")
@click.option("--max-runs", type=click.IntRange(1), default=None, hidden=True)
@click.pass_context
def watch_command(ctx: click.Context, slug: str, poll: bool, verbose: bool,
                  max_runs: int | None) -> None:
    """Grade again on every save of your file.

    Clears the screen before each run and says what changed since the last one; Ctrl-C
    stops.
    """
    import time

    from grader.catalog import find_kata
    from grader.errors import Interrupted
    from grader.formats.text import render_text
    from grader.grading import grade_kata, learner_submission
    from grader.results import RunResult
    from grader.runner import map_in_parallel
    from grader.watch import changes, fingerprint, saves

    root, catalog = _catalog()
    kata = find_kata(catalog, slug)
    style = _style()
    terminal = sys.stdout.isatty()
    relative = kata.stub_path.relative_to(root)
    stream, how = saves(kata.stub_path, poll=poll)
    previous: KataResult | None = None
    runs = 0

    def one(kata: Kata) -> KataResult:
        return grade_kata(kata, learner_submission(kata))

    try:
        while True:
            runs += 1
            if terminal:
                click.clear()
            elif runs > 1:
                click.echo()
            stamp = time.strftime("%H:%M:%S")
            click.echo(style.dim(f"grade watch {kata.slug} · run {runs} at {stamp}"),
                       color=style.color)
            graded = fingerprint(kata.stub_path)
            result = next(map_in_parallel(one, [kata], 1))
            click.echo(render_text(RunResult((result,)), style, verbose=verbose), nl=False,
                       color=style.color)
            _record(root, (result,))
            if previous is not None:
                click.echo(style.bold("Since the last run:"), color=style.color)
                for line in changes(previous, result, style):
                    click.echo(f"  {line}", color=style.color)
            previous = result
            if max_runs is not None and runs >= max_runs:
                break
            if fingerprint(kata.stub_path) != graded:
                click.echo(f"{relative} changed while it was graded; grading again.")
                continue
            click.echo(style.dim(f"\nWatching {relative} ({how}): save it to grade again, "
                                 "Ctrl-C to stop."), color=style.color)
            next(stream)
    except (KeyboardInterrupt, Interrupted):
        click.echo("\nStopped watching.")
    ctx.exit(0 if previous is not None and previous.passed else 1)


@cli.command("new")
@click.argument("slug")
@click.option("--title", help="The kata's title (default: from the slug).")
@click.option("--module", help="The module the learner fills in (default: from the slug).")
@click.option("--topic", default=None, help="The fundamental it trains, e.g. 'Caching'.")
@click.option("--levels", type=click.IntRange(1, 10), default=3, show_default=True,
              help="How many levels to scaffold.")
def new_command(slug: str, title: str | None, module: str | None, topic: str | None,
                levels: int) -> None:
    """For authors: scaffold a new kata.

    Creates every file a kata needs, each with placeholder text saying what to write;
    'grade verify SLUG' lists what is left.
    """
    from grader.scaffold import PLACEHOLDER, NewKata, create, plan

    root, catalog = _catalog()
    new = NewKata(slug=slug, module=module or slug.replace("-", "_"),
                  title=title or slug.replace("-", " ").capitalize(),
                  topic=topic or f"{PLACEHOLDER}: the fundamental it trains", levels=levels)
    files = plan(new, root, catalog)
    create(files, root)
    click.echo(f"Created the kata {slug}:")
    for path in files:
        click.echo(f"  {path.as_posix()}")
    click.echo(f"\nEach file holds {PLACEHOLDER} text saying what to write. Then add known-wrong "
               f"variants to tests/mutants/{slug}/ (one file per mistake) and run "
               f"'grade verify {slug}': it lists what is still missing, then checks that the "
               "reference scores 100, the stub 0 and every mutant less.")


@cli.command("verify")
@click.argument("slugs", nargs=-1, shell_complete=_complete_slugs)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 2,
              show_default="number of CPUs", help="Gradings run in parallel.")
@click.pass_context
def verify_command(ctx: click.Context, slugs: tuple[str, ...], jobs: int) -> None:
    """For authors: prove katas are sound.

    Every file is there, the reference scores 100, the stub 0, every alternative 100 and
    every mutant less than 100.
    """
    from grader.catalog import find_kata
    from grader.verify import Check, verify

    _, catalog = _catalog()
    katas = [find_kata(catalog, s) for s in slugs] if slugs else catalog
    style = _style()

    shown: set[int] = set()

    def show(check: Check) -> None:
        shown.add(id(check))
        mark = style.good(style.tick) if check.ok else style.bad(style.cross)
        detail = f"  {style.dim(check.detail)}" if check.detail else ""
        click.echo(f"{mark} {check.kata}: {check.name}{detail}", color=style.color)

    checks = verify(katas, workers=jobs, progress=show)
    for check in checks:  # the static checks failed before any grading: list them last
        if not check.ok and id(check) not in shown:
            show(check)
    failed = [c for c in checks if not c.ok]
    click.echo(f"\n{len(checks) - len(failed)} of {len(checks)} checks passed"
               + (f"; {len(failed)} failed." if failed else "."))
    ctx.exit(1 if failed else 0)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: one place turns grader errors into a message and an exit status."""
    # SIGTERM (a cancelled CI job) stops grading like Ctrl-C: children are killed, not orphaned.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    # And Ctrl-C (SIGINT) always does, even when the shell that started this process ignored
    # it (as shells do for background jobs), in which case Python leaves it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        cli.main(prog_name="grade")
    except GradeError as exc:
        click.echo(f"grade: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)

