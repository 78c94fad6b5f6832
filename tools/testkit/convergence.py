"""One seeded fault-convergence run: apply under injected faults until it succeeds, then audit.

Shared by the tests (a handful of seeds) and `bench/reliability.py` (hundreds). A run:

1. creates a fresh organisation (the Dataverse emulator on its own SQLite file), seeds what a
   real org already has (the bots and surveys the example looks up) and a few unmanaged rows a
   human made by hand, and snapshots every row that exists before smsconf touches the org;
2. serves it over a loopback socket with faults drawn from the run's seed (429 with
   Retry-After, 503, connection dropped before or after the commit, answers slower than the
   client's timeout), because a timeout only exists on a real socket, not over ASGI in-process;
3. runs plan + apply (what `smsconf apply --auto-approve` does) with a fresh client each time,
   up to `MAX_APPLIES` times, until apply reports success;
4. audits the org without faults: the plan has no changes, every row exists once per natural
   key, and every row from the snapshot is byte-for-byte unchanged (same ETag, same columns).

Nothing here looks inside the reconciler: each step goes through the Web API.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from tools.testkit.allowance import allowing

from smsconf.config.loader import Loaded, load
from smsconf.connect import LOCAL_DEMO_ROWS
from smsconf.dataverse import DataverseClient, RetryPolicy, StaticToken
from smsconf.dataverse.errors import DataverseError
from smsconf.emulator.acs import create_app as acs_app
from smsconf.emulator.dataverse import FaultConfig, create_app
from smsconf.emulator.serving import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount
from smsconf.emulator.telesign import create_app as telesign_app
from smsconf.emulator.twilio import create_app as twilio_app
from smsconf.mapping.ids import normalise
from smsconf.mapping.keys import KEYS
from smsconf.platform import TABLES
from smsconf.reconcile.apply import StalePlan
from smsconf.reconcile.live import read_live
from smsconf.reconcile.manager import PlanOptions, apply_plan, make_plan
from smsconf.reconcile.outcome import apply_blocker
from smsconf.target import Target

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TOKEN = "reliability-run-token"
TELESIGN_URL = "http://telesign.reliability"
TWILIO_URL = "http://twilio.reliability"
ACS_URL = "http://acs.reliability"
MAX_APPLIES = 5
FAULT_RATE_EACH = 0.045
"""Five independent fault modes at 4.5% each: about 20% of requests meet at least one."""


@dataclass(frozen=True)
class Timing:
    """The client's timeout, the length of a slow answer, and one apply's deadline.

    A slow answer takes longer than the client's timeout: the client gives up while the
    server still commits afterwards, the nastiest ambiguity a write can meet. Normal answers
    must fit well inside the timeout, so a big organisation (1,000-operation `$batch`
    requests) needs a longer one than the example.
    """

    client_timeout: float = 0.4
    slow_seconds: float = 0.8
    deadline: float = 90.0


EXAMPLE_TIMING = Timing()
GENERATED_TIMING = Timing(client_timeout=15.0, slow_seconds=18.0, deadline=400.0)
UNMANAGED_ROWS: dict[str, list[dict[str, Any]]] = {
    "queues": [{"name": "Hand-made queue"}],
    "msdyn_liveworkstreams": [{"msdyn_name": "Hand-made workstream"}],
    "msdyn_cannedmessages": [
        {"msdyn_title": "Hand-made reply", "msdyn_message": "Typed by a supervisor."}
    ],
}
"""Rows a human made by hand, which no configuration here declares: smsconf must not touch
them (the snapshot also covers every reference row the emulator seeds)."""


def fault_config(seed: int, rate: float, timing: Timing) -> FaultConfig:
    return FaultConfig(
        seed=seed,
        throttle=rate,
        retry_after_seconds=1,
        unavailable=rate,
        drop_before_commit=rate,
        drop_after_commit=rate,
        slow=rate,
        slow_seconds=timing.slow_seconds,
    )


@dataclass
class RunResult:
    """What one run did and what the audit found (every list is empty in a good run)."""

    seed: int
    applies: int = 0
    converged: bool = False
    faults: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    attempt_errors: list[str] = field(default_factory=list)
    remaining_changes: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    unmanaged_changed: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())

    @property
    def ok(self) -> bool:
        return self.converged and not (
            self.remaining_changes
            or self.duplicates
            or self.lost
            or self.unmanaged_changed
            or self.tracebacks
        )

    def explain(self) -> str:
        return (
            f"seed {self.seed}: {self.applies} applies, converged={self.converged}, "
            f"faults {self.faults}, errors {self.attempt_errors}, remaining "
            f"{self.remaining_changes}, duplicates {self.duplicates}, lost {self.lost}, "
            f"unmanaged changed {self.unmanaged_changed}, tracebacks {self.tracebacks}"
        )


def load_orggen() -> ModuleType:
    """bench/benchkit/orggen.py (the benchmark's generator), loaded by path, not edited here."""
    path = REPO / "bench" / "benchkit" / "orggen.py"
    spec = importlib.util.spec_from_file_location("smsconf_bench_orggen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def generated_org(directory: Path, workstreams: int) -> tuple[list[str], list[EmulatedAccount]]:
    """A generated organisation of `workstreams` workstreams: config paths and its accounts."""
    org = load_orggen().write_org(directory, workstreams, TELESIGN_URL)
    return org.paths, list(org.accounts)


def _fast_sleep(recorded: list[float]) -> Any:
    """Retry waits are recorded, then shortened: the emulator does not police Retry-After, and
    the waits themselves are tested in tests/dataverse; 200 runs must fit in minutes."""

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)
        await asyncio.sleep(min(seconds, 0.02))

    return sleep


@asynccontextmanager
async def org_client(db: Path) -> AsyncIterator[DataverseClient]:
    """A fault-free client on the org's database (the auditor, or a human in the admin center)."""
    app = create_app(db)
    try:
        async with DataverseClient(
            "http://org.reliability", StaticToken(TOKEN), transport=httpx.ASGITransport(app=app)
        ) as client:
            yield client
    finally:
        app.close()


async def seed_org(db: Path) -> None:
    """What a real org has before smsconf: looked-up bots and surveys, and hand-made rows."""
    async with org_client(db) as client:
        for entity_set, (column, names) in LOCAL_DEMO_ROWS.items():
            for name in names:
                await client.create(entity_set, {column: name})
        for entity_set, rows in UNMANAGED_ROWS.items():
            for row in rows:
                await client.create(entity_set, row)


async def snapshot(client: DataverseClient) -> dict[str, dict[str, Any]]:
    """Every row of every table smsconf knows, by `table(id)`."""
    rows: dict[str, dict[str, Any]] = {}
    for name, table in TABLES.items():
        for row in await client.get_all(table.entity_set):
            rows[f"{name}({row[table.primary_key]})"] = row
    return rows


def key_counts(live: Any) -> dict[str, dict[tuple[str, ...], int]]:
    counts: dict[str, dict[tuple[str, ...], int]] = {}
    for table in KEYS:
        per_key: dict[tuple[str, ...], int] = {}
        for row in live.rows.get(table, []):
            key = live.key_of(table, row)
            if key is not None:
                per_key[normalise(key)] = per_key.get(normalise(key), 0) + 1
        counts[table] = per_key
    return counts


def target_for(client: DataverseClient, url: str, accounts: list[EmulatedAccount]) -> Target:
    """The run's target: its Dataverse client, a Telesign emulator that knows the accounts,
    a Twilio emulator with the demo account (the example's Twilio account) and an ACS
    emulator with the demo resource (the example's ACS account)."""
    return Target(
        "reliability",
        url,
        client,
        telesign_endpoint=TELESIGN_URL,
        telesign_transport=httpx.ASGITransport(app=telesign_app(accounts)),
        twilio_endpoint=TWILIO_URL,
        twilio_transport=httpx.ASGITransport(app=twilio_app()),
        acs_endpoint=ACS_URL,
        acs_transport=httpx.ASGITransport(app=acs_app()),
    )


async def apply_once(
    loaded: Loaded,
    paths: list[str],
    url: str,
    seed: int,
    attempt: int,
    accounts: list[EmulatedAccount],
    timing: Timing,
    result: RunResult,
) -> bool:
    """One `smsconf apply --auto-approve` against the faulty org; True when it succeeded."""
    waits: list[float] = []
    policy = RetryPolicy(
        max_attempts=6,
        base_delay=0.05,
        max_delay=0.5,
        seed=seed * 10 + attempt,
        sleep=_fast_sleep(waits),
    )
    client = DataverseClient(
        url,
        StaticToken(TOKEN),
        timeout=timing.client_timeout,
        deadline=timing.deadline,
        retry=policy,
    )
    try:
        async with client:
            target = target_for(client, url, accounts)
            plan = await make_plan(loaded, target, paths, PlanOptions())
            blocker = apply_blocker(plan, ignore_credentials=False)
            if blocker is not None:
                result.attempt_errors.append(f"apply refused: exit {int(blocker)}")
                return False
            if not plan.has_changes:
                return True
            report = await apply_plan(plan, loaded, target)
            if not report.complete:
                result.attempt_errors.append(f"partial: {report.failures[:3]}")
            return report.complete
    except (DataverseError, StalePlan) as exc:  # the CLI's exit 1 / exit 6: run apply again
        result.attempt_errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
        return False
    finally:
        result.requests += client.stats.requests
        result.retries += client.stats.retries


async def audit(
    db: Path,
    loaded: Loaded,
    paths: list[str],
    accounts: list[EmulatedAccount],
    before: dict[str, dict[str, Any]],
    result: RunResult,
) -> None:
    """The org after the run, without faults: converged, no duplicates, nothing lost or touched."""
    async with org_client(db) as client:
        plan = await make_plan(
            loaded, target_for(client, "http://org.reliability", accounts), paths, PlanOptions()
        )
        result.remaining_changes = [f"{c.action} {c.label}" for c in plan.changes]
        result.lost = [f"{c.label}" for c in plan.changes if c.action == "create"]
        live = await read_live(client, loaded.config)
        counts = key_counts(live)
        result.duplicates = [
            f"{table}{key} x{n}"
            for table, keys in counts.items()
            for key, n in keys.items()
            if n > 1
        ]
        after = await snapshot(client)
    for address, row in before.items():
        now = after.get(address)
        if now is None:
            result.unmanaged_changed.append(f"{address} deleted")
        elif now != row:
            changed = sorted(k for k in set(row) | set(now) if row.get(k) != now.get(k))
            result.unmanaged_changed.append(f"{address} changed: {', '.join(changed)}")


async def converge(
    seed: int,
    workdir: Path,
    paths: list[str] | None = None,
    accounts: list[EmulatedAccount] | None = None,
    rate: float = FAULT_RATE_EACH,
    timing: Timing = EXAMPLE_TIMING,
) -> RunResult:
    """One seeded run in `workdir` (its own org and journal); never raises for the product's
    failures: a traceback is recorded in the result, as the CLI would have printed it."""
    paths = paths or [str(EXAMPLES)]
    accounts = list(DEMO_ACCOUNTS) if accounts is None else accounts
    result = RunResult(seed)
    db = workdir / f"org-{seed}.sqlite"
    db.unlink(missing_ok=True)
    loaded = load(paths)
    await seed_org(db)
    async with org_client(db) as client:
        before = await snapshot(client)
    app = create_app(db, token=TOKEN, faults=fault_config(seed, rate, timing))
    try:
        with running(app) as served, allowing(served) as url:
            for attempt in range(1, MAX_APPLIES + 1):
                result.applies = attempt
                try:
                    done = await apply_once(
                        loaded, paths, url, seed, attempt, accounts, timing, result
                    )
                except Exception:
                    result.tracebacks.append(traceback.format_exc())
                    break
                if done:
                    result.converged = True
                    break
        result.faults = dict(app.faults.counts)
    finally:
        app.close()
    await audit(db, loaded, paths, accounts, before, result)
    return result
