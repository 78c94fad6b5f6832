"""The metadata endpoints clients call (§4.14), generated from `smsconf.platform`."""

from __future__ import annotations

import httpx
import pytest

from smsconf.emulator.dataverse.metadata import metadata_id
from smsconf.emulator.dataverse.schema import default_schema

TABLES = default_schema().tables
DEFS = "EntityDefinitions"
SMS = "msdyn_ocsmschannelsetting"


async def test_filter_by_logical_name_with_select(client: httpx.AsyncClient) -> None:
    response = await client.get(
        DEFS,
        params={
            "$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
            "$filter": "LogicalName eq 'msdyn_ocphonenumber'",
        },
    )
    assert response.status_code == 200
    [item] = response.json()["value"]
    assert item["EntitySetName"] == "msdyn_ocphonenumbers"
    assert item["PrimaryIdAttribute"] == "msdyn_ocphonenumberid"
    assert set(item) == {"LogicalName", "EntitySetName", "PrimaryIdAttribute", "MetadataId"}


async def test_filter_matching_nothing_is_empty(client: httpx.AsyncClient) -> None:
    response = await client.get(DEFS, params={"$filter": "LogicalName eq 'nope'"})
    assert response.json()["value"] == []


@pytest.mark.parametrize("name", sorted(TABLES))
async def test_entity_by_logical_name(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(
        f"{DEFS}(LogicalName='{name}')",
        params={
            "$select": "EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,LogicalName,"
            "PrimaryImageAttribute"
        },
    )
    body = response.json()
    table = TABLES[name]
    assert (body["EntitySetName"], body["PrimaryIdAttribute"], body["PrimaryNameAttribute"]) == (
        table.entity_set,
        table.primary_key,
        table.primary_name,
    )
    assert body["PrimaryImageAttribute"] is None


async def test_entity_by_metadata_id(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"{DEFS}({metadata_id(SMS)})")).json()
    assert body["LogicalName"] == SMS


async def test_unknown_entity_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{DEFS}(LogicalName='nope')")).status_code == 400


async def test_picklist_attributes_with_option_sets(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{DEFS}(LogicalName='msdyn_ocphonenumber')/Attributes/"
        "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        params={"$select": "LogicalName", "$expand": "OptionSet($select=Options)"},
    )
    items = {i["LogicalName"]: i for i in response.json()["value"]}
    assert "msdyn_type" in items and "msdyn_name" not in items
    options = items["msdyn_type"]["OptionSet"]["Options"]
    assert (options[0]["Value"], options[0]["Label"]) == (
        192350000,
        {
            "LocalizedLabels": [{"Label": "Geo", "LanguageCode": 1033}],
            "UserLocalizedLabel": {"Label": "Geo", "LanguageCode": 1033},
        },
    )


async def test_single_attribute(client: httpx.AsyncClient) -> None:
    body = (
        await client.get(
            f"{DEFS}(LogicalName='msdyn_occommunicationprovidersetting')/"
            "Attributes(LogicalName='msdyn_securesecret')"
        )
    ).json()
    assert body["IsSecured"] is True
    assert body["MaxLength"] == 4000


async def test_many_to_one_gives_navigation_names(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{DEFS}(LogicalName='{SMS}')/ManyToOneRelationships",
        params={
            "$select": "ReferencingAttribute,ReferencingEntityNavigationPropertyName,"
            "ReferencedEntity"
        },
    )
    navs = {
        i["ReferencingAttribute"]: (
            i["ReferencingEntityNavigationPropertyName"],
            i["ReferencedEntity"],
        )
        for i in response.json()["value"]
    }
    assert navs["msdyn_phonenumberid"] == ("msdyn_PhoneNumberId", "msdyn_ocphonenumber")
    assert navs["msdyn_language"] == ("msdyn_language", "msdyn_oclanguage")


async def test_one_to_many_lists_children(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{DEFS}(LogicalName='msdyn_ocphonenumber')/OneToManyRelationships")
    children = {
        (i["ReferencingEntity"], i["ReferencingAttribute"]) for i in response.json()["value"]
    }
    assert (SMS, "msdyn_phonenumberid") in children


async def test_many_to_many(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{DEFS}(LogicalName='msdyn_liveworkstream')/ManyToManyRelationships"
    )
    names = {i["SchemaName"] for i in response.json()["value"]}
    assert "msdyn_msdyn_cannedmessage_liveworkstream" in names


async def test_keys(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{DEFS}(LogicalName='msdyn_decisionruleset')/Keys",
        params={"$select": "SchemaName,KeyAttributes"},
    )
    [key] = response.json()["value"]
    assert key["KeyAttributes"] == ["msdyn_uniquename"]
    none = await client.get(f"{DEFS}(LogicalName='msdyn_liveworkstream')/Keys")
    assert none.json()["value"] == []


@pytest.mark.parametrize(
    "path",
    [
        f"{DEFS}(LogicalName='{SMS}')/Nope",
        f"{DEFS}(LogicalName='{SMS}')/Attributes(LogicalName='nope')",
    ],
)
async def test_unknown_children_are_400(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 400


async def test_metadata_filter_errors_are_400(client: httpx.AsyncClient) -> None:
    assert (await client.get(DEFS, params={"$filter": "LogicalName eq"})).status_code == 400
    assert (await client.get(DEFS, params={"$filter": "LogicalName gt 'a'"})).status_code == 400


async def test_metadata_is_read_only(client: httpx.AsyncClient) -> None:
    assert (await client.post(DEFS, json={})).status_code == 405


async def test_sdk_message_filters_for_bulk_support(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "sdkmessagefilters",
        params={
            "$select": "sdkmessagefilterid",
            "$expand": "sdkmessageid($select=name)",
            "$filter": "(sdkmessageid/name eq 'CreateMultiple' or sdkmessageid/name eq "
            "'UpdateMultiple') and primaryobjecttypecode eq 'msdyn_ocphonenumber'",
        },
    )
    names = sorted(i["sdkmessageid"]["name"] for i in response.json()["value"])
    assert names == ["CreateMultiple", "UpdateMultiple"]
    assert set(response.json()["value"][0]) == {"sdkmessagefilterid", "sdkmessageid"}


async def test_relationship_definitions(client: httpx.AsyncClient) -> None:
    name = "msdyn_msdyn_cannedmessage_liveworkstream"
    listed = (
        await client.get("RelationshipDefinitions", params={"$filter": f"SchemaName eq '{name}'"})
    ).json()["value"]
    assert [r["@odata.type"] for r in listed] == [
        "#Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata"
    ]
    single = (await client.get(f"RelationshipDefinitions(SchemaName='{name}')")).json()
    assert single["Entity2LogicalName"] == "msdyn_liveworkstream"
    by_id = (await client.get(f"RelationshipDefinitions({single['MetadataId']})")).json()
    assert by_id["SchemaName"] == name
    everything = (await client.get("RelationshipDefinitions")).json()["value"]
    one_to_many = [r for r in everything if r["RelationshipType"] == "OneToManyRelationship"]
    assert {r["ReferencingEntityNavigationPropertyName"] for r in one_to_many} >= {
        "msdyn_PhoneNumberId",
        "msdyn_communicationprovidersettingid",
    }
    assert (await client.get("RelationshipDefinitions(SchemaName='nope')")).status_code == 400


async def test_entity_list_answers_the_sdk_private_filter(client: httpx.AsyncClient) -> None:
    response = await client.get(
        DEFS, params={"$filter": "IsPrivate eq false and (LogicalName eq 'queue')"}
    )
    assert [e["EntitySetName"] for e in response.json()["value"]] == ["queues"]
