"""The grader's own cost: ``grade <slug> --solution`` against a bare pytest run of the same
hidden suite with the same hypothesis settings (budget: 1.3x), and ``grade --help`` start-up
(budget: 150 ms).

    python -m benchmarks.grader_overhead [slug ...] [--runs N]
"""

from __future__ import annotations

import argparse
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

configure_hypothesis(shrink=True)
"""


def timed(command: list[str], **kwargs: object) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    slugs = args.slugs or [k.slug for k in load_catalog(ROOT)]
    print(f"{'kata':<24} {'bare pytest':>12} {'grade':>9} {'ratio':>7}  (median of {args.runs})")
    for slug in slugs:
        bare, grade = [], []
        for _ in range(args.runs):  # alternate, so drift in the machine's load hits both
            bare.append(bare_pytest(slug))
            grade.append(graded(slug))
        b, g = statistics.median(bare), statistics.median(grade)
        print(f"{slug:<24} {b:>11.2f}s {g:>8.2f}s {g / b:>6.2f}x")
    helps = [timed([sys.executable, "-m", "grader", "--help"]) for _ in range(10)]
    print(f"grade --help: median {statistics.median(helps) * 1000:.0f} ms over 10 runs")


if __name__ == "__main__":
    main()
