"""Reference rows a real org ships, with fixed ids."""

from __future__ import annotations

import httpx

from smsconf.emulator.dataverse.outofbox import SMS_TEMPLATES
from smsconf.emulator.dataverse.seed import QUEUE_OUTPUT_CONTRACT, seed_id


async def test_languages_by_lcid(client: httpx.AsyncClient) -> None:
    rows = (await client.get("msdyn_oclanguages", params={"$select": "msdyn_localeid"})).json()
    lcids = {r["msdyn_localeid"]: r["msdyn_oclanguageid"] for r in rows["value"]}
    assert {1033, 1036, 1031, 3082, 1043, 1041, 1046, 1040} <= set(lcids)
    assert lcids[1033] == seed_id("msdyn_oclanguage", "1033")


async def test_templates_by_unique_name(client: httpx.AsyncClient) -> None:
    for template in SMS_TEMPLATES:
        url = f"{template.table}s(msdyn_uniquename='{template.unique_name}')"
        assert (await client.get(url)).json()["msdyn_name"] == template.name
        assert template.unique_name_inferred  # no OOB SMS unique name was ever observed


async def test_default_queue_hours_and_contract(client: httpx.AsyncClient) -> None:
    [queue] = (
        await client.get(
            "queues",
            params={"$filter": "msdyn_isomnichannelqueue eq true and msdyn_queuetype eq 192350000"},
        )
    ).json()["value"]
    hours = (await client.get("msdyn_operatinghours")).json()["value"]
    assert queue["_msdyn_operatinghourid_value"] == hours[0]["msdyn_operatinghourid"]
    contract = await client.get(
        f"msdyn_decisioncontracts(msdyn_uniquename='{QUEUE_OUTPUT_CONTRACT}')"
    )
    assert contract.json()["msdyn_contractdefinition"].startswith("<contract")
