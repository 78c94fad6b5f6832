"""Served emulators, met as anyone on the network would: over loopback HTTP, from the CLI.

They listen on 127.0.0.1 unless told otherwise and say in `--help` what they accept without a
token; the org's Telesign callback takes only writes signed with an account's key, even from a
client holding the bearer token; and hostile bodies (100,000 nested arrays, a body past the
bound, declared or streamed) get the service's own 400 or 413, never a 500.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from tests.emulator.dataverse.test_serve import served_by_cli

from smsconf.cli import main
from smsconf.emulator.dataverse.app import MAX_REQUEST_BYTES
from smsconf.emulator.serving import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS
from smsconf.emulator.telesign.app import MAX_REQUEST_BYTES as TELESIGN_MAX
from smsconf.emulator.twilio import create_app as twilio_app
from smsconf.emulator.twilio.app import MAX_REQUEST_BYTES as TWILIO_MAX
from smsconf.telesign.signing import hmac_signature

TOKEN = "served-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEEP = b"[" * 100_000 + b"]" * 100_000
ACCOUNT = DEMO_ACCOUNTS[0]
CLI = (sys.executable, "-c", "from smsconf.cli import main; main()")
HANG_GUARD = 60.0
"""Only so that a server that never answers fails the test; never a timing claim."""


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def raw_exchange(url: str, head: str, chunks: Iterable[bytes] = ()) -> tuple[int, bytes]:
    """Send a request head and then body chunks over a plain socket, stopping as soon as the
    server answers (it may answer before the body ends); (status, body) of its answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=HANG_GUARD) as sock:
        sock.sendall(head.encode("latin-1"))
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    head_part, _, body = answer.partition(b"\r\n\r\n")
    return int(head_part.split()[1]), body


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def chunked(size: int, piece: int = 1024) -> Iterator[bytes]:
    """A chunked transfer of `size` bytes, never ending with a last chunk while it lasts."""
    sent = 0
    while sent < size:
        yield f"{piece:x}\r\n".encode() + b"x" * piece + b"\r\n"
        sent += piece
    yield b"0\r\n\r\n"


# --- the Dataverse emulator, served by `smsconf emulator serve` -------------------------------


@pytest.fixture(scope="module")
def org() -> Iterator[str]:
    with served_by_cli(["--port", "0", "--db", ":memory:", "--token", TOKEN]) as (url, _):
        yield url


def test_it_listens_on_loopback_unless_told(org: str) -> None:
    assert urlsplit(org).hostname == "127.0.0.1"


@pytest.mark.parametrize("command", [["emulator", "serve"], ["emulator", "telesign"]])
def test_help_says_what_is_accepted_without_a_token(command: list[str]) -> None:
    shown = " ".join(CliRunner().invoke(main, [*command, "--help"]).output.split())
    assert "127.0.0.1 unless --host says otherwise" in shown
    assert "anyone who reaches the port" in shown or "ANY bearer token is accepted" in shown


def test_deep_json_is_the_web_apis_400(org: str) -> None:
    answer = httpx.post(
        f"{org}/api/data/v9.2/queues",
        content=DEEP,
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=HANG_GUARD,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Invalid JSON. the JSON is nested too deeply"


def test_a_body_declared_past_the_bound_is_a_413_before_it_is_sent(org: str) -> None:
    head = (
        "POST /api/data/v9.2/queues HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n"
    )
    status, body = raw_exchange(org, head)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "0x80048d19"


def test_the_telesign_callback_refuses_unsigned_writes_even_with_the_token(org: str) -> None:
    """The bearer token opens the Web API, not the callback: only Telesign's signature with an
    account's stored key does."""
    api = httpx.Client(base_url=f"{org}/api/data/v9.2/", headers=AUTH, timeout=HANG_GUARD)
    created = api.post(
        "msdyn_occommunicationprovidersettings",
        json={
            "msdyn_name": "served-telesign",
            "msdyn_occommunicationprovider": 192350002,
            "msdyn_accountsid": ACCOUNT.customer_id,
            "msdyn_securesecret": ACCOUNT.api_key,
        },
    )
    assert created.status_code == 204, created.text
    url = f"{org}/telesign/incoming?orgId=org-1"
    body = json.dumps({"sub_resource": "mo_sms", "user_response": {"mo_message": "hi"}}).encode()
    sign = hmac_signature(ACCOUNT.api_key, body)
    for headers in (
        {},
        AUTH,
        {"Authorization": f"TSA {ACCOUNT.customer_id}:{hmac_signature(ACCOUNT.api_key, b'{}')}"},
        {"Authorization": f"TSA SOMEONE-ELSE:{sign}"},
    ):
        refused = httpx.post(url, content=body, headers=headers, timeout=HANG_GUARD)
        assert refused.status_code == 401, headers
    signed = {"Authorization": f"TSA {ACCOUNT.customer_id}:{sign}"}
    assert httpx.post(url, content=body, headers=signed, timeout=HANG_GUARD).status_code == 200
    hostile = {
        "Authorization": f"TSA {ACCOUNT.customer_id}:{hmac_signature(ACCOUNT.api_key, DEEP)}"
    }
    assert httpx.post(url, content=DEEP, headers=hostile, timeout=HANG_GUARD).status_code == 400


# --- the Telesign emulator, served by `smsconf emulator telesign` -----------------------------


@contextmanager
def telesign_by_cli() -> Iterator[str]:
    process = subprocess.Popen(
        [*CLI, "emulator", "telesign", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def telesign() -> Iterator[str]:
    with telesign_by_cli() as url:
        yield url


@pytest.fixture(scope="module")
def twilio() -> Iterator[str]:
    with running(twilio_app()) as url:
        yield url


def test_telesign_listens_on_loopback(telesign: str) -> None:
    assert urlsplit(telesign).hostname == "127.0.0.1"


@pytest.mark.parametrize(
    ("service", "path", "limit"),
    [
        ("telesign", "/v1/messaging", TELESIGN_MAX),
        ("telesign", "/_emulator/inbound", TELESIGN_MAX),
        ("twilio", "/2010-04-01/Accounts/AC1/Messages.json", TWILIO_MAX),
        ("twilio", "/_emulator/inbound", TWILIO_MAX),
    ],
)
def test_providers_answer_hostile_bodies_in_their_own_words(
    service: str, path: str, limit: int, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(service)
    streamed = raw_exchange(
        url,
        f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked(2 * limit),
    )
    declared = httpx.post(f"{url}{path}", content=DEEP, timeout=HANG_GUARD)
    for status, body in (streamed, (declared.status_code, declared.content)):
        assert status == 413
        shape = json.loads(body)
        assert shape["status"] == 413 if service == "twilio" else shape["status"]["code"] == 3116


@pytest.mark.parametrize("service", ["telesign", "twilio"])
def test_a_control_route_answers_deep_or_odd_json_with_a_400(
    service: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(service)
    for body in (deep(20_000), b"[1, 2]", b"{not json"):
        answer = httpx.post(f"{url}/_emulator/inbound", content=body, timeout=HANG_GUARD)
        assert answer.status_code == 400, body[:20]
        assert "error" in answer.json()
