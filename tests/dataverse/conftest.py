"""Fixtures: the emulator, a client on it (in-process and over a socket), a sleep recorder."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest
from tests.dataverse.peers import SleepLog, in_process, served

from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.emulator.dataverse import DataverseEmulator, create_app


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def emulator() -> Iterator[DataverseEmulator]:
    app = create_app()
    yield app
    app.close()


@pytest.fixture(params=["in-process", "socket"])
async def dv(
    request: pytest.FixtureRequest, emulator: DataverseEmulator
) -> AsyncIterator[DataverseClient]:
    """The client against the emulator, in-process and over a real loopback socket."""
    with contextlib.ExitStack() as stack:
        if request.param == "in-process":
            client = in_process(emulator)
        else:
            client = DataverseClient(stack.enter_context(served(emulator)), StaticToken("test"))
        async with client:
            yield client
