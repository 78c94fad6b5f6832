"""Organisations differ: plan, apply, drift and export on a current and on an older organisation.

The older one lacks the columns organisations seen live lacked (`schemas/dataverse/observed/`,
derived in the snapshot: phone-number columns of newer releases, the legacy SMS columns and the
per-workstream notification templates of workstreams), but for the ones the example makes
smsconf write; its emulator refuses any request naming them, as a real service does. smsconf
learns the columns first and reads only those, so every flow works on both. A column it must
write makes it refuse, at the YAML object that needs it: the organisation exactly as seen live
refuses the example's consult, transfer and incoming-unauthenticated templates at their fields
(no source says where such an organisation keeps them), and without them converges.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from tests.mapping.test_desired import EXAMPLES, OrgOfNames
from tools.testkit.workspace import DEMO_SECRETS, KEY_VARIABLES, Workspace, ws

from smsconf.config import load_config
from smsconf.connect import open_target
from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.dataverse.errors import BadRequest
from smsconf.dataverse.probe import probe
from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.organisation import OLDER_VERSION, Organisation, observed_absent
from smsconf.exitcodes import ExitCode
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.fields import FIELDS
from smsconf.target import LOCAL, LOCAL_DB, LOCAL_URL

__all__ = ["ws"]  # fixture, used by name

KEYS = DEMO_SECRETS
assert set(KEYS) == set(KEY_VARIABLES)


def become(ws: Workspace, organisation: Organisation | None) -> None:
    """Make the workspace's local organisation `organisation` (None: a current one)."""

    async def seed_demo_rows() -> None:
        async with open_target(LOCAL):
            pass

    asyncio.run(seed_demo_rows())
    if organisation is not None:
        create_app(ws.home / LOCAL_DB, organisation=organisation).close()


def written_by_the_example() -> dict[str, frozenset[str]]:
    """Per table, the columns and lookups the example's desired rows write."""
    rows, _ = desired_rows(load_config([EXAMPLES], env="local"), OrgOfNames())
    written: dict[str, set[str]] = {}
    for row in rows:
        written.setdefault(row.table, set()).update(row.columns, row.links, row.secrets)
    return {t: frozenset(c) for t, c in written.items()}


def older() -> Organisation:
    """Without every column organisations seen live lacked, but for those the example writes."""
    return Organisation.older(keeping=written_by_the_example())


@pytest.fixture(params=["current", "older"])
def org(request: pytest.FixtureRequest, ws: Workspace) -> Workspace:
    become(ws, older() if request.param == "older" else None)
    return ws


def test_the_older_organisation_lacks_what_was_seen_missing() -> None:
    """Derived from the sources, not written here: the columns audit §2 #9 names among them."""
    variant = older()
    assert variant.absent["msdyn_ocphonenumber"] >= {
        "msdyn_formattedphonenumber",
        "msdyn_phonenumbertype",
        "msdyn_objective",
        "msdyn_teamsresourceaccount",
    }
    assert variant.absent["msdyn_liveworkstream"] >= {"msdyn_smsprovider", "msdyn_twilioinboundurl"}
    kept = observed_absent()["msdyn_liveworkstream"] - variant.absent["msdyn_liveworkstream"]
    assert "msdyn_notificationtemplate_consult" in kept  # the example writes it


def test_an_organisation_as_seen_live_refuses_the_example_s_notification_templates(
    ws: Workspace,
) -> None:
    """A 2026 live organisation has no per-workstream consult/transfer/incoming_unauth
    template columns; smsconf must write them for the example, so it says so where they are
    asked for, and writes nothing."""
    become(ws, Organisation.older())
    result = ws.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    slots = {
        "incoming_unauthenticated": "incoming_unauth",
        "consult": "consult",
        "transfer": "transfer",
    }
    for slot, column in slots.items():
        assert (
            f"workstream 'SMS Support': workstreams[SMS Support].advanced.notification_templates."
            f"{slot} needs column msdyn_notificationtemplate_{column} on table "
            f"msdyn_liveworkstream, which this organisation (version {OLDER_VERSION}) does not have"
        ) in result.output
        assert f"(at workstreams[0].advanced.notification_templates.{slot})" in result.output
    assert "this one lives in msdyn_channelprofilenotificationtemplate" in result.output
    assert "hint: remove the field for this organisation and set the template" in result.output
    assert f"{len(slots)} error(s)" in result.output  # incoming_authenticated: every version has it
    assert "notification_templates.incoming_authenticated" not in result.output
    assert not ws.rows("msdyn_liveworkstream")


def test_without_the_refused_templates_the_live_organisation_converges(ws: Workspace) -> None:
    """What the refusal advises works: drop the three fields, and plan, apply, re-plan and the
    export's round trip all pass on the organisation as seen live, writing the template every
    version has."""
    become(ws, Organisation.older())
    channels = ws.config
    text = channels.read_text(encoding="utf-8")
    for slot in ("incoming_unauthenticated", "consult", "transfer"):
        text, dropped = re.subn(rf"\n +{slot}: [^\n]+", "", text)
        assert dropped == 1, slot
    channels.write_text(text, encoding="utf-8")
    assert ws.apply().exit_code == ExitCode.OK
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    (stream,) = ws.rows("msdyn_liveworkstream", msdyn_name="SMS Support")
    assert stream["msdyn_notificationtemplate_incoming_auth"]
    exported = ws.smsconf("export", "--out", "exported")
    assert exported.exit_code == ExitCode.OK, exported.output
    written = "".join(p.read_text(encoding="utf-8") for p in (ws.root / "exported").rglob("*.y*ml"))
    assert "incoming_authenticated: SMS - incoming authenticated - default" in written
    assert "consult:" not in written
    replan = ws.smsconf("plan", "exported", "--detailed-exitcode", env=KEYS)
    assert replan.exit_code == ExitCode.OK, replan.output


def test_the_older_organisation_refuses_what_it_lacks(ws: Workspace) -> None:
    """The variant is real: a query naming an absent column is the service's 400."""
    become(ws, older())

    async def select_objective() -> None:
        app = create_app(ws.home / LOCAL_DB, base_url=LOCAL_URL)
        transport = httpx.ASGITransport(app=app)
        try:
            async with DataverseClient(LOCAL_URL, StaticToken("t"), transport=transport) as dv:
                schema = await probe(dv, ["msdyn_ocphonenumber", "queue"])
                assert schema.version == OLDER_VERSION
                assert not schema.has("msdyn_ocphonenumber", "msdyn_objective")
                assert schema.has("msdyn_ocphonenumber", "msdyn_phonenumber")
                await dv.get_all("msdyn_ocphonenumbers", select=["msdyn_objective"])
        finally:
            app.close()

    with pytest.raises(BadRequest, match="msdyn_objective"):
        asyncio.run(select_objective())


def test_plan_apply_drift_and_export_on_each_organisation(org: Workspace) -> None:
    first = org.plan("--detailed-exitcode")
    assert first.exit_code == ExitCode.CHANGES, first.output
    applied = org.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    again = org.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes." in again.stdout
    drift = org.smsconf("drift", "examples/")
    assert drift.exit_code == ExitCode.OK, drift.output
    (queue,) = org.rows("queue", name="SMS Support Tier 1")
    org.update_as("Dana Admin", "queue", str(queue["queueid"]), {"msdyn_priority": 42})
    drift = org.smsconf("drift", "examples/")
    assert drift.exit_code == ExitCode.CHANGES, drift.output
    assert "by Dana Admin on " in drift.stdout
    assert "queues[SMS Support Tier 1].priority: 10 → 42" in drift.stdout
    assert org.apply().exit_code == ExitCode.OK
    exported = org.smsconf("export", "--out", "exported")
    assert exported.exit_code == ExitCode.OK, exported.output
    replan = org.smsconf("plan", "exported", "--detailed-exitcode", env=KEYS)
    assert replan.exit_code == ExitCode.OK, replan.output
    assert "No changes." in replan.stdout


def test_a_column_smsconf_must_write_is_refused_where_the_yaml_asks_for_it(ws: Workspace) -> None:
    become(ws, Organisation("9.2.21000.1", {"msdyn_ocphonenumber": frozenset({"msdyn_type"})}))
    result = ws.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert (
        "number 14255550100 needs msdyn_type written, but this organisation "
        "(version 9.2.21000.1) has no column msdyn_type on table msdyn_ocphonenumber"
    ) in result.output
    assert "examples/channels.yaml:" in result.output
    assert "(at accounts[0].numbers[0])" in result.output
    assert "hint: update the organisation's" in result.output
    assert not ws.rows("msdyn_ocphonenumber", msdyn_phonenumber="14255550100")


def test_the_field_map_explains_exactly_the_template_columns_a_live_organisation_lacked() -> None:
    """A notification-template field carries the refusal's reason iff its column is one an
    organisation seen live lacked (from the snapshot, not from the field map)."""
    lacked = observed_absent()["msdyn_liveworkstream"]
    templates = [f for f in FIELDS if f.model == "NotificationTemplates"]
    assert templates
    for entry in templates:
        assert (entry.when_absent is not None) == (entry.column in lacked), entry.name
    assert "msdyn_notificationtemplate_incoming_auth" not in lacked
