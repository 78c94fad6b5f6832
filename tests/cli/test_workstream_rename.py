"""`renamed_from:` on a workstream: renamed in place, its channel, messages and routing with it.

A workstream's rows are keyed by its name (its channel, messages, capacity profile link,
context variables and routing configuration through it), and its routing rows by unique names
smsconf built from the name it was created under. A rename keeps every id and every unique
name (an identifier never changes), updates each `msdyn_name` built from the workstream's name
on the same row, and leaves nothing behind: once applied, the plan is empty, with
`renamed_from:` still written or taken out again.
"""

from __future__ import annotations

import json

from tools.testkit.workspace import Workspace, applied, applied_db, duplicates, ws

from smsconf.exitcodes import ExitCode
from smsconf.mapping.keys import KEYS
from smsconf.platform import TABLES

__all__ = ["applied", "applied_db", "ws"]  # fixtures, used by name

RENAME = (
    "  - name: SMS Sales\n    fallback_queue",
    "  - name: SMS Sales US\n    renamed_from: SMS Sales\n    fallback_queue",
)
NAMED_AFTER_IT = {  # every column built from the workstream's name, before → after
    "msdyn_liveworkstream": ("SMS Sales", "SMS Sales US"),
    "msdyn_liveworkstreamcapacityprofile": (
        "SMS Sales - SMS sales profile",
        "SMS Sales US - SMS sales profile",
    ),
    "msdyn_ocsmschannelsetting": ("SMS Sales", "SMS Sales US"),
    "msdyn_ocsystemmessage": ("SMS Sales - greeting", "SMS Sales US - greeting"),
    "msdyn_routingconfiguration": ("SMS Sales routing", "SMS Sales US routing"),
}


def test_a_workstream_renamed_with_renamed_from_is_updated_in_place(applied: Workspace) -> None:
    ws = applied
    before = {
        table: {r.get("msdyn_name", ""): r for r in ws.rows(table)} for table in NAMED_AFTER_IT
    }
    ids_before = {t: sorted(ws_id(t, r) for r in ws.rows(t)) for t in KEYS}
    counts_before = {t: sum(c.values()) for t, c in ws.key_counts().items()}
    ws.edit(*RENAME)

    planned = ws.plan("--format", "json", "--skip-credentials")
    plan = json.loads(planned.stdout)
    changes = plan["resource_changes"]
    assert plan["summary"] == {
        "create": 0,
        "update": 5,
        "delete": 0,
        "associate": 0,
        "disassociate": 0,
    }
    assert {c["table"] for c in changes} == set(NAMED_AFTER_IT)
    for change in changes:
        old, new = NAMED_AFTER_IT[change["table"]]
        (column,) = change["columns"]
        assert (column["column"], column["before"], column["after"]) == ("msdyn_name", old, new)
        assert change["id"] == ws_id(change["table"], before[change["table"]][old])
        assert "renamed from 'SMS Sales' (renamed_from)" in change["reason"]
    (workstream,) = [c for c in changes if c["table"] == "msdyn_liveworkstream"]
    assert workstream["path"] == "workstreams[SMS Sales US]"
    assert workstream["columns"][0]["field"] == "workstreams[SMS Sales US].name"

    text = ws.plan("--skip-credentials").stdout
    assert "~   1. update workstream 'SMS Sales US'" in text
    assert "why: renamed from 'SMS Sales' (renamed_from)" in text
    assert "create" not in text.split("Plan:")[1] and "delete" not in text.split("Plan:")[1]

    assert ws.apply().exit_code == ExitCode.OK
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK  # renamed_from still there
    ws.edit("    renamed_from: SMS Sales\n", "")
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK  # and without it

    counts = ws.key_counts()
    assert duplicates(counts) == []
    assert {t: sum(c.values()) for t, c in counts.items()} == counts_before  # no orphan row
    assert {t: sorted(ws_id(t, r) for r in ws.rows(t)) for t in KEYS} == ids_before  # same ids
    assert ws.rows("msdyn_liveworkstream", msdyn_name="SMS Sales") == []
    for table, (_, new) in NAMED_AFTER_IT.items():
        assert len(ws.rows(table, msdyn_name=new)) == 1, table


def ws_id(table: str, row: dict[str, object]) -> str:
    return str(row[TABLES[table].primary_key])


def test_the_old_name_may_not_stay_declared(ws: Workspace) -> None:
    ws.edit(*RENAME)
    (ws.config_dir / "sales.yaml").write_text(
        "workstreams:\n  - name: SMS Sales\n    fallback_queue: SMS Sales\n", encoding="utf-8"
    )
    result = ws.smsconf("validate", "examples/")
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert "renamed_from 'SMS Sales' is the name of another object declared under workstreams:" in (
        result.output
    )
