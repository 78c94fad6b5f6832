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


def test_alternate_key_lookups_use_an_index_and_ignore_case() -> None:
    """The unique-key check of every insert is an index search, not a scan of the table."""
    store = Store()
    table = "msdyn_decisionruleset"
    for i in range(3):
        store.put(table, f"id-{i}", {"msdyn_uniquename": f"New_{i}", "id": f"id-{i}"})
    store.put("msdyn_decisioncontract", "other", {"msdyn_uniquename": "new_1"})
    assert [r["id"] for r in store.find(table, {"msdyn_uniquename": "NEW_1"})] == ["id-1"]
    assert store.find(table, {"msdyn_uniquename": "new_9"}) == []
    plan = store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT data FROM rows WHERE tbl=? AND "
        """lower(json_extract(data, '$."msdyn_uniquename"')) = lower(?)""",
        (table, "x"),
    ).fetchall()
    assert "USING INDEX rows_key_msdyn_uniquename" in str(plan)


def test_find_on_a_column_name_that_is_not_an_identifier() -> None:
    store = Store()
    store.put("t", "1", {"odd name": 5, "x'y": "A"})
    assert store.find("t", {"odd name": 5, "x'y": "a"}) == [{"odd name": 5, "x'y": "A"}]
