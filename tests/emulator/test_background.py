"""`Background`: a reply does not wait for the work it starts, and `drain` waits for all of it."""

from __future__ import annotations

import asyncio

from smsconf.emulator.background import Background


async def test_start_returns_before_the_work_runs_and_drain_waits_for_it() -> None:
    background = Background()
    done: list[str] = []
    release = asyncio.Event()

    async def work() -> None:
        await release.wait()
        done.append("work")

    background.start(work())
    assert done == []
    asyncio.get_running_loop().call_soon(release.set)
    await background.drain()
    assert done == ["work"]


async def test_drain_also_waits_for_work_started_while_it_waited() -> None:
    background = Background()
    done: list[str] = []

    async def follow_up() -> None:
        await asyncio.sleep(0)
        done.append("follow-up")

    async def first() -> None:
        background.start(follow_up())
        done.append("first")

    background.start(first())
    await background.drain()
    assert done == ["first", "follow-up"]
    await background.drain()  # nothing left: returns at once
