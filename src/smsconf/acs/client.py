"""The HTTP conversation with an ACS resource's data plane (providers.md §4.2-§4.5).

Every request is signed with the access key (`signing.HmacAuth`, on the bytes as sent); the
endpoint comes from the parsed connection string and is checked against the host policy
before the key is used (`hosts.require`; the in-process emulator of the local organisation
is given as a transport and sends nothing out of the process). Retries follow the project's
one rule (`http_client.RetryingClient`). smsconf reads numbers and sends test messages; it
never purchases, releases or re-plans a number (§7.2 item 7): no such request is built here.

Messages name the account and the HTTP status with ACS's error code and message, never the
endpoint's key or the connection string.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import quote

import httpx

from smsconf import hosts
from smsconf.acs.connection import ConnectionString
from smsconf.acs.signing import HmacAuth, rfc1123
from smsconf.http_client import (
    ProviderRejected,
    ProviderResponse,
    RetryingClient,
    RetryPolicy,
    provider_http,
    provider_retry_policy,
)
from smsconf.platform.hosts import documented as is_documented
from smsconf.redact import register

logger = logging.getLogger("smsconf.acs")
PHONE_NUMBERS_API = "2025-06-01"
"""azure-communication-phonenumbers 1.4.0's default (§4.3)."""
SHORT_CODES_API = "2021-10-25-preview"
"""The only ShortCodes API version (a preview; no SDK has a client for it, §4.4)."""
SMS_API = "2021-03-07"
"""azure-communication-sms 1.1.0's pinned version (§4.5)."""
REQUEST_TIMEOUT = 15.0
PAGE = 100
MAX_PAGES = 100
"""10,000 numbers: more than any resource the admin center syncs; a loop of nextLinks ends."""


class AcsError(Exception):
    """Any failure talking to ACS."""


class AcsUnreachable(AcsError):
    """No HTTP answer at all (DNS, refused connection, TLS, timeout) after the retries."""


class AcsRejected(AcsError, ProviderRejected):
    """ACS answered with an error (`{"error": {"code", "message"}}`, §4.3)."""

    provider = "ACS"
    code: str | None


class UntrustedEndpoint(hosts.UntrustedHost):
    """The connection string's endpoint is not a host the run may send the key's signatures
    to. Said without the endpoint: it is part of the secret."""

    def __init__(self, where: str, reason: str) -> None:
        Exception.__init__(
            self,
            f"{where}: error: the endpoint of its connection string is not trusted: {reason}; "
            "nothing was sent\n    hint: the configuration cannot allow a host, the workflow "
            f"can: {hosts.FLAG} HOST:PORT or {hosts.ALLOW_ENV}=HOST:PORT with the endpoint's",
        )
        self.refusals = ()


def require_trusted(endpoint: str, where: str) -> None:
    """The host policy (`smsconf.hosts`) for a connection string's endpoint, before its key
    signs anything: documented (`*.communication.azure.com` over https on 443) or allowed."""
    policy = hosts.HostPolicy.current()
    if policy.verdict(hosts.Endpoint("acs", endpoint, where)) != "refused":
        return
    host = httpx.URL(endpoint).host
    documented = is_documented("acs", host)
    raise UntrustedEndpoint(
        where,
        "only https on port 443 is trusted for an ACS host"
        if documented
        else "it is not a documented ACS host (*.communication.azure.com)",
    )


@dataclass(frozen=True)
class AcsResponse(ProviderResponse):
    @property
    def error(self) -> Mapping[str, Any]:
        error = self.body.get("error")
        return error if isinstance(error, Mapping) else {}

    @property
    def code(self) -> str | None:
        code = self.error.get("code")
        return str(code) if code is not None else None

    @property
    def message(self) -> str:
        message = self.error.get("message") or self.body.get("title")
        return str(message) if message else f"HTTP {self.status}"


def number_path(e164: str) -> str:
    """`/phoneNumbers/%2B18005550100`: the + percent-encoded, as the SDK sends it (§4.3)."""
    return "/phoneNumbers/" + quote(e164, safe="")


class ClientOptions(TypedDict, total=False):
    """`AcsClient`'s options as a one-request function (`check_key`, `send_test_sms`) passes
    them on, so its signature never repeats the client's."""

    name: str
    transport: httpx.AsyncBaseTransport | None
    policy: RetryPolicy | None


class AcsClient(RetryingClient):
    """An async client for one ACS resource; `async with AcsClient(connection) as client`.

    `transport` lets the local organisation talk to its in-process emulator over the same HTTP.
    `name` says whose resource it is in messages (the account's name).
    """

    def __init__(
        self,
        connection: ConnectionString,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        name: str = "",
        policy: RetryPolicy | None = None,
    ) -> None:
        self.name = name or "the ACS resource"
        self.where = f"account '{name}'" if name else "the ACS resource"
        if transport is None:  # the network: the key signs requests for trusted hosts only
            require_trusted(connection.endpoint, self.where)
        register(connection.access_key.reveal())
        self.endpoint = connection.endpoint
        self.policy = policy or provider_retry_policy()
        self._http = provider_http(transport, REQUEST_TIMEOUT, {"Accept": "application/json"})
        self._auth = HmacAuth(connection.key)

    def __repr__(self) -> str:
        return f"AcsClient({self.where})"

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> AcsResponse:
        return await self._send("GET", self.endpoint + path, params=params)

    async def check_key(self) -> AcsResponse:
        """The cheap key check (§4.3, §7.2 item 2): 200 the key is good, 401 it is not."""
        return await self.get("/phoneNumbers", {"top": "1", "api-version": PHONE_NUMBERS_API})

    async def get_number(self, e164: str) -> Mapping[str, Any] | None:
        """One purchased number (`phoneNumber`, `phoneNumberType`, `countryCode`,
        `capabilities.sms`), or None when the resource has no such number (404)."""
        response = await self.get(number_path(e164), {"api-version": PHONE_NUMBERS_API})
        if response.status == 404:
            return None
        if not response.ok:
            raise self.rejected(response, f"reading number {e164}")
        return response.body

    async def list_numbers(self) -> list[Mapping[str, Any]]:
        """Every purchased number of the resource, following `nextLink` (relative or not)."""
        return await self._all("/phoneNumbers", "phoneNumbers", PHONE_NUMBERS_API)

    async def list_short_codes(self) -> list[Mapping[str, Any]]:
        """The resource's short codes (`number`, `numberType`, `countryCode`; §4.4)."""
        return await self._all("/shortCodes", "shortCodes", SHORT_CODES_API)

    async def _all(self, path: str, key: str, version: str) -> list[Mapping[str, Any]]:
        items: list[Mapping[str, Any]] = []
        url = self.endpoint + path
        params: Mapping[str, str] | None = {"skip": "0", "top": str(PAGE), "api-version": version}
        for _ in range(MAX_PAGES):
            response = await self._send("GET", url, params=params)
            if not response.ok:
                raise self.rejected(response, f"listing the resource's {key}")
            page = response.body.get(key)
            items += [n for n in page if isinstance(n, Mapping)] if isinstance(page, list) else []
            link = response.body.get("nextLink")
            if not isinstance(link, str) or not link:
                break
            url, params = self._same_host(link), None
        return items

    def _same_host(self, link: str) -> str:
        """A `nextLink` on this resource: relative ones are resolved, another host refused (the
        key signs only for the endpoint the host policy allowed)."""
        joined = httpx.URL(self.endpoint + "/").join(link)
        if joined.netloc != httpx.URL(self.endpoint).netloc:
            raise AcsRejected(200, None, "nextLink names another host", "listing numbers")
        return str(joined)

    async def send_sms(
        self, sender: str, to: str, message: str, *, tag: str | None = None
    ) -> AcsResponse:
        """`POST /sms` (§4.5): one message to one recipient, with a repeatability id so a
        retried request is not sent twice; 202 with a per-recipient result."""
        options: dict[str, Any] = {"enableDeliveryReport": True}
        if tag:
            options["tag"] = tag
        body = {
            "from": sender,
            "smsRecipients": [
                {
                    "to": to,
                    "repeatabilityRequestId": str(uuid.uuid4()),
                    "repeatabilityFirstSent": rfc1123(),
                }
            ],
            "message": message,
            "smsSendOptions": options,
        }
        return await self._send(
            "POST", self.endpoint + "/sms", params={"api-version": SMS_API}, json=body
        )

    async def _send(self, method: str, url: str, **kwargs: Any) -> AcsResponse:
        reply, attempts = await self._request(method, url, auth=self._auth, **kwargs)
        return AcsResponse.received(reply, attempts)

    def unreachable(self, exc: httpx.TransportError) -> Exception:
        return AcsUnreachable(
            f"could not reach the ACS resource of {self.where}: {type(exc).__name__}"
        )

    def on_retry(self, method: str, reply: httpx.Response) -> None:
        logger.info("acs %s %s -> %s", method, reply.url.path, reply.status_code)

    def rejected(self, response: AcsResponse, what: str) -> AcsRejected:
        return AcsRejected(response.status, response.code, response.message, what)
