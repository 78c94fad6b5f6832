"""What the org's database enforces: existing bind targets, unique keys, delete behaviours."""

from __future__ import annotations

import uuid

import httpx
from tests.emulator.dataverse.conftest import account_with_number, create, error_of

from smsconf.emulator.dataverse.seed import seed_id

ENGLISH = seed_id("msdyn_oclanguage", "1033")
ACCOUNTS = "msdyn_occommunicationprovidersettings"
NUMBERS = "msdyn_ocphonenumbers"
WORKSTREAMS = "msdyn_liveworkstreams"


async def test_delete_clears_lookups_pointing_at_the_row(client: httpx.AsyncClient) -> None:
    account, number = await account_with_number(client, "/")
    await client.delete(f"{ACCOUNTS}({account})")
    row = (await client.get(f"{NUMBERS}({number})")).json()
    assert row["_msdyn_occommunicationprovidersettingid_value"] is None


async def test_bind_to_missing_row_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        NUMBERS,
        json={
            "msdyn_communicationprovidersettingid@odata.bind": f"/{ACCOUNTS}({uuid.uuid4()})",
        },
    )
    assert error_of(response)[:2] == (404, "0x80040217")


async def test_bind_to_wrong_table_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        NUMBERS,
        json={
            "msdyn_communicationprovidersettingid@odata.bind": f"/msdyn_oclanguages({ENGLISH})",
        },
    )
    assert response.status_code == 400


async def test_alternate_key_is_unique(client: httpx.AsyncClient) -> None:
    await create(client, "msdyn_decisioncontracts", {"msdyn_uniquename": "new_x"})
    again = await client.post("msdyn_decisioncontracts", json={"msdyn_uniquename": "NEW_X"})
    assert error_of(again)[:2] == (412, "0x80040237")


async def test_deleting_a_number_cascades_to_its_channel(client: httpx.AsyncClient) -> None:
    number = await create(client, NUMBERS, {"msdyn_name": "n"})
    workstream = await create(client, WORKSTREAMS, {"msdyn_name": "w"})
    channel = await create(
        client,
        "msdyn_ocsmschannelsettings",
        {
            "msdyn_PhoneNumberId@odata.bind": f"/{NUMBERS}({number})",
            "msdyn_liveworkstreamid@odata.bind": f"/{WORKSTREAMS}({workstream})",
        },
    )
    await client.delete(f"{WORKSTREAMS}({workstream})")
    unlinked = (await client.get(f"msdyn_ocsmschannelsettings({channel})")).json()
    assert unlinked["_msdyn_liveworkstreamid_value"] is None
    await client.delete(f"{NUMBERS}({number})")
    assert (await client.get(f"msdyn_ocsmschannelsettings({channel})")).status_code == 404
