"""tls.py: one CA-bundle read per run, however many clients a plan opens."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from smsconf.dataverse import DataverseClient
from smsconf.dataverse.auth import StaticToken
from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.client import TelesignClient
from smsconf.telesign.secret import ApiKey
from smsconf.tls import verifying_context


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ssl.SSLContext]]:
    """The TLS contexts httpx makes or is handed meanwhile, starting from an empty cache."""
    contexts: list[ssl.SSLContext] = []
    create = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        contexts.append(create(*args, **kwargs))  # type: ignore[arg-type]
        return contexts[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    monkeypatch.setattr("httpx._transports.default.create_ssl_context", counting)
    verifying_context.cache_clear()
    yield contexts
    verifying_context.cache_clear()


async def test_the_dataverse_and_every_telesign_client_share_one_context(
    built: list[ssl.SSLContext],
) -> None:
    accounts = [TelesignAccount(n, "C", ApiKey("a2V5"), None) for n in ("one", "two")]
    async with DataverseClient("https://contoso.crm.dynamics.com", StaticToken("t")):
        for account in accounts:
            async with TelesignClient(account):
                pass
    [context] = {id(c): c for c in built}.values()  # httpx passes a given context through
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
