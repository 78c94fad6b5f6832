"""Work an emulator starts after it has answered (a provider's callbacks and webhooks): the
real services post them later, so a reply must not wait for the customer's endpoint, and a
test needs one place to wait until every such post has landed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    """Tasks started with `start`; `drain()` returns once none is left, including those that
    started while it waited."""

    def __init__(self) -> None:
        self._pending: set[asyncio.Task[Any]] = set()

    def start(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        while self._pending:
            await asyncio.gather(*self._pending)
