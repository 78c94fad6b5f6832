"""The HTTP conversation with Twilio: Basic auth, JSON answers, retries on 429 and 5xx.

Retries follow the project's one rule (`dataverse.retry`): a 429 (Twilio's 20429: "safe to
retry after backing off", §3.5) or a 503 is retried for any request, a 502/504 or a dropped
connection only for a request that is harmless to repeat. Every request smsconf sends to Twilio
is: reads, and an update that sets a number's SmsUrl to a value (the same value twice is the
same number). A POST to a list resource (a purchase) is never built here.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from smsconf.http_client import (
    ProviderResponse,
    RetryingClient,
    RetryPolicy,
    provider_http,
    provider_retry_policy,
)
from smsconf.redact import register
from smsconf.twilio.account import TwilioAccount, require_trusted
from smsconf.twilio.errors import TwilioRejected, TwilioUnreachable

logger = logging.getLogger("smsconf.twilio")
API_VERSION = "/2010-04-01"
REQUEST_TIMEOUT = 15.0


@dataclass(frozen=True)
class TwilioResponse(ProviderResponse):
    @property
    def code(self) -> int | None:
        code = self.body.get("code")
        return code if isinstance(code, int) else None

    @property
    def message(self) -> str:
        return str(self.body.get("message") or f"HTTP {self.status}")


class TwilioClient(RetryingClient):
    """An async client for one account; `async with TwilioClient(account) as client`.

    `transport` lets the local target talk to the in-process emulator over the same HTTP.
    """

    def __init__(
        self,
        account: TwilioAccount,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.account = account
        self.policy = policy or provider_retry_policy()
        if transport is None:  # the network: the Auth Token goes only to a trusted host
            require_trusted(account.name, account.endpoint)
        credentials = f"{account.account_sid}:{account.auth_token.reveal()}"
        register(credentials)
        self._http = provider_http(
            transport,
            REQUEST_TIMEOUT,
            {
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
            },
        )

    def __repr__(self) -> str:
        return f"TwilioClient({self.account.account_sid})"

    def account_path(self, resource: str = "") -> str:
        """`/2010-04-01/Accounts/{AC}{resource}` on the API host."""
        return f"{self.account.api_base}{API_VERSION}/Accounts/{self.account.account_sid}{resource}"

    async def get(self, url: str, params: Mapping[str, str] | None = None) -> TwilioResponse:
        return await self._send("GET", url, params=params)

    async def update(self, url: str, form: Mapping[str, str]) -> TwilioResponse:
        """A POST to an instance resource (never to a list: that would buy a number)."""
        if not url.split("?")[0].rsplit("/", 1)[-1].startswith(("PN", "SC", "AP")):
            raise ValueError(f"refusing to POST to {url}: only number updates are sent")
        return await self._send("POST", url, form=form)

    async def send_message(self, form: Mapping[str, str]) -> TwilioResponse:
        """`POST …/Messages.json`: one (billed) message. Not idempotent: a send is retried
        only when Twilio cannot have processed it (429, a connection never made)."""
        return await self._send(
            "POST", self.account_path("/Messages.json"), form=form, idempotent=False
        )

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> TwilioResponse:
        reply, attempts = await self._request(
            method, url, params=params, data=form, idempotent=idempotent
        )
        return TwilioResponse.received(reply, attempts)

    def unreachable(self, exc: httpx.TransportError) -> Exception:
        return TwilioUnreachable(
            f"could not reach {self.account.api_base} for account "
            f"{self.account.account_sid}: {type(exc).__name__}"
        )

    def on_retry(self, method: str, reply: httpx.Response) -> None:
        logger.info(
            "twilio %s %s -> %s (concurrent %s)",
            method,
            reply.url.path,
            reply.status_code,
            reply.headers.get("Twilio-Concurrent-Requests", "?"),
        )

    def rejected(self, response: TwilioResponse, where: str) -> TwilioRejected:
        return TwilioRejected(response.status, response.code, response.message, where)
