"""The benchmark harness's same-results check: every contender that is importable agrees with
the reference on a short trace, and a contender that does less is rejected. Nothing here is
timed. The peers come from the optional ``bench`` extra; without them the reference, the
OrderedDict baseline and ``functools.lru_cache`` still run, so the check is always exercised."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Hashable
from typing import Any

import pytest

from benchmarks import __main__ as cli
from benchmarks import lru_cache
from benchmarks.harness import (
    Contender,
    KataBench,
    MismatchError,
    check_only,
    load_solution,
    run_kata,
)

CAPACITY = 100


@pytest.mark.parametrize("slug", ["lru-cache", "consistent-hash-ring", "bplus-tree",
                                  "lsm-tree"])
def test_every_importable_contender_agrees_with_the_reference(slug: str) -> None:
    check_only(cli.bench_for(slug, quick=True))


def test_the_lru_check_runs_without_any_peer_installed() -> None:
    bench = lru_cache.build(quick=True)
    assert {"reference", "OrderedDict", "functools.lru_cache"} <= {
        c.name for c in bench.contenders}
    check_only(bench)


@pytest.mark.parametrize("slug", ["token-bucket", "jwt-validation"])
def test_peers_agree_when_installed(slug: str) -> None:
    modules = {"token-bucket": ["limits", "pyrate_limiter"],
               "jwt-validation": ["jwt", "joserfc"]}[slug]
    for module in modules:
        pytest.importorskip(module)
    bench = cli.bench_for(slug, quick=True)
    assert not bench.skipped
    check_only(bench)


class FifoCache(lru_cache.OrderedDictLRU):
    """Wrong on purpose: ``get`` does not refresh recency, so it evicts in insertion order."""

    def get(self, key: Hashable, default: object = None) -> object:
        return self.data.get(key, default)


def _read_through_only(make: Callable[[], Any], name: str) -> KataBench:
    """The lru-cache benchmark's read-through workload: the reference and one contender."""
    keys = lru_cache.zipf_keys(random.Random(0), 3_000, 4 * CAPACITY)
    solution = load_solution("lru-cache", "lru_cache")
    bench = lru_cache.build(quick=True, ops=10)
    reference = Contender("reference", "reference", {"read-through": lru_cache._read_through(
        lambda: solution.LRUCache(CAPACITY), keys)})
    other = Contender(name, "python", {"read-through": lru_cache._read_through(make, keys)})
    return dataclasses.replace(bench, workloads=bench.workloads[:1],
                               contenders=[reference, other])


def test_a_contender_that_does_less_is_rejected() -> None:
    bench = _read_through_only(lambda: FifoCache(CAPACITY), "fifo")
    with pytest.raises(MismatchError, match="fifo disagrees with the reference"):
        check_only(bench)
    with pytest.raises(MismatchError, match="fifo disagrees with the reference"):
        run_kata(bench, runs=1)


def test_a_correct_contender_passes_the_same_check() -> None:
    check_only(_read_through_only(lambda: lru_cache.OrderedDictLRU(CAPACITY), "baseline"))


def test_the_entry_point_fails_loudly_on_a_mismatch(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "bench_for", lambda slug, quick: _read_through_only(
        lambda: FifoCache(CAPACITY), "fifo"))
    assert cli.main(["--quick", "--only", "lru-cache", "--runs", "1", "--no-chart"]) == 1
    assert "MISMATCH" in capsys.readouterr().err


def test_the_entry_point_writes_the_table_and_json(tmp_path: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--quick", "--only", "consistent-hash-ring", "--runs", "1", "--no-chart",
                     "--output", str(tmp_path)]) == 0
    assert "consistent-hash-ring" in capsys.readouterr().out
    assert (tmp_path / "quick.json").is_file()
