"""The client against the emulator over HTTP: in-process (ASGI) and over a loopback socket."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from tests.dataverse.peers import (
    ORG,
    BatchUnanswered,
    Reply,
    ScriptedPeer,
    in_process,
    served,
)

from smsconf.dataverse import (
    BadRequest,
    ChangeSet,
    DataverseClient,
    DuplicateRecord,
    NotExecuted,
    NotFound,
    Operation,
    OperationResult,
    PreconditionFailed,
    ProtocolError,
    RetryPolicy,
    RolledBack,
    StaticToken,
    TransportFailure,
    Unauthorized,
    odata,
    operations,
)
from smsconf.emulator.dataverse import DataverseEmulator, create_app
from smsconf.emulator.dataverse.tls import self_signed_certificate

HOURS = "msdyn_operatinghours"
HOURS_ID = "msdyn_operatinghourid"
CANNED = "msdyn_cannedmessages"
STREAMS = "msdyn_liveworkstreams"
CANNED_STREAMS = "msdyn_msdyn_cannedmessage_liveworkstream"
NOT_FOUND = "0x80040217"


async def test_whoami_names_the_caller(dv: DataverseClient) -> None:
    me = await dv.whoami()
    for field in ("UserId", "BusinessUnitId", "OrganizationId"):
        assert uuid.UUID(me[field])


async def test_create_with_a_client_chosen_id_then_read_it_back_with_its_etag(
    dv: DataverseClient,
) -> None:
    row_id = uuid.uuid4()
    created = await dv.create(HOURS, {"msdyn_name": "O'Brien hours"}, id=row_id)
    assert created.entity_id == str(row_id)
    row = await dv.get(HOURS, row_id, select=["msdyn_name"])
    assert row is not None
    assert row["msdyn_name"] == "O'Brien hours"
    assert row[HOURS_ID] == str(row_id)
    assert row["@odata.etag"] == created.etag


async def test_create_without_an_id_and_with_representation(dv: DataverseClient) -> None:
    plain = await dv.create(HOURS, {"msdyn_name": "plain"})
    assert plain.status == 204 and plain.entity_id is not None
    shown = await dv.create(HOURS, {"msdyn_name": "shown"}, return_representation=True)
    assert shown.status == 201
    assert shown.body["msdyn_name"] == "shown"
    assert shown.entity_id == shown.body[HOURS_ID]
    assert shown.etag == shown.body["@odata.etag"]


async def test_a_create_only_upsert_is_idempotent(dv: DataverseClient) -> None:
    row_id = uuid.uuid4()
    await dv.upsert(HOURS, row_id, {"msdyn_name": "first"}, create_only=True)
    with pytest.raises(DuplicateRecord) as caught:
        await dv.create(HOURS, {"msdyn_name": "second"}, id=row_id)
    assert caught.value.status == 412 and caught.value.code == "0x80040237"
    rows = await dv.get_all(HOURS, filter=odata.eq(HOURS_ID, row_id))
    assert [r["msdyn_name"] for r in rows] == ["first"]


async def test_upsert_creates_then_updates(dv: DataverseClient) -> None:
    row_id = uuid.uuid4()
    await dv.upsert(HOURS, row_id, {"msdyn_name": "v1"})
    await dv.upsert(HOURS, row_id, {"msdyn_name": "v2"})
    row = await dv.get(HOURS, row_id)
    assert row is not None and row["msdyn_name"] == "v2"


async def test_update_with_a_stale_etag_fails_and_with_the_current_one_succeeds(
    dv: DataverseClient,
) -> None:
    row_id = uuid.uuid4()
    first = await dv.create(HOURS, {"msdyn_name": "a"}, id=row_id)
    second = await dv.update(HOURS, row_id, {"msdyn_name": "b"}, etag=first.etag)
    assert second.etag != first.etag
    with pytest.raises(PreconditionFailed) as caught:
        await dv.update(HOURS, row_id, {"msdyn_name": "c"}, etag=first.etag)
    assert caught.value.status == 412
    assert not isinstance(caught.value, DuplicateRecord)
    with pytest.raises(PreconditionFailed):
        await dv.delete(HOURS, row_id, etag=first.etag)
    updated = await dv.update(
        HOURS, row_id, {"msdyn_name": "c"}, etag=second.etag, return_representation=True
    )
    assert updated.body["msdyn_name"] == "c"


async def test_update_never_creates(dv: DataverseClient) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as caught:
        await dv.update(HOURS, missing, {"msdyn_name": "x"})
    assert caught.value.code == NOT_FOUND
    with pytest.raises(NotFound):
        await dv.get(HOURS, missing)


async def test_delete_then_the_row_is_gone(dv: DataverseClient) -> None:
    row_id = uuid.uuid4()
    created = await dv.create(HOURS, {"msdyn_name": "doomed"}, id=row_id)
    await dv.delete(HOURS, row_id, etag=created.etag)
    with pytest.raises(NotFound) as caught:
        await dv.delete(HOURS, row_id)
    assert caught.value.code == NOT_FOUND and "DELETE" in str(caught.value)


@pytest.mark.parametrize(
    "write", ["create", "update", "upsert", "delete", "associate", "disassociate"]
)
async def test_a_write_is_its_builder_executed_keyword_for_keyword(
    dv: DataverseClient, write: str
) -> None:
    """The client's writes are `operations`' builders, sent by `execute`: a keyword no
    builder takes fails before any request, as the builder itself would."""
    method = getattr(dv, write)
    assert (method.__name__, method.__doc__) == (write, getattr(operations, write).__doc__)
    with pytest.raises(TypeError, match="eta"):
        await method(HOURS, uuid.uuid4(), {}, eta="W/1")
    assert dv.stats.requests == 0


async def test_conditional_get(dv: DataverseClient) -> None:
    row_id = uuid.uuid4()
    created = await dv.create(HOURS, {"msdyn_name": "a"}, id=row_id)
    assert await dv.get(HOURS, row_id, if_none_match=created.etag) is None
    await dv.update(HOURS, row_id, {"msdyn_name": "b"})
    row = await dv.get(HOURS, row_id, if_none_match=created.etag)
    assert row is not None and row["msdyn_name"] == "b"


async def test_alternate_keys_address_rows(dv: DataverseClient) -> None:
    key = {"msdyn_uniquename": "new_o'brien/1"}
    await dv.upsert("msdyn_routingconfigurations", key, {"msdyn_name": "routing"})
    row = await dv.get("msdyn_routingconfigurations", key, select=["msdyn_name"])
    assert row is not None and row["msdyn_name"] == "routing"


async def test_associate_and_disassociate(dv: DataverseClient) -> None:
    canned = (await dv.create(CANNED, {"msdyn_title": "hello"})).entity_id
    stream = (await dv.create(STREAMS, {"msdyn_name": "sms"})).entity_id
    assert canned and stream
    expand = [f"{CANNED_STREAMS}($select=msdyn_name)"]

    async def linked() -> list[str]:
        row = await dv.get(CANNED, canned, select=["msdyn_title"], expand=expand)
        assert row is not None
        return [r["msdyn_name"] for r in row[CANNED_STREAMS]]

    await dv.associate(CANNED, canned, CANNED_STREAMS, STREAMS, stream)
    assert await linked() == ["sms"]
    await dv.disassociate(CANNED, canned, CANNED_STREAMS, STREAMS, stream)
    assert await linked() == []


async def test_queries_filter_select_order_and_top(dv: DataverseClient) -> None:
    names = ["b'1", "a'2", "c'3", "zz"]
    await dv.batch([operations.create(HOURS, {"msdyn_name": n}, id=uuid.uuid4()) for n in names])
    rows = await dv.get_all(
        HOURS,
        select=["msdyn_name"],
        filter=odata.in_("msdyn_name", names[:3]) | odata.endswith("msdyn_name", "Z"),
        orderby=["msdyn_name desc"],
    )
    assert [r["msdyn_name"] for r in rows] == ["zz", "c'3", "b'1", "a'2"]
    assert all(r["@odata.etag"].startswith('W/"') for r in rows)
    top = await dv.get_all(HOURS, select=["msdyn_name"], orderby=["msdyn_name"], top=2)
    assert [r["msdyn_name"] for r in top] == ["a'2", "b'1"]


async def test_errors_carry_the_dataverse_code_and_message(dv: DataverseClient) -> None:
    with pytest.raises(BadRequest) as unknown_column:
        await dv.create(HOURS, {"msdyn_nope": 1})
    assert unknown_column.value.code and "msdyn_nope" in unknown_column.value.message
    with pytest.raises(BadRequest) as bad_option:
        await dv.create("msdyn_ocphonenumbers", {"msdyn_type": 1})
    assert bad_option.value.code == "0x8004431a"
    with pytest.raises(NotFound):
        await dv.get_all("msdyn_nosuchtables")


# --- paging ---------------------------------------------------------------------------------


async def seed_hours(dv: DataverseClient, count: int) -> None:
    results = await dv.batch(
        [
            operations.create(HOURS, {"msdyn_name": f"h{i:05}"}, id=uuid.uuid4())
            for i in range(count)
        ]
    )
    assert all(r.ok for r in results)


async def test_paging_past_5000_rows(emulator: DataverseEmulator) -> None:
    async with in_process(emulator) as dv:
        existing = len(await dv.get_all(HOURS))
        await seed_hours(dv, 5100)
        assert dv.stats.requests == 1 + 6  # the count, then 6 $batch requests of <= 1,000
        before = dv.stats.requests
        rows = await dv.get_all(HOURS, select=["msdyn_name"])
        assert dv.stats.requests - before == 2  # pages of 5,000
        assert len(rows) == 5100 + existing
        assert len({r[HOURS_ID] for r in rows}) == len(rows)
        sizes = [
            len(page)
            async for page in dv.pages(
                HOURS, page_size=2000, filter=odata.startswith("msdyn_name", "h")
            )
        ]
        assert sizes == [2000, 2000, 1100]
        limited = await dv.get_all(HOURS, top=2500, page_size=1000)
        assert len(limited) == 2500


async def test_page_size_is_bounded() -> None:
    async with in_process(create_app()) as dv:
        for bad in (0, 5001):
            with pytest.raises(ValueError, match="page_size"):
                await dv.get_all(HOURS, page_size=bad)


async def test_a_next_link_to_another_host_is_refused() -> None:
    peer = ScriptedPeer(
        Reply(
            200, {"value": [{"a": 1}], "@odata.nextLink": "https://evil.example/steal?$skiptoken=1"}
        )
    )
    async with DataverseClient(ORG, StaticToken("secret-token"), transport=peer.transport()) as dv:
        with pytest.raises(ProtocolError, match=r"evil\.example") as caught:
            await dv.get_all("accounts")
    assert len(peer.seen) == 1
    assert "secret-token" not in str(caught.value)


async def test_a_relative_next_link_is_followed_on_the_same_origin() -> None:
    peer = ScriptedPeer(
        Reply(200, {"value": [{"a": 1}], "@odata.nextLink": "accounts?$skiptoken=2"}),
        Reply(200, {"value": [{"a": 2}]}),
    )
    async with DataverseClient(ORG, StaticToken("t"), transport=peer.transport()) as dv:
        assert await dv.get_all("accounts", page_size=1) == [{"a": 1}, {"a": 2}]
    assert [s.query for s in peer.seen] == ["", "$skiptoken=2"]
    assert all(s.headers["prefer"] == "odata.maxpagesize=1" for s in peer.seen)


async def test_reads_send_the_documented_headers_and_annotations_preference() -> None:
    peer = ScriptedPeer(Reply(200, {"value": []}))
    async with DataverseClient(ORG, StaticToken("tok"), transport=peer.transport()) as dv:
        await dv.get_all("accounts", select=["name"], annotations="*")
    (seen,) = peer.seen
    assert seen.path == "/api/data/v9.2/accounts" and seen.query == "$select=name"
    assert seen.headers["authorization"] == "Bearer tok"
    assert seen.headers["odata-version"] == "4.0" and seen.headers["odata-maxversion"] == "4.0"
    assert seen.headers["prefer"] == 'odata.maxpagesize=5000,odata.include-annotations="*"'


async def test_a_collection_answer_without_value_is_a_protocol_error() -> None:
    peer = ScriptedPeer(Reply(200, {"rows": []}))
    async with DataverseClient(ORG, StaticToken("t"), transport=peer.transport()) as dv:
        with pytest.raises(ProtocolError, match="value"):
            await dv.get_all("accounts")


# --- $batch ---------------------------------------------------------------------------------


async def test_a_change_set_rolls_back_as_a_whole(dv: DataverseClient) -> None:
    kept, doomed = uuid.uuid4(), uuid.uuid4()
    await dv.create(HOURS, {"msdyn_name": "kept"}, id=kept)
    results = await dv.batch(
        [
            ChangeSet(
                [
                    operations.create(HOURS, {"msdyn_name": "new"}, id=doomed),
                    operations.update(HOURS, kept, {"msdyn_name": "changed"}),
                    operations.update(HOURS, kept, {"msdyn_name": "x"}, etag='W/"999999"'),
                ]
            )
        ]
    )
    assert [type(r.error) for r in results] == [RolledBack, RolledBack, PreconditionFailed]
    assert results[2].status == 412
    with pytest.raises(NotFound):
        await dv.get(HOURS, doomed)
    row = await dv.get(HOURS, kept)
    assert row is not None and row["msdyn_name"] == "kept"


async def test_a_batch_mixes_change_sets_and_reads(dv: DataverseClient) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    results = await dv.batch(
        [
            ChangeSet(
                [
                    operations.create(HOURS, {"msdyn_name": "a"}, id=a),
                    operations.create(HOURS, {"msdyn_name": "b"}, id=b),
                ]
            ),
            operations.get(HOURS, a, select=["msdyn_name"]),
            ChangeSet([operations.delete(HOURS, b)]),
        ]
    )
    assert all(r.ok and not r.replayed for r in results)
    assert [r.entity_id for r in results[:2]] == [str(a), str(b)]
    assert results[2].body["msdyn_name"] == "a" and results[2].etag == results[0].etag
    with pytest.raises(NotFound):
        await dv.get(HOURS, b)


async def test_a_batch_stops_at_the_first_failure_unless_asked_to_continue(
    dv: DataverseClient,
) -> None:
    missing, fresh = uuid.uuid4(), uuid.uuid4()
    items = [
        operations.delete(HOURS, missing),
        operations.create(HOURS, {"msdyn_name": "after"}, id=fresh),
    ]
    stopped = await dv.batch(items)
    assert isinstance(stopped[0].error, NotFound)
    assert isinstance(stopped[1].error, NotExecuted)
    with pytest.raises(NotFound):
        await dv.get(HOURS, fresh)
    continued = await dv.batch(items, continue_on_error=True)
    assert isinstance(continued[0].error, NotFound) and continued[1].ok
    assert await dv.get(HOURS, fresh) is not None


async def test_later_batches_are_not_sent_after_a_failure(emulator: DataverseEmulator) -> None:
    async with in_process(emulator) as dv:
        items = [operations.delete(HOURS, uuid.uuid4())] + [
            operations.create(HOURS, {"msdyn_name": f"n{i}"}, id=uuid.uuid4()) for i in range(1000)
        ]
        results = await dv.batch(items)
        assert dv.stats.requests == 1
        assert isinstance(results[0].error, NotFound)
        assert all(isinstance(r.error, NotExecuted) for r in results[1:])


async def test_each_request_of_a_batch_is_heard_as_it_is_answered() -> None:
    """What earlier requests did reaches the caller even when a later one gets no answer."""
    dropping = BatchUnanswered(create_app(), nth=2)
    heard: list[list[OperationResult]] = []
    async with in_process(dropping, retry=RetryPolicy(max_attempts=1)) as dv:
        dv.batch_size = 2
        items = [operations.create(HOURS, {"msdyn_name": "h"}, id=uuid.uuid4()) for _ in range(5)]
        with pytest.raises(TransportFailure):
            await dv.batch(items, on_chunk=heard.append)
    assert [len(h) for h in heard] == [2, 2] and dropping.batches == 2
    assert all(r.ok for r in heard[0])
    assert all(isinstance(r.error, TransportFailure) for r in heard[1])


async def test_operations_can_be_executed_directly(dv: DataverseClient) -> None:
    canned = (await dv.create(CANNED, {"msdyn_title": "hi"})).entity_id
    stream = (await dv.create(STREAMS, {"msdyn_name": "ws"})).entity_id
    assert canned and stream
    await dv.associate(CANNED, canned, CANNED_STREAMS, STREAMS, stream)
    result = await dv.execute(Operation("GET", f"{CANNED}({canned})/{CANNED_STREAMS}"))
    assert [r["msdyn_liveworkstreamid"] for r in result.body["value"]] == [stream]


async def test_a_wrong_token_is_unauthorized() -> None:
    async with in_process(create_app(token="right"), token="wrong") as dv:
        with pytest.raises(Unauthorized) as caught:
            await dv.whoami()
    assert caught.value.status == 401
    assert caught.value.authenticate and "authorization_uri" in caught.value.authenticate
    assert "wrong" not in str(caught.value)


def test_construction_is_validated() -> None:
    token = StaticToken("t")
    with pytest.raises(ValueError, match="max_concurrency"):
        DataverseClient(ORG, token, max_concurrency=52)
    with pytest.raises(ValueError, match="http"):
        DataverseClient("ftp://org", token)
    client = DataverseClient("https://org.crm4.dynamics.com/", token, api_version="v9.1")
    assert client.service_root == "https://org.crm4.dynamics.com/api/data/v9.1/"
    assert client.scope == "https://org.crm4.dynamics.com/.default"
    assert repr(client) == "DataverseClient('https://org.crm4.dynamics.com/api/data/v9.1/')"


async def test_https_with_the_emulators_self_signed_certificate(
    tmp_path: Path, emulator: DataverseEmulator
) -> None:
    tls = self_signed_certificate(tmp_path, ["127.0.0.1"])
    with served(emulator, tls) as url:
        async with DataverseClient(url, StaticToken("t"), verify=str(tls[0])) as dv:
            assert (await dv.whoami())["UserId"]
        untrusting = DataverseClient(url, StaticToken("t"), retry=RetryPolicy(max_attempts=1))
        async with untrusting as dv:
            with pytest.raises(TransportFailure, match="CERTIFICATE_VERIFY_FAILED"):
                await dv.whoami()
