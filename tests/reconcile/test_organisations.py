"""Organisations differ: plan, apply, drift and export on a current and on an older organisation.

The older one lacks the version-dependent columns smsconf reads (phone-number columns of newer
releases, the legacy SMS columns of workstreams; `emulator/dataverse/organisation.py`), and its
emulator refuses any request naming them, as a real service does. smsconf learns the columns
first and reads only those, so every flow works on both; only a column it must write makes it
refuse, at the YAML object that needs it.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from tools.testkit.workspace import DEMO_SECRETS, KEY_VARIABLES, Workspace, ws

from smsconf.connect import open_target
from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.dataverse.errors import BadRequest
from smsconf.dataverse.probe import probe
from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.organisation import OLDER_VERSION, Organisation
from smsconf.exitcodes import ExitCode
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


@pytest.fixture(params=["current", "older"])
def org(request: pytest.FixtureRequest, ws: Workspace) -> Workspace:
    become(ws, Organisation.older() if request.param == "older" else None)
    return ws


def test_the_older_organisation_refuses_what_it_lacks(ws: Workspace) -> None:
    """The variant is real: a query naming an absent column is the service's 400."""
    become(ws, Organisation.older())

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
