"""Fixtures: a fresh in-memory org per test, an httpx client on it in-process, and real
uvicorn servers (HTTP and HTTPS with a self-signed certificate) on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from smsconf.emulator.dataverse import DataverseEmulator, create_app, running
from smsconf.emulator.dataverse.tls import self_signed_certificate

ORG = "http://org.test"
API = f"{ORG}/api/data/v9.2/"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def app() -> Iterator[DataverseEmulator]:
    emulator = create_app()
    yield emulator
    emulator.close()


@pytest.fixture
async def client(app: DataverseEmulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH) as http:
        yield http


@pytest.fixture
def server(app: DataverseEmulator) -> Iterator[str]:
    with running(app) as url:
        yield url


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), ["127.0.0.1"])


@pytest.fixture
def tls_server(app: DataverseEmulator, certificate: tuple[Path, Path]) -> Iterator[str]:
    cert, key = certificate
    with running(app, tls_cert=cert, tls_key=key) as url:
        yield url


async def create(http: httpx.AsyncClient, entity_set: str, body: dict[str, object]) -> str:
    """Create a row and return its id, read from OData-EntityId as clients do."""
    response = await http.post(entity_set, json=body)
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


async def account_with_number(http: httpx.AsyncClient, root: str) -> tuple[str, str]:
    """(account id, number id): a number bound to its account by `@odata.bind`, the account's
    URL below `root` (rooted `/`, or the service root a client may send in full)."""
    account = await create(http, "msdyn_occommunicationprovidersettings", {"msdyn_name": "A"})
    number = await create(
        http,
        "msdyn_ocphonenumbers",
        {
            "msdyn_name": "n",
            "msdyn_communicationprovidersettingid@odata.bind": (
                f"{root}msdyn_occommunicationprovidersettings({account})"
            ),
        },
    )
    return account, number


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """(status, code, message) of a documented Dataverse error body."""
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    return response.status_code, error["code"], error["message"]


def twilio_account(sid: str, token: str | None) -> dict[str, object]:
    """The organisation's row of a connected Twilio account; `token` (the Auth Token the org
    checks inbound signatures with) left out when None."""
    body: dict[str, object] = {
        "msdyn_name": "Twilio",
        "msdyn_occommunicationprovider": 192350001,
        "msdyn_accountsid": sid,
    }
    if token is not None:
        body["msdyn_securesecret"] = token
    return body


def connect_twilio_account(org_url: str, sid: str, token: str) -> None:
    """Connect a Twilio account to an organisation served at `org_url`, over its Web API."""
    created = httpx.post(
        f"{org_url}/api/data/v9.2/msdyn_occommunicationprovidersettings",
        json=twilio_account(sid, token),
        headers={"Authorization": "Bearer any"},
    )
    assert created.status_code == 204, created.text
