"""Unbound functions and actions: WhoAmI and BulkDelete."""

from __future__ import annotations

import uuid

import httpx
import pytest
from tests.emulator.dataverse.conftest import create

from smsconf.emulator.dataverse import DataverseEmulator
from smsconf.emulator.dataverse.seed import seed_id

ACCOUNTS = "msdyn_occommunicationprovidersettings"


async def test_whoami(client: httpx.AsyncClient, app: DataverseEmulator) -> None:
    body = (await client.get("WhoAmI")).json()
    assert set(body) == {"@odata.context", "UserId", "BusinessUnitId", "OrganizationId"}
    assert body["OrganizationId"] == app.org_id
    assert body["UserId"] == seed_id("systemuser", "application")


def _bulk_delete(
    entity: str, conditions: list[dict[str, object]], operator: str = "And"
) -> dict[str, object]:
    return {
        "JobName": "cleanup",
        "QuerySet": [
            {
                "@odata.type": "Microsoft.Dynamics.CRM.QueryExpression",
                "EntityName": entity,
                "Criteria": {"FilterOperator": operator, "Conditions": conditions},
            }
        ],
    }


async def test_bulk_delete_deletes_matching_rows(client: httpx.AsyncClient) -> None:
    ids = [await create(client, ACCOUNTS, {"msdyn_name": n}) for n in ("a", "b", "c")]
    response = await client.post(
        "BulkDelete",
        json=_bulk_delete(
            "msdyn_occommunicationprovidersetting",
            [
                {
                    "AttributeName": "msdyn_occommunicationprovidersettingid",
                    "Operator": "In",
                    "Values": [{"Value": i, "Type": "System.Guid"} for i in ids[:2]],
                }
            ],
        ),
    )
    assert response.status_code == 200
    assert uuid.UUID(response.json()["JobId"])
    left = (await client.get(ACCOUNTS)).json()["value"]
    assert [r["msdyn_name"] for r in left] == ["c"]
    either = await client.post(
        "BulkDelete",
        json=_bulk_delete(
            "msdyn_occommunicationprovidersetting",
            [
                {"AttributeName": "msdyn_name", "Operator": "Equal", "Values": [{"Value": "C"}]},
                {"AttributeName": "msdyn_accountsid", "Operator": "NotNull"},
            ],
            "Or",
        ),
    )
    assert either.status_code == 200
    assert (await client.get(ACCOUNTS)).json()["value"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"QuerySet": []},
        _bulk_delete("nope", []),
        _bulk_delete("queue", [{"AttributeName": "nope", "Operator": "Equal"}]),
        _bulk_delete("queue", [{"AttributeName": "name", "Operator": "Like"}]),
    ],
)
async def test_bad_bulk_delete_is_400(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    assert (await client.post("BulkDelete", json=body)).status_code == 400
