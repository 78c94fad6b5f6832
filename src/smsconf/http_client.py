"""The HTTP set-up smsconf's clients share: one place decides how smsconf meets a provider on
the network (Telesign, Twilio), and how every client (Dataverse's too) closes.

On the network, TLS is verified against the system's trust store (smsconf.tls); in-process
(an ASGI transport to an emulator) there is nothing to verify. Every request names smsconf and
httpx in its User-Agent. The client is closed when its `async with` ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from smsconf import __version__
from smsconf.tls import verifying_context

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
