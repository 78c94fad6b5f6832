"""Entity-set semantics over HTTP: create, retrieve, update/upsert, delete, ETags, $ref, bulk."""

from __future__ import annotations

import uuid

import httpx
from tests.emulator.dataverse.conftest import API, ORG, account_with_number, create, error_of

from smsconf.emulator.dataverse import DataverseEmulator
from smsconf.emulator.dataverse.seed import seed_id

ENGLISH = seed_id("msdyn_oclanguage", "1033")
ACCOUNTS = "msdyn_occommunicationprovidersettings"
NUMBERS = "msdyn_ocphonenumbers"
WORKSTREAMS = "msdyn_liveworkstreams"
QUEUE_OUTPUT = "msdyn_uniquename='msdyn_demandqueueidentificationoutput'"


async def test_create_returns_204_and_entity_id(client: httpx.AsyncClient) -> None:
    response = await client.post(ACCOUNTS, json={"msdyn_name": "A"})
    assert response.status_code == 204
    assert response.content == b""
    location = response.headers["OData-EntityId"]
    assert location.startswith(f"{API}{ACCOUNTS}(")
    row_id = location.rsplit("(", 1)[1].rstrip(")")
    assert uuid.UUID(row_id)


async def test_create_with_representation_returns_201_and_row(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{ACCOUNTS}?$select=msdyn_name",
        json={"msdyn_name": "A"},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 201
    assert response.headers["Preference-Applied"] == "return=representation"
    body = response.json()
    assert body["msdyn_name"] == "A"
    assert body["@odata.etag"].startswith('W/"')
    assert set(body) == {
        "@odata.context",
        "@odata.etag",
        "msdyn_name",
        "msdyn_occommunicationprovidersettingid",
    }


async def test_client_supplied_id_and_duplicate_is_412(client: httpx.AsyncClient) -> None:
    chosen = str(uuid.uuid4())
    assert (
        await create(
            client, ACCOUNTS, {"msdyn_occommunicationprovidersettingid": chosen, "msdyn_name": "A"}
        )
        == chosen
    )
    again = await client.post(ACCOUNTS, json={"msdyn_occommunicationprovidersettingid": chosen})
    assert error_of(again) == (
        412,
        "0x80040237",
        "A record with matching key values already exists.",
    )


async def test_retrieve_by_id_has_etag_and_server_fields(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    response = await client.get(f"{ACCOUNTS}({row_id})")
    assert response.status_code == 200
    row = response.json()
    assert row["@odata.context"] == f"{API}$metadata#{ACCOUNTS}/$entity"
    assert row["msdyn_occommunicationprovidersettingid"] == row_id
    assert row["statecode"] == 0 and row["statuscode"] == 1
    assert row["_ownerid_value"] == row["_createdby_value"]
    assert response.headers["ETag"] == row["@odata.etag"] == f'W/"{row["versionnumber"]}"'


async def test_a_write_as_another_user_names_them_in_modifiedby(
    client: httpx.AsyncClient,
) -> None:
    """`MSCRMCallerID` (Learn, "Impersonate another user using the Web API"): the row names
    the impersonated user as its last modifier; a caller who is no user is refused."""
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    app_user = (await client.get(f"{ACCOUNTS}({row_id})")).json()["_modifiedby_value"]
    dana = await create(client, "systemusers", {"firstname": "Dana", "lastname": "Admin"})
    edited = await client.patch(
        f"{ACCOUNTS}({row_id})", json={"msdyn_name": "B"}, headers={"MSCRMCallerID": dana}
    )
    assert edited.status_code == 204, edited.text
    row = (await client.get(f"{ACCOUNTS}({row_id})")).json()
    assert row["_modifiedby_value"] == dana != app_user
    assert row["_createdby_value"] == app_user
    ghost = str(uuid.uuid4())
    status, code, _ = error_of(
        await client.patch(f"{ACCOUNTS}({row_id})", json={}, headers={"MSCRMCallerID": ghost})
    )
    assert (status, code) == (404, "0x80040217")
    again = await client.patch(f"{ACCOUNTS}({row_id})", json={"msdyn_name": "C"})
    assert again.status_code == 204
    assert (await client.get(f"{ACCOUNTS}({row_id})")).json()["_modifiedby_value"] == app_user


async def test_missing_row_is_404_with_code(client: httpx.AsyncClient) -> None:
    missing = uuid.uuid4()
    status, code, message = error_of(await client.get(f"{ACCOUNTS}({missing})"))
    assert (status, code) == (404, "0x80040217")
    assert str(missing) in message


async def test_bad_guid_in_url_is_400(client: httpx.AsyncClient) -> None:
    status, code, message = error_of(await client.get(f"{ACCOUNTS}(not-a-guid)"))
    assert (status, code) == (400, "0x80060888")
    assert "not-a-guid" in message


async def test_unknown_entity_set_is_404(client: httpx.AsyncClient) -> None:
    status, code, message = error_of(await client.get("msdyn_nosuchthings"))
    assert (status, code) == (404, "0x80060888")
    assert message == "Resource not found for the segment 'msdyn_nosuchthings'."


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        ACCOUNTS, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert error_of(response)[:2] == (400, "0x80048d19")


async def test_body_that_is_not_an_object_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.post(ACCOUNTS, json=[1, 2])).status_code == 400


async def test_patch_updates_and_changes_etag(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    before = (await client.get(f"{ACCOUNTS}({row_id})")).json()["@odata.etag"]
    response = await client.patch(
        f"{ACCOUNTS}({row_id})", json={"msdyn_name": "B"}, headers={"If-Match": "*"}
    )
    assert response.status_code == 204
    after = (await client.get(f"{ACCOUNTS}({row_id})")).json()
    assert after["msdyn_name"] == "B"
    assert after["@odata.etag"] != before
    assert response.headers["ETag"] == after["@odata.etag"]


async def test_patch_with_representation_is_200(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    response = await client.patch(
        f"{ACCOUNTS}({row_id})",
        json={"msdyn_name": "B"},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 200
    assert response.json()["msdyn_name"] == "B"


async def test_patch_to_missing_id_upserts(client: httpx.AsyncClient) -> None:
    row_id = str(uuid.uuid4())
    response = await client.patch(f"{ACCOUNTS}({row_id})", json={"msdyn_name": "new"})
    assert response.status_code == 204
    assert response.headers["OData-EntityId"].endswith(f"({row_id})")
    assert (await client.get(f"{ACCOUNTS}({row_id})")).json()["msdyn_name"] == "new"


async def test_if_match_star_never_creates(client: httpx.AsyncClient) -> None:
    row_id = uuid.uuid4()
    response = await client.patch(
        f"{ACCOUNTS}({row_id})", json={"msdyn_name": "x"}, headers={"If-Match": "*"}
    )
    assert error_of(response)[:2] == (404, "0x80040217")
    assert (await client.get(f"{ACCOUNTS}({row_id})")).status_code == 404


async def test_if_none_match_star_is_create_only(client: httpx.AsyncClient) -> None:
    row_id = str(uuid.uuid4())
    url = f"{ACCOUNTS}({row_id})"
    first = await client.patch(url, json={"msdyn_name": "x"}, headers={"If-None-Match": "*"})
    assert first.status_code == 204
    second = await client.patch(url, json={"msdyn_name": "y"}, headers={"If-None-Match": "*"})
    assert error_of(second) == (
        412,
        "0x80040237",
        "A record with matching key values already exists.",
    )
    assert (await client.get(url)).json()["msdyn_name"] == "x"


async def test_if_match_version_mismatch_is_412(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    url = f"{ACCOUNTS}({row_id})"
    tag = (await client.get(url)).json()["@odata.etag"]
    assert (
        await client.patch(url, json={"msdyn_name": "B"}, headers={"If-Match": tag})
    ).status_code == 204
    stale = await client.patch(url, json={"msdyn_name": "C"}, headers={"If-Match": tag})
    assert error_of(stale) == (
        412,
        "0x80060882",
        "The version of the existing record doesn't match the RowVersion property provided.",
    )
    stale_delete = await client.delete(url, headers={"If-Match": tag})
    assert stale_delete.status_code == 412
    assert (await client.get(url)).json()["msdyn_name"] == "B"


async def test_conditional_get_is_304_until_changed(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    url = f"{ACCOUNTS}({row_id})"
    tag = (await client.get(url)).json()["@odata.etag"]
    unchanged = await client.get(url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    await client.patch(url, json={"msdyn_name": "B"})
    assert (await client.get(url, headers={"If-None-Match": tag})).status_code == 200


async def test_delete_then_404(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    url = f"{ACCOUNTS}({row_id})"
    assert (await client.delete(url, headers={"If-Match": "*"})).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert error_of(await client.delete(url))[:2] == (404, "0x80040217")


async def test_bind_reads_back_as_value_and_accepts_absolute_url(
    client: httpx.AsyncClient,
) -> None:
    account, number = await account_with_number(client, API)
    row = (await client.get(f"{NUMBERS}({number})")).json()
    assert row["_msdyn_occommunicationprovidersettingid_value"] == account
    assert "msdyn_occommunicationprovidersettingid" not in row


async def test_bind_with_wrong_case_is_undeclared_property(client: httpx.AsyncClient) -> None:
    account = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    response = await client.post(
        NUMBERS,
        json={
            "msdyn_CommunicationProviderSettingId@odata.bind": f"/{ACCOUNTS}({account})",
        },
    )
    status, code, message = error_of(response)
    assert (status, code) == (400, "0x80048d19")
    assert "undeclared property 'msdyn_CommunicationProviderSettingId'" in message


async def test_mixed_case_navigation_is_required_where_declared(
    client: httpx.AsyncClient,
) -> None:
    number = await create(client, NUMBERS, {"msdyn_name": "n"})
    workstream = await create(client, WORKSTREAMS, {"msdyn_name": "w"})
    good = {
        "msdyn_name": "c",
        "msdyn_PhoneNumberId@odata.bind": f"/{NUMBERS}({number})",
        "msdyn_liveworkstreamid@odata.bind": f"/{WORKSTREAMS}({workstream})",
        "msdyn_language@odata.bind": f"/msdyn_oclanguages({ENGLISH})",
    }
    assert (await client.post("msdyn_ocsmschannelsettings", json=good)).status_code == 204
    bad = {**good, "msdyn_phonenumberid@odata.bind": good.pop("msdyn_PhoneNumberId@odata.bind")}
    assert (await client.post("msdyn_ocsmschannelsettings", json=bad)).status_code == 400


async def test_bind_null_clears_lookup(client: httpx.AsyncClient) -> None:
    account = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    number = await create(
        client,
        NUMBERS,
        {
            "msdyn_communicationprovidersettingid@odata.bind": f"/{ACCOUNTS}({account})",
        },
    )
    await client.patch(
        f"{NUMBERS}({number})", json={"msdyn_communicationprovidersettingid@odata.bind": None}
    )
    row = (await client.get(f"{NUMBERS}({number})")).json()
    assert row["_msdyn_occommunicationprovidersettingid_value"] is None


async def test_bind_by_alternate_key(client: httpx.AsyncClient) -> None:
    ruleset = await create(
        client,
        "msdyn_decisionrulesets",
        {
            "msdyn_name": "r",
            "msdyn_uniquename": "new_r",
            "msdyn_outputcontractid@odata.bind": f"/msdyn_decisioncontracts({QUEUE_OUTPUT})",
        },
    )
    row = (await client.get(f"msdyn_decisionrulesets({ruleset})")).json()
    assert row["_msdyn_outputcontractid_value"] == seed_id(
        "msdyn_decisioncontract", "msdyn_demandqueueidentificationoutput"
    )


async def test_get_patch_delete_by_alternate_key(client: httpx.AsyncClient) -> None:
    url = "msdyn_decisioncontracts(msdyn_uniquename='new_contract')"
    created = await client.patch(url, json={"msdyn_name": "c"})
    assert created.status_code == 204
    row = (await client.get(url)).json()
    assert row["msdyn_uniquename"] == "new_contract"
    await client.patch(url, json={"msdyn_name": "renamed"}, headers={"If-Match": "*"})
    assert (await client.get(url)).json()["msdyn_name"] == "renamed"
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_undeclared_alternate_key_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ACCOUNTS}(msdyn_name='x')")
    assert error_of(response)[:2] == (400, "0x80060888")


async def test_secured_column_is_written_but_reads_null(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A", "msdyn_securesecret": "key"})
    row = (await client.get(f"{ACCOUNTS}({row_id})")).json()
    assert row["msdyn_securesecret"] is None
    stored = app.store.get("msdyn_occommunicationprovidersetting", row_id)
    assert stored is not None
    assert stored["msdyn_securesecret"] == "key"


async def test_associate_list_expand_and_disassociate(client: httpx.AsyncClient) -> None:
    workstream = await create(client, WORKSTREAMS, {"msdyn_name": "w"})
    replies = [
        await create(client, "msdyn_cannedmessages", {"msdyn_title": t, "msdyn_message": t})
        for t in ("hello", "bye")
    ]
    nav = "msdyn_msdyn_cannedmessage_liveworkstream"
    for reply in replies:
        response = await client.post(
            f"{WORKSTREAMS}({workstream})/{nav}/$ref",
            json={"@odata.id": f"{API}msdyn_cannedmessages({reply})"},
        )
        assert response.status_code == 204
    listed = (await client.get(f"{WORKSTREAMS}({workstream})/{nav}?$select=msdyn_title")).json()
    assert [r["msdyn_title"] for r in listed["value"]] == ["hello", "bye"]
    expanded = (
        await client.get(
            f"{WORKSTREAMS}({workstream})?$select=msdyn_name&$expand={nav}($select=msdyn_title)"
        )
    ).json()
    assert [r["msdyn_title"] for r in expanded[nav]] == ["hello", "bye"]
    from_other_side = (await client.get(f"msdyn_cannedmessages({replies[0]})/{nav}")).json()
    assert [r["msdyn_liveworkstreamid"] for r in from_other_side["value"]] == [workstream]
    gone = await client.delete(f"{WORKSTREAMS}({workstream})/{nav}({replies[0]})/$ref")
    assert gone.status_code == 204
    by_id = await client.delete(
        f"{WORKSTREAMS}({workstream})/{nav}/$ref",
        params={"$id": f"{API}msdyn_cannedmessages({replies[1]})"},
    )
    assert by_id.status_code == 204
    assert (await client.get(f"{WORKSTREAMS}({workstream})/{nav}")).json()["value"] == []


async def test_a_second_associate_of_the_same_rows_is_a_duplicate_record(
    client: httpx.AsyncClient,
) -> None:
    """The platform refuses a second intersect row (DuplicateRecord, 0x80040237), which the Web
    API answers 412; the link stays single, and from the other side it is the same link."""
    workstream = await create(client, WORKSTREAMS, {"msdyn_name": "w"})
    reply = await create(client, "msdyn_cannedmessages", {"msdyn_title": "t", "msdyn_message": "t"})
    nav = "msdyn_msdyn_cannedmessage_liveworkstream"
    body = {"@odata.id": f"{API}msdyn_cannedmessages({reply})"}
    first = await client.post(f"{WORKSTREAMS}({workstream})/{nav}/$ref", json=body)
    assert first.status_code == 204
    again = await client.post(f"{WORKSTREAMS}({workstream})/{nav}/$ref", json=body)
    assert again.status_code == 412
    assert again.json()["error"] == {
        "code": "0x80040237",
        "message": "A record with matching key values already exists.",
    }
    other_side = await client.post(
        f"msdyn_cannedmessages({reply})/{nav}/$ref",
        json={"@odata.id": f"{API}{WORKSTREAMS}({workstream})"},
    )
    assert other_side.status_code == 412
    expanded = await client.get(
        f"{WORKSTREAMS}({workstream})?$expand={nav}($select=msdyn_title)",
        headers={"If-None-Match": "null"},
    )
    assert expanded.status_code == 200  # If-None-Match: null is accepted, and nothing more
    assert len(expanded.json()[nav]) == 1


async def test_collection_expand_of_n_to_n_gives_each_row_its_own_links(
    client: httpx.AsyncClient,
) -> None:
    """A collection `$expand` reads every link at once; each row still gets exactly its own,
    in link order, from either side of the relationship, and an unlinked row an empty list."""
    nav = "msdyn_msdyn_cannedmessage_liveworkstream"
    streams = [await create(client, WORKSTREAMS, {"msdyn_name": n}) for n in ("a", "b", "c")]
    replies = {
        t: await create(client, "msdyn_cannedmessages", {"msdyn_title": t, "msdyn_message": t})
        for t in ("hi", "bye", "later")
    }
    for stream, titles in zip(streams, (["bye", "hi"], ["later"], []), strict=True):
        for title in titles:
            linked = await client.post(
                f"{WORKSTREAMS}({stream})/{nav}/$ref",
                json={"@odata.id": f"{API}msdyn_cannedmessages({replies[title]})"},
            )
            assert linked.status_code == 204
    listed = (
        await client.get(
            f"{WORKSTREAMS}?$select=msdyn_name&$expand={nav}($select=msdyn_title)"
            "&$filter=msdyn_name ne 'x'&$orderby=msdyn_name"
        )
    ).json()["value"]
    got = {r["msdyn_name"]: [q["msdyn_title"] for q in r[nav]] for r in listed}
    assert {k: got[k] for k in ("a", "b", "c")} == {"a": ["bye", "hi"], "b": ["later"], "c": []}
    back = (
        await client.get(
            f"msdyn_cannedmessages?$select=msdyn_title&$expand={nav}($select=msdyn_name)"
        )
    ).json()["value"]
    names = {r["msdyn_title"]: sorted(w["msdyn_name"] for w in r[nav]) for r in back}
    assert {k: names[k] for k in replies} == {"hi": ["a"], "bye": ["a"], "later": ["b"]}


async def test_associate_wrong_table_is_400(client: httpx.AsyncClient) -> None:
    workstream = await create(client, WORKSTREAMS, {"msdyn_name": "w"})
    response = await client.post(
        f"{WORKSTREAMS}({workstream})/msdyn_msdyn_cannedmessage_liveworkstream/$ref",
        json={"@odata.id": f"msdyn_oclanguages({ENGLISH})"},
    )
    assert response.status_code == 400


async def test_single_valued_ref_set_and_clear(client: httpx.AsyncClient) -> None:
    account = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    number = await create(client, NUMBERS, {"msdyn_name": "n"})
    ref = f"{NUMBERS}({number})/msdyn_communicationprovidersettingid/$ref"
    assert (
        await client.put(ref, json={"@odata.id": f"{API}{ACCOUNTS}({account})"})
    ).status_code == 204
    linked = (await client.get(f"{NUMBERS}({number})/msdyn_communicationprovidersettingid")).json()
    assert linked["msdyn_name"] == "A"
    assert (await client.delete(ref)).status_code == 204
    row = (await client.get(f"{NUMBERS}({number})")).json()
    assert row["_msdyn_occommunicationprovidersettingid_value"] is None


async def test_method_not_allowed_is_405(client: httpx.AsyncClient) -> None:
    assert error_of(await client.put(ACCOUNTS, json={}))[0] == 405


async def test_older_api_versions_are_served(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{ORG}/api/data/v9.1/msdyn_occommunicationprovidersettings", json={"msdyn_name": "A"}
    )
    assert "/api/data/v9.1/" in response.headers["OData-EntityId"]
    assert (await client.get(f"{ORG}/api/data/v9.0/WhoAmI")).status_code == 200


async def test_single_property_read_set_and_clear(client: httpx.AsyncClient) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "A"})
    url = f"{ACCOUNTS}({row_id})/msdyn_name"
    read = await client.get(url)
    assert read.json()["value"] == "A"
    assert (await client.put(url, json={"value": "B"})).status_code == 204
    assert (await client.get(url)).json()["value"] == "B"
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 204
    bad = await client.put(f"{ACCOUNTS}({row_id})/msdyn_occommunicationprovider", json={"value": 1})
    assert error_of(bad)[:2] == (400, "0x8004431a")
