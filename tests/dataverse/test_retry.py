"""Retries: the policy's decisions, then the client under scripted failures, real dropped and
refused connections, and the emulator's seeded 429/503/drop faults."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.dataverse.peers import ORG, Reply, ScriptedPeer, SleepLog, dropping_server, in_process
from tools.testkit.allowance import allow

from smsconf.dataverse import (
    DataverseClient,
    DeadlineExceeded,
    RetryPolicy,
    ServerError,
    StaticToken,
    Throttled,
    TransportFailure,
    operations,
)
from smsconf.dataverse.client import FIRST_CONTACT_ATTEMPTS
from smsconf.dataverse.retry import Deadline, retryable
from smsconf.emulator.dataverse import FaultConfig, create_app

HOURS = "msdyn_operatinghours"
OK = Reply(200, {"value": []})

# --- the policy -----------------------------------------------------------------------------


def test_backoff_is_reproducible_from_a_seed_and_bounded() -> None:
    first = [RetryPolicy(seed=7).backoff(n) for n in range(1, 9)]
    again = [RetryPolicy(seed=7).backoff(n) for n in range(1, 9)]
    other = [RetryPolicy(seed=8).backoff(n) for n in range(1, 9)]
    assert first == again != other
    policy = RetryPolicy(seed=1, base_delay=1.0, max_delay=8.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        assert ceiling / 2 <= policy.backoff(attempt) <= ceiling


@pytest.mark.parametrize(
    ("status", "sent", "idempotent", "expected"),
    [
        (429, True, False, True),  # refused before processing: any request
        (503, True, False, True),
        (502, True, True, True),  # a gateway may hide a processed request
        (502, True, False, False),
        (504, True, False, False),
        (None, False, False, True),  # nothing was sent
        (None, True, True, True),
        (None, True, False, False),  # may have reached the server: never repeat a bare POST
        (500, True, True, False),
        (400, True, True, False),
        (412, True, True, False),
    ],
)
def test_what_is_retryable(
    status: int | None, sent: bool, idempotent: bool, expected: bool
) -> None:
    assert retryable(status, sent=sent, idempotent=idempotent) is expected


def test_retry_after_is_honoured_for_refusals_and_capped() -> None:
    policy = RetryPolicy(seed=0, max_retry_after=60)
    assert policy.delay(1, status=429, retry_after=12, idempotent=False) == 12
    assert policy.delay(1, status=503, retry_after=600, idempotent=False) == 60
    gateway = policy.delay(1, status=502, retry_after=30, idempotent=True)
    assert gateway is not None and gateway <= policy.base_delay
    assert policy.delay(policy.max_attempts, status=429, retry_after=1, idempotent=True) is None


def test_policy_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=5, max_delay=1)
    with pytest.raises(ValueError):
        Deadline(0)


def test_the_deadline_counts_from_first_use() -> None:
    now = [100.0]
    deadline = Deadline(10, clock=lambda: now[0])
    now[0] = 500.0
    assert deadline.remaining() == 10
    now[0] = 507.5
    assert deadline.remaining() == 2.5
    assert Deadline(None).remaining() is None


# --- the client under scripted answers ------------------------------------------------------


def scripted(peer: ScriptedPeer, sleeps: SleepLog, **options: Any) -> DataverseClient:
    retry = RetryPolicy(seed=3, sleep=sleeps, max_attempts=options.pop("max_attempts", 4))
    return DataverseClient(
        ORG, StaticToken("t"), transport=peer.transport(), retry=retry, **options
    )


THROTTLED = Reply(
    429,
    {"error": {"code": "0x80072322", "message": "Number of requests exceeded the limit."}},
    {"Retry-After": "2"},
)


async def test_429_waits_retry_after_then_succeeds(sleeps: SleepLog) -> None:
    peer = ScriptedPeer(THROTTLED, OK)
    async with scripted(peer, sleeps) as dv:
        assert await dv.get_all("accounts") == []
        assert (dv.stats.requests, dv.stats.retries, dv.stats.throttled) == (2, 1, 1)
    assert sleeps.delays == [2.0]


async def test_429_even_for_a_bare_post(sleeps: SleepLog) -> None:
    peer = ScriptedPeer(
        THROTTLED, Reply(204, headers={"OData-EntityId": f"{ORG}/x({uuid.UUID(int=5)})"})
    )
    async with scripted(peer, sleeps) as dv:
        result = await dv.create("accounts", {"name": "x"})
    assert result.entity_id == str(uuid.UUID(int=5)) and not result.replayed
    assert len(peer.seen) == 2 and peer.seen[0].body == peer.seen[1].body


async def test_throttling_that_does_not_stop_is_raised_with_its_code(sleeps: SleepLog) -> None:
    peer = ScriptedPeer(THROTTLED)
    async with scripted(peer, sleeps, max_attempts=3) as dv:
        with pytest.raises(Throttled) as caught:
            await dv.get_all("accounts")
    assert caught.value.code == "0x80072322" and caught.value.retry_after == 2
    assert len(peer.seen) == 3 and sleeps.delays == [2.0, 2.0]


async def test_a_wait_beyond_the_deadline_is_not_taken(sleeps: SleepLog) -> None:
    peer = ScriptedPeer(Reply(429, b"", {"Retry-After": "120"}))
    async with scripted(peer, sleeps, deadline=60) as dv:
        with pytest.raises(Throttled) as caught:
            await dv.get_all("accounts")
    assert caught.value.retry_after == 120 and caught.value.code is None
    assert len(peer.seen) == 1 and sleeps.delays == []


@pytest.mark.parametrize("status", [503, 502, 504])
async def test_server_failures_on_reads_are_retried_with_backoff(
    sleeps: SleepLog, status: int
) -> None:
    peer = ScriptedPeer(Reply(status, b"<html>gateway</html>"), Reply(status), OK)
    async with scripted(peer, sleeps) as dv:
        assert await dv.get_all("accounts") == []
    assert len(peer.seen) == 3
    assert sleeps.delays == [pytest.approx(d) for d in [*map(RetryPolicy(seed=3).backoff, (1, 2))]]


@pytest.mark.parametrize("status", [502, 504])
async def test_gateway_failures_on_a_bare_post_are_not_retried(
    sleeps: SleepLog, status: int
) -> None:
    peer = ScriptedPeer(Reply(status, b"<html>Bad gateway</html>"), Reply(204))
    async with scripted(peer, sleeps) as dv:
        with pytest.raises(ServerError) as caught:
            await dv.create("accounts", {"name": "x"})
    assert caught.value.status == status and "Bad gateway" in caught.value.message
    assert len(peer.seen) == 1


async def test_a_503_on_a_bare_post_is_retried(sleeps: SleepLog) -> None:
    peer = ScriptedPeer(Reply(503), Reply(204))
    async with scripted(peer, sleeps) as dv:
        await dv.create("accounts", {"name": "x"})
    assert len(peer.seen) == 2


async def test_a_batch_is_repeated_after_a_gateway_failure_only_if_all_of_it_is_idempotent(
    sleeps: SleepLog,
) -> None:
    answer = Reply(
        200,
        b"--b\r\nContent-Type: application/http\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n\r\n--b--\r\n",
        {"Content-Type": "multipart/mixed; boundary=b"},
    )
    safe = [operations.delete("accounts", uuid.UUID(int=1))]
    unsafe = [operations.create("accounts", {"name": "x"})]
    peer = ScriptedPeer(Reply(504), answer)
    async with scripted(peer, sleeps) as dv:
        assert [(r.ok, r.replayed) for r in await dv.batch(safe)] == [(True, True)]
    assert len(peer.seen) == 2
    peer = ScriptedPeer(Reply(504), answer)
    async with scripted(peer, sleeps) as dv:
        with pytest.raises(ServerError):
            await dv.batch(unsafe)
    assert len(peer.seen) == 1


async def test_the_deadline_ends_a_run_of_retries() -> None:
    peer = ScriptedPeer(Reply(503))
    retry = RetryPolicy(base_delay=0.02, max_delay=0.02, max_attempts=1000)
    started = time.monotonic()
    async with DataverseClient(
        ORG, StaticToken("t"), transport=peer.transport(), retry=retry, deadline=0.3
    ) as dv:
        with pytest.raises((ServerError, DeadlineExceeded)):
            await dv.get_all("accounts")
        assert 0.25 < time.monotonic() - started < 2.0
        assert 2 <= len(peer.seen) < 1000
        await asyncio.sleep(0.3)
        with pytest.raises(DeadlineExceeded):
            await dv.get_all("accounts")


async def test_concurrency_is_limited() -> None:
    in_flight = 0
    peak = 0

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"value":[]}'})

    transport = httpx.ASGITransport(app=app)
    async with DataverseClient(ORG, StaticToken("t"), transport=transport, max_concurrency=4) as dv:
        await asyncio.gather(*(dv.get_all("accounts") for _ in range(40)))
    assert peak == 4


# --- real connections -----------------------------------------------------------------------


async def test_an_unreachable_organisation_is_reported_at_once(
    sleeps: SleepLog, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the organisation has ever answered, a refused connection is tried twice, not the
    policy's six times: a wrong URL is named within seconds, with what to check."""
    with dropping_server() as (url, _):
        pass  # the port is now closed: connections are refused
    allow(monkeypatch, url)
    retry = RetryPolicy(seed=1, sleep=sleeps, max_attempts=6)
    async with DataverseClient(url, StaticToken("t"), retry=retry) as dv:
        with pytest.raises(TransportFailure, match="ConnectError") as caught:
            await dv.whoami()
        assert dv.stats.requests == FIRST_CONTACT_ATTEMPTS == 2
    message = str(caught.value)
    assert f"cannot reach the organisation at {url.rstrip('/')}" in message
    assert "2 attempt(s)" in message and "check the URL" in message
    assert caught.value.status is None and len(sleeps.delays) == 1
    assert [r.getMessage().split(" in ")[0] for r in caplog.records] == ["retrying GET WhoAmI"]


class RefusingAfterOne(httpx.AsyncBaseTransport):
    """Answers the first request, then refuses every connection (a restarting front end)."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls == 1:
            return httpx.Response(200, json={"UserId": str(uuid.UUID(int=1))})
        raise httpx.ConnectError("All connection attempts failed", request=request)


async def test_a_refused_connection_is_retried_even_for_a_bare_post(sleeps: SleepLog) -> None:
    retry = RetryPolicy(seed=1, sleep=sleeps, max_attempts=3)
    transport = RefusingAfterOne()
    async with DataverseClient(ORG, StaticToken("t"), retry=retry, transport=transport) as dv:
        await dv.whoami()
        with pytest.raises(TransportFailure, match="ConnectError") as caught:
            await dv.create("accounts", {"name": "x"})
        assert dv.stats.requests == 4 and dv.stats.retries == 2
    assert caught.value.status is None and len(sleeps.delays) == 2
    assert "cannot reach" not in str(caught.value)  # it answered before: no URL advice


async def test_a_dropped_connection_repeats_only_idempotent_requests(sleeps: SleepLog) -> None:
    retry = RetryPolicy(seed=1, sleep=sleeps, max_attempts=3)
    with dropping_server() as (url, received):
        async with DataverseClient(url, StaticToken("t"), retry=retry) as dv:
            with pytest.raises(TransportFailure):
                await dv.create("accounts", {"name": "x"})
            assert len(received) == 1
            with pytest.raises(TransportFailure):
                await dv.create("accounts", {"name": "x"}, id=uuid.UUID(int=1))
            assert len(received) == 4
    assert all(b"Bearer t" in r for r in received)


# --- the emulator's faults ------------------------------------------------------------------


async def run_under_faults(faults: FaultConfig) -> tuple[list[float], str, dict[str, int]]:
    app = create_app(faults=faults)
    sleeps = SleepLog()
    async with in_process(app, retry=RetryPolicy(seed=11, sleep=sleeps, max_attempts=10)) as dv:
        ids = [uuid.UUID(int=n) for n in range(1, 31)]
        for row_id in ids:
            await dv.create(HOURS, {"msdyn_name": f"h{row_id.int}"}, id=row_id)
        await dv.batch([operations.update(HOURS, i, {"msdyn_name": "batched"}) for i in ids])
        rows = await dv.get_all(HOURS, filter="msdyn_name eq 'batched'", page_size=7)
        assert sorted(r["msdyn_operatinghourid"] for r in rows) == sorted(map(str, ids))
        counts = dict(app.faults.counts)
        assert dv.stats.throttled == counts.get("throttle", 0)
        assert dv.stats.retries == counts.get("throttle", 0) + counts.get("unavailable", 0)
        return sleeps.delays, str(dv.stats), counts


async def test_injected_429_and_503_are_ridden_out_reproducibly() -> None:
    faults = FaultConfig(seed=42, throttle=0.25, unavailable=0.15, retry_after_seconds=1)
    delays, stats, counts = await run_under_faults(faults)
    assert counts["throttle"] > 0 and counts["unavailable"] > 0
    assert delays.count(1.0) >= counts["throttle"]
    assert await run_under_faults(faults) == (delays, stats, counts)


async def test_a_lost_response_to_a_create_by_id_never_duplicates_it(sleeps: SleepLog) -> None:
    app = create_app(faults=FaultConfig(seed=35, drop_after_commit=0.5))
    retry = RetryPolicy(seed=1, sleep=sleeps, max_attempts=10)
    async with in_process(app, retry=retry) as dv:
        ids = [uuid.uuid4() for _ in range(12)]
        results = [await dv.create(HOURS, {"msdyn_name": "once"}, id=i) for i in ids]
        assert any(r.replayed for r in results)
        assert all(r.status == 412 for r in results if r.replayed)
        assert dv.stats.retries == app.faults.counts["drop_after_commit"]
        rows = await dv.get_all(HOURS, filter="msdyn_name eq 'once'")
    assert sorted(r["msdyn_operatinghourid"] for r in rows) == sorted(map(str, ids))


async def test_a_bare_post_whose_response_is_lost_is_not_repeated(
    tmp_path: Path, sleeps: SleepLog
) -> None:
    db = tmp_path / "org.db"
    dropping = create_app(db, faults=FaultConfig(drop_after_commit=1.0))
    async with in_process(dropping, retry=RetryPolicy(sleep=sleeps)) as dv:
        with pytest.raises(TransportFailure, match="connection dropped"):
            await dv.create(HOURS, {"msdyn_name": "maybe"})
        assert dv.stats.requests == 1
    dropping.close()
    async with in_process(create_app(db)) as dv:
        rows = await dv.get_all(HOURS, filter="msdyn_name eq 'maybe'")
    assert len(rows) == 1  # it did commit: a blind retry would have made two


async def test_the_request_budget_throttles_with_the_service_protection_code(
    sleeps: SleepLog,
) -> None:
    app = create_app(faults=FaultConfig(request_budget=2, budget_window_seconds=300))
    async with in_process(app, retry=RetryPolicy(sleep=sleeps, max_attempts=2)) as dv:
        await dv.whoami()
        await dv.whoami()
        with pytest.raises(Throttled) as caught:
            await dv.whoami()
    assert caught.value.code == "0x80072322"
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 300
    assert sleeps.delays == [caught.value.retry_after]


async def test_the_deadline_bounds_a_slow_answer_and_a_wait_for_a_slot() -> None:
    """The deadline holds whatever the transport: the in-process ASGI transport enforces no
    timeout, and a request queued behind `max_concurrency` must not start its own full timeout
    once a slot frees."""

    async def slow(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await asyncio.sleep(1.0)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"value":[]}'})

    transport = httpx.ASGITransport(app=slow)
    async with DataverseClient(
        ORG, StaticToken("t"), transport=transport, max_concurrency=1, deadline=0.3
    ) as dv:
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(dv.get_all("accounts") for _ in range(3)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
    assert all(isinstance(o, DeadlineExceeded) for o in outcomes), outcomes
    assert elapsed < 0.8
