"""The signed HTTP conversation with Telesign: one request, retried within a deadline by the
shared retry core (`smsconf.http_client.with_retries`); what is Telesign's own is its timing
(a timeout per attempt, a total deadline) and which failures its `decide` retries.

Everything above this module (credential check, PhoneID, test SMS) only chooses a resource and
reads the answer; signing, retries, timeouts and keeping the key out of logs live here.
"""

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from smsconf import hosts
from smsconf.http_client import (
    NOT_SENT,
    ClosingClient,
    Deadline,
    json_body,
    provider_http,
    with_retries,
)
from smsconf.telesign import signing
from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.errors import TelesignBadKey, TelesignTimeout, TelesignUnreachable

logger = logging.getLogger("smsconf.telesign")

RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class TelesignTiming:
    """How hard to try Telesign, as the shared retry core is told it: attempts, exponential
    backoff with jitter, a timeout per attempt (an in-process transport has none of its own)
    and a total deadline."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    request_timeout: float = 10.0
    deadline: float = 30.0


@dataclass(frozen=True)
class TelesignResponse:
    """An HTTP answer from Telesign with its JSON body (empty when the body was not JSON)."""

    http_status: int
    body: Mapping[str, Any] = field(repr=False)
    attempts: int = 1

    @property
    def code(self) -> int | None:
        """Telesign's own code: `errors[0].code` for Family B bodies, else `status.code` (§4)."""
        errors = self.body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return _as_int(errors[0].get("code"))
        status = self.body.get("status")
        return _as_int(status.get("code")) if isinstance(status, Mapping) else None

    @property
    def description(self) -> str:
        """Telesign's human text for `code`, or the HTTP status when the body says nothing."""
        errors = self.body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return str(errors[0].get("description", ""))
        status = self.body.get("status")
        if isinstance(status, Mapping) and status.get("description"):
            return str(status["description"])
        return f"HTTP {self.http_status}"


def _as_int(value: object) -> int | None:
    """Codes are integers in responses but strings in some docs (§9): accept both."""
    try:
        return int(str(value))
    except ValueError:
        return None


class _RetryableStatus(Exception):
    """Internal: a 429/503 answer that tenacity should retry; carries the response."""

    def __init__(self, response: TelesignResponse) -> None:
        super().__init__(f"HTTP {response.http_status}")
        self.response = response


class _AttemptTimedOut(Exception):
    """Internal: one attempt ran past `request_timeout`, whatever the transport (an in-process
    ASGI transport enforces no timeouts of its own)."""


class TelesignClient(ClosingClient):
    """An async client for one account; use as `async with TelesignClient(account) as client`.

    `transport` lets the local target talk to the in-process emulator over the same HTTP.
    """

    def __init__(
        self,
        account: TelesignAccount,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: TelesignTiming | None = None,
    ) -> None:
        self.account = account
        self.policy = policy or TelesignTiming()
        if transport is None:  # the network: the key signs only requests to a trusted host
            hosts.require(account.base_url, "telesign", f"account '{account.name}'")
        self._http = provider_http(
            transport, min(self.policy.request_timeout, self.policy.deadline)
        )

    def __repr__(self) -> str:
        return f"TelesignClient({self.account!r})"

    async def request(
        self,
        method: str,
        resource: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        idempotent: bool = True,
    ) -> TelesignResponse:
        """Send one signed request, retrying 429/503 and transport errors within the deadline.

        Each attempt is signed afresh (new nonce and date), since Telesign rejects a reused nonce.
        A non-idempotent request (a send) is retried only when it provably was not processed:
        429/503 answers and failures to connect, never a read timeout.
        Returns the last answer, even a 429/503 once the retries are spent; raises
        `TelesignUnreachable` or `TelesignTimeout` when there was no answer, and
        `TelesignBadKey` without sending anything when the key cannot sign.
        """
        if self.account.auth == "tsa":
            try:
                signing.signing_key(self.account.api_key.reveal())
            except ValueError as exc:
                raise TelesignBadKey(f"account {self.account.name}: {exc}") from None
        body, content_type = _encode(method, form, json_body)
        retryable = (
            (_RetryableStatus, _AttemptTimedOut, httpx.TransportError)
            if idempotent
            else (_RetryableStatus, *NOT_SENT)
        )
        policy = self.policy
        deadline = Deadline(policy.deadline)
        attempt = 0

        async def once() -> TelesignResponse:
            nonlocal attempt
            attempt += 1
            deadline.remaining()  # the deadline counts from the first attempt
            return await self._send_once(method, resource, body, content_type, attempt)

        def decide(tried: int, outcome: object) -> float | None:
            if tried >= policy.attempts or not isinstance(outcome, retryable):
                return None
            # Jitter as large as the first wait spreads the retries of concurrent checks.
            backoff = min(policy.backoff * 2 ** (tried - 1), policy.max_backoff)
            return backoff + random.uniform(0, policy.backoff)

        def announce(tried: int, delay: float, outcome: object) -> None:
            reason = (
                str(outcome) if isinstance(outcome, _RetryableStatus) else type(outcome).__name__
            )
            logger.info(
                "telesign retry %d for customer %s after %s",
                tried,
                self.account.customer_id,
                reason,
            )

        where = f"{self.account.base_url} for customer {self.account.customer_id}"
        try:
            async with asyncio.timeout(self.policy.deadline):
                return await with_retries(
                    once, decide, sleep=asyncio.sleep, deadline=deadline, announce=announce
                )
        except _RetryableStatus as spent:
            return spent.response
        except (TimeoutError, _AttemptTimedOut, httpx.TimeoutException) as exc:
            raise TelesignTimeout(
                f"no answer from {where} within the deadline ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise TelesignUnreachable(
                f"could not reach {where}: {type(exc).__name__}: {exc}"
            ) from None

    async def _send_once(
        self, method: str, resource: str, body: str, content_type: str, attempt: int
    ) -> TelesignResponse:
        headers = self._auth_headers(method, resource, body, content_type)
        if content_type:
            headers["Content-Type"] = content_type
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.policy.request_timeout):
                reply = await self._http.request(
                    method,
                    self.account.base_url + resource,
                    content=body.encode("utf-8"),
                    headers=headers,
                )
        except TimeoutError:
            raise _AttemptTimedOut(f"attempt {attempt}") from None
        logger.debug(
            "telesign %s %s -> %s in %.3fs (attempt %d)",
            method,
            resource,
            reply.status_code,
            time.monotonic() - started,
            attempt,
        )
        response = TelesignResponse(reply.status_code, json_body(reply), attempt)
        if reply.status_code in RETRY_STATUSES:
            raise _RetryableStatus(response)
        return response

    def _auth_headers(
        self, method: str, resource: str, body: str, content_type: str
    ) -> dict[str, str]:
        account = self.account
        key = account.api_key.reveal()
        date = signing.http_date()
        if account.auth == "basic":
            return {
                "Authorization": signing.basic_authorization(account.customer_id, key),
                "Date": date,
            }
        nonce = str(uuid.uuid4())
        text = signing.string_to_sign(method, content_type, date, nonce, body, resource)
        return {
            "Authorization": signing.tsa_authorization(account.customer_id, key, text),
            "Date": date,
            "x-ts-auth-method": signing.HMAC_SHA256,
            "x-ts-nonce": nonce,
        }


def _encode(
    method: str, form: Mapping[str, str] | None, json_body: Mapping[str, Any] | None
) -> tuple[str, str]:
    """The exact body text (which is also what gets signed) and its content type."""
    if json_body is not None:
        return json.dumps(json_body), signing.JSON_CONTENT_TYPE
    return (urlencode(form) if form else ""), signing.default_content_type(method)
