"""bench/profile_step.py: a step against a served, applied org, profiled, its hot spots printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench"


def test_a_plan_is_profiled_against_an_applied_org() -> None:
    options = ["--size", "3", "--latency-ms", "0", "--changed", "--sort", "cumulative"]
    done = subprocess.run(
        [sys.executable, str(BENCH / "profile_step.py"), "plan", *options, "--top", "2000"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "function calls" in done.stdout
    assert "make_plan" in done.stdout and "read_live" in done.stdout
