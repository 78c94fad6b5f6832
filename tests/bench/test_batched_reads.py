"""The read path the benchmark measures: `DataverseClient.read_many` and `read_live`.

The first page of every query travels in one $batch request; only a query with more rows than
its page size costs more requests (its next pages, followed from the nextLink); a failing query
raises its own error rather than a "not executed" one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from smsconf.config.model import Config
from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.dataverse.client import Query
from smsconf.dataverse.errors import BadRequest
from smsconf.emulator.dataverse import create_app
from smsconf.reconcile.live import read_live

URL = "http://bench.local"


@pytest.fixture
async def dv() -> AsyncIterator[DataverseClient]:
    app = create_app(base_url=URL)
    transport = httpx.ASGITransport(app=app)
    try:
        async with DataverseClient(URL, StaticToken("t"), transport=transport) as client:
            yield client
    finally:
        app.close()


async def test_first_pages_share_one_request_and_long_queries_page_on(
    dv: DataverseClient,
) -> None:
    for i in range(5):
        await dv.create("msdyn_cannedmessages", {"msdyn_title": f"reply {i}"})
    before = dv.stats.requests
    replies, languages, none = await dv.read_many(
        [
            Query("msdyn_cannedmessages", select=["msdyn_title"], page_size=2),
            Query("msdyn_oclanguages", select=["msdyn_localeid"]),
            Query("msdyn_cannedmessages", filter="msdyn_title eq 'absent'"),
        ]
    )
    assert sorted(r["msdyn_title"] for r in replies) == [f"reply {i}" for i in range(5)]
    assert all("@odata.etag" in r for r in replies)
    assert languages and none == []
    assert dv.stats.requests - before == 1 + 2  # the $batch, then pages 2 and 3 of 5 rows by 2


async def test_a_failing_query_raises_its_own_error(dv: DataverseClient) -> None:
    with pytest.raises(BadRequest, match="no_such_column"):
        await dv.read_many(
            [Query("msdyn_oclanguages", select=["no_such_column"]), Query("msdyn_oclanguages")]
        )


async def test_read_live_costs_two_requests_whatever_the_number_of_tables(
    dv: DataverseClient,
) -> None:
    live = await read_live(dv, Config())
    assert len(live.rows) > 10
    assert dv.stats.requests == 2  # the probe's $batch (with WhoAmI), then the reads' $batch
