"""Fixtures of the reliability suite: a workspace with the example, and organisations served
over loopback sockets (Dataverse emulator, Telesign emulator) for the tests that need a real
network between smsconf and the services (timeouts, hostile servers, `--target URL`).

Everything runs through the CLI or the Web API; nothing mocks our own classes.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from starlette.types import ASGIApp
from tests.reconcile.workspace import Workspace, make_workspace, rows_where
from tests.reliability.convergence import TOKEN, org_client, seed_org
from tests.reliability.hostile import TRIED

from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.serve import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount, Faults
from smsconf.emulator.telesign import create_app as telesign_app
from smsconf.emulator.telesign.server import serving
from smsconf.target import LOCAL_DB


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The issue asks how many hostile inputs were tried: say it after every run."""
    if TRIED:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(TRIED.items()))
        terminalreporter.write_line(
            f"hostile inputs tried: {counts} (each through validate and plan)"
        )


@pytest.fixture(autouse=True)
def quiet_emulator_servers() -> Iterator[None]:
    """uvicorn logs the emulator's deliberate connection drops as server-side tracebacks; they
    are the fault being injected, not smsconf failing, and would bury the real output."""
    logger = logging.getLogger("uvicorn.error")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty local organisation and a fresh copy of the example, in this test's directory."""
    return make_workspace(tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def applied_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied once per session to the local org; tests copy the database."""
    root = tmp_path_factory.mktemp("applied")
    with pytest.MonkeyPatch.context() as mp:
        ws = make_workspace(root, mp)
        result = ws.apply()
    assert result.exit_code == 0, result.output
    return ws.home / LOCAL_DB


@pytest.fixture
def applied(ws: Workspace, applied_db: Path) -> Workspace:
    """The workspace with the example already applied to its local organisation."""
    ws.home.mkdir()
    shutil.copy(applied_db, ws.home / LOCAL_DB)
    return ws


@dataclass
class ServedOrg:
    """The example's workspace against an organisation served over loopback (`--target URL`),
    with its Telesign accounts pointed at a served Telesign emulator."""

    ws: Workspace
    url: str
    telesign_url: str
    db: Path
    env: dict[str, str] = field(default_factory=dict)

    def smsconf(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.ws.smsconf(*args, env={"SMSCONF_TOKEN": TOKEN, **self.env, **(env or {})})

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


def point_accounts_at(ws: Workspace, telesign_url: str) -> None:
    """Give every account of the example an explicit endpoint: the served Telesign emulator
    (a URL target otherwise checks credentials against the real Telesign)."""
    text = ws.config.read_text(encoding="utf-8")
    marker = "    provider: telesign\n"
    assert text.count(marker) == 2, "the example's accounts moved on"
    ws.config.write_text(
        text.replace(marker, f"{marker}    endpoint: {telesign_url}\n"), encoding="utf-8"
    )


ServeOrg = Callable[..., ServedOrg]
SERVED_DB = "served-org.sqlite"


@pytest.fixture
def serve_org(ws: Workspace) -> Iterator[ServeOrg]:
    """Factory: serve a seeded org and a Telesign emulator (accounts and faults as asked)."""
    with ExitStack() as stack:

        def start(
            accounts: tuple[EmulatedAccount, ...] = DEMO_ACCOUNTS,
            faults: Faults | None = None,
            wrap: Callable[[ASGIApp], ASGIApp] | None = None,
        ) -> ServedOrg:
            """`wrap` puts ASGI middleware in front of the org (a meddling admin, a hostile
            proxy); `faults` and `accounts` shape the Telesign emulator."""
            db = ws.root / SERVED_DB
            if not db.exists():
                asyncio.run(seed_org(db))
            app = create_app(db, token=TOKEN)
            stack.callback(app.close)
            url = stack.enter_context(running(wrap(app) if wrap else app))  # type: ignore[arg-type]
            telesign = telesign_app(list(accounts), faults=faults)
            telesign_url = stack.enter_context(serving(telesign))
            point_accounts_at(ws, telesign_url)
            return ServedOrg(ws, url, telesign_url, db)

        yield start
