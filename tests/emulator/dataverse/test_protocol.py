"""Protocol surface a third-party client relies on: functions by both syntaxes, parameter
aliases, `$count` segments, the service document, `$apply`, 1:N `$expand`, annotations."""

from __future__ import annotations

import httpx
import pytest
from tests.emulator.dataverse.conftest import ORG, create, error_of

from smsconf.emulator.dataverse import DataverseEmulator

QUEUES = "queues"
HOURS = "msdyn_operatinghours"
FORMATTED = "@OData.Community.Display.V1.FormattedValue"


@pytest.mark.parametrize("path", ["WhoAmI", "WhoAmI()"])
async def test_who_am_i_in_both_syntaxes(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert set(response.json()) >= {"UserId", "BusinessUnitId", "OrganizationId"}


async def test_retrieve_version(client: httpx.AsyncClient) -> None:
    body = (await client.get("RetrieveVersion()")).json()
    assert body["@odata.context"].endswith("#Microsoft.Dynamics.CRM.RetrieveVersionResponse")
    assert body["Version"].startswith("9.2.")


async def test_retrieve_total_record_count_with_an_alias_or_inline(
    client: httpx.AsyncClient,
) -> None:
    before = (await client.get("queues/$count")).text
    await create(client, QUEUES, {"name": "counted"})
    aliased = await client.get(
        "RetrieveTotalRecordCount(EntityNames=@p1)",
        params={"@p1": '["queue","msdyn_operatinghour"]'},
    )
    assert aliased.status_code == 200, aliased.text
    counts = aliased.json()["EntityRecordCountCollection"]
    assert counts["Keys"] == ["queue", "msdyn_operatinghour"]
    assert counts["Values"][0] == int(before) + 1
    inline = await client.get("RetrieveTotalRecordCount(EntityNames=['queue'])")
    assert inline.json()["EntityRecordCountCollection"]["Values"] == [int(before) + 1]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("RetrieveTotalRecordCount(EntityNames=@p1)", {}, 400),  # alias not given
        ("RetrieveTotalRecordCount(EntityNames=['nope'])", {}, 400),
        ("WhoAmI(Foo=1)", {}, 400),
        ("RetrieveCurrentOrganization(AccessType=@p1)", {"@p1": "0"}, 404),
    ],
)
async def test_function_refusals(
    client: httpx.AsyncClient, path: str, params: dict[str, str], status: int
) -> None:
    assert error_of(await client.get(path, params=params))[0] == status


async def test_count_segment_is_plain_text(client: httpx.AsyncClient) -> None:
    base = int((await client.get("queues/$count")).text)
    await create(client, QUEUES, {"name": "c-one"})
    await create(client, QUEUES, {"name": "c-two"})
    response = await client.get("queues/$count")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert int(response.text) == base + 2
    filtered = await client.get("queues/$count", params={"$filter": "startswith(name,'c-')"})
    assert filtered.text == "2"


async def test_service_document_lists_the_entity_sets(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ORG}/api/data/v9.2/")
    assert response.status_code == 200, response.text
    sets = {item["name"]: item for item in response.json()["value"]}
    assert sets["queues"] == {"name": "queues", "kind": "EntitySet", "url": "queues"}
    for name in sets:  # every advertised set answers
        assert (await client.get(name)).status_code == 200, name


async def test_parameter_alias_in_filter(client: httpx.AsyncClient) -> None:
    await create(client, QUEUES, {"name": "O'Brien"})
    response = await client.get(QUEUES, params={"$filter": "name eq @n", "@n": "'O''Brien'"})
    assert [r["name"] for r in response.json()["value"]] == ["O'Brien"]


async def test_saved_and_user_queries_are_run_not_ignored(client: httpx.AsyncClient) -> None:
    # The emulated org has no views, so every id names one that does not exist.
    for option in ("savedQuery", "userQuery"):
        response = await client.get(QUEUES, params={option: "00000000-0000-0000-0000-000000000001"})
        assert error_of(response)[0] == 404


@pytest.fixture
async def grouped(client: httpx.AsyncClient) -> None:
    for name, kind, priority in [
        ("ap-1", 192350000, 1),
        ("ap-2", 192350000, 3),
        ("ap-3", 192350001, 10),
    ]:
        await create(
            client, QUEUES, {"name": name, "msdyn_queuetype": kind, "msdyn_priority": priority}
        )


APPLY = "filter(startswith(name,'ap-'))/"


async def test_apply_groupby_with_count_and_sum(client: httpx.AsyncClient, grouped: None) -> None:
    response = await client.get(
        QUEUES,
        params={
            "$apply": APPLY + "groupby((msdyn_queuetype),aggregate($count as n,"
            "msdyn_priority with sum as total,msdyn_priority with average as mean))"
        },
        headers={"Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["@odata.context"].endswith("$metadata#queues")
    value = response.json()["value"]
    assert [(v["msdyn_queuetype"], v["n"], v["total"], v["mean"]) for v in value] == [
        (192350000, 2, 4, 2),
        (192350001, 1, 10, 10),
    ]
    assert value[0][f"msdyn_queuetype{FORMATTED}"] == "Messaging"
    assert value[0][f"n{FORMATTED}"] == "2"


async def test_apply_aggregate_and_distinct_groups(
    client: httpx.AsyncClient, grouped: None
) -> None:
    total = await client.get(
        QUEUES, params={"$apply": APPLY + "aggregate(msdyn_priority with max as top)"}
    )
    assert total.json()["value"] == [{"top": 10}]
    distinct = await client.get(
        QUEUES,
        params={"$apply": APPLY + "groupby((msdyn_queuetype))", "$orderby": "msdyn_queuetype desc"},
    )
    assert distinct.json()["value"] == [
        {"msdyn_queuetype": 192350001},
        {"msdyn_queuetype": 192350000},
    ]
    refused = await client.get(
        QUEUES, params={"$apply": APPLY + "aggregate($count as n)", "$orderby": "n"}
    )
    assert error_of(refused)[2] == "The query node SingleValueOpenPropertyAccess is not supported"


async def _one_to_many_name(client: httpx.AsyncClient) -> str:
    """The queue ← operating hour collection's name, as RelationshipDefinitions gives it."""
    response = await client.get(
        "EntityDefinitions(LogicalName='msdyn_operatinghour')/OneToManyRelationships"
    )
    rows = [r for r in response.json()["value"] if r["ReferencingEntity"] == "queue"]
    return str(rows[0]["ReferencedEntityNavigationPropertyName"])


async def test_one_to_many_collections_expand_with_nested_options(
    client: httpx.AsyncClient,
) -> None:
    hours = await create(client, HOURS, {"msdyn_name": "Weekdays"})
    for name, priority in [("q-b", 2), ("q-a", 1), ("q-c", 3)]:
        body = {"name": name, "msdyn_priority": priority}
        await create(
            client, QUEUES, {**body, "msdyn_operatinghourid@odata.bind": f"/{HOURS}({hours})"}
        )
    navigation = await _one_to_many_name(client)
    response = await client.get(
        f"{HOURS}({hours})",
        params={
            "$select": "msdyn_name",
            "$expand": f"{navigation}($select=name;$filter=msdyn_priority gt 1;$orderby=name desc)",
        },
    )
    assert response.status_code == 200, response.text
    assert [q["name"] for q in response.json()[navigation]] == ["q-c", "q-b"]
    listed = await client.get(HOURS, params={"$expand": f"{navigation}($select=name;$top=1)"})
    row = next(r for r in listed.json()["value"] if r["msdyn_operatinghourid"] == hours)
    assert len(row[navigation]) == 1
    related = await client.get(f"{HOURS}({hours})/{navigation}", params={"$select": "name"})
    assert sorted(q["name"] for q in related.json()["value"]) == ["q-a", "q-b", "q-c"]
    nested = await client.get(HOURS, params={"$expand": f"{navigation}($expand=x)"})
    assert error_of(nested)[0] == 400


async def test_lookup_annotations_follow_the_pattern(client: httpx.AsyncClient) -> None:
    hours = await create(client, HOURS, {"msdyn_name": "Weekdays"})
    queue = await create(
        client,
        QUEUES,
        {"name": "annotated", "msdyn_queuetype": 192350000, "msdyn_priority": 1500,
         "msdyn_operatinghourid@odata.bind": f"/{HOURS}({hours})"},
    )  # fmt: skip
    lookup = "_msdyn_operatinghourid_value"

    async def read(pattern: str) -> httpx.Response:
        prefer = {"Prefer": f'odata.include-annotations="{pattern}"'}
        return await client.get(f"{QUEUES}({queue})", headers=prefer)

    formatted = await read("OData.Community.Display.V1.FormattedValue")
    assert formatted.headers["Preference-Applied"] == (
        'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'
    )
    body = formatted.json()
    assert body[f"{lookup}{FORMATTED}"] == "Weekdays"
    assert body[f"msdyn_queuetype{FORMATTED}"] == "Messaging"
    assert body[f"msdyn_priority{FORMATTED}"] == "1,500"
    assert not [k for k in body if "@Microsoft.Dynamics.CRM" in k]
    crm = (await read("Microsoft.Dynamics.CRM.*")).json()
    assert crm[f"{lookup}@Microsoft.Dynamics.CRM.lookuplogicalname"] == "msdyn_operatinghour"
    assert crm[f"{lookup}@Microsoft.Dynamics.CRM.associatednavigationproperty"] == (
        "msdyn_operatinghourid"
    )
    assert not [k for k in crm if FORMATTED in k]
    everything = (await read("*")).json()
    assert f"{lookup}{FORMATTED}" in everything
    assert f"{lookup}@Microsoft.Dynamics.CRM.lookuplogicalname" in everything
    plain = await client.get(f"{QUEUES}({queue})")
    assert "Preference-Applied" not in plain.headers
    assert not [k for k in plain.json() if "@" in k and not k.startswith("@odata.")]


async def test_two_prefer_headers_are_one_list(app: DataverseEmulator, server: str) -> None:
    """Microsoft's examples send `Prefer` twice; both preferences apply."""
    async with httpx.AsyncClient(base_url=f"{server}/api/data/v9.2/") as http:
        response = await http.get(
            QUEUES,
            params={"$count": "true"},
            headers=[
                ("Authorization", "Bearer t"),
                ("Prefer", "odata.maxpagesize=1"),
                ("Prefer", 'odata.include-annotations="Microsoft.Dynamics.CRM.*"'),
            ],
        )
    body = response.json()
    assert len(body["value"]) == 1
    assert body["@Microsoft.Dynamics.CRM.totalrecordcount"] == body["@odata.count"]
    assert body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] is False
