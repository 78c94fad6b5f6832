"""The one poll loop of a test message: read until final, the deadline, or a lost read."""

from __future__ import annotations

import asyncio
import time

from smsconf.polling import poll_until

FINAL = "delivered"


class Reads:
    """The states a provider answers, one per read, counted."""

    def __init__(self, states: list[str]) -> None:
        self.states = iter(states)
        self.count = 0

    async def __call__(self) -> str:
        self.count += 1
        state = next(self.states)
        if state == "timeout":
            raise TimeoutError(state)
        return state


def follow(first: str, reads: Reads, *, ends: float | None = None) -> tuple[list[str], bool]:
    far = time.monotonic() + 3600 if ends is None else ends
    return asyncio.run(
        poll_until(
            first,
            reads,
            lambda state: state == FINAL,
            ends=far,
            poll_interval=0.0,
            lost=(TimeoutError,),
        )
    )


def test_states_are_read_until_a_final_one() -> None:
    reads = Reads(["sending", "sent", FINAL, "never read"])
    assert follow("queued", reads) == (["queued", "sending", "sent", FINAL], True)
    assert reads.count == 3


def test_a_final_first_state_reads_nothing() -> None:
    reads = Reads([])
    assert follow(FINAL, reads) == ([FINAL], True)
    assert reads.count == 0


def test_a_deadline_already_passed_ends_it_not_final_without_a_read() -> None:
    reads = Reads(["sent"])
    assert follow("queued", reads, ends=time.monotonic() - 1) == (["queued"], False)
    assert reads.count == 0


def test_a_lost_read_ends_it_not_final_with_what_was_read() -> None:
    reads = Reads(["sending", "timeout", FINAL])
    assert follow("queued", reads) == (["queued", "sending"], False)
    assert reads.count == 2
