"""The platform's plug-ins on workstream create: an SMS workstream gets the out-of-the-box SMS
templates in the template columns its create leaves empty and its organisation has; a template
the create names stays; other channels and an organisation without plug-ins get none."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tests.emulator.dataverse.conftest import API, AUTH, create

from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.organisation import Organisation, observed_absent
from smsconf.emulator.dataverse.outofbox import SMS_TEMPLATES

SMS = 192340000  # msdyn_streamsource "SMS" on Microsoft's msdyn_liveworkstream page
EXPECTED = {t.column: t.unique_name for t in SMS_TEMPLATES}
COLUMNS = [*EXPECTED, "msdyn_notificationtemplate_supervisorassign"]


async def client_of(organisation: Organisation) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(organisation=organisation)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH) as http:
        yield http
    app.close()


@pytest.fixture
async def older() -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_of(Organisation.older()):
        yield http


@pytest.fixture
async def no_plugins() -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_of(Organisation.without_plugins()):
        yield http


async def workstream(
    http: httpx.AsyncClient, columns: list[str], **body: object
) -> dict[str, object]:
    made = await create(http, "msdyn_liveworkstreams", {"msdyn_name": "W", **body})
    got = await http.get(f"msdyn_liveworkstreams({made})", params={"$select": ",".join(columns)})
    assert got.status_code == 200, got.text
    return {c: got.json()[c] for c in columns}


async def test_an_sms_workstream_gets_the_out_of_the_box_sms_templates(
    client: httpx.AsyncClient,
) -> None:
    row = await workstream(client, COLUMNS, msdyn_streamsource=SMS)
    # Microsoft lists no supervisor-assign template for SMS: that column stays empty.
    assert row == {**EXPECTED, "msdyn_notificationtemplate_supervisorassign": None}


async def test_a_template_the_create_names_stays(client: httpx.AsyncClient) -> None:
    mine = {"msdyn_notificationtemplate_consult": "new_my_consult"}
    row = await workstream(client, COLUMNS, msdyn_streamsource=SMS, **mine)
    assert row["msdyn_notificationtemplate_consult"] == "new_my_consult"
    assert (
        row["msdyn_notificationtemplate_transfer"]
        == EXPECTED["msdyn_notificationtemplate_transfer"]
    )


async def test_only_the_columns_the_organisation_has_are_filled(
    older: httpx.AsyncClient,
) -> None:
    absent = observed_absent()["msdyn_liveworkstream"]
    assert "msdyn_notificationtemplate_consult" in absent  # as the live organisation lacks it
    present = [c for c in COLUMNS if c not in absent]
    row = await workstream(older, present, msdyn_streamsource=SMS)
    assert row == {c: EXPECTED[c] for c in present if c in EXPECTED}
    assert set(present) == {
        "msdyn_sessiontemplate_default",
        "msdyn_notificationtemplate_incoming_auth",
    }


async def test_other_channels_and_organisations_without_plug_ins_get_none(
    client: httpx.AsyncClient, no_plugins: httpx.AsyncClient
) -> None:
    live_chat = await workstream(client, COLUMNS, msdyn_streamsource=192360000)
    assert set(live_chat.values()) == {None}
    sms = await workstream(no_plugins, COLUMNS, msdyn_streamsource=SMS)
    assert set(sms.values()) == {None}
