"""The local organisation's ACS (connect.local_acs): the demo resource in-process, the rows the
admin center's connect flow and "Sync from Azure" would have written in the org, and Event Grid
objects that outlive one command (a re-plan sees what apply created)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from smsconf.acs.signing import HmacAuth, decode_key
from smsconf.connect import local_acs, open_target
from smsconf.emulator.acs import (
    DEMO_ACCESS_KEY,
    DEMO_EVENT_GRID_APP_ID,
    DEMO_EVENT_GRID_TENANT_ID,
    DEMO_NOT_SYNCED,
    DEMO_OUTBOUND_ONLY,
    DEMO_RESOURCE,
    DEMO_TWO_WAY,
    TOPIC_TYPE,
)
from smsconf.target import LOCAL, LOCAL_ACS_URL

BEARER = {"Authorization": "Bearer local"}
TOPIC = (
    f"/subscriptions/{DEMO_RESOURCE.subscription}/resourceGroups/"
    f"{DEMO_RESOURCE.resource_group}/providers/Microsoft.EventGrid/systemTopics/events"
)
TOPIC_BODY = {
    "location": "global",
    "properties": {"source": DEMO_RESOURCE.id, "topicType": TOPIC_TYPE},
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / ".smsconf"))
    return tmp_path / ".smsconf"


async def test_the_org_holds_the_admin_centers_acs_rows(home: Path) -> None:
    async with open_target(LOCAL) as target:
        dv = target.dataverse
        (setting,) = await dv.get_all(
            "msdyn_occommunicationprovidersettings",
            filter="msdyn_occommunicationprovider eq 192350000",
        )
        entries = await dv.get_all("msdyn_occommunicationprovidersettingentries")
        numbers = await dv.get_all("msdyn_ocphonenumbers")
    assert setting["msdyn_name"] == DEMO_RESOURCE.name
    assert setting["msdyn_occommunicationproviderimmutableid"] == DEMO_RESOURCE.immutable_id
    assert setting["msdyn_occommunicationproviderdatalocation"] == "United States"
    setting_id = setting["msdyn_occommunicationprovidersettingid"]
    assert {
        (e["msdyn_key"], e["msdyn_value"], e["_msdyn_communicationprovidersettingentid_value"])
        for e in entries
    } == {
        ("EventGridAppID", DEMO_EVENT_GRID_APP_ID, setting_id),
        ("EventGripAppTenantID", DEMO_EVENT_GRID_TENANT_ID, setting_id),
    }
    assert sorted(
        (
            n["msdyn_phonenumber"],
            n["msdyn_smsinboundenabled"],
            n["msdyn_smsoutboundenabled"],
            n["msdyn_type"],
            n["_msdyn_occommunicationprovidersettingid_value"],
        )
        for n in numbers
    ) == [
        (DEMO_TWO_WAY, True, True, 192350001, setting_id),
        (DEMO_OUTBOUND_ONLY, False, True, 192350001, setting_id),
    ]


async def test_the_data_plane_answers_the_demo_key_at_the_local_endpoint(home: Path) -> None:
    async with open_target(LOCAL) as target:
        assert target.acs_endpoint == LOCAL_ACS_URL
        auth = HmacAuth(decode_key(DEMO_ACCESS_KEY))
        async with httpx.AsyncClient(
            base_url=LOCAL_ACS_URL, transport=target.acs_transport, auth=auth
        ) as http:
            listed = await http.get("/phoneNumbers", params={"api-version": "2025-06-01"})
    assert listed.status_code == 200, listed.text
    numbers = {n["phoneNumber"]: n["capabilities"]["sms"] for n in listed.json()["phoneNumbers"]}
    assert numbers == {
        DEMO_TWO_WAY: "inbound+outbound",
        DEMO_OUTBOUND_ONLY: "outbound",
        DEMO_NOT_SYNCED: "inbound+outbound",
    }


async def test_event_grid_objects_outlive_the_command(home: Path) -> None:
    _, _, arm_url, arm = local_acs(home=home)
    async with httpx.AsyncClient(base_url=arm_url, transport=arm, headers=BEARER) as http:
        made = await http.put(TOPIC, params={"api-version": "2025-02-15"}, json=TOPIC_BODY)
        assert made.status_code == 201, made.text
    async with open_target(LOCAL) as target:
        assert target.arm_transport is not None and target.arm_endpoint is not None
        async with httpx.AsyncClient(
            base_url=target.arm_endpoint, transport=target.arm_transport, headers=BEARER
        ) as http:
            again = await http.get(TOPIC, params={"api-version": "2025-02-15"})
    assert again.status_code == 200 and again.json()["properties"]["source"] == DEMO_RESOURCE.id


async def wire(http: httpx.AsyncClient) -> None:
    """A system topic and an SMS subscription on the demo resource, as managed mode makes."""
    assert (await http.put(TOPIC, params={"api-version": "2025-02-15"}, json=TOPIC_BODY)).is_success
    destination = {"endpointType": "WebHook", "properties": {"endpointUrl": "https://x.invalid/s"}}
    made = await http.put(
        f"{TOPIC}/eventSubscriptions/sms",
        params={"api-version": "2025-02-15"},
        json={"properties": {"destination": destination}},
    )
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("in_org", [False, True])
async def test_its_event_grid_never_delivers_onto_the_network(home: Path, in_org: bool) -> None:
    """Alone it delivers nowhere (502); in the local org, to the org's own emulator (which has
    no ACS endpoint: 404); never to the subscription's host."""
    inbound = {"from": "+15550001111", "to": DEMO_TWO_WAY, "message": "hi"}

    async def deliveries(arm_url: str, arm: httpx.AsyncBaseTransport) -> list[dict[str, object]]:
        async with httpx.AsyncClient(base_url=arm_url, transport=arm, headers=BEARER) as http:
            await wire(http)
            sent = await http.post("/_emulator/inbound", json=inbound)
        return list(sent.json()["deliveries"])

    if in_org:
        async with open_target(LOCAL) as target:
            assert target.arm_endpoint is not None and target.arm_transport is not None
            found = await deliveries(target.arm_endpoint, target.arm_transport)
        assert found == [{"subscription": "sms", "status": 404}]
    else:
        _, _, arm_url, arm = local_acs(home=home)
        assert await deliveries(arm_url, arm) == [{"subscription": "sms", "status": 502}]
