"""The network steps of the benchmark (`plan`, `apply`, `export` and their per-record
baselines), each against an organisation URL; `benchkit.steps` runs one in its own process.

Kept apart from `steps` so that measuring `validate` imports only what `smsconf validate`
imports, not the HTTP client, the reconciler and the renderers.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from benchkit.steps import Result
from smsconf.config.loader import Loaded, load
from smsconf.config.model import Config
from smsconf.connect import open_target
from smsconf.dataverse import DataverseClient
from smsconf.dataverse.errors import NotFound
from smsconf.dataverse.stats import RequestStats
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.rows import DesiredRow
from smsconf.mapping.yaml_out import render, write
from smsconf.platform import TABLES
from smsconf.process import burst  # as the executable's commands do
from smsconf.reconcile.apply import operation, secrets_for
from smsconf.reconcile.live import columns_to_read, read_live, read_referenced
from smsconf.reconcile.manager import PlanOptions, apply_plan, export_live, make_plan
from smsconf.reconcile.plan import PROVIDER_TABLES, Change, Plan
from smsconf.render.text import render as render_text
from smsconf.target import Target


@dataclass
class Meter:
    """Wall time and request counters from `start()` on; a baseline restarts it after its
    preparation so only the naive reads and writes are counted (the requests before are kept
    as `uncounted_requests`, so the server's own count still adds up)."""

    stats: RequestStats = field(default_factory=RequestStats)
    since: RequestStats = field(default_factory=RequestStats)
    started: float = field(default_factory=time.perf_counter)

    def start(self) -> None:
        self.since = replace(self.stats)
        self.started = time.perf_counter()

    def read(self) -> Result:
        seconds = time.perf_counter() - self.started
        return {
            **asdict(self.stats - self.since),
            "uncounted_requests": self.since.requests,
            "seconds": seconds,
        }


Step = Callable[[Target, list[str], Meter], Awaitable[Result]]
GATEWAY = "https://m-00000000-0000-4000-8000-000000000be7.us.omnichannelengagementhub.com"
"""The organisation's Omnichannel gateway as an environment's `gateway:` names it: what the
Twilio numbers' inbound URL is built from (never contacted)."""


def _changes(plan: Plan) -> Result:
    return {action: n for action, n in plan.counts().items() if n}


def _dataverse_changes(plan: Plan) -> list[Change]:
    """The plan's Dataverse changes: what a per-record Dataverse tool would write (the Twilio
    numbers' inbound URLs are written to Twilio, the ACS resource's Event Grid system topic and
    subscription to ARM, by both alike)."""
    return [c for c in plan.changes if c.table not in PROVIDER_TABLES]


async def plan(target: Target, paths: list[str], meter: Meter) -> Result:
    """`smsconf plan`: live read, diff, credential checks, and the rendered plan."""
    made = await make_plan(load(paths, burst=burst), target, paths, PlanOptions(burst=burst))
    render_text(made, burst=burst)
    return {"changes": _changes(made), **_findings(made)}


def _findings(plan: Plan) -> Result:
    """What the plan found beside its changes: the ACS number verdicts (by verdict) and the
    notes (by level), so a test sees the ACS numbers checked and nothing left for a person."""
    acs = {c.account for c in plan.credentials if c.provider == "acs"}
    verdicts: dict[str, int] = {}
    for check in plan.number_checks:
        if check.account in acs:
            verdicts[check.verdict] = verdicts.get(check.verdict, 0) + 1
    levels: dict[str, int] = {}
    for note in plan.notes:
        levels[note.level] = levels.get(note.level, 0) + 1
    return {"acs_numbers": verdicts, "notes": levels}


async def apply(target: Target, paths: list[str], meter: Meter) -> Result:
    """`smsconf apply --auto-approve`: plan, render, then apply (refused like the CLI)."""
    loaded = load(paths, burst=burst)
    made = await make_plan(loaded, target, paths, PlanOptions(burst=burst))
    render_text(made, burst=burst)
    if made.failed_credentials() or made.unsafe:
        raise RuntimeError(f"apply refused: {made.failed_credentials()} {made.unsafe}")
    if not made.has_changes:
        return {"changes": {}, "done": 0}
    report = await apply_plan(made, loaded, target)
    if not report.complete:
        raise RuntimeError(f"apply incomplete: {report.failures[:3]}")
    provider = len(made.changes) - len(_dataverse_changes(made))
    event_grid = sum(c.table.startswith("eventgrid.") for c in made.changes)
    return {
        "changes": _changes(made),
        "done": report.done,
        "done_dataverse": report.done - provider,
        "done_twilio": provider - event_grid,
        "done_event_grid": event_grid,
    }


async def export(target: Target, paths: list[str], meter: Meter) -> Result:
    """`smsconf export --out DIR`: read the org (an empty configuration names no lookups, then
    the looked-up rows the workstreams use), write it as configuration files."""
    live = await read_live(target.dataverse, Config())
    await read_referenced(target.dataverse, live)
    exported = export_live(live)
    out = Path(paths[0]).parent / "exported"
    shutil.rmtree(out, ignore_errors=True)
    written = write(out, render(exported, target.url, None))
    return {"files": len(written), "omitted": len(exported.omitted)}


async def _prepare(target: Target, paths: list[str]) -> tuple[Loaded, list[DesiredRow], Plan]:
    """The rows the configuration manages and the plan's changes, as smsconf computes them."""
    loaded = load(paths)
    live = await read_live(target.dataverse, loaded.config)
    rows, _ = desired_rows(loaded.config, live)
    made = await make_plan(loaded, target, paths, PlanOptions(check_credentials=False))
    return loaded, rows, made


async def _refresh(client: DataverseClient, rows: list[DesiredRow]) -> int:
    """One GET per row, as a per-record tool refreshes its state; returns the rows found."""

    async def one(row: DesiredRow) -> bool:
        table = TABLES[row.table]
        try:
            await client.get(table.entity_set, row.id, select=columns_to_read(table))
        except NotFound:
            return False
        return True

    return sum(await asyncio.gather(*(one(row) for row in rows)))


async def _write_one_by_one(client: DataverseClient, plan: Plan, loaded: Loaded) -> int:
    """One request per change: a table's changes concurrently, tables in the plan's order."""
    changes = sorted(_dataverse_changes(plan), key=lambda c: c.step)

    def group(change: Change) -> tuple[str, str]:
        return change.action, change.table

    for _, same_table in itertools.groupby(changes, key=group):
        await asyncio.gather(
            *(client.execute(operation(c, secrets_for(c, loaded.config))) for c in same_table)
        )
    return len(changes)


async def baseline_plan(target: Target, paths: list[str], meter: Meter) -> Result:
    """A per-record tool's plan: refresh every managed row with its own GET."""
    _, rows, _ = await _prepare(target, paths)
    meter.start()
    return {"rows": len(rows), "found": await _refresh(target.dataverse, rows)}


async def baseline_apply(target: Target, paths: list[str], meter: Meter) -> Result:
    """A per-record tool's apply: refresh every row, then one request per change."""
    loaded, rows, made = await _prepare(target, paths)
    meter.start()
    found = await _refresh(target.dataverse, rows)
    done = await _write_one_by_one(target.dataverse, made, loaded)
    return {"rows": len(rows), "found": found, "done": done}


NETWORK_STEPS: dict[str, Step] = {
    "plan": plan,
    "apply": apply,
    "export": export,
    "baseline-plan": baseline_plan,
    "baseline-apply": baseline_apply,
}


async def run_network_step(name: str, url: str, paths: list[str]) -> Result:
    """Run one step against the organisation at `url` (token from $SMSCONF_TOKEN)."""
    async with open_target(url, gateway=GATEWAY) as target:
        meter = Meter(target.dataverse.stats)
        meter.start()
        result = await NETWORK_STEPS[name](target, paths, meter)
        return {**result, **meter.read()}
