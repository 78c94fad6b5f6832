"""The saved plan, attacked: a plan file edited as an attacker would (every forgery is a plan
smsconf itself could have written, checksum and all), then `apply --plan FILE --auto-approve`
through the CLI. Each must be refused with its documented exit code, naming the object and
field that differ, and leave every row of the organisation at the version it had.

Three saved plans are attacked: an update of a queue's priority (`edit`), the delete of a
number that the default limit makes unsafe (`delete`), and the first apply to an empty org
(`create`, with the accounts' secret columns and the create race). Shared by
tests/reliability/test_saved_plan_attacks.py and `bench/reliability.py`.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tools.testkit.workspace import Workspace, apply_example, from_database, make_workspace

from smsconf.dataverse import DataverseClient
from smsconf.exitcodes import ExitCode
from smsconf.mapping.keys import KEYS
from smsconf.platform import TABLES
from smsconf.platform.vocabulary import QUEUE_TYPE_MESSAGING
from smsconf.reconcile.plan import Change, DeleteAllowance, Plan

PLAN = "plan.json"
TIER1 = "SMS Support Tier 1"
TIER1_ADDRESS = f"queue[{TIER1}]"
NUMBER = "55123"
NUMBER_ADDRESS = f"number[{NUMBER}]"
SHORT_CODE = (
    f'      - number: "{NUMBER}"\n        type: short_code\n'
    "        description: Marketing short code\n"
)
ACCOUNT_TABLE = "msdyn_occommunicationprovidersetting"


# --- the saved plans under attack -----------------------------------------------------------


def raise_tier1_priority(ws: Workspace) -> None:
    ws.edit("    priority: 10\n", "    priority: 11\n")


def remove_short_code(ws: Workspace) -> None:
    ws.edit(SHORT_CODE, "")
    ws.append(f'removed:\n  - kind: number\n    name: "{NUMBER}"\n')


SCENARIOS: dict[str, tuple[bool, Callable[[Workspace], None] | None, int]] = {
    "edit": (True, raise_tier1_priority, ExitCode.OK),
    "delete": (True, remove_short_code, ExitCode.UNSAFE_PLAN),
    "create": (False, None, ExitCode.OK),
}
"""name: (start from the applied example, change to the configuration, plan's exit code)."""


def prepare(root: Path, applied_db: Path, scenario: str) -> Path:
    """A directory holding the scenario's configuration, organisation and saved plan."""
    applied, change, planned = SCENARIOS[scenario]
    root.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        ws = make_workspace(root, mp)
        if applied:
            from_database(ws, applied_db)
        if change:
            change(ws)
        result = ws.plan("--out", PLAN)
        assert result.exit_code == planned, result.output
    return root


def clone(prepared: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh copy of a prepared scenario in `root`, as the current directory."""
    ws = make_workspace(root, monkeypatch)
    shutil.copy(prepared / "examples" / "channels.yaml", ws.config)
    shutil.copytree(prepared / ".smsconf", ws.home, dirs_exist_ok=True)
    shutil.copy(prepared / PLAN, root / PLAN)
    return ws


# --- forgeries --------------------------------------------------------------------------------

Forge = Callable[[Plan, Workspace], Plan]


def changed(address: str, **edits: Any) -> Forge:
    """The plan with the change at `address` edited (its fields as `dataclasses.replace`)."""

    def forge(plan: Plan, ws: Workspace) -> Plan:
        found = [c for c in plan.changes if c.address == address]
        assert found, f"no change {address} in the saved plan"
        values = {k: v(found[0], ws) if callable(v) else v for k, v in edits.items()}
        return _with_changes(
            plan,
            [dataclasses.replace(c, **values) if c is found[0] else c for c in plan.changes],
        )

    return forge


def planned(**edits: Any) -> Forge:
    """The plan with its own members edited."""
    return lambda plan, ws: dataclasses.replace(plan, **edits)


def _with_changes(plan: Plan, changes: list[Change]) -> Plan:
    return dataclasses.replace(plan, changes=tuple(changes))


def _body(**extra: Any) -> Callable[[Change, Workspace], dict[str, Any]]:
    return lambda change, ws: {**change.body, **extra}


def _priority_columns(value: int) -> Callable[[Change, Workspace], tuple[Any, ...]]:
    return lambda change, ws: tuple(
        dataclasses.replace(c, after=value) if c.column == "msdyn_priority" else c
        for c in change.columns
    )


def _vip_id(change: Change, ws: Workspace) -> str:
    (vip,) = ws.rows("queue", name="SMS Support VIP")
    return str(vip["queueid"])


def _inject_unmanaged_delete(plan: Plan, ws: Workspace) -> Plan:
    """The delete of the organisation's own queue, which smsconf never manages."""
    (queue,) = [u for u in plan.unmanaged if u.table == "queue"]
    (row,) = ws.rows("queue", queueid=queue.id)
    name = queue.label.split("'")[1]
    delete = Change(
        action="delete",
        kind="queue",
        label=queue.label,
        table="queue",
        key=(name,),
        id=queue.id,
        etag=row["@odata.etag"],
        reason="listed under removed:",
        risks=("delete",),
        step=len(plan.changes) + 1,
    )
    return _with_changes(plan, [*plan.changes, delete])


def _duplicate(plan: Plan, ws: Workspace) -> Plan:
    return _with_changes(plan, [*plan.changes, plan.changes[0]])


def _drop_first(plan: Plan, ws: Workspace) -> Plan:
    return _with_changes(plan, list(plan.changes[1:]))


def _swap_first_steps(plan: Plan, ws: Workspace) -> Plan:
    first, second, *rest = sorted(plan.changes, key=lambda c: c.step)
    return _with_changes(
        plan,
        [
            dataclasses.replace(second, step=first.step),
            dataclasses.replace(first, step=second.step),
            *rest,
        ],
    )


def _account(plan: Plan) -> Change:
    return next(c for c in plan.changes if c.table == ACCOUNT_TABLE and c.secret_columns)


def _secret_into(column: str) -> Forge:
    """The account's API key pointed at a column anyone who reads the table can see."""

    def forge(plan: Plan, ws: Workspace) -> Plan:
        account = _account(plan)
        body = {k: v for k, v in account.body.items() if k != column}
        return changed(account.address, secret_columns=(column,), body=body)(plan, ws)

    return forge


def _no_secret(plan: Plan, ws: Workspace) -> Plan:
    return changed(_account(plan).address, secret_columns=())(plan, ws)


def _hide_secret_use(plan: Plan, ws: Workspace) -> Plan:
    """The reviewer's list of secrets read, emptied: the file claims nothing was trusted."""
    return dataclasses.replace(plan, trust=dataclasses.replace(plan.trust, secrets=()))


def _drop_read_etag(plan: Plan, ws: Workspace) -> Plan:
    etags = dict(plan.read_etags)
    etags.popitem()
    return dataclasses.replace(plan, read_etags=etags)


def _forge_read_etag(plan: Plan, ws: Workspace) -> Plan:
    etags = dict(plan.read_etags)
    etags[next(iter(etags))] = 'W/"1"'
    return dataclasses.replace(plan, read_etags=etags)


def _redirect_link(plan: Plan, ws: Workspace) -> Plan:
    link = next(c for c in plan.changes if c.action == "associate")
    other = next(
        c.id for c in plan.changes if c.table == link.target_table and c.id != link.target_id
    )
    return changed(link.address, target_id=other)(plan, ws)


def _bind_elsewhere(plan: Plan, ws: Workspace) -> Plan:
    """A create whose lookup is re-pointed at another row (the body's `@odata.bind`)."""
    create = next(c for c in plan.changes if any(k.endswith("@odata.bind") for k in c.body))
    key = next(k for k in create.body if k.endswith("@odata.bind"))
    target = create.body[key].rsplit("(", 1)[0] + "(00000000-0000-0000-0000-000000000001)"
    return changed(create.address, body={**create.body, key: target})(plan, ws)


def _admin_creates_tier1(ws: Workspace) -> None:
    """Between plan and apply, an admin creates the queue by hand in the admin center (a
    messaging queue of Omnichannel, as the admin center makes it)."""
    body = {
        "name": TIER1,
        "msdyn_isomnichannelqueue": True,
        "msdyn_queuetype": QUEUE_TYPE_MESSAGING,
    }

    async def create(dv: DataverseClient) -> None:
        await dv.create(TABLES["queue"].entity_set, body)

    ws.web(create)


def _admin_edits_tier1(ws: Workspace) -> None:
    (queue,) = ws.rows("queue", name=TIER1)
    ws.update("queue", queue["queueid"], {"msdyn_priority": 30})


@dataclass(frozen=True)
class Attack:
    name: str
    scenario: str
    forge: Forge | None
    expect: int
    named: tuple[str, ...]
    """What the refusal must say (the object and the field that differ)."""
    env: dict[str, str] = field(default_factory=dict)
    meanwhile: Callable[[Workspace], None] | None = None
    """What happens in the organisation between the plan and the apply."""


STALE = ExitCode.STALE_PLAN
ATTACKS = (
    Attack(
        "body-9999-columns-5",
        "edit",
        changed(TIER1_ADDRESS, body=_body(msdyn_priority=9999), columns=_priority_columns(5)),
        STALE,
        (f"{TIER1_ADDRESS}: body.msdyn_priority is 9999 in the saved plan, 11 in a fresh plan",),
    ),
    Attack(
        "body-extra-column",
        "edit",
        changed(TIER1_ADDRESS, body=_body(msdyn_description="planted")),
        STALE,
        (f'{TIER1_ADDRESS}: body.msdyn_description is "planted" in the saved plan, absent',),
    ),
    Attack(
        "columns-only",
        "edit",
        changed(TIER1_ADDRESS, columns=_priority_columns(5)),
        STALE,
        (f"{TIER1_ADDRESS}: columns.msdyn_priority.after is 5 in the saved plan, 11",),
    ),
    Attack(
        "etag-removed",
        "edit",
        changed(TIER1_ADDRESS, etag=None),
        STALE,
        (f"{TIER1_ADDRESS}: etag is null in the saved plan",),
    ),
    Attack(
        "etag-wildcard",
        "edit",
        changed(TIER1_ADDRESS, etag="*"),
        STALE,
        (f'{TIER1_ADDRESS}: etag is "*" in the saved plan',),
    ),
    Attack(
        "id-redirected",
        "edit",
        changed(TIER1_ADDRESS, id=_vip_id),
        STALE,
        (f"{TIER1_ADDRESS}: id is",),
    ),
    Attack(
        "update-made-delete",
        "edit",
        changed(TIER1_ADDRESS, action="delete", body={}, columns=()),
        STALE,
        (f"{TIER1_ADDRESS}: delete is in the saved plan, not in a fresh plan",),
    ),
    Attack(
        "unmanaged-delete-injected",
        "edit",
        _inject_unmanaged_delete,
        STALE,
        ("queue[Default messaging queue]: delete is in the saved plan, not in a fresh plan",),
    ),
    Attack(
        "change-duplicated",
        "edit",
        _duplicate,
        STALE,
        (f"{TIER1_ADDRESS}: update count is 2 in the saved plan, 1 in a fresh plan",),
    ),
    Attack(
        "change-dropped",
        "edit",
        _drop_first,
        STALE,
        (f"{TIER1_ADDRESS}: a fresh plan has update, the saved plan has not",),
    ),
    Attack(
        "label-renamed",
        "edit",
        changed(TIER1_ADDRESS, label="queue 'Harmless'"),
        STALE,
        (f"{TIER1_ADDRESS}: label is \"queue 'Harmless'\" in the saved plan",),
    ),
    Attack(
        "key-renamed",
        "edit",
        changed(TIER1_ADDRESS, key=("SMS Support VIP",)),
        STALE,
        # the address is the key in the configuration's words, which the forgery left alone
        (f'{TIER1_ADDRESS}: key[0] is "SMS Support VIP" in the saved plan',),
    ),
    Attack(
        "read-etag-removed",
        "edit",
        _drop_read_etag,
        STALE,
        ("plan: read_etags.", "is absent in the saved plan"),
    ),
    Attack(
        "read-etag-forged",
        "edit",
        _forge_read_etag,
        STALE,
        ('changed in the organisation (ETag W/"1" →',),
    ),
    Attack(
        "org-redirected",
        "edit",
        planned(org_id="00000000-0000-0000-0000-0000000000aa"),
        STALE,
        ("the plan is for organisation 00000000-0000-0000-0000-0000000000aa",),
    ),
    Attack(
        "target-redirected",
        "edit",
        planned(target="https://contoso.crm.dynamics.com"),
        STALE,
        ("the plan is for target https://contoso.crm.dynamics.com, not local",),
    ),
    Attack(
        "config-digest-forged",
        "edit",
        planned(config_digest="sha256:" + "0" * 64),
        STALE,
        ("the configuration changed since the plan was made",),
    ),
    Attack(
        "admin-edit-meanwhile",
        "edit",
        None,
        STALE,
        (f"queue '{TIER1}' changed in the organisation: msdyn_priority was 10 when planned",),
        meanwhile=_admin_edits_tier1,
    ),
    Attack(
        "unsafe-cleared",
        "delete",
        planned(unsafe=()),
        STALE,
        ('plan: unsafe is [] in the saved plan, ["1 delete(s) of number exceed the limit',),
    ),
    Attack(
        "unsafe-reworded",
        "delete",
        planned(unsafe=("nothing to see here",)),
        STALE,
        ('plan: unsafe[0] is "nothing to see here" in the saved plan',),
    ),
    Attack(
        "allow-all-and-cleared-in-ci",
        "delete",
        planned(unsafe=(), allowed_deletes=DeleteAllowance(all=True)),
        STALE,
        ("plan: allowed_deletes.all is true in the saved plan, false in a fresh plan",),
        env={"SMSCONF_ALLOW_DELETES": ""},
    ),
    Attack(
        "allow-address-and-cleared-in-ci",
        "delete",
        planned(unsafe=(), allowed_deletes=DeleteAllowance(addresses=(NUMBER_ADDRESS,))),
        STALE,
        (f'plan: allowed_deletes.addresses is ["{NUMBER_ADDRESS}"] in the saved plan, []',),
        env={"SMSCONF_ALLOW_DELETES": ""},
    ),
    Attack(
        "allow-all-and-cleared-unattended",
        "delete",
        planned(unsafe=(), allowed_deletes=DeleteAllowance(all=True)),
        ExitCode.UNSAFE_PLAN,
        ("come from the plan file alone",),
    ),
    Attack(
        "allowance-widened",
        "delete",
        planned(allowed_deletes=DeleteAllowance(addresses=("queue[SMS Support VIP]",))),
        STALE,
        ('plan: allowed_deletes.addresses is ["queue[SMS Support VIP]"] in the saved plan, []',),
        env={"SMSCONF_ALLOW_DELETES": ""},
    ),
    Attack(
        "secret-into-name",
        "create",
        _secret_into("msdyn_name"),
        STALE,
        ('secret_columns[0] is "msdyn_name" in the saved plan, "msdyn_securesecret"',),
    ),
    Attack(
        "secret-into-accountsid",
        "create",
        _secret_into("msdyn_accountsid"),
        STALE,
        ('secret_columns[0] is "msdyn_accountsid" in the saved plan',),
    ),
    Attack(
        "secret-dropped",
        "create",
        _no_secret,
        STALE,
        ('secret_columns is [] in the saved plan, ["msdyn_securesecret"] in a fresh plan',),
    ),
    Attack("steps-swapped", "create", _swap_first_steps, STALE, ("plan: change 1 in order is",)),
    Attack("trust-hidden", "create", _hide_secret_use, STALE, ("plan: trust.secrets is [] in",)),
    Attack(
        "link-redirected",
        "create",
        _redirect_link,
        STALE,
        ("quick_reply_link[SMS Sales/Closing]: target_id is", "in the saved plan"),
    ),
    Attack("lookup-redirected", "create", _bind_elsewhere, STALE, ("@odata.bind is",)),
    Attack(
        "create-race",
        "create",
        None,
        STALE,
        (
            f"queue '{TIER1}' was created in the organisation since the plan (queue(",
            "would make a second one",
        ),
        meanwhile=_admin_creates_tier1,
    ),
)


# --- playing one ------------------------------------------------------------------------------


@dataclass
class Outcome:
    attack: str
    exit_code: int
    problems: list[str]
    stderr: str


def org_versions(ws: Workspace) -> dict[str, str]:
    """Every row of every table smsconf writes, by `table(id)`, at its version (ETag)."""

    async def read(dv: DataverseClient) -> dict[str, str]:
        versions = {}
        for table in KEYS:
            key = TABLES[table].primary_key
            for row in await dv.get_all(TABLES[table].entity_set):
                versions[f"{table}({row[key]})"] = str(row.get("@odata.etag"))
        return versions

    return ws.web(read)


def play(ws: Workspace, attack: Attack) -> Outcome:
    """Forge the workspace's saved plan, let the organisation move, apply it; the problems are
    every way the outcome broke the contract."""
    path = ws.root / PLAN
    if attack.forge is not None:
        saved = Plan.from_json(path.read_bytes())
        path.write_text(attack.forge(saved, ws).to_json(), encoding="utf-8")
    if attack.meanwhile is not None:
        attack.meanwhile(ws)
    before = org_versions(ws)
    result = ws.smsconf("apply", "--plan", PLAN, "--auto-approve", env=attack.env)
    problems = []
    if result.exit_code != attack.expect:
        problems.append(f"exit {result.exit_code}, expected {attack.expect}")
    problems += [f"does not say {text!r}" for text in attack.named if text not in result.stderr]
    if "Traceback" in result.output:
        problems.append("traceback")
    after = org_versions(ws)
    if after != before:
        moved = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        problems.append(f"wrote to the organisation: {moved[:3]}")
    return Outcome(attack.name, result.exit_code, problems, result.stderr)


def play_all(work: Path, attacks: tuple[Attack, ...] = ATTACKS) -> list[Outcome]:
    """Every attack on its own copy of its scenario (outside pytest: `bench/reliability.py`)."""
    (work / "applied").mkdir(parents=True)
    applied_db = apply_example(work / "applied")
    prepared = {name: prepare(work / name, applied_db, name) for name in SCENARIOS}
    outcomes = []
    for i, attack in enumerate(attacks):
        with pytest.MonkeyPatch.context() as mp:
            (work / f"attack-{i}").mkdir()
            ws = clone(prepared[attack.scenario], work / f"attack-{i}", mp)
            outcomes.append(play(ws, attack))
    return outcomes
