"""The HTTP set-up smsconf's clients share: one place decides how smsconf meets a provider on
the network (Telesign, Twilio, ACS), and how every client (Dataverse's too) closes.

On the network, TLS is verified against the system's trust store (smsconf.tls); in-process
(an ASGI transport to an emulator) there is nothing to verify. Every request names smsconf and
httpx in its User-Agent. The client is closed when its `async with` ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from smsconf import __version__
from smsconf.tls import verifying_context

if TYPE_CHECKING:  # the Dataverse package imports this module: no cycle at run time
    from smsconf.dataverse.retry import RetryPolicy

USER_AGENT = f"smsconf/{__version__} httpx/{httpx.__version__}"


def provider_http(
    transport: httpx.AsyncBaseTransport | None,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """An httpx client for one provider account (`transport` None: the network)."""
    return httpx.AsyncClient(
        transport=transport,
        verify=verifying_context() if transport is None else True,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )


class ClosingClient:
    """`async with client:` closes the client's connections (`_http`) at the end."""

    _http: httpx.AsyncClient

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()


class RetryingClient(ClosingClient):
    """A provider client that sends by the project's one retry rule (`dataverse.retry`): a 429
    or 503 retried for any request, a 502/504 or a dropped connection only for a request that
    is harmless to repeat; it counts requests and retries."""

    policy: RetryPolicy
    requests: int = 0
    retries: int = 0

    def unreachable(self, exc: httpx.TransportError) -> Exception:
        """The exception raised when no answer came after the retries."""
        raise NotImplementedError

    def on_retry(self, method: str, reply: httpx.Response) -> None:
        """Heard for each answer that is retried (to log it)."""

    async def _request(
        self, method: str, url: str, *, idempotent: bool = True, **kwargs: Any
    ) -> tuple[httpx.Response, int]:
        """The final answer and the attempts it took; `unreachable()` raised without one."""
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                reply = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                wait = self.policy.delay(attempt, status=None, sent=sent, idempotent=idempotent)
                if wait is None:
                    raise self.unreachable(exc) from None
            else:
                wait = (
                    None
                    if reply.is_success
                    else self.policy.delay(
                        attempt,
                        status=reply.status_code,
                        retry_after=retry_after(reply),
                        idempotent=idempotent,
                    )
                )
                if wait is None:
                    return reply, attempt
                self.on_retry(method, reply)
            self.retries += 1
            await self.policy.sleep(wait)


def retry_after(reply: httpx.Response) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), else None."""
    value = reply.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    date = reply.headers.get("Date")
    try:
        now = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        now = None
    return max(0.0, (when - now).total_seconds()) if now else None


def json_body(reply: httpx.Response) -> Mapping[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        parsed = reply.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, Mapping) else {}
