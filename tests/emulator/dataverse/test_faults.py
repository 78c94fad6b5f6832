"""Service protection and injected faults, in-process: status codes, bodies, reproducibility."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from tests.emulator.dataverse.conftest import API, AUTH

from smsconf.emulator.dataverse import (
    ConnectionDropped,
    DataverseEmulator,
    FaultConfig,
    create_app,
)

ACCOUNTS = "msdyn_occommunicationprovidersettings"


def _client(faults: FaultConfig) -> tuple[httpx.AsyncClient, DataverseEmulator]:
    app = create_app(faults=faults)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH), app


async def test_request_budget_then_429_with_retry_after() -> None:
    http, app = _client(FaultConfig(request_budget=3, budget_window_seconds=60))
    async with http:
        statuses = [(await http.get("WhoAmI")).status_code for _ in range(3)]
        refused = await http.get("WhoAmI")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"] == {
        "code": "0x80072322",
        "message": "Number of requests exceeded the limit of 3 over time window of 60 seconds.",
    }
    assert app.faults.counts["budget"] == 1


async def _statuses(seed: int) -> list[int]:
    http, _ = _client(FaultConfig(seed=seed, throttle=0.3, unavailable=0.3, retry_after_seconds=7))
    async with http:
        responses = [await http.get("WhoAmI") for _ in range(30)]
    assert all(r.headers["Retry-After"] == "7" for r in responses if r.status_code == 429)
    return [r.status_code for r in responses]


async def test_random_faults_are_reproducible_from_the_seed() -> None:
    first, again, other = await _statuses(1), await _statuses(1), await _statuses(2)
    assert first == again
    assert first != other
    assert {200, 429, 503} <= set(first)


async def test_drop_before_commit_writes_nothing() -> None:
    http, app = _client(FaultConfig(drop_before_commit=1.0))
    async with http:
        with pytest.raises(ConnectionDropped):
            await http.post(ACCOUNTS, json={"msdyn_name": "lost"})
    assert app.store.rows("msdyn_occommunicationprovidersetting") == []
    assert app.faults.counts["drop_before_commit"] == 1


async def test_drop_after_commit_keeps_the_write() -> None:
    http, app = _client(FaultConfig(drop_after_commit=1.0))
    async with http:
        with pytest.raises(httpx.TransportError):
            await http.post(ACCOUNTS, json={"msdyn_name": "kept"})
    rows = app.store.rows("msdyn_occommunicationprovidersetting")
    assert [r["msdyn_name"] for r in rows] == ["kept"]


async def test_slow_responses_are_delayed_and_counted() -> None:
    http, app = _client(FaultConfig(slow=1.0, slow_seconds=0.01))
    async with http:
        assert (await http.get("WhoAmI")).status_code == 200
    assert app.faults.counts["slow"] == 1


def test_parse_spec() -> None:
    config = FaultConfig.parse("throttle=0.1, request_budget=50,slow-seconds=0.2", seed=9)
    assert config == FaultConfig(seed=9, throttle=0.1, request_budget=50, slow_seconds=0.2)
    with pytest.raises(ValueError, match="unknown fault setting"):
        FaultConfig.parse("explode=1")


async def test_concurrency_limit_refuses_the_excess() -> None:
    http, app = _client(FaultConfig(concurrency_limit=2, slow=1.0, slow_seconds=0.05))
    async with http:
        responses = await asyncio.gather(*(http.get("WhoAmI") for _ in range(5)))
        after = await http.get("WhoAmI")
    refused = [r for r in responses if r.status_code == 429]
    assert sum(r.status_code == 200 for r in responses) == 2
    assert len(refused) == 3 == app.faults.counts["concurrency"]
    assert refused[0].json()["error"]["code"] == "0x80072326"
    assert refused[0].headers["Retry-After"] == "1"
    assert after.status_code == 200
