"""Fixtures of the reliability suite: a workspace with the example, and organisations served
over loopback sockets (Dataverse emulator, Telesign emulator) for the tests that need a real
network between smsconf and the services (timeouts, hostile servers, `--target URL`).

Everything runs through the CLI or the Web API; nothing mocks our own classes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from starlette.types import ASGIApp
from tools.testkit.hostile import TRIED
from tools.testkit.served import ServedOrg, start_served
from tools.testkit.workspace import Workspace, applied, applied_db, ws

from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount, Faults

__all__ = ["applied", "applied_db", "ws"]  # the example's workspace fixtures, from testkit


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
    refuse = logging.Filter("nothing")  # a filter survives the logging config uvicorn applies
    logger.addFilter(refuse)
    yield
    logger.removeFilter(refuse)


ServeOrg = Callable[..., ServedOrg]


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
            return start_served(ws, stack, accounts, faults, wrap)

        yield start
