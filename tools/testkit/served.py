"""The example's workspace against an organisation served over loopback (`--target URL`).

Used by the fixtures in conftest.py and by `bench/reliability.py`, which runs outside pytest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import Result
from starlette.types import ASGIApp
from tools.testkit.allowance import allowed
from tools.testkit.convergence import TOKEN, org_client, seed_org
from tools.testkit.workspace import Workspace, rows_where

from smsconf.emulator.acs import DEMO_ACCESS_KEY
from smsconf.emulator.acs import create_app as acs_app
from smsconf.emulator.dataverse import create_app
from smsconf.emulator.serving import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount, Faults
from smsconf.emulator.telesign import create_app as telesign_app
from smsconf.emulator.twilio import create_app as twilio_app
from smsconf.hosts import ALLOW_ENV

SERVED_DB = "served-org.sqlite"


@dataclass
class ServedOrg:
    """The example's workspace against an organisation served over loopback (`--target URL`),
    with its Telesign accounts pointed at a served Telesign emulator."""

    ws: Workspace
    url: str
    telesign_url: str
    db: Path
    twilio_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    acs_url: str = ""

    def smsconf(self, *args: str, env: dict[str, str] | None = None) -> Result:
        # The workflow allows the served organisation and provider emulators (loopback hosts).
        served = [u for u in (self.url, self.telesign_url, self.twilio_url, self.acs_url) if u]
        allowance = {ALLOW_ENV: allowed(*served)}
        return self.ws.smsconf(
            *args, env={"SMSCONF_TOKEN": TOKEN, **allowance, **self.env, **(env or {})}
        )

    def rows(self, table: str, **equal: Any) -> list[dict[str, Any]]:
        """Rows of the served org whose columns equal the given values, read by a second client."""

        async def read() -> list[dict[str, Any]]:
            async with org_client(self.db) as client:
                return await rows_where(client, table, **equal)

        return asyncio.run(read())

    def plan(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.smsconf("plan", "examples/", "--target", self.url, *args, env=env)

    def apply(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.smsconf(
            "apply", "examples/", "--target", self.url, "--auto-approve", *args, env=env
        )


def point_accounts_at(ws: Workspace, telesign_url: str, twilio_url: str) -> None:
    """Give every account of the example an explicit endpoint: the served Telesign and Twilio
    emulators (a URL target otherwise checks credentials against the real providers)."""
    text = ws.config.read_text(encoding="utf-8")
    for provider, url, count in (("telesign", telesign_url, 2), ("twilio", twilio_url, 1)):
        marker = f"    provider: {provider}\n"
        assert text.count(marker) == count, "the example's accounts moved on"
        text = text.replace(marker, f"{marker}    endpoint: {url}\n")
    ws.config.write_text(text, encoding="utf-8")


def start_served(
    ws: Workspace,
    stack: ExitStack,
    accounts: tuple[EmulatedAccount, ...] = DEMO_ACCOUNTS,
    faults: Faults | None = None,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> ServedOrg:
    """Seed an org in the workspace, serve it and the provider emulators until `stack` closes."""
    db = ws.root / SERVED_DB
    if not db.exists():
        asyncio.run(seed_org(db))
    app = create_app(db, token=TOKEN)
    stack.callback(app.close)
    url = stack.enter_context(running(wrap(app) if wrap else app))  # type: ignore[arg-type]
    telesign_url = stack.enter_context(running(telesign_app(list(accounts), faults=faults)))
    twilio_url = stack.enter_context(running(twilio_app()))
    point_accounts_at(ws, telesign_url, twilio_url)
    # The example's ACS account takes its endpoint from its connection string: the served ACS.
    acs_url = stack.enter_context(running(acs_app()))
    connection = {
        "CONTOSO_ACS_CONNECTION_STRING": f"endpoint={acs_url}/;accesskey={DEMO_ACCESS_KEY}"
    }
    return ServedOrg(ws, url, telesign_url, db, twilio_url, connection, acs_url)
