"""Following a test message to its final state: the one poll loop of the providers whose
delivery smsconf reads back (Telesign's status codes, Twilio's message statuses).

A send is billed and its outcome arrives later, so the loop reads the message again every
`poll_interval` seconds until its state is final, and gives up, not final, at the caller's
deadline: a wait that would end past it is not started.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def poll_until(
    first: T,
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    ends: float,
    poll_interval: float,
    lost: tuple[type[Exception], ...] = (),
) -> tuple[list[T], bool]:
    """Every state from `first` on, and whether the last is `done`: False when the deadline
    (`ends`, a `time.monotonic()` value) came first or a read raised one of `lost`."""
    history = [first]
    while not done(history[-1]):
        if time.monotonic() + poll_interval > ends:
            return history, False
        await asyncio.sleep(poll_interval)
        try:
            history.append(await read())
        except lost:
            return history, False
    return history, True
