"""Fault convergence: apply under ~20% injected faults converges, never duplicates, never loses
a row, never touches an unmanaged one.

The default run applies the example under a handful of seeds; the `slow` versions (also run by
`bench/reliability.py`) do 200 seeds and a generated 100-workstream organisation.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tools.testkit.convergence import (
    FAULT_RATE_EACH,
    GENERATED_TIMING,
    RunResult,
    converge,
    generated_org,
)

MAX_SHORT_SEEDS = 8
LONG_SEEDS = range(200)
GENERATED_SEEDS = range(3)
FAULT_MODES = {"throttle", "unavailable", "drop_before_commit", "drop_after_commit", "slow"}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The run's own directory: its org database and apply's journal (`$SMSCONF_HOME`)."""
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / "home"))
    return tmp_path


def assert_converged(results: list[RunResult]) -> None:
    """Every run good, and the runs together injected every fault mode (a suite that passes
    because nothing was injected proves nothing)."""
    bad = [r.explain() for r in results if not r.ok]
    assert not bad, "\n".join(bad)
    injected: Counter[str] = Counter()
    for result in results:
        injected.update(result.faults)
    assert set(injected) == FAULT_MODES, injected
    assert sum(r.retries for r in results) > 0


async def test_example_converges_under_faults(workdir: Path) -> None:
    """Seeds from 0 until all five fault modes have been met (at most `MAX_SHORT_SEEDS`: a run
    is only ~20 requests, so one seed rarely meets them all): each converges within five
    applies with zero duplicates, zero lost rows and every unmanaged row intact."""
    results: list[RunResult] = []
    for seed in range(MAX_SHORT_SEEDS):
        results.append(await converge(seed, workdir))
        if set().union(*(r.faults for r in results)) == FAULT_MODES:
            break
    assert_converged(results)


async def test_no_faults_means_no_retries(workdir: Path) -> None:
    """The control: with a fault rate of zero the same run needs no retry at all (so the
    retries counted above are the faults' doing, not the harness's)."""
    result = await converge(0, workdir, rate=0.0)
    assert result.ok, result.explain()
    assert (result.faults_injected, result.retries, result.applies) == (0, 0, 1)


@pytest.mark.slow
async def test_example_converges_under_faults_200_seeds(workdir: Path) -> None:
    results = [await converge(seed, workdir) for seed in LONG_SEEDS]
    assert_converged(results)


@pytest.mark.slow
async def test_generated_org_converges_under_faults(workdir: Path) -> None:
    paths, accounts = generated_org(workdir / "generated", 100)
    results = [
        await converge(seed, workdir, paths, accounts, FAULT_RATE_EACH, GENERATED_TIMING)
        for seed in GENERATED_SEEDS
    ]
    assert_converged(results)
