"""The platform completes every new workstream (its plug-ins, `emulator/dataverse/plugins.py`):
smsconf converges with what it adds and never deletes it.

The local organisation plays the plug-ins by default. With the organisation's default messaging
capacity profile installed (as the Omnichannel solution installs its out-of-the-box rows), each
workstream smsconf creates gets the platform's capacity link to it; a workstream created without
a routing contract gets the platform's own. A plan right after apply shows no changes, and
the platform's rows are still there after a second apply.
"""

from __future__ import annotations

import re
from typing import Any

from tests.reconcile.test_organisations import become
from tools.testkit.workspace import DEMO_SECRETS, Workspace, ws

from smsconf.emulator.dataverse.organisation import Organisation
from smsconf.emulator.dataverse.outofbox import SMS_TEMPLATES
from smsconf.emulator.dataverse.plugins import DEFAULT_PROFILE
from smsconf.exitcodes import ExitCode

__all__ = ["ws"]  # the fixture, used by name

PROFILE_NAME = "Default messaging profile"


def install_default_profile(ws: Workspace) -> str:
    """The organisation's out-of-the-box messaging capacity profile, as its solution has it."""

    async def create(dv: Any) -> str:
        made = await dv.create(
            "msdyn_capacityprofiles",
            {"msdyn_name": PROFILE_NAME, "msdyn_uniquename": DEFAULT_PROFILE},
        )
        return str(made)

    ws.web(create)
    (profile,) = ws.rows("msdyn_capacityprofile", msdyn_uniquename=DEFAULT_PROFILE)
    return str(profile["msdyn_capacityprofileid"])


def platform_links(ws: Workspace, profile_id: str) -> list[dict[str, Any]]:
    return ws.rows(
        "msdyn_liveworkstreamcapacityprofile", _msdyn_capacityprofile_id_value=profile_id
    )


def test_smsconf_converges_with_the_platform_s_capacity_links(ws: Workspace) -> None:
    assert ws.plan().exit_code == ExitCode.OK  # creates the local organisation
    profile_id = install_default_profile(ws)
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    workstreams = ws.rows("msdyn_liveworkstream")
    links = platform_links(ws, profile_id)
    assert len(workstreams) >= 2
    assert sorted(link["_msdyn_workstream_id_value"] for link in links) == sorted(
        w["msdyn_liveworkstreamid"] for w in workstreams
    )
    assert all(link["msdyn_name"] == f"{PROFILE_NAME}-{profile_id}" for link in links)

    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes." in again.stdout
    assert ws.apply().exit_code == ExitCode.OK
    assert len(platform_links(ws, profile_id)) == len(links)
    # smsconf's own routing contract stays on each workstream: the platform fills only an
    # empty one, and smsconf binds its contract when it creates the workstream.
    contracts = {c["msdyn_decisioncontractid"]: c for c in ws.rows("msdyn_decisioncontract")}
    for workstream in workstreams:
        contract = contracts[workstream["_msdyn_routingcontractid_value"]]
        assert not contract["msdyn_uniquename"].startswith(
            "msdyn_" + workstream["msdyn_liveworkstreamid"][:8]
        )


def test_a_workstream_created_without_a_contract_gets_the_platform_s(ws: Workspace) -> None:
    assert ws.plan().exit_code == ExitCode.OK

    async def create(dv: Any) -> str:
        return str(
            await dv.create(
                "msdyn_liveworkstreams",
                {"msdyn_name": "Made in the admin center", "msdyn_streamsource": 192340000},
            )
        )

    ws.web(create)
    (made,) = ws.rows("msdyn_liveworkstream", msdyn_name="Made in the admin center")
    contract_id = made["_msdyn_routingcontractid_value"]
    assert contract_id is not None
    (contract,) = ws.rows("msdyn_decisioncontract", msdyn_decisioncontractid=contract_id)
    assert contract["msdyn_uniquename"] == "msdyn_" + made["msdyn_liveworkstreamid"].replace(
        "-", ""
    )
    # Not smsconf's: left alone by a plan of the example.
    planned = ws.plan()
    assert planned.exit_code == ExitCode.OK, planned.output
    assert "Made in the admin center" in planned.output  # listed as unmanaged
    assert f"delete routing contract '{contract['msdyn_name']}'" not in planned.output


OUT_OF_THE_BOX = {t.column: t.unique_name for t in SMS_TEMPLATES}


def templates_of(ws: Workspace, name: str, columns: list[str]) -> dict[str, Any]:
    (row,) = ws.rows("msdyn_liveworkstream", msdyn_name=name)
    return {c: row[c] for c in columns}


def exported_and_replanned(ws: Workspace) -> str:
    """The export's YAML, after checking that a plan of it against the same org is empty."""
    exported = ws.smsconf("export", "--out", "exported")
    assert exported.exit_code == ExitCode.OK, exported.output
    replan = ws.smsconf("plan", "exported", "--detailed-exitcode", env=DEMO_SECRETS)
    assert replan.exit_code == ExitCode.OK, replan.output
    return "".join(p.read_text(encoding="utf-8") for p in (ws.root / "exported").rglob("*.y*ml"))


def test_smsconf_converges_with_the_platform_s_default_templates(ws: Workspace) -> None:
    """An SMS workstream the YAML gives no templates gets the out-of-the-box ones from the
    platform; one the YAML names is kept; a plan after apply is empty; export shows them."""
    assert ws.plan().exit_code == ExitCode.OK

    async def custom(dv: Any) -> str:
        body = {"msdyn_name": "My consult", "msdyn_uniquename": "new_myconsult"}
        return str(await dv.create("msdyn_notificationtemplates", body))

    ws.web(custom)
    ws.edit(
        "  - name: SMS session - default\n",
        "  - name: My consult\n    kind: notification\n    unique_name: new_myconsult\n"
        "  - name: SMS session - default\n",
    )
    ws.edit("        consult: SMS - consult - default\n", "        consult: My consult\n")
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output

    columns = [*OUT_OF_THE_BOX, "msdyn_notificationtemplate_supervisorassign"]
    named = templates_of(ws, "SMS Support", columns)
    assert named["msdyn_notificationtemplate_consult"] == "new_myconsult"  # the YAML wins
    unnamed = templates_of(ws, "SMS Sales", columns)
    assert unnamed == {**OUT_OF_THE_BOX, "msdyn_notificationtemplate_supervisorassign": None}

    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes." in again.stdout
    written = exported_and_replanned(ws)
    assert "consult: My consult" in written
    others = len(ws.rows("msdyn_liveworkstream")) - 1  # every workstream but SMS Support
    assert written.count("consult: SMS - consult - default") == others


def test_on_an_organisation_as_seen_live_only_its_columns_get_templates(ws: Workspace) -> None:
    """The organisation without the per-scenario columns: the platform fills the session and
    incoming-authenticated templates it has, and smsconf converges with them."""
    become(ws, Organisation.older())
    text = ws.config.read_text(encoding="utf-8")
    for slot in ("incoming_unauthenticated", "consult", "transfer"):
        text, dropped = re.subn(rf"\n +{slot}: [^\n]+", "", text)
        assert dropped == 1, slot
    ws.config.write_text(text, encoding="utf-8")
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    present = ["msdyn_sessiontemplate_default", "msdyn_notificationtemplate_incoming_auth"]
    assert templates_of(ws, "SMS Sales", present) == {c: OUT_OF_THE_BOX[c] for c in present}
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    written = exported_and_replanned(ws)
    assert "consult:" not in written
    assert written.count("session_template: SMS session - default") == len(
        ws.rows("msdyn_liveworkstream")
    )
