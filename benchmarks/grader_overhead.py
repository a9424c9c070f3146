"""The grader's own cost: ``grade <slug> --solution`` against a bare pytest run of the same
hidden suite with the same hypothesis settings (budget: 1.3x), ``grade --help`` start-up
(budget: 150 ms, shown beside the interpreter's own start-up, which it includes), and
``grade --all -j 2 --solution`` wall time over the whole catalogue (budget: 30 s).

    python -m benchmarks.grader_overhead [slug ...] [--runs N] [--only suites|startup|all]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.catalog import find_kata, load_catalog  # noqa: E402

PROFILE = """
from grader.child import configure_hypothesis

configure_hypothesis(shrink=True, test_timeout=30.0)
"""


def timed(command: list[str], *, ok: tuple[int, ...] = (0,), **kwargs: object) -> float:
    """Wall time of ``command``; a run that fails is an error, never a fast measurement."""
    started = time.perf_counter()
    proc = subprocess.run(command, check=False, capture_output=True, text=True,
                          **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                 f"{proc.stderr[-2000:]}")
    return elapsed


def bare_pytest(slug: str) -> float:
    kata = find_kata(load_catalog(ROOT), slug)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "grade_profile.py").write_text(PROFILE, encoding="utf-8")
        Path(tmp, "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), tmp, str(kata.solution_dir)]),
                   PYTHONHASHSEED="0", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        return timed([sys.executable, "-m", "pytest", str(kata.hidden_dir), "-q",
                      "-c", "pytest.ini", "--rootdir", tmp, "-p", "no:cacheprovider",
                      "-p", "_hypothesis_pytestplugin", "-p", "grader.plugin",
                      "-p", "grade_profile", "--import-mode=importlib", "--assert=plain"],
                     cwd=tmp, env=env)


def graded(slug: str) -> float:
    return timed([sys.executable, "-m", "grader", slug, "--solution"], cwd=ROOT)


def startup(runs: int = 21) -> None:
    """``grade --help`` through the installed console script, as a learner types it."""
    script = Path(sys.executable).with_name("grade")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "grader"]
    bare = statistics.median(timed([sys.executable, "-c", "pass"]) for _ in range(runs))
    helps = statistics.median(timed([*command, "--help"]) for _ in range(runs))
    print(f"grade --help: median {helps * 1000:.0f} ms over {runs} runs "
          f"(python -c pass: {bare * 1000:.0f} ms; the grader's own share: "
          f"{(helps - bare) * 1000:.0f} ms)")


def grade_all(jobs: int = 2, runs: int = 1) -> None:
    """The whole catalogue's references, graded as CI would: wall time, and each kata's time."""
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp, "results.json")
            wall = timed([sys.executable, "-m", "grader", "--all", "-j", str(jobs), "--solution",
                          "--quiet", "--format", "json", "--output", str(report)], cwd=ROOT)
            katas = json.loads(report.read_text(encoding="utf-8"))["katas"]
        total = sum(k["duration_s"] for k in katas)
        each = ", ".join(f"{k['slug']} {k['duration_s']:.1f}" for k in
                         sorted(katas, key=lambda k: -k["duration_s"]))
        print(f"grade --all -j {jobs} --solution: {wall:.1f} s wall for {len(katas)} katas "
              f"({total:.1f} s of grading in all; {each})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["suites", "startup", "all"])
    args = parser.parse_args()
    if args.only in (None, "startup"):
        startup()
    if args.only in (None, "all"):
        grade_all(runs=1)
    if args.only not in (None, "suites"):
        return
    slugs = args.slugs or [k.slug for k in load_catalog(ROOT)]
    print(f"{'kata':<24} {'bare pytest':>12} {'grade':>9} {'ratio':>7}  (median of {args.runs})")
    for slug in slugs:
        bare, grade = [], []
        for _ in range(args.runs):  # alternate, so drift in the machine's load hits both
            bare.append(bare_pytest(slug))
            grade.append(graded(slug))
        b, g = statistics.median(bare), statistics.median(grade)
        print(f"{slug:<24} {b:>11.2f}s {g:>8.2f}s {g / b:>6.2f}x")


if __name__ == "__main__":
    main()
