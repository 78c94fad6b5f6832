"""The one retry core: `with_retries` runs an attempt until its caller's `decide` says final."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from smsconf.http_client import Deadline, ProviderRejected, ProviderResponse, with_retries


class Recorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_the_final_answer_is_returned_after_the_waits_decide_gives() -> None:
    answers = iter([503, 503, 200, 200])
    sleep, told = Recorder(), []

    async def attempt() -> int:
        return next(answers)

    def decide(n: int, outcome: object) -> float | None:
        return 0.5 * n if outcome == 503 else None

    result = asyncio.run(
        with_retries(attempt, decide, sleep=sleep, announce=lambda n, d, o: told.append((n, o)))
    )
    assert result == 200 and sleep.waits == [0.5, 1.0] and told == [(1, 503), (2, 503)]


def test_a_final_exception_is_raised_as_it_is() -> None:
    calls = []

    async def attempt() -> int:
        calls.append(1)
        raise httpx.ConnectError("refused")

    def decide(n: int, outcome: object) -> float | None:
        return 0.0 if n < 3 else None

    with pytest.raises(httpx.ConnectError, match="refused"):
        asyncio.run(with_retries(attempt, decide, sleep=Recorder()))
    assert len(calls) == 3


def test_a_wait_past_the_deadline_is_not_taken() -> None:
    now = [0.0]
    deadline = Deadline(10, clock=lambda: now[0])
    deadline.remaining()  # started
    sleep = Recorder()

    async def attempt() -> str:
        now[0] += 4
        return "busy"

    result = asyncio.run(with_retries(attempt, lambda n, o: 5.0, sleep=sleep, deadline=deadline))
    assert result == "busy" and sleep.waits == [5.0]  # 4 s used, 5 fit; at 8 s, 5 do not


@pytest.mark.parametrize(
    ("content", "body"),
    [(b'{"sid": "SM1"}', {"sid": "SM1"}), (b"[1]", {}), (b"<html>", {}), (b"", {})],
)
def test_a_provider_answer_keeps_its_json_object_only(content: bytes, body: object) -> None:
    answer = ProviderResponse.received(httpx.Response(429, content=content), 3)
    assert (answer.status, answer.body, answer.attempts, answer.ok) == (429, body, 3, False)


def test_a_provider_refusal_says_who_refused_what_and_why() -> None:
    class Refused(ProviderRejected):
        provider = "Contoso"

    refused = Refused(401, 20003, "Authenticate", "listing numbers")
    assert (refused.status, refused.code, refused.message) == (401, 20003, "Authenticate")
    assert str(refused) == "Contoso refused listing numbers: HTTP 401, code 20003: Authenticate"
