"""The grading child process: ``python -m grader.child``, configured on standard input.

Runs in its own process group and temporary folder, under resource limits. It reads its
configuration and the run's secret key from standard input and closes it, then:

1. lists the hidden tests with a placeholder standing in for the code under test, before any
   of that code runs, so that the list the grader scores against cannot be tampered with;
2. installs the guard (:mod:`grader.guard`) and runs the suite under pytest with the grader's
   plugin, which imports the code under test once every plugin is configured (so an import
   failure is reported as what it is), checks the tripwires (:mod:`grader.tripwire`) after the
   import and after each test, and streams signed results (:mod:`grader.channel`) to the grader.

It ends with ``os._exit`` so that threads the code under test left behind cannot keep it alive.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import resource
import signal
import sys
import types
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


class Placeholder(types.ModuleType):
    """Stands in for the code under test when it cannot be imported, so that the hidden suite can
    still be collected and every test counted (as failed)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"__init__": lambda self, *args, **kwargs: None})


def set_limits(config: dict[str, Any]) -> None:
    def limit(kind: int, value: int) -> None:
        hard = resource.getrlimit(kind)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # Some limits are not enforceable everywhere (macOS has no address-space limit); the
        # others still hold.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(kind, (value, value))

    limit(resource.RLIMIT_AS, config["memory_mb"] * MIB)
    limit(resource.RLIMIT_FSIZE, config["file_size_mb"] * MIB)
    limit(resource.RLIMIT_CPU, int(config["cpu_seconds"]))
    limit(resource.RLIMIT_CORE, 0)
    # Writing past the file-size limit fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def configure_hypothesis(*, shrink: bool, test_timeout: float) -> None:
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.internal.conjecture import engine

    # Shrinking a failure runs the learner's code hundreds of times; for slow code that can
    # outlast the check's time limit, and pytest-timeout's alarm, raised inside a hypothesis
    # test, counts as one more failure to shrink. Stop shrinking well before the limit, and
    # report the smallest failure found so far.
    engine.MAX_SHRINKING_SECONDS = int(max(2, min(engine.MAX_SHRINKING_SECONDS, test_timeout / 3)))

    # Same code, same score, on every machine: no randomness, no example database, no deadline.
    settings.register_profile(
        "grading",
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        report_multiple_bugs=False,
        # 'grade verify' only needs to know that a mutant fails, not its smallest failure
        phases=[p for p in Phase if shrink or p is not Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.large_base_example],
    )
    settings.load_profile("grading")


def import_subject(module: str, learner_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(module, learner_dir / f"{module}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {module}.py")
    subject = importlib.util.module_from_spec(spec)
    sys.modules[module] = subject
    try:
        spec.loader.exec_module(subject)
    except BaseException:
        del sys.modules[module]
        raise


def import_error_message(exc: BaseException, learner_dir: Path) -> dict[str, Any]:
    from grader.feedback import describe

    if isinstance(exc, SyntaxError):
        where = Path(exc.filename or "?").name
        return {"message": f"SyntaxError in {where}, line {exc.lineno}: {exc.msg}",
                "location": {"file": where, "line": exc.lineno or 1, "function": "<module>",
                             "code": (exc.text or "").strip()}}
    if isinstance(exc, SystemExit | KeyboardInterrupt):
        text = f"importing your module raised {type(exc).__name__}({exc}); a module must not exit"
        return {"message": text, "location": None}
    feedback = describe(exc, frozenset(learner_dir.glob("*.py")))
    location = feedback.location
    return {"message": f"importing your module failed: {feedback.message}",
            "location": location.__dict__ if location else None}


def _pytest_args(config: dict[str, Any], *, collect_only: bool) -> list[str]:
    args = [
        config["hidden_dir"],
        "-c", os.devnull, "--rootdir", ".", "--confcutdir", config["hidden_dir"],
        "--basetemp", str(Path("pytest-tmp").resolve()),
        "-p", "no:cacheprovider", "-p", "no:stepwise", "-p", "no:pastebin",
        "-p", "pytest_timeout", "-p", "_hypothesis_pytestplugin", "-p", "grader.plugin",
        "--strict-markers", "--assert=plain", "--import-mode=importlib",
        "-q", "--no-header", "--tb=no", "-o", "console_output_style=classic",
        "--timeout", str(config["test_timeout"]), "--timeout-method", "signal",
    ]
    if collect_only:
        # Listing runs no test, so nothing can raise in a destructor: skip the five full
        # garbage collections with which this plugin ends every session.
        args += ["--collect-only", "-p", "no:unraisableexception"]
    return args


def _forget_hidden_modules(hidden_dir: Path) -> None:
    """Drop the hidden suite's test modules so that the graded session imports them afresh
    (what they imported, the oracles included, stays loaded)."""
    # pytest imported them from paths under hidden_dir as given (already resolved): a prefix
    # test is enough, and resolving every loaded module's path costs a noticeable moment
    prefix = f"{hidden_dir}{os.sep}"
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if isinstance(where, str) and where.startswith(prefix):
            del sys.modules[name]


def _refusing(guard: Any, kind: str, what: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> None:
        guard.refuse(kind, what)

    return refused


def _disarm_native_routes(guard: Any) -> None:
    """Close routes to files and processes that raise no audit event: readline's history files
    (pytest imports readline) and the process spawner below ``subprocess.Popen``."""
    readline = sys.modules.get("readline")
    for name in ("read_history_file", "write_history_file", "append_history_file",
                 "read_init_file"):
        if readline is not None and hasattr(readline, name):
            setattr(readline, name, _refusing(guard, "write", f"readline.{name}"))
    import _posixsubprocess
    import subprocess

    spawn = _posixsubprocess.fork_exec

    def fork_exec(*args: Any) -> Any:
        if guard.learner_active(sys._getframe(1)):
            guard.refuse("subprocess", "_posixsubprocess.fork_exec")
        return spawn(*args)

    _posixsubprocess.fork_exec = fork_exec
    subprocess._fork_exec = fork_exec  # type: ignore[attr-defined]

    import sqlite3

    opened = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        connection = opened(*args, **kwargs)
        guard.guard_sqlite(connection, sys._getframe(1))
        return connection

    sqlite3.connect = connect
    sqlite3.dbapi2.connect = connect


def run(config: dict[str, Any], key: bytes) -> int:
    import pytest

    from grader import landlock
    from grader.channel import Channel
    from grader.guard import Guard, Policy
    from grader.plugin import ResultStream
    from grader.tripwire import Tripwire

    learner_dir = Path(config["learner_dir"])
    hidden_dir = Path(config["hidden_dir"])
    module = config["module"]
    sandbox = Path.cwd().resolve()
    policy = Policy(str(learner_dir), str(sandbox), tuple(config["protected"]))
    trusted_files = {str(Path(__file__).resolve()), str(Path(sys.modules["grader.plugin"].__file__
                                                             or "").resolve())}
    guard: Guard

    def report(kind: str, message: str) -> None:
        channel.send({"type": "violation", "kind": kind, "message": message})

    report_code = report.__code__

    def trusted(frame: Any) -> bool:
        # A violation report may come from anywhere; any other record only from the grader's
        # plugin, on the main thread, with no code under test on the stack.
        if frame is None:
            return False
        if frame.f_code is report_code:
            return True
        return frame.f_code.co_filename in trusted_files and not guard.learner_active(frame)

    guard = Guard(policy, report)
    channel = Channel(config["results_fd"], key, trusted)
    del key
    guard.keep_private(channel.writer)
    sys.path.append(str(learner_dir))  # appended: the learner's files never shadow a library
    output_limit = config["output_kb"] * 1024

    # 1. The tests to grade, listed before any code under test runs: a placeholder stands in.
    sys.modules[module] = Placeholder(module)
    def listed(record: dict[str, Any]) -> None:
        if record["type"] == "collected":  # the rest of this session is of no interest
            channel.send(record)

    listing = ResultStream(listed, learner_dir)
    status = pytest.main(_pytest_args(config, collect_only=True), plugins=[listing])
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return int(status)
    del sys.modules[module]
    _forget_hidden_modules(hidden_dir)
    if config["collect_only"]:
        return int(status)

    # 2. The graded session: the guard goes up, the code under test is imported at the start
    # of the session (see ResultStream.pytest_sessionstart), then the suite runs.
    def subject() -> dict[str, Any] | None:
        try:
            import_subject(module, learner_dir)
        except BaseException as exc:  # noqa: BLE001 - whatever the import did, report it
            sys.modules[module] = Placeholder(module)
            return import_error_message(exc, learner_dir)
        return None

    def tripwire() -> Tripwire:
        wire = Tripwire().watch()
        guard.protected_types.update(wire.types)
        return wire

    landlock.restrict(str(sandbox))
    _disarm_native_routes(guard)
    guard.install()
    stream = ResultStream(channel.send, learner_dir, fail_fast=config["fail_fast"],
                          output_limit=output_limit, subject=subject, tripwire=tripwire)
    return int(pytest.main(_pytest_args(config, collect_only=False), plugins=[stream]))


def main() -> None:
    config = json.loads(sys.stdin.buffer.read())
    # The key came on standard input, which is now closed for good.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    key = bytes.fromhex(config.pop("key"))
    set_limits(config)
    configure_hypothesis(shrink=not config["fail_fast"], test_timeout=config["test_timeout"])
    status = run(config, key)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
