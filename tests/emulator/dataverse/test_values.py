"""Column values on write: types, lengths, option sets, multi-select, dates; shape on read."""

from __future__ import annotations

import httpx
import pytest
from tests.emulator.dataverse.conftest import create, error_of

WORKSTREAMS = "msdyn_liveworkstreams"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("msdyn_name", 12),
        ("msdyn_capacityrequired", "ten"),
        ("msdyn_capacityrequired", True),
        ("msdyn_capacityrequired", 2**31),
        ("msdyn_capacityrequired", 1.5),
        ("msdyn_enableagentaffinity", "yes"),
        ("msdyn_streamsource", "192340000"),
        ("msdyn_allowedpresences", 192360000),
        ("msdyn_allowedpresences", "192360000,busy"),
        ("msdyn_lastvalidationon", "yesterday"),
        ("msdyn_lastvalidationon", 5),
    ],
)
async def test_wrong_types_are_400(client: httpx.AsyncClient, column: str, value: object) -> None:
    response = await client.post(WORKSTREAMS, json={column: value})
    assert error_of(response)[:2] == (400, "0x80048d19")


async def test_too_long_string_is_400(client: httpx.AsyncClient) -> None:
    status, code, message = error_of(await client.post(WORKSTREAMS, json={"msdyn_name": "x" * 101}))
    assert (status, code) == (400, "0x80040203")
    assert "maximum allowed length of '100'" in message


async def test_unknown_option_value_is_400(client: httpx.AsyncClient) -> None:
    status, code, message = error_of(
        await client.post(WORKSTREAMS, json={"msdyn_workdistributionmode": 1})
    )
    assert (status, code) == (400, "0x8004431a")
    assert "Accepted Values: 192350000,192350001" in message


async def test_unknown_multiselect_value_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(WORKSTREAMS, json={"msdyn_allowedpresences": "192360000,5"})
    assert error_of(response)[:2] == (400, "0x8004431a")


async def test_unknown_column_in_body_is_400(client: httpx.AsyncClient) -> None:
    status, code, message = error_of(await client.post(WORKSTREAMS, json={"msdyn_nope": 1}))
    assert (status, code) == (400, "0x80048d19")
    assert (
        "The property 'msdyn_nope' does not exist on type "
        "'Microsoft.Dynamics.CRM.msdyn_liveworkstream'" in message
    )


@pytest.mark.parametrize("key", ["msdyn_defaultqueue", "_msdyn_defaultqueue_value"])
async def test_lookup_written_as_plain_property_is_400(client: httpx.AsyncClient, key: str) -> None:
    response = await client.post(WORKSTREAMS, json={key: "00000000-0000-0000-0000-000000000001"})
    assert response.status_code == 400


async def test_values_round_trip(client: httpx.AsyncClient) -> None:
    row_id = await create(
        client,
        WORKSTREAMS,
        {
            "msdyn_name": "SMS",
            "msdyn_streamsource": 192340000,
            "msdyn_capacityrequired": 10,
            "msdyn_allowedpresences": "192360000,192360001",
            "msdyn_enableagentaffinity": True,
            "msdyn_lastvalidationon": "2024-05-01T10:00:00+02:00",
            "@odata.type": "Microsoft.Dynamics.CRM.msdyn_liveworkstream",
        },
    )
    row = (await client.get(f"{WORKSTREAMS}({row_id})")).json()
    assert row["msdyn_allowedpresences"] == "192360000,192360001"
    assert row["msdyn_lastvalidationon"] == "2024-05-01T08:00:00Z"
    assert row["msdyn_enableautomatedmessages"] is True  # server default
    assert row["msdyn_capacityrequired"] == 10


async def test_server_owned_columns_are_ignored_on_write(client: httpx.AsyncClient) -> None:
    row_id = await create(client, WORKSTREAMS, {"versionnumber": 1, "createdon": "2000-01-01"})
    row = (await client.get(f"{WORKSTREAMS}({row_id})")).json()
    assert row["versionnumber"] != 1
    assert not row["createdon"].startswith("2000")


async def test_double_and_null(client: httpx.AsyncClient) -> None:
    row_id = await create(client, "calendarrules", {"effort": 7.5, "description": None})
    row = (await client.get(f"calendarrules({row_id})")).json()
    assert (row["effort"], row["description"]) == (7.5, None)
    bad = await client.post("calendarrules", json={"effort": "many"})
    assert bad.status_code == 400


async def test_total_work_hours_is_a_string_as_the_page_says(client: httpx.AsyncClient) -> None:
    bad = await client.post("msdyn_operatinghours", json={"msdyn_totalworkhours": 7.5})
    assert error_of(bad)[:2] == (400, "0x80048d19")
    await create(client, "msdyn_operatinghours", {"msdyn_totalworkhours": "7.5"})


async def test_opaque_xml_definitions_are_stored_verbatim(client: httpx.AsyncClient) -> None:
    xml = '<decision hit-policy="all" version="1"><rules />\r\n</decision>'
    row_id = await create(
        client,
        "msdyn_decisionrulesets",
        {"msdyn_uniquename": "new_x", "msdyn_rulesetdefinition": xml},
    )
    row = (await client.get(f"msdyn_decisionrulesets({row_id})")).json()
    assert row["msdyn_rulesetdefinition"] == xml
