"""Fixtures: a fresh emulator per test, an httpx client on it in-process, and a request signer
built on the documented algorithm (so auth tests can also send what a client must not)."""

import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from smsconf.emulator.telesign import DEMO_ACCOUNTS, TelesignEmulator, create_app
from smsconf.telesign import signing

BASE = "http://rest-api.telesign.test"
CID = DEMO_ACCOUNTS[0].customer_id
KEY = DEMO_ACCOUNTS[0].api_key


class FakeClock:
    """The emulator's notion of now, moved by tests (expiry, skew) instead of sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


Signer = Callable[..., dict[str, str]]


def _sign(
    method: str,
    resource: str,
    body: str = "",
    *,
    customer_id: str = CID,
    api_key: str = KEY,
    content_type: str | None = None,
    date: str | None = None,
    nonce: str | None = None,
    x_ts_date: bool = False,
) -> dict[str, str]:
    content_type = signing.default_content_type(method) if content_type is None else content_type
    date = date or signing.http_date()
    nonce = nonce or str(uuid.uuid4())
    date_header, x_date = ("", date) if x_ts_date else (date, None)
    text = signing.string_to_sign(
        method, content_type, date_header, nonce, body, resource, x_ts_date=x_date
    )
    headers = {
        "Authorization": signing.tsa_authorization(customer_id, api_key, text),
        "x-ts-auth-method": signing.HMAC_SHA256,
        "x-ts-nonce": nonce,
    }
    headers.update({"x-ts-date": date} if x_ts_date else {"Date": date})
    if content_type:
        headers["Content-Type"] = content_type
    return headers


@pytest.fixture
def sign() -> Signer:
    return _sign


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(clock: FakeClock) -> Callable[..., Starlette]:
    def make(accounts: Any = DEMO_ACCOUNTS, **options: Any) -> Starlette:
        options.setdefault("clock", clock)
        return create_app(accounts, **options)

    return make


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


@pytest.fixture
def emulator(app: Starlette) -> TelesignEmulator:
    return app.state.telesign


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
        yield client
