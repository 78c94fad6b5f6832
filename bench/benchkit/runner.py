"""One size of the benchmark: generate the org, serve it, run every step in a fresh process.

Each command runs as its own process, as a user or a CI job runs it, so its wall time includes
start-up and its peak RSS (from `os.wait4`, the kernel's figure for that one child) is its own.
smsconf and the baseline each get a fresh organisation of their own on the same kind of server,
and go through the same states (empty, applied, 1% changed), so each pair of figures compares
the same work.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from benchkit.orggen import (
    GeneratedOrg,
    acs_resources,
    telesign_accounts,
    twilio_accounts,
    write_org,
)
from benchkit.servers import TOKEN, Org, Servers, serve_orgs
from benchkit.steps import Result, run_step

BENCH_DIR = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 3600.0
READ_ONLY_STEPS = frozenset({"validate", "plan", "export"})
"""Steps that change nothing, so they can be run again on the same state: each is run
`repeat` times and its median run (by whole-command time) is the one reported, with every
sample kept. Time on a shared machine varies by a quarter or more from one run to the next:
the page cache is reclaimed between commands (imports read from disk again), and even CPU time
moves (one validate took 0.55 s of CPU, the next 0.85 s, same input). Five runs keep the median
from one slow run either way; applies run once."""

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
    cpu_seconds: float
    server_cpu_seconds: float
    """CPU of the benchmark process meanwhile: the emulators serving the step (in-process,
    the step itself too). Tells the emulator's cost apart from smsconf's."""
    server_requests: int | None
    twilio_requests: int = 0
    """Requests the Twilio emulator answered meanwhile (credential and number checks, the
    numbers' inbound URLs): a provider's round trips, not the organisation's."""
    acs_requests: int = 0
    """Requests the ACS emulator's data plane answered meanwhile (key and number checks)."""
    arm_requests: int = 0
    """Requests its ARM slice answered meanwhile (the Event Grid checks and writes)."""
    samples: tuple[float, ...] = ()
    """Whole-command seconds of every run of a repeated step, this one's among them."""
    fastest_seconds: float | None = None
    """The least after-start-up seconds of those runs: the growth of the work itself, which
    the exponents fit (a slow minute on a shared machine only ever adds time)."""

    @property
    def requests(self) -> int:
        return int(self.result.get("requests", 0))

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    @property
    def least_seconds(self) -> float:
        return self.seconds if self.fastest_seconds is None else self.fastest_seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            **self.result,
            "process_seconds": round(self.process_seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "server_cpu_seconds": round(self.server_cpu_seconds, 3),
            "server_requests": self.server_requests,
            "twilio_requests": self.twilio_requests,
            "acs_requests": self.acs_requests,
            "arm_requests": self.arm_requests,
            "process_seconds_samples": [round(x, 3) for x in self.samples],
            "least_seconds": round(self.least_seconds, 3),
        }


@dataclass
class SizeResult:
    n: int
    rows: dict[str, tuple[Measurement, Measurement | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _env(work: Path) -> dict[str, str]:
    """What a step needs in its environment: the org's token, a state directory of its own."""
    return {"SMSCONF_TOKEN": TOKEN, "SMSCONF_HOME": str(work / "state")}


@dataclass(frozen=True)
class Usage:
    """The kernel's account of one command's process (zero when it ran in-process)."""

    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    """User + system CPU: unlike wall time, barely moved by other load on the machine."""


def in_subprocess(step: str, url: str, paths: list[str], work: Path) -> tuple[Result, Usage]:
    """Run `step` in a fresh Python process: its result, and its own peak RSS and CPU time
    (`os.wait4` reports them for that one child); raises with its stderr if it fails."""
    out = work / f"{step}.json"
    err = work / f"{step}.stderr"
    env = {
        **os.environ,
        **_env(work),
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "benchkit.steps", step, "--out", str(out), "--url", url]
    with err.open("wb") as stderr:
        child = subprocess.Popen([*command, *paths], env=env, stdout=stderr, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"step {step} failed ({child.returncode}):\n{err.read_text()[-3000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    # ru_maxrss is in KiB on Linux.
    return result, Usage(usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def in_process(step: str, url: str, paths: list[str], work: Path) -> tuple[Result, Usage]:
    """Run `step` in this process (tests: no start-up cost); no usage of its own to report."""
    with patch.dict(os.environ, _env(work)):
        return run_step(step, url, paths), Usage()


Launcher = Callable[[str, str, list[str], Path], tuple[Result, Usage]]


def measure(
    step: str,
    org: Org | None,
    paths: list[str],
    work: Path,
    launch: Launcher,
    servers: Servers | None = None,
) -> Measurement:
    """Run `step` against `org` (none for validate) and count what the servers received."""
    served_before = org.latency.requests if org else 0
    twilio_before = servers.twilio_requests if servers else 0
    acs_before = servers.acs_requests if servers else (0, 0)
    server_cpu = _own_cpu()
    started = time.perf_counter()
    result, usage = launch(step, org.url if org else "", paths, work)
    elapsed = time.perf_counter() - started
    server_cpu = _own_cpu() - server_cpu
    served = org.latency.requests - served_before if org else None
    twilio = servers.twilio_requests - twilio_before if servers else 0
    acs, arm = (
        (servers.acs_requests[0] - acs_before[0], servers.acs_requests[1] - acs_before[1])
        if servers
        else (0, 0)
    )
    return Measurement(
        step,
        result,
        elapsed,
        usage.peak_rss_mb,
        usage.cpu_seconds,
        server_cpu,
        served,
        twilio,
        acs,
        arm,
    )


def measure_median(
    step: str,
    org: Org | None,
    paths: list[str],
    work: Path,
    launch: Launcher,
    repeat: int,
    servers: Servers | None = None,
) -> Measurement:
    """`measure`, `repeat` times for a read-only step (once otherwise): the median run, with
    every run's whole-command seconds as its samples and the least after-start-up seconds."""
    runs = [
        measure(step, org, paths, work, launch, servers)
        for _ in range(repeat if step in READ_ONLY_STEPS else 1)
    ]
    runs.sort(key=lambda m: m.process_seconds)
    median = runs[(len(runs) - 1) // 2]
    return dataclasses.replace(
        median,
        samples=tuple(m.process_seconds for m in runs),
        fastest_seconds=min(m.seconds for m in runs),
    )


def _own_cpu() -> float:
    """CPU seconds of this process so far: the emulators' threads, while a step runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_size(
    n: int,
    latency_ms: float,
    log: Callable[[str], None] = print,
    launch: Launcher = in_subprocess,
    repeat: int = 5,
) -> SizeResult:
    """Every scenario at size `n`, smsconf and baseline side by side (smsconf's read-only
    steps `repeat` times, the median reported; the baseline's minutes-long steps once)."""
    result = SizeResult(n)
    with tempfile.TemporaryDirectory(prefix=f"smsconf-bench-{n}-") as tmp:
        work = Path(tmp)
        with serve_orgs(
            work,
            ("smsconf", "baseline"),
            telesign_accounts(n),
            latency_ms,
            twilio_accounts(n),
            acs_resources(n),
        ) as srv:
            variant: bool | None = None
            org: GeneratedOrg | None = None
            for scenario, step, baseline_step, changed in SCENARIOS:
                if changed is not variant:
                    where = (srv.telesign_url, srv.twilio_url, srv.acs_url)
                    org = write_org(work / "config", n, *where, changed=changed)
                    variant = changed
                assert org is not None
                log(f"  N={n}: {scenario} ...")
                ours = measure_median(
                    step,
                    srv.orgs["smsconf"] if step != "validate" else None,
                    org.paths,
                    work,
                    launch,
                    repeat,
                    srv,
                )
                theirs = (
                    measure(baseline_step, srv.orgs["baseline"], org.paths, work, launch, srv)
                    if baseline_step
                    else None
                )
                result.rows[scenario] = (ours, theirs)
    return result
