"""CreateMultiple, UpdateMultiple, UpsertMultiple: ids in order, all-or-nothing."""

from __future__ import annotations

import uuid

import httpx
from tests.emulator.dataverse.conftest import create, error_of

ACCOUNTS = "msdyn_occommunicationprovidersettings"
NUMBERS = "msdyn_ocphonenumbers"


async def test_create_multiple_returns_ids_in_order(client: httpx.AsyncClient) -> None:
    targets = [
        {
            "@odata.type": "Microsoft.Dynamics.CRM.msdyn_occommunicationprovidersetting",
            "msdyn_name": f"a{i}",
        }
        for i in range(3)
    ]
    response = await client.post(
        f"{ACCOUNTS}/Microsoft.Dynamics.CRM.CreateMultiple", json={"Targets": targets}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("#Microsoft.Dynamics.CRM.CreateMultipleResponse")
    names = [(await client.get(f"{ACCOUNTS}({i})")).json()["msdyn_name"] for i in body["Ids"]]
    assert names == ["a0", "a1", "a2"]


async def test_create_multiple_is_all_or_nothing(client: httpx.AsyncClient) -> None:
    kind = "Microsoft.Dynamics.CRM.msdyn_ocphonenumber"
    targets = [{"@odata.type": kind, "msdyn_name": "ok"}, {"@odata.type": kind, "msdyn_type": 1}]
    response = await client.post(
        f"{NUMBERS}/Microsoft.Dynamics.CRM.CreateMultiple", json={"Targets": targets}
    )
    assert error_of(response)[:2] == (400, "0x8004431a")
    assert (await client.get(NUMBERS)).json()["value"] == []


async def test_bulk_needs_odata_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{NUMBERS}/Microsoft.Dynamics.CRM.CreateMultiple", json={"Targets": [{"msdyn_name": "x"}]}
    )
    assert response.status_code == 400


async def test_update_multiple_and_missing_target_rolls_back(client: httpx.AsyncClient) -> None:
    kind = "Microsoft.Dynamics.CRM.msdyn_ocphonenumber"
    first = await create(client, NUMBERS, {"msdyn_name": "a"})
    ok = await client.post(
        f"{NUMBERS}/Microsoft.Dynamics.CRM.UpdateMultiple",
        json={
            "Targets": [{"@odata.type": kind, "msdyn_ocphonenumberid": first, "msdyn_name": "b"}]
        },
    )
    assert ok.status_code == 204
    bad = await client.post(
        f"{NUMBERS}/Microsoft.Dynamics.CRM.UpdateMultiple",
        json={
            "Targets": [
                {"@odata.type": kind, "msdyn_ocphonenumberid": first, "msdyn_name": "c"},
                {"@odata.type": kind, "msdyn_ocphonenumberid": str(uuid.uuid4())},
            ]
        },
    )
    assert bad.status_code == 404
    assert (await client.get(f"{NUMBERS}({first})")).json()["msdyn_name"] == "b"


async def test_upsert_multiple_by_id_and_alternate_key(client: httpx.AsyncClient) -> None:
    kind = "Microsoft.Dynamics.CRM.msdyn_decisioncontract"
    existing = await create(client, "msdyn_decisioncontracts", {"msdyn_uniquename": "new_a"})
    fresh = str(uuid.uuid4())
    response = await client.post(
        "msdyn_decisioncontracts/Microsoft.Dynamics.CRM.UpsertMultiple",
        json={
            "Targets": [
                {
                    "@odata.type": kind,
                    "@odata.id": "msdyn_decisioncontracts(msdyn_uniquename='new_a')",
                    "msdyn_name": "updated",
                },
                {
                    "@odata.type": kind,
                    "@odata.id": "msdyn_decisioncontracts(msdyn_uniquename='new_b')",
                    "msdyn_name": "created",
                },
                {"@odata.type": kind, "msdyn_decisioncontractid": fresh, "msdyn_name": "by id"},
            ]
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"msdyn_decisioncontracts({existing})")).json()["msdyn_name"] == (
        "updated"
    )
    created = (await client.get("msdyn_decisioncontracts(msdyn_uniquename='new_b')")).json()
    assert created["msdyn_name"] == "created"
    assert (await client.get(f"msdyn_decisioncontracts({fresh})")).json()["msdyn_name"] == "by id"
