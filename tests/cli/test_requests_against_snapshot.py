"""Every request plan, apply, export and drift send is one a real organisation would accept.

The recorder wraps the emulator's `Service.handle` (it answers as before; it only notes each
call, `$batch` parts included), and every call is then checked against Microsoft's pages as the
committed snapshot has them: entity sets, `$select`/`$filter`/`$orderby` columns, `$expand` and
`@odata.bind` navigation names (case-sensitive), body columns valid for create or update, option
values and string lengths. The emulator's own checks are not trusted here: this is the check that
does not depend on what smsconf or its emulator believe.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from tools.testkit.workspace import Workspace, ws

from smsconf.emulator.dataverse.protocol import Call, Reply
from smsconf.emulator.dataverse.service import Service
from smsconf.exitcodes import ExitCode
from smsconf.platform.snapshot import Snapshot, SnapshotTable, load_snapshot

__all__ = ["ws"]  # the fixture, used by name

# Service operations that are not entity sets (WhoAmI and friends, metadata, batches).
NOT_TABLES = frozenset(
    {
        "WhoAmI",
        "RetrieveVersion",
        "BulkDelete",
        "sdkmessagefilters",
        "$metadata",
        "$batch",
        "RelationshipDefinitions",
        "EntityDefinitions",
    }
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILTER_NAME = re.compile(
    r"(?<![\w'])([A-Za-z_][A-Za-z0-9_]*)\s+(?:eq|ne|gt|ge|lt|le)\s|"
    r"(?:contains|startswith|endswith)\(\s*([A-Za-z_][A-Za-z0-9_]*)"
)
_SET = re.compile(r"^/?(?:api/data/v9\.\d/)?([A-Za-z_$][A-Za-z0-9_]*)(\([^)]*\))?(?:/(.*))?$")


def _column(name: str) -> str:
    """The column behind a read name: `_x_value` is lookup `x`."""
    match = re.fullmatch(r"_(.+)_value", name)
    return match.group(1) if match else name


def _navigations(snapshot: Snapshot, table: SnapshotTable) -> set[str]:
    names = {r["navigation"] for r in table.data["many_to_one"] if r["navigation"]}
    names |= {r["navigation"] for r in table.data["one_to_many"] if r["navigation"]}
    for rel in snapshot.data["many_to_many"]:
        side = rel["sides"].get(table.logical_name)
        if side:  # a side no page describes navigates by the relationship's name
            names.add(side["navigation"] or rel["schema_name"])
    for attribute in table.attributes():  # a lookup with no relationship block: Dataverse's
        # default, the SchemaName of a solution's column, the logical name of a system one
        if attribute.type in ("Lookup", "Customer", "Owner") and "navigation" not in attribute.data:
            custom = attribute.logical_name.startswith(("msdyn_", "msfp_"))
            names.add(str(attribute.data["schema_name"]) if custom else attribute.logical_name)
    return names


def _check_body(table: SnapshotTable, method: str, body: dict[str, Any], where: str) -> list[str]:
    problems = []
    navigations = _navigations(load_snapshot(), table)
    for key, value in body.items():
        if key.startswith("@"):
            continue
        if key.endswith("@odata.bind"):
            navigation = key.removesuffix("@odata.bind")
            if navigation not in navigations:
                problems.append(f"{where}: bind to unknown navigation {navigation}")
            continue
        if "@" in key:
            continue
        attribute = table.attribute(key)
        if attribute is None:
            problems.append(f"{where}: unknown column {key}")
            continue
        if method == "POST" and not attribute.valid_for_create:
            problems.append(f"{where}: {key} is not valid for create")
        if method == "PATCH" and not attribute.valid_for_update:
            problems.append(f"{where}: {key} is not valid for update")
        if isinstance(value, str) and attribute.max_length and len(value) > attribute.max_length:
            problems.append(f"{where}: {key} longer than {attribute.max_length}")
        allowed = attribute.option_values
        picked = attribute.type in ("Picklist", "State", "Status") and value is not None
        if picked and value not in allowed:
            problems.append(f"{where}: {key}={value} is not an option")
        if attribute.type == "MultiSelectPicklist" and isinstance(value, str):
            chosen = {int(v) for v in value.split(",") if v.strip()}
            if chosen - allowed:
                problems.append(f"{where}: {key} options {sorted(chosen - allowed)} unknown")
    return problems


def violations(call: Call) -> list[str]:
    """What a real organisation would refuse in one call, by the snapshot."""
    snapshot = load_snapshot()
    match = _SET.match(call.path)
    if match is None or match.group(1) in NOT_TABLES or match.group(1).startswith("$"):
        return []
    where = f"{call.method} {call.path}"
    table = snapshot.by_entity_set(match.group(1))
    if table is None:
        return [f"{where}: no entity set {match.group(1)}"]
    problems = []
    rest = match.group(3) or ""
    if rest:
        navigation = rest.split("/")[0]
        if navigation not in _navigations(snapshot, table) and table.attribute(navigation) is None:
            problems.append(f"{where}: unknown navigation {navigation}")
        return problems
    select = call.query.get("$select", "")
    for name in filter(None, (n.strip() for n in select.split(","))):
        if table.attribute(_column(name)) is None:
            problems.append(f"{where}: $select of unknown column {name}")
    for found in _FILTER_NAME.finditer(call.query.get("$filter", "")):
        name = found.group(1) or found.group(2)
        if name not in ("not", "and", "or") and table.attribute(_column(name)) is None:
            problems.append(f"{where}: $filter on unknown column {name}")
    for part in filter(None, call.query.get("$orderby", "").split(",")):
        name = part.split()[0]
        if table.attribute(_column(name)) is None:
            problems.append(f"{where}: $orderby on unknown column {name}")
    expand = call.query.get("$expand", "")
    for navigation in re.findall(r"(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)", expand):
        if navigation not in _navigations(snapshot, table):
            problems.append(f"{where}: $expand of unknown navigation {navigation}")
    if call.method in ("POST", "PATCH") and call.body:
        body = json.loads(call.body)
        if isinstance(body, dict):
            problems += _check_body(table, call.method, body, where)
    return problems


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    calls: list[Call] = []
    handle = Service.handle

    def recording(self: Service, call: Call, content_ids: Any = None) -> Reply:
        calls.append(call)
        return handle(self, call, content_ids)

    monkeypatch.setattr(Service, "handle", recording)
    return calls


def test_every_request_of_the_flows_is_valid_by_the_snapshot(
    ws: Workspace, recorded: list[Call]
) -> None:
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.CHANGES
    assert ws.apply().exit_code == ExitCode.OK
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK
    assert ws.smsconf("export", "--out", "exported").exit_code == ExitCode.OK
    assert ws.smsconf("drift", "examples/").exit_code == ExitCode.OK
    assert len(recorded) > 20
    problems = {re.sub(r"\([0-9a-f-]{36}\)", "(id)", p) for c in recorded for p in violations(c)}
    assert sorted(problems) == [], "\n".join(sorted(problems))


def test_the_checker_sees_a_wrong_name() -> None:
    """The check can fail: a lower-case capacity-profile bind and a made-up column are caught."""
    bad = Call(
        "POST",
        "msdyn_liveworkstreamcapacityprofiles",
        {"$select": "msdyn_name,msdyn_nope"},
        {},
        json.dumps(
            {"msdyn_capacityprofile_id@odata.bind": "/msdyn_capacityprofiles(1)", "msdyn_x": 1}
        ).encode(),
        "",
    )
    assert len(violations(bad)) == 3
