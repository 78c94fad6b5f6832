"""The Manager: plan and apply, composed from the steps of the flow (octoDNS's Manager).

plan = live read → desired rows → diff → order → safety → credential checks → `Plan`.
apply = (plan, or a saved plan planned again and equal to the fresh plan) → execute.
export = live read (everything, then what it uses) → configuration → its residue (the diff of
the export against the rows it was read from).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import subprocess
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from smsconf.bursts import Burst
from smsconf.config.kinds import words
from smsconf.config.loader import Loaded
from smsconf.config.model import Config
from smsconf.config.problems import did_you_mean
from smsconf.config.secrets import SecretError, fingerprint
from smsconf.mapping.desired import desired_rows, renames
from smsconf.mapping.export import Exported, export_config
from smsconf.mapping.limits import too_long
from smsconf.mapping.live import LiveState
from smsconf.platform.inbound import inbound_url
from smsconf.reconcile.absent import absent_columns
from smsconf.reconcile.acs import check_resources, organisation_side
from smsconf.reconcile.apply import (
    ApplyReport,
    Progress,
    StalePlan,
    execute,
    moved_rows,
    stale_rows,
)
from smsconf.reconcile.credentials import check_accounts
from smsconf.reconcile.diff import RANK, diff
from smsconf.reconcile.eventgrid import (
    RANK as EVENT_GRID_RANK,
)
from smsconf.reconcile.eventgrid import (
    EventGridFindings,
    EventGridWriter,
    ProviderWriters,
    arm_access,
    check_event_grid,
    org_acs,
)
from smsconf.reconcile.journal import Journal
from smsconf.reconcile.live import read_editors, read_live, read_referenced
from smsconf.reconcile.migration import migration_notes, telesign_notes
from smsconf.reconcile.plan import (
    Change,
    DeleteAllowance,
    Note,
    Plan,
    Trust,
    UnknownAddress,
    differences,
)
from smsconf.reconcile.residue import residue
from smsconf.reconcile.targeting import targeted
from smsconf.reconcile.trust import endpoints, require, secret_uses, target_route
from smsconf.reconcile.twilio import ProviderWriter, TwilioFindings, check_twilio, is_twilio
from smsconf.redact import redact
from smsconf.routing.graph import of_plan as routing_pictures
from smsconf.routing.lint import closed_queues
from smsconf.routing.sources import live_hours
from smsconf.target import Target

ASSOCIATION_RANK = len(RANK)


@dataclass(frozen=True)
class PlanOptions:
    check_credentials: bool = True
    check_numbers: bool = False
    allow_deletes: bool = False
    allowed_deletes: frozenset[str] = field(default_factory=frozenset)
    only: tuple[str, ...] = ()
    """`--only ADDRESS`: the changes to plan, with what they need (`targeting`)."""
    burst: Burst = field(default=nullcontext, compare=False)
    """What mapping, diffing and ordering (one allocation burst) run inside: the caller's
    policy (`smsconf.process.burst` for the executable), nothing by default."""

    @property
    def allowance(self) -> DeleteAllowance:
        return DeleteAllowance(self.allow_deletes, tuple(sorted(self.allowed_deletes)))

    @classmethod
    def allowing(cls, allowance: DeleteAllowance) -> PlanOptions:
        return cls(allow_deletes=allowance.all, allowed_deletes=frozenset(allowance.addresses))


def config_digest(loaded: Loaded, org_id: str) -> str:
    """What the plan was made from: the resolved configuration and its secrets' fingerprints
    (the organisation's, as its entries hold them: the digest is in the plan, so a fast hash
    here would let its readers test guesses of a key against it)."""
    config = loaded.config
    prints = []
    for account in config.accounts:
        try:
            prints.append(fingerprint(account.secret.resolve(), org_id))
        except SecretError:
            prints.append("unreadable")
    payload = json.dumps(
        [loaded.environment, config.model_dump(mode="json"), prints], sort_keys=True
    )
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


def git_commit(paths: list[str]) -> tuple[str | None, bool | None]:
    """The commit of the configuration's repository, when it is in one, and whether its working
    tree differed from it (`git status --porcelain`, smsconf's own `.smsconf/` state aside): a
    plan of uncommitted YAML says so next to the commit it names."""
    where = Path(paths[0]) if paths else Path.cwd()
    where = where if where.is_dir() else where.parent
    head = _git(where, "rev-parse", "HEAD")
    if head is None:
        return None, None
    status = _git(where, "status", "--porcelain", "--", ".", ":(top,exclude,glob)**/.smsconf/**")
    return head or None, None if status is None else bool(status)


def _git(where: Path, *args: str) -> str | None:
    """git's output in `where`, or None when it fails (no git, no repository)."""
    try:
        out = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def ordered(changes: list[Change]) -> list[Change]:
    """Dependency order: parents before children; associations next; deletions in reverse."""

    def rank(change: Change) -> tuple[int, int]:
        table_rank = RANK.get(change.table, 0)
        if is_twilio(change):
            return (2, 1)  # after every row and link it serves, before the deletes (§7.3)
        if change.table in EVENT_GRID_RANK:
            return EVENT_GRID_RANK[change.table]
        if change.action == "associate":
            return (1, ASSOCIATION_RANK)
        if change.action == "disassociate":
            return (2, 0)
        if change.action == "delete":
            return (3, -table_rank)
        return (0, table_rank)

    result = sorted(changes, key=rank)
    return [_with_step(c, i + 1) for i, c in enumerate(result)]


def _with_step(change: Change, step: int) -> Change:
    """The change numbered `step`, as a copy of its fields: `dataclasses.replace` re-runs the
    frozen constructor (5x slower, a tenth of planning 18,000 changes)."""
    numbered = object.__new__(Change)
    numbered.__dict__.update(change.__dict__, step=step)
    return numbered


def delete_limits(changes: list[Change], loaded: Loaded, options: PlanOptions) -> list[str]:
    """Per-kind delete thresholds: more deletes of a kind than allowed make the plan unsafe.

    Allowing an object's delete by address allows the deletes that follow from it (a removed
    workstream's channel, messages and routing), which the user cannot be asked to list.
    """
    if options.allow_deletes:
        return []
    limit = loaded.config.settings.max_deletes
    allowed = options.allowed_deletes
    held: dict[str, list[str]] = defaultdict(list)
    for c in changes:
        if c.action == "delete" and c.address not in allowed and c.cascade_of not in allowed:
            held[c.kind].append(c.address)
    return [
        f"{len(addresses)} delete(s) of {words(kind)} exceed the limit of {limit} "
        f"(settings.max_deletes): {', '.join(addresses[:5])}{' …' if len(addresses) > 5 else ''}"
        "; pass --allow-deletes, or --allow-delete with an address as printed"
        for kind, addresses in sorted(held.items())
        if len(addresses) > limit
    ]


def check_addresses(changes: list[Change], options: PlanOptions) -> None:
    """Every `--allow-delete` address must name a delete of this plan, exactly as printed: a
    misspelt one would otherwise be ignored, and the delete it meant stay refused unseen. (A
    saved plan's allowance is checked by comparing the fresh plan with it instead.)"""
    deletes = [c.address for c in changes if c.action == "delete"]
    unknown = sorted(options.allowed_deletes - set(deletes))
    if not unknown:
        return
    everything = deletes or [c.address for c in changes]
    messages = []
    for address in unknown:
        hint = did_you_mean(address, everything)
        messages.append(
            f"--allow-delete {address}: no delete in this plan has that address"
            + (f"; {hint}" if hint else "")
        )
    raise UnknownAddress("\n".join(messages))


def gateway_of(loaded: Loaded, target: Target) -> str | None:
    env = loaded.config.environments.get(loaded.environment or "")
    return (env.gateway if env else None) or target.gateway


def callback_urls(loaded: Loaded, target: Target, org_id: str) -> dict[str, str]:
    """Telesign's inbound callback URL per account: per organisation, computed (evidence §3)."""
    gateway = gateway_of(loaded, target)
    if gateway is None:
        return {}
    url = inbound_url(gateway, "telesign", org_id)
    return {a.name: url for a in loaded.config.accounts if a.provider == "telesign"}


async def make_plan(
    loaded: Loaded,
    target: Target,
    paths: list[str],
    options: PlanOptions | None = None,
    trust: Trust | None = None,
) -> Plan:
    """`trust`: the hosts the command checked before opening the target (`trust.require`);
    when not given, they are checked here, before any secret of the configuration is read."""
    options = options or PlanOptions()
    plan = (await _planned(loaded, target, paths, options, trust))[0]
    check_addresses(list(plan.changes), options)
    return plan


async def _planned(
    loaded: Loaded, target: Target, paths: list[str], options: PlanOptions, trust: Trust | None
) -> tuple[Plan, LiveState]:
    """The plan, and the live state it was made from."""
    config = loaded.config
    if trust is None:
        found = endpoints(loaded, target_route(target), providers=options.check_credentials)
        trust = require(found)
    trust = dataclasses.replace(trust, secrets=secret_uses(loaded, target))
    live_task = read_live(target.dataverse, config)
    twilio: TwilioFindings | None = None
    grid = EventGridFindings()
    if options.check_credentials:
        checks = check_accounts(
            config,
            endpoint=target.telesign_endpoint,
            transport=target.telesign_transport,
            check_numbers=options.check_numbers,
        )
        # The ACS resources' keys and numbers need no live row: beside the live read.
        resources = check_resources(
            config, loaded.locate, endpoint=target.acs_endpoint, transport=target.acs_transport
        )
        live, (creds, numbers), acs_resources = await asyncio.gather(live_task, checks, resources)
        # After the live read: the organisation's id is part of its Twilio inbound URL, its
        # ACS connection's entries are what the Event Grid subscription must authenticate as.
        gateway = gateway_of(loaded, target)
        twilio, grid = await asyncio.gather(
            check_twilio(
                config,
                inbound_url(gateway, "twilio", live.org_id) if gateway else None,
                loaded.locate,
                endpoint=target.twilio_endpoint,
                transport=target.twilio_transport,
            ),
            check_event_grid(config, org_acs(live.rows), arm_access(target), loaded.locate),
        )
        creds, numbers = creds + twilio.credentials, numbers + twilio.numbers
        acs = organisation_side(config, live.rows, loaded.locate)
        acs.extend(acs_resources)
        creds, numbers = creds + acs.credentials, numbers + acs.numbers
        order = {a.name: i for i, a in enumerate(config.accounts)}
        creds.sort(key=lambda c: order.get(c.account, 0))
    else:
        live, creds, numbers = await live_task, [], []
        acs = organisation_side(config, live.rows, loaded.locate)
    await read_editors(target.dataverse, live)
    for table, old, new in renames(config):
        live.rename(table, old, new)
    with options.burst():
        rows, links = desired_rows(config, live, frozenset(acs.absent))
        problems = live.problems + absent_columns(rows, live.schema) + too_long(rows)
        if problems:
            raise loaded.problems(problems)
        result = diff(config, live, rows, links, loaded.locate)
        if result.problems:
            raise loaded.problems(result.problems)
        if live.field_access is not None:
            denied = live.field_access.problems(result.changes, rows)
            if denied:
                raise loaded.problems(denied)
        changes = ordered(result.changes + (twilio.changes if twilio else []) + grid.changes)
    targeting: list[Note] = []
    if options.only:
        chosen, targeting = targeted(changes, options.only)
        changes = ordered(chosen)
    notes = (
        telesign_notes(config)
        + migration_notes(config, live)
        + (twilio.notes if twilio else [])
        + acs.notes
        + grid.notes
        + result.notes
        + routing_notes(loaded, live)
        + targeting
    )
    # Providers' messages are the servers' words: one that echoes a request carries its secret.
    creds = [dataclasses.replace(c, detail=redact(c.detail)) for c in creds]
    numbers = [dataclasses.replace(n, detail=redact(n.detail)) for n in numbers]
    notes = [dataclasses.replace(n, text=redact(n.text)) for n in notes]
    commit, dirty = git_commit(paths)
    plan = Plan(
        environment=loaded.environment,
        target=target.name,
        org_id=live.org_id,
        config_digest=config_digest(loaded, live.org_id),
        changes=tuple(changes),
        unmanaged=tuple(result.unmanaged),
        credentials=tuple(creds),
        number_checks=tuple(numbers),
        read_etags=result.read_etags,
        unsafe=tuple(result.unsafe + acs.unsafe + delete_limits(changes, loaded, options)),
        git_commit=commit,
        git_dirty=dirty,
        callback_urls=callback_urls(loaded, target, live.org_id),
        notes=tuple(notes),
        provider_numbers=tuple(twilio.provider_numbers if twilio else ()),
        allowed_deletes=options.allowance,
        paths=tuple(paths),
        trust=trust,
        local_org=str(target.database) if target.database else None,
        only=options.only,
        routing=tuple(routing_pictures(config, live.rows, [c.path for c in changes])),
        event_grid=tuple(grid.wiring),
    )
    return plan, live


def routing_notes(loaded: Loaded, live: LiveState) -> list[Note]:
    """Routing warnings only the organisation's operating-hours schedules reveal, located."""
    return [
        Note("warning", f"routing ({loaded.locate(p.path)})", p.message + f" ({p.hint})")
        for p in closed_queues(loaded.config, live_hours(live.rows))
    ]


async def replan_saved(
    saved: Plan,
    loaded: Loaded,
    target: Target,
    paths: list[str],
    allowance: DeleteAllowance,
    trust: Trust | None = None,
    burst: Burst = nullcontext,
) -> Plan:
    """The plan to apply for a saved one: planned again from the configuration and the
    organisation under `allowance`, returned only when it equals the saved plan (changes,
    bodies, ETags, secret columns, verdicts, allowances); else `StalePlan` naming each row
    that moved and each field that differs. The file is an assertion: what is written is
    always the fresh plan, never the file's bodies, ids or secret columns."""
    options = dataclasses.replace(PlanOptions.allowing(allowance), only=saved.only, burst=burst)
    fresh, live = await _planned(loaded, target, paths, options, trust)
    reasons = []
    if saved.config_digest != fresh.config_digest:
        reasons.append("the configuration changed since the plan was made")
    if saved.target != fresh.target:
        reasons.append(f"the plan is for target {saved.target}, not {fresh.target}")
    if saved.org_id != fresh.org_id:
        reasons.append(f"the plan is for organisation {saved.org_id}, not {fresh.org_id}")
    if reasons:  # then every change differs too: these are the reasons, not the changes
        raise StalePlan(reasons)
    moved = moved_rows(saved, live)
    explained = frozenset().union(*(rows for rows, _ in moved))
    reasons = [why for _, why in moved] + [
        str(d) for d in differences(saved, fresh) if not d.rows & explained
    ]
    if reasons:
        raise StalePlan(reasons)
    return fresh


async def apply_plan(
    plan: Plan,
    loaded: Loaded,
    target: Target,
    *,
    continue_on_error: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> ApplyReport:
    """Apply `plan` if nothing moved since it was made; raise `StalePlan` naming what did.
    `progress` hears of every write answered and request sent (see `execute`)."""
    reasons = []
    if plan.config_digest != config_digest(loaded, plan.org_id):
        reasons.append("the configuration changed since the plan was made")
    if plan.target != target.name:
        reasons.append(f"the plan is for target {plan.target}, not {target.name}")
    live = await read_live(target.dataverse, loaded.config)
    if live.org_id != plan.org_id:
        reasons.append(f"the plan is for organisation {plan.org_id}, not {live.org_id}")
    reasons += stale_rows(plan, live)
    if reasons:
        raise StalePlan(reasons)
    journal = Journal(target.home / "journal", plan.checksum)
    try:
        return await execute(
            plan,
            loaded.config,
            target.dataverse,
            journal,
            continue_on_error=continue_on_error,
            progress=progress,
            provider=ProviderWriters(
                (
                    ProviderWriter(target.twilio_endpoint, target.twilio_transport),
                    EventGridWriter(arm_access(target)),
                )
            ),
        )
    finally:
        journal.close()


def export_live(live: LiveState) -> Exported:
    """The configuration of a live state, with whatever a plan of it would still change."""
    exported = export_config(live)
    exported.omitted += residue(exported.config, live)
    return exported


async def export(target: Target) -> Exported:
    """Everything smsconf reads (an empty configuration names no lookups), then what they use."""
    live = await read_live(target.dataverse, Config())
    await read_referenced(target.dataverse, live)
    return export_live(live)
