"""The organisation under test, served over real loopback sockets with a chosen latency.

Each org is the Dataverse emulator on its own fresh SQLite file behind `Latency`, served by
uvicorn on 127.0.0.1 at a free port; beside it, a Telesign, a Twilio and an ACS emulator that
know the generated accounts (the Twilio one journals every request it answers, the ACS one is
counted by `AcsMeter`, data plane and ARM apart, so the step's provider round trips are counted
on the server side). Round trips are what the benchmark is about, so every request to the
organisation pays the latency a real one costs (50 ms by default), and the server counts what it
received so the client's own accounting can be checked against it. ACS (its data plane and
ARM, both Azure services) pays the same latency per request; the Telesign and Twilio emulators
answer without added latency.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

import httpx

from smsconf.acs.arm import ENDPOINT_ENV, TOKEN_ENV
from smsconf.connect import seed_demo_rows
from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.emulator.acs import AcsResource
from smsconf.emulator.acs import create_app as acs_app
from smsconf.emulator.dataverse import create_app as dataverse_app
from smsconf.emulator.serving import running
from smsconf.emulator.telesign import EmulatedAccount
from smsconf.emulator.telesign import create_app as telesign_app
from smsconf.emulator.twilio import Account as TwilioAccount
from smsconf.emulator.twilio import TwilioEmulator
from smsconf.emulator.twilio import create_app as twilio_app
from smsconf.hosts import ALLOW_ENV, authority

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
TOKEN = "smsconf-bench"


class Latency:
    """ASGI middleware: each HTTP request waits `seconds` before the app sees it, and is counted.

    The wait is an `asyncio.sleep`, so concurrent requests wait concurrently, as they do on a
    network; only the emulator's own processing is serial.
    """

    def __init__(self, app: App, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests += 1
            if self.seconds:
                await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


class AcsMeter(Latency):
    """`Latency` for the ACS emulator, counting ARM's requests (`/subscriptions/...`) apart
    from the data plane's."""

    def __init__(self, app: App, seconds: float) -> None:
        super().__init__(app, seconds)
        self.arm = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/subscriptions/"):
            self.arm += 1
        await super().__call__(scope, receive, send)

    @property
    def data_plane(self) -> int:
        return self.requests - self.arm


@dataclass
class Org:
    """One served organisation: its URL and the server-side request counter."""

    url: str
    latency: Latency


@dataclass
class Servers:
    """The organisations of one size and the provider emulators they share."""

    orgs: dict[str, Org]
    telesign_url: str
    twilio_url: str
    twilio: TwilioEmulator
    acs_url: str = ""
    acs: AcsMeter | None = None

    @property
    def twilio_requests(self) -> int:
        return len(self.twilio.journal)

    @property
    def acs_requests(self) -> tuple[int, int]:
        """(data plane, ARM) requests the ACS emulator answered so far."""
        return (self.acs.data_plane, self.acs.arm) if self.acs else (0, 0)


@contextmanager
def serve_orgs(
    directory: Path,
    names: Sequence[str],
    accounts: Sequence[EmulatedAccount],
    latency_ms: float,
    twilio_accounts: Sequence[TwilioAccount] = (),
    acs_resources: Sequence[AcsResource] = (),
) -> Iterator[Servers]:
    """Serve one fresh org per name (SQLite files in `directory`), a Telesign, a Twilio and an
    ACS emulator, each allowed (`SMSCONF_ALLOW_HOSTS`, as a workflow would) while they are
    served, ARM pointed at the ACS emulator (`SMSCONF_ARM_ENDPOINT`, with a static token).
    Each org has the ACS connection and the synced numbers of the (one) resource, as the
    admin center's connect dialog and Sync from Azure would have written them."""
    with ExitStack() as stack:
        telesign_url = stack.enter_context(running(telesign_app(list(accounts))))
        twilio = twilio_app(list(twilio_accounts))
        twilio_url = stack.enter_context(running(twilio))
        acs = AcsMeter(acs_app(list(acs_resources)), latency_ms / 1000)
        acs_url = stack.enter_context(running(acs))
        synced = acs_resources[0] if acs_resources else None
        orgs: dict[str, Org] = {}
        for name in names:
            db = directory / f"{name}.sqlite"
            db.unlink(missing_ok=True)
            app = dataverse_app(db, token=TOKEN)
            stack.callback(app.close)
            asyncio.run(_existing_rows(app, synced))
            latency = Latency(app, latency_ms / 1000)
            orgs[name] = Org(stack.enter_context(running(latency)), latency)
        served = [telesign_url, twilio_url, acs_url, *(org.url for org in orgs.values())]
        environment = {
            ALLOW_ENV: ",".join(map(authority, served)),
            ENDPOINT_ENV: acs_url,
            TOKEN_ENV: TOKEN,
        }
        with patch.dict(os.environ, environment):
            yield Servers(orgs, telesign_url, twilio_url, twilio.state.twilio, acs_url, acs)


async def _existing_rows(app: App, acs: AcsResource | None) -> None:
    """What a real organisation already has and the configuration looks up (its operating
    hours, bots, surveys, the ACS connection and its synced numbers): written before the clock
    starts, through the Web API."""
    transport = httpx.ASGITransport(app=app)
    async with DataverseClient("http://bench.local", StaticToken(TOKEN), transport=transport) as dv:
        await seed_demo_rows(dv, acs)
