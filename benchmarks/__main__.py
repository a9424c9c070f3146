"""Run the benchmarks: every kata's reference side by side with its peers.

    python -m benchmarks [--quick] [--only SLUG]... [--runs N] [--output DIR] [--no-chart]
    python -m benchmarks overhead [ARGS...]    the grader's own overhead (grader_overhead.py)

Prints a table (ops/s, ratio to the best pure-Python peer), writes ``results.json`` and
``results.png`` into ``benchmarks/results/`` (``quick.json`` / ``quick.png`` with
``--quick``), and fails with exit status 1 if any implementation gives other results than
the reference on the same trace. Peers come from the ``bench`` extra
(``pip install -e '.[bench]'``); a peer that is not installed is skipped and said so.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from benchmarks.harness import KataBench, KataResult, MismatchError, run_kata

#: slug -> module in this package that builds its benchmark
KATAS = {
    "lru-cache": "lru_cache",
    "consistent-hash-ring": "hash_ring",
    "token-bucket": "token_bucket",
    "bplus-tree": "bplus_tree",
    "jwt-validation": "jwt_validation",
    "lsm-tree": "lsm_tree",
}
RESULTS = Path(__file__).resolve().parent / "results"


def bench_for(slug: str, *, quick: bool) -> KataBench:
    """The benchmark of kata ``slug`` (kebab- or snake-case)."""
    module = importlib.import_module(f"benchmarks.{KATAS[slug.replace('_', '-')]}")
    bench: KataBench = module.build(quick=quick)
    return bench


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short traces and 2 runs: a smoke run of a few seconds")
    parser.add_argument("--only", action="append", metavar="SLUG",
                        choices=[*KATAS, *(s.replace("-", "_") for s in KATAS)],
                        help="benchmark this kata only (repeatable)")
    parser.add_argument("--runs", type=int, help="timed runs per contender (default 3, quick 2)")
    parser.add_argument("--output", type=Path, default=RESULTS,
                        help="where results.json and results.png go")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["overhead"]:
        from benchmarks import grader_overhead

        sys.argv = ["python -m benchmarks overhead", *argv[1:]]
        grader_overhead.main()
        return 0
    args = _parse(argv)
    runs = args.runs or (2 if args.quick else 3)
    slugs = [s.replace("_", "-") for s in args.only] if args.only else list(KATAS)
    results: list[KataResult] = []
    started = time.perf_counter()
    for slug in slugs:
        print(f"benchmarking {slug} ...", file=sys.stderr, flush=True)
        try:
            results.append(run_kata(bench_for(slug, quick=args.quick), runs=runs))
        except MismatchError as error:
            print(f"MISMATCH: {error}", file=sys.stderr)
            return 1
    from benchmarks import report

    print(report.table(results))
    stem = "quick" if args.quick else "results"
    report.write_json(results, args.output / f"{stem}.json", quick=args.quick, runs=runs)
    written = [args.output / f"{stem}.json"]
    if not args.no_chart:
        try:
            report.write_chart(results, args.output / f"{stem}.png")
            written.append(args.output / f"{stem}.png")
        except ImportError:
            print("no chart: matplotlib is not installed (pip install -e '.[bench]')",
                  file=sys.stderr)
    misses = [(slug, workload, ratio) for slug, workload, ratio in report.summary(results)
              if ratio is not None and ratio < 1.0]
    print(f"\n{len(results)} katas in {time.perf_counter() - started:.0f} s; wrote "
          + ", ".join(str(p) for p in written))
    if misses:
        print("below the best pure-Python peer: " + ", ".join(
            f"{slug}/{workload} {ratio:.2f}x" for slug, workload, ratio in misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
