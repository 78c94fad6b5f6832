"""`$batch`: lenient multipart parsing, atomic change sets, Content-ID references, errors."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from tests.emulator.dataverse.conftest import API, create

from smsconf.emulator.dataverse.batch import MAX_OPERATIONS

ACCOUNTS = "msdyn_occommunicationprovidersettings"
NUMBERS = "msdyn_ocphonenumbers"


def _request(
    method: str,
    url: str,
    body: dict[str, object] | None = None,
    content_id: str | None = None,
    *,
    blank_line: bool = True,
) -> str:
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        head.append(f"Content-ID: {content_id}")
    lines = [*head, *([""] if blank_line else []), f"{method} {url} HTTP/1.1"]
    if body is not None:
        lines += ["Content-Type: application/json; type=entry", "", json.dumps(body)]
    else:
        lines += [""]
    return "\n".join(lines)


def _multipart(
    boundary: str, parts: list[str], newline: str = "\r\n", *, final: bool = True
) -> str:
    text = "".join(f"--{boundary}\n{p}\n" for p in parts) + f"--{boundary}--"
    if final:
        text += "\n"
    return text.replace("\n", newline)


def _change_set(boundary: str, parts: list[str]) -> str:
    return f"Content-Type: multipart/mixed; boundary={boundary}\n\n" + _multipart(
        boundary, parts, "\n"
    )


def _in_one_change_set(parts: list[str]) -> str:
    """A batch (`batch_1`) whose only part is a change set (`changeset_1`) of `parts`."""
    return _multipart("batch_1", [_change_set("changeset_1", parts)])


def _statuses(response: httpx.Response) -> list[int]:
    return [int(s) for s in re.findall(r"^HTTP/1\.1 (\d{3})", response.text, re.MULTILINE)]


async def _post(
    client: httpx.AsyncClient,
    body: str,
    boundary: str = "batch_1",
    *,
    quoted: bool = False,
    prefer: str | None = None,
    status: int = 200,
) -> httpx.Response:
    shown = f'"{boundary}"' if quoted else boundary
    headers = {"Content-Type": f"multipart/mixed; boundary={shown}"}
    if prefer:
        headers["Prefer"] = prefer
    response = await client.post("$batch", content=body.encode(), headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("multipart/mixed")
    assert response.headers["Content-Type"].startswith("multipart/mixed; boundary=batchresponse_")
    return response


async def _count(client: httpx.AsyncClient, entity_set: str) -> int:
    return len((await client.get(entity_set)).json()["value"])


async def _rolled_back(client: httpx.AsyncClient, parts: list[str]) -> httpx.Response:
    """Posts `parts` as one change set that must fail whole: a single 400 part, no account kept."""
    response = await _post(client, _in_one_change_set(parts), status=400)
    assert _statuses(response) == [400]
    assert await _count(client, ACCOUNTS) == 0
    return response


@pytest.mark.parametrize(
    ("newline", "quoted", "final"),
    [
        ("\r\n", True, True),
        ("\n", False, True),
        ("\r\n", False, False),
        ("\n", True, False),
    ],
)
async def test_lenient_framing(
    client: httpx.AsyncClient, newline: str, quoted: bool, final: bool
) -> None:
    body = _multipart(
        "batch_x",
        [
            _request("POST", f"{API}{ACCOUNTS}", {"msdyn_name": "abs"}),
            _request("POST", f"/api/data/v9.2/{ACCOUNTS}", {"msdyn_name": "rooted"}),
            _request("POST", ACCOUNTS, {"msdyn_name": "relative"}, blank_line=False),
            _request("GET", f"{ACCOUNTS}?$select=msdyn_name&$orderby=msdyn_name"),
        ],
        newline,
        final=final,
    )
    response = await _post(client, body, "batch_x", quoted=quoted)
    assert _statuses(response) == [204, 204, 204, 200]
    listed = json.loads(response.text.rsplit("\r\n\r\n", 1)[1].split("\r\n--")[0])
    assert [r["msdyn_name"] for r in listed["value"]] == ["abs", "relative", "rooted"]


async def test_change_set_with_content_id_references(client: httpx.AsyncClient) -> None:
    body = _in_one_change_set(
        [
            _request("POST", ACCOUNTS, {"msdyn_name": "acct"}, "1"),
            _request(
                "POST",
                NUMBERS,
                {"msdyn_name": "n", "msdyn_communicationprovidersettingid@odata.bind": "$1"},
                "2",
            ),
            _request("PATCH", "$1", {"msdyn_accountsid": "cust"}, "3"),
        ]
    )
    response = await _post(client, body)
    assert "changesetresponse_" in response.text
    assert _statuses(response) == [204, 204, 204]
    assert re.findall(r"^Content-ID: (\d)", response.text, re.MULTILINE) == ["1", "2", "3"]
    account = (await client.get(ACCOUNTS)).json()["value"][0]
    assert account["msdyn_accountsid"] == "cust"
    number = (await client.get(NUMBERS)).json()["value"][0]
    assert (
        number["_msdyn_occommunicationprovidersettingid_value"]
        == (account["msdyn_occommunicationprovidersettingid"])
    )


async def test_failing_change_set_rolls_back_everything(client: httpx.AsyncClient) -> None:
    # "Execute batch operations", Handling errors: without odata.continue-on-error the batch
    # answers 400 with the failed request's part.
    response = await _rolled_back(
        client,
        [
            _request("POST", ACCOUNTS, {"msdyn_name": "kept?"}, "1"),
            _request("POST", NUMBERS, {"msdyn_type": 5}, "2"),
        ],
    )
    assert '"0x8004431a"' in response.text


async def test_unknown_content_id_is_400_and_rolls_back(client: httpx.AsyncClient) -> None:
    await _rolled_back(
        client,
        [
            _request("POST", ACCOUNTS, {"msdyn_name": "a"}, "1"),
            _request("POST", NUMBERS, {"msdyn_communicationprovidersettingid@odata.bind": "$9"}),
        ],
    )


async def test_get_inside_change_set_is_refused(client: httpx.AsyncClient) -> None:
    await _rolled_back(
        client, [_request("POST", ACCOUNTS, {"msdyn_name": "a"}), _request("GET", ACCOUNTS)]
    )


async def test_stops_at_first_failure_by_default(client: httpx.AsyncClient) -> None:
    body = _multipart(
        "batch_1",
        [
            _request("POST", ACCOUNTS, {"msdyn_name": "first"}),
            _request("GET", f"{ACCOUNTS}({uuid.uuid4()})"),
            _request("POST", ACCOUNTS, {"msdyn_name": "never"}),
        ],
    )
    assert _statuses(await _post(client, body, status=400)) == [204, 404]
    assert await _count(client, ACCOUNTS) == 1


async def test_continue_on_error(client: httpx.AsyncClient) -> None:
    body = _multipart(
        "batch_1",
        [
            _request("POST", ACCOUNTS, {"msdyn_name": "first"}),
            _change_set("changeset_1", [_request("POST", NUMBERS, {"msdyn_type": 5})]),
            _request("POST", ACCOUNTS, {"msdyn_name": "second"}),
        ],
    )
    response = await _post(client, body, prefer="odata.continue-on-error")
    assert response.headers["Preference-Applied"] == "odata.continue-on-error"
    assert _statuses(response) == [204, 400, 204]
    assert await _count(client, ACCOUNTS) == 2


async def test_changes_outside_change_sets_are_kept_after_a_failure(
    client: httpx.AsyncClient,
) -> None:
    row_id = await create(client, ACCOUNTS, {"msdyn_name": "a"})
    body = _multipart(
        "batch_1",
        [
            _request("PATCH", f"{ACCOUNTS}({row_id})", {"msdyn_name": "b"}),
            _request("PATCH", f"{ACCOUNTS}({row_id})", {"msdyn_nope": 1}),
        ],
    )
    assert _statuses(await _post(client, body, status=400)) == [204, 400]
    assert (await client.get(f"{ACCOUNTS}({row_id})")).json()["msdyn_name"] == "b"


async def test_too_many_operations_is_400(client: httpx.AsyncClient) -> None:
    body = _multipart("batch_1", [_request("GET", "WhoAmI")] * (MAX_OPERATIONS + 1))
    response = await client.post(
        "$batch",
        content=body.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=batch_1"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "0x80048d19"


@pytest.mark.parametrize("content_type", ["application/json", "multipart/mixed"])
async def test_batch_without_boundary_is_400(client: httpx.AsyncClient, content_type: str) -> None:
    response = await client.post("$batch", content=b"x", headers={"Content-Type": content_type})
    assert response.status_code == 400


async def test_part_without_request_line_is_400(client: httpx.AsyncClient) -> None:
    body = _multipart("batch_1", ["Content-Type: application/http\n\nnot a request"])
    response = await client.post(
        "$batch",
        content=body.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=batch_1"},
    )
    assert response.status_code == 400
