"""One size of the benchmark: generate the org, serve it, run every step in a fresh process.

Each command runs as its own process, as a user or a CI job runs it, so its wall time includes
start-up and its peak RSS (from `os.wait4`, the kernel's figure for that one child) is its own.
smsconf and the baseline each get a fresh organisation of their own on the same kind of server,
and go through the same states (empty, applied, 1% changed), so each pair of figures compares
the same work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit.orggen import GeneratedOrg, telesign_accounts, write_org
from benchkit.servers import TOKEN, Org, serve_orgs

BENCH_DIR = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 3600.0

# (scenario, smsconf step, baseline step, configuration variant)
SCENARIOS: tuple[tuple[str, str, str | None, bool], ...] = (
    ("validate", "validate", None, False),
    ("plan from empty", "plan", "baseline-plan", False),
    ("apply from empty", "apply", "baseline-apply", False),
    ("plan, no changes", "plan", "baseline-plan", False),
    ("plan, 1% changed", "plan", "baseline-plan", True),
    ("apply of the change", "apply", "baseline-apply", True),
    ("export", "export", "baseline-plan", True),
)


@dataclass
class Measurement:
    """One command's figures; `result` holds what the step itself reported."""

    step: str
    result: dict[str, Any]
    process_seconds: float
    peak_rss_mb: float
    server_requests: int | None

    @property
    def requests(self) -> int:
        return int(self.result.get("requests", 0))

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            **self.result,
            "process_seconds": round(self.process_seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "server_requests": self.server_requests,
        }


@dataclass
class SizeResult:
    n: int
    rows: dict[str, tuple[Measurement, Measurement | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def measure(step: str, org: Org | None, paths: list[str], work: Path) -> Measurement:
    """Run `step` in a fresh Python process; raise with its stderr if it fails."""
    out = work / f"{step}.json"
    err = work / f"{step}.stderr"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")]),
        "SMSCONF_TOKEN": TOKEN,
        "SMSCONF_HOME": str(work / "state"),
    }
    command = [sys.executable, "-m", "benchkit.steps", step, "--out", str(out)]
    if org is not None:
        command += ["--url", org.url]
    served_before = org.latency.requests if org else 0
    started = time.perf_counter()
    with err.open("wb") as stderr:
        child = subprocess.Popen([*command, *paths], env=env, stdout=stderr, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"step {step} failed ({child.returncode}):\n{err.read_text()[-3000:]}")
    return Measurement(
        step,
        json.loads(out.read_text(encoding="utf-8")),
        elapsed,
        usage.ru_maxrss / 1024,  # kilobytes on Linux
        org.latency.requests - served_before if org else None,
    )


def run_size(n: int, latency_ms: float, log: Any = print) -> SizeResult:
    """Every scenario at size `n`, smsconf and baseline side by side."""
    result = SizeResult(n)
    with tempfile.TemporaryDirectory(prefix=f"smsconf-bench-{n}-") as tmp:
        work = Path(tmp)
        with serve_orgs(work, ("smsconf", "baseline"), telesign_accounts(n), latency_ms) as srv:
            variant: bool | None = None
            org: GeneratedOrg | None = None
            for scenario, step, baseline_step, changed in SCENARIOS:
                if changed is not variant:
                    org = write_org(work / "config", n, srv.telesign_url, changed=changed)
                    variant = changed
                assert org is not None
                log(f"  N={n}: {scenario} ...")
                ours = measure(
                    step, srv.orgs["smsconf"] if step != "validate" else None, org.paths, work
                )
                theirs = (
                    measure(baseline_step, srv.orgs["baseline"], org.paths, work)
                    if baseline_step
                    else None
                )
                result.rows[scenario] = (ours, theirs)
    return result
