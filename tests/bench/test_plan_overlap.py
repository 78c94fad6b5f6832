"""A plan checks the ACS resources' keys and numbers while it reads the organisation, not after
(reconcile.manager: `check_resources` beside the live read): at 50 ms a round trip, the ACS
checks (the key, a page per 100 numbers) would otherwise add their round trips to every plan.

Shown by order, not by time: the organisation's requests are held at the server until the ACS
emulator has seen its first request (or a bound passes); a plan that overlaps the two releases
a held organisation request by that arrival, one that checks ACS afterwards never does.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from benchkit.orggen import acs_resources, telesign_accounts, twilio_accounts, write_org
from benchkit.runner import in_process
from benchkit.servers import serve_orgs

HOLD = 30.0
"""How long an organisation request waits for ACS at most: only a failing run waits it out, so
it is generous (a fresh clone under a loaded CI runner took more than 3 s to reach ACS)."""


class Gate:
    """ASGI middleware holding each HTTP request until `seen` is set (at most HOLD seconds),
    recording for each whether it was held when `seen` was set."""

    def __init__(self, app: Any, seen: threading.Event) -> None:
        self.app = app
        self.seen = seen
        self.released_by_acs: list[bool] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            waiting = not self.seen.is_set()
            arrived = await asyncio.to_thread(self.seen.wait, HOLD)
            self.released_by_acs.append(waiting and arrived)
        await self.app(scope, receive, send)


class Seen:
    """ASGI middleware setting `seen` at the first data-plane request (`/phoneNumbers`)."""

    def __init__(self, app: Any, seen: threading.Event) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/phoneNumbers"):
            self.seen.set()
        await self.app(scope, receive, send)


def test_acs_numbers_are_checked_while_the_organisation_is_read(tmp_path: Path) -> None:
    n = 3
    seen = threading.Event()
    served = serve_orgs(
        tmp_path, ("org",), telesign_accounts(n), 0, twilio_accounts(n), acs_resources(n)
    )
    with served as servers:
        org = servers.orgs["org"]
        config = write_org(
            tmp_path / "config", n, servers.telesign_url, servers.twilio_url, servers.acs_url
        )
        assert servers.acs is not None
        servers.acs.app = Seen(servers.acs.app, seen)
        gate = Gate(org.latency.app, seen)
        org.latency.app = gate
        result, _ = in_process("plan", org.url, config.paths, tmp_path)
    assert result["acs_numbers"] == {"consistent": 1}
    assert any(gate.released_by_acs), gate.released_by_acs
