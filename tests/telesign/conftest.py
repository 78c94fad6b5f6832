"""Fixtures: the Telesign emulator reached in-process (httpx ASGI transport) or over a loopback
socket, with demo accounts plus a few that fail in specific ways."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette
from tools.testkit.allowance import allow

from smsconf.emulator.serving import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS, TelesignEmulator, create_app
from smsconf.telesign.account import AuthMethod, TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignTiming
from smsconf.telesign.secret import ApiKey

GOOD = DEMO_ACCOUNTS[0]
KEY = GOOD.api_key
NO_SMS = GOOD.model_copy(
    update={"customer_id": "NO-SMS-0001", "sms_enabled": False, "phoneid_enabled": False}
)
ENTERPRISE_ONLY = GOOD.model_copy(
    update={"customer_id": "ENTERPRISE-0001", "allowed_hosts": ("rest-ww.telesign.com",)}
)
SUSPENDED = GOOD.model_copy(update={"customer_id": "SUSPENDED-0001", "suspended": True})
EMULATED = (*DEMO_ACCOUNTS, NO_SMS, ENTERPRISE_ONLY, SUSPENDED)
FAST = TelesignTiming(attempts=3, backoff=0.0, request_timeout=2.0, deadline=3.0)


@dataclass
class Target:
    """Where the client sends: a base URL, plus the ASGI transport when in-process."""

    endpoint: str
    transport: httpx.AsyncBaseTransport | None
    emulator: TelesignEmulator

    def account(
        self,
        customer_id: str = GOOD.customer_id,
        api_key: str = KEY,
        *,
        name: str = "acct",
        auth: AuthMethod = "tsa",
    ) -> TelesignAccount:
        return TelesignAccount(name, customer_id, ApiKey(api_key), self.endpoint, auth)

    def client(
        self, account: TelesignAccount | None = None, *, policy: TelesignTiming = FAST
    ) -> TelesignClient:
        """A client of `account` (default: the good demo account) over this target's transport."""
        return TelesignClient(account or self.account(), transport=self.transport, policy=policy)


@pytest.fixture
def app() -> Starlette:
    return create_app(EMULATED)


@pytest.fixture(params=["in-process", "socket"])
def target(
    request: pytest.FixtureRequest, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Target]:
    if request.param == "in-process":
        yield Target("https://rest-api.telesign.test", httpx.ASGITransport(app), app.state.telesign)
    else:
        with running(app) as url:
            allow(monkeypatch, url)
            yield Target(url, None, app.state.telesign)


@pytest.fixture
def local(app: Starlette) -> Target:
    """In-process only: for tests whose subject is not the transport."""
    return Target("https://rest-api.telesign.test", httpx.ASGITransport(app), app.state.telesign)


@pytest.fixture
def closed_port_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """A loopback URL where nothing listens (allowed: what is tested is the refusal)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    allow(monkeypatch, f"http://127.0.0.1:{port}")
    return f"http://127.0.0.1:{port}"
