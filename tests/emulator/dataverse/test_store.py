"""SQLite storage: durability across restarts, nested transactions, concurrent requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from tests.emulator.dataverse.conftest import API, AUTH, create

from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.store import Store

ACCOUNTS = "msdyn_occommunicationprovidersettings"


async def test_rows_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "org.sqlite"
    first = create_app(db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=first), base_url=API, headers=AUTH
    ) as http:
        row_id = await create(http, ACCOUNTS, {"msdyn_name": "durable"})
    first.close()
    second = create_app(db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url=API, headers=AUTH
    ) as http:
        row = (await http.get(f"{ACCOUNTS}({row_id})")).json()
        languages = (await http.get("msdyn_oclanguages")).json()["value"]
    second.close()
    assert row["msdyn_name"] == "durable"
    assert len(languages) == len({r["msdyn_localeid"] for r in languages})  # seeded only once


def test_nested_transaction_rolls_back_alone() -> None:
    store = Store()
    with store.transaction():
        store.put("t", "1", {"id": "1"})
        with pytest.raises(RuntimeError), store.transaction():
            store.put("t", "2", {"id": "2"})
            raise RuntimeError("inner failure")
    assert [r["id"] for r in store.rows("t")] == ["1"]


def test_outer_failure_rolls_back_everything() -> None:
    store = Store()
    with pytest.raises(RuntimeError), store.transaction():
        store.put("t", "1", {"id": "1"})
        with store.transaction():
            store.put("t", "2", {"id": "2"})
        raise RuntimeError("outer failure")
    assert store.rows("t") == []


def test_versions_only_grow() -> None:
    store = Store()
    with store.transaction():
        versions = [store.next_version() for _ in range(5)]
    assert versions == sorted(set(versions))


async def test_concurrent_writes_all_land(client: httpx.AsyncClient) -> None:
    ids = await asyncio.gather(
        *(create(client, ACCOUNTS, {"msdyn_name": f"a{i}"}) for i in range(40))
    )
    listed = (await client.get(ACCOUNTS, params={"$count": "true"})).json()
    assert listed["@odata.count"] == 40 == len(set(ids))


def test_a_file_held_by_another_process_is_a_503(tmp_path: Path) -> None:
    db = tmp_path / "org.sqlite"
    holder, waiter = Store(db), Store(db, busy_timeout=0.05)
    with holder.transaction(), pytest.raises(DataverseError) as caught, waiter.transaction():
        pass
    assert (caught.value.status, caught.value.headers) == (503, {"Retry-After": "1"})
    with waiter.transaction():
        waiter.put("t", "1", {"id": "1"})
    holder.close()
    waiter.close()
