"""Request accounting: what the benchmark and --verbose print must match the wire."""

from __future__ import annotations

import json
import uuid

from tests.dataverse.peers import ORG, Reply, ScriptedPeer, in_process

from smsconf.dataverse import DataverseClient, RequestStats, StaticToken, operations
from smsconf.emulator.dataverse import DataverseEmulator

HOURS = "msdyn_operatinghours"


async def test_bytes_each_way_match_what_the_peer_saw() -> None:
    rows = {"value": [{"name": "é" * 10}]}
    peer = ScriptedPeer(Reply(204), Reply(200, rows))
    async with DataverseClient(ORG, StaticToken("t"), transport=peer.transport()) as dv:
        await dv.create("accounts", {"name": "ü"})
        await dv.get_all("accounts")
        assert dv.stats.bytes_sent == sum(len(s.body) for s in peer.seen) > 0
        assert dv.stats.bytes_received == len(json.dumps(rows).encode())


async def test_a_batch_is_one_request_carrying_many_operations(
    emulator: DataverseEmulator,
) -> None:
    async with in_process(emulator) as dv:
        await dv.batch(
            [operations.create(HOURS, {"msdyn_name": f"{n}"}, id=uuid.uuid4()) for n in range(1500)]
        )
        await dv.whoami()
        stats = dv.stats
    assert (stats.requests, stats.operations, stats.retries, stats.throttled) == (3, 1501, 0, 0)
    assert stats.bytes_sent > 1500 * 100 and stats.bytes_received > 1500 * 30


def test_the_summary_line() -> None:
    stats = RequestStats(requests=3, retries=1, throttled=1, operations=7, bytes_sent=10)
    assert str(stats) == (
        "3 requests (1 retries, 1 throttled), 7 operations, 10 B sent, 0 B received"
    )


def test_counters_since_an_earlier_copy() -> None:
    earlier = RequestStats(requests=2, retries=1, operations=5, bytes_sent=10)
    now = RequestStats(requests=7, retries=1, throttled=2, operations=1005, bytes_sent=90)
    assert now - earlier == RequestStats(
        requests=5, retries=0, throttled=2, operations=1000, bytes_sent=80, bytes_received=0
    )
