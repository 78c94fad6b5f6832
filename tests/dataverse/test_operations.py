"""Each operation's HTTP shape and idempotence, decided once for direct calls and $batch."""

from __future__ import annotations

import inspect
import json
import uuid

import httpx
import pytest

from smsconf.dataverse import Operation, OperationResult, odata, operations

ROOT = "https://org.example.test/api/data/v9.2/"
ID = uuid.UUID("9f2c3a4b-0000-0000-0000-00000000000a")


@pytest.mark.parametrize(
    ("op", "method", "path", "headers", "idempotent"),
    [
        (operations.create("accounts", {}), "POST", "accounts", {}, False),
        (
            operations.create("accounts", {}, return_representation=True),
            "POST",
            "accounts",
            {"Prefer": "return=representation"},
            False,
        ),
        (
            operations.create("accounts", {}, id=ID),
            "PATCH",
            f"accounts({ID})",
            {"If-None-Match": "*"},
            True,
        ),
        (
            operations.update("accounts", ID, {}),
            "PATCH",
            f"accounts({ID})",
            {"If-Match": "*"},
            True,
        ),
        (
            operations.update("accounts", ID, {}, etag='W/"4"'),
            "PATCH",
            f"accounts({ID})",
            {"If-Match": 'W/"4"'},
            True,
        ),
        (operations.upsert("accounts", ID, {}), "PATCH", f"accounts({ID})", {}, True),
        (operations.delete("accounts", ID), "DELETE", f"accounts({ID})", {}, True),
        (
            operations.delete("accounts", ID, etag='W/"4"'),
            "DELETE",
            f"accounts({ID})",
            {"If-Match": 'W/"4"'},
            True,
        ),
        (
            operations.get("accounts", ID, if_none_match='W/"4"', annotations="*"),
            "GET",
            f"accounts({ID})",
            {"If-None-Match": 'W/"4"', "Prefer": 'odata.include-annotations="*"'},
            True,
        ),
        (
            operations.disassociate("accounts", ID, "nav", "contacts", uuid.UUID(int=1)),
            "DELETE",
            f"accounts({ID})/nav({uuid.UUID(int=1)})/$ref",
            {},
            True,
        ),
    ],
)
def test_shapes(
    op: Operation, method: str, path: str, headers: dict[str, str], idempotent: bool
) -> None:
    assert (op.method, op.path, op.idempotent) == (method, path, idempotent)
    assert all(op.headers[k] == v for k, v in headers.items())
    if op.body is not None:
        assert op.headers["Content-Type"] == "application/json"
    if "If-None-Match" not in headers:
        assert "If-None-Match" not in op.headers


def test_associate_sends_the_absolute_url_of_the_target() -> None:
    op = operations.associate("accounts", ID, "nav", "contacts", {"name": "x"})
    assert op.path == f"accounts({ID})/nav/$ref" and op.idempotent
    assert json.loads(op.content(ROOT) or b"") == {"@odata.id": f"{ROOT}contacts(name='x')"}


def test_bodies_are_compact_utf8_and_take_uuids() -> None:
    op = operations.update("accounts", ID, {"name": "Zoë", "ref": ID})
    assert op.content(ROOT) == f'{{"name":"Zoë","ref":"{ID}"}}'.encode()
    with pytest.raises(TypeError):
        operations.update("accounts", ID, {"x": object()}).content(ROOT)
    assert operations.delete("accounts", ID).content(ROOT) is None


def test_query_strings_keep_odata_readable_and_encode_the_rest() -> None:
    query = operations.query_string(
        select=["name", "_x_value"],
        filter=odata.eq("name", "a&b=c+d #%"),
        orderby=["name desc"],
        expand=["nav($select=a)"],
        top=5,
    )
    assert query == (
        "?$select=name,_x_value&$filter=name%20eq%20'a%26b%3Dc%2Bd%20%23%25'"
        "&$orderby=name%20desc&$expand=nav($select%3Da)&$top=5"
    )
    assert httpx.URL(f"{ROOT}accounts{query}").params["$filter"] == "name eq 'a&b=c+d #%'"
    assert operations.query_string() == ""
    with pytest.raises(ValueError):
        operations.query_string(top=0)
    with pytest.raises(ValueError):
        operations.query_string(select=["name,evil"])


@pytest.mark.parametrize(
    ("op", "status", "settled"),
    [
        (operations.create("a", {}, id=ID), 412, True),
        (operations.upsert("a", ID, {}, create_only=True), 412, True),
        (operations.delete("a", ID), 404, True),
        (operations.update("a", ID, {}, etag='W/"1"'), 412, False),
        (operations.create("a", {}, id=ID), 400, False),
        (operations.delete("a", ID), 412, False),
    ],
)
def test_which_answers_to_a_repeat_show_the_first_attempt_worked(
    op: Operation, status: int, settled: bool
) -> None:
    assert op.settled_by(status) is settled


def test_results_find_the_written_id_and_etag() -> None:
    op = operations.delete("a", ID)
    url = f"{ROOT}accounts({ID})"
    by_header = OperationResult(op, 204, httpx.Headers({"OData-EntityId": url, "ETag": 'W/"2"'}))
    assert (by_header.entity_id, by_header.etag, by_header.ok) == (str(ID), 'W/"2"', True)
    by_body = OperationResult(op, 201, body={"@odata.id": url, "@odata.etag": 'W/"3"'})
    assert (by_body.entity_id, by_body.etag) == (str(ID), 'W/"3"')
    by_key = OperationResult(op, 204, httpx.Headers({"OData-EntityId": f"{ROOT}a(k='v')"}))
    assert by_key.entity_id is None and by_key.etag is None
    assert OperationResult(op, 204).entity_id is None


def test_a_hand_made_operation_is_not_repeated_blindly_unless_said() -> None:
    assert not Operation("GET", "WhoAmI").idempotent
    assert Operation("GET", "WhoAmI", idempotent=True).idempotent


def test_the_clients_read_options_are_the_builders_keywords() -> None:
    """`DataverseClient.get` types its keywords by `ReadOptions` and passes them on: one
    `get` lacks would be a TypeError at run time, one it adds unreachable by a typed call."""
    keywords = {
        name
        for name, param in inspect.signature(operations.get).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert operations.ReadOptions.__optional_keys__ == keywords


@pytest.mark.parametrize(
    ("content", "body"),
    [
        (b'{"accountid":"1"}', {"accountid": "1"}),
        (b"[1, 2]", [1, 2]),
        (b"", None),
        (b" \r\n", None),
        (b"<html>502 Bad Gateway</html>", None),
    ],
)
def test_an_answer_body_is_its_json_or_none(content: bytes, body: object) -> None:
    assert operations.answer_body(content) == body
