"""The grading child process: ``python -m grader.child CONFIG.json``.

Runs in its own process group and temporary folder. It sets its resource limits, imports the
code under test once (so that an import failure is reported as what it is), then runs the
kata's hidden suite under pytest with the grader's plugin, which streams results to the parent
over an inherited pipe. It ends with ``os._exit`` so that threads the code under test left
behind cannot keep it alive.
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


def configure_hypothesis(*, shrink: bool) -> None:
    from hypothesis import HealthCheck, Phase, settings

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


def run(config: dict[str, Any]) -> int:
    import pytest

    from grader.plugin import write_record

    learner_dir = Path(config["learner_dir"])
    module = config["module"]
    fd = config["results_fd"]
    collect_only = config["collect_only"]
    sys.path.append(str(learner_dir))  # appended: the learner's files never shadow a library
    if collect_only:
        sys.modules[module] = Placeholder(module)
    else:
        try:
            import_subject(module, learner_dir)
        except BaseException as exc:  # noqa: BLE001 - whatever the import did, report it
            write_record(fd, {"type": "import-error", **import_error_message(exc, learner_dir)})
            sys.modules[module] = Placeholder(module)
            collect_only = True
    Path("pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    args = [
        config["hidden_dir"],
        "-c", "pytest.ini", "--rootdir", ".",
        "-p", "no:cacheprovider", "-p", "no:stepwise", "-p", "no:pastebin",
        "-p", "pytest_timeout", "-p", "_hypothesis_pytestplugin", "-p", "grader.plugin",
        "--strict-markers", "--assert=plain", "--import-mode=importlib",
        "-q", "--no-header", "--tb=no", "-o", "console_output_style=classic",
        "--timeout", str(config["test_timeout"]), "--timeout-method", "signal",
        "--grade-results-fd", str(fd), "--grade-learner-dir", str(learner_dir),
    ]
    if collect_only:
        args.append("--collect-only")
    if config["fail_fast"]:
        args.append("--grade-fail-fast")
    return int(pytest.main(args))


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    set_limits(config)
    configure_hypothesis(shrink=not config["fail_fast"])
    status = run(config)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
