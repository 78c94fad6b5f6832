"""A 429 storm from Twilio, end to end: the example served over loopback (`--target URL`) with
its Twilio account pointed at a served Twilio emulator that answers 429 for a burst.

Twilio's 2010 API answers an exceeded concurrency with HTTP 429, code 20429, "safe to retry after
backing off", and the `Twilio-Concurrent-Requests` header; it documents no `Retry-After` there
(providers.md §3.5), so the client backs off on its own; where one is sent (newer APIs), it is the
wait. A storm shorter than the retry budget
converges: plan sees everything, apply writes every row once and the number's inbound URL once.
A storm that outlasts it fails where it struck, with the exit code of that place: the credential
check (exit 4, nothing written) or the inbound-URL write (exit 7, journaled; the next apply
finishes). The waits are recorded instead of slept (the policy itself is smsconf's own: its
attempts and backoff are unchanged); what was written is read from the two servers themselves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from tools.testkit.convergence import key_counts, org_client
from tools.testkit.served import ServedOrg, start_served
from tools.testkit.workspace import Workspace, ws

from smsconf.config.loader import load
from smsconf.emulator.serving import running
from smsconf.emulator.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    TwilioEmulator,
    demo_accounts,
)
from smsconf.emulator.twilio import create_app as twilio_app
from smsconf.emulator.twilio.app import error
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.live import read_live
from smsconf.twilio import client as twilio_client

__all__ = ["ws"]  # the fixture, used by name

NUMBER = "14255550142"  # the example's Twilio number, owned by the demo account
GATEWAY = "https://m-5d0c4a8e-2f3b-4c61-9a7e-0b1d2c3e4f50.us.omnichannelengagementhub.com"
ATTEMPTS = twilio_client.provider_retry_policy().max_attempts


class Burst:
    """Twilio refusing the next `remaining` requests of one kind (`method` on a path ending with
    `ends`) with its 429; the emulator's own throttle strikes whatever request comes next."""

    def __init__(self, app: ASGIApp, method: str, ends: str) -> None:
        self.app = app
        self.method = method
        self.ends = ends
        self.remaining = 0
        self.refused = 0
        self.retry_after: str | None = None
        """A `Retry-After` to send: the 2010 API documents none (§3.5), newer APIs do."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == self.method
            and scope["path"].endswith(self.ends)
            and self.remaining > 0
        ):
            self.remaining -= 1
            self.refused += 1
            headers = {"Twilio-Concurrent-Requests": "101"}
            if self.retry_after is not None:
                headers["Retry-After"] = self.retry_after
            busy = error(429, 20429, "Too Many Requests", **headers)
            await busy(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Storm:
    """The served example, its Twilio behind a storm, and the waits the client took."""

    def __init__(
        self, served: ServedOrg, emulator: TwilioEmulator, writes: Burst, reads: Burst
    ) -> None:
        self.served = served
        self.emulator = emulator
        self.writes = writes
        """Updates of a number (`POST …/IncomingPhoneNumbers/PN….json`)."""
        self.reads = reads
        """Look-ups of a number (`GET …/IncomingPhoneNumbers.json?PhoneNumber=…`)."""
        self.waits: list[float] = []

    def throttle_next(self, n: int) -> None:
        """The emulator's own throttle, set through its admin route: the next `n` requests."""
        reply = httpx.put(
            f"{self.served.twilio_url}/_emulator/faults", content=f"throttle_next={n}"
        )
        reply.raise_for_status()

    def number_posts(self) -> int:
        """Number updates Twilio processed (a refused one never reaches the emulator)."""
        return sum(
            1
            for method, path, _ in self.emulator.journal
            if method == "POST" and "/IncomingPhoneNumbers/" in path
        )

    def sms_url(self) -> str:
        path = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/IncomingPhoneNumbers.json"
        reply = httpx.get(
            self.served.twilio_url + path,
            params={"PhoneNumber": "+" + NUMBER},
            auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN),
        )
        reply.raise_for_status()
        (number,) = reply.json()["incoming_phone_numbers"]
        return str(number["sms_url"])

    def duplicates(self) -> list[str]:
        """Rows of the organisation that share a natural key (a create sent twice)."""

        async def read() -> list[str]:
            async with org_client(self.served.db) as client:
                live = await read_live(client, load(["examples/"]).config)
            return [
                f"{table}{key} x{n}"
                for table, keys in key_counts(live).items()
                for key, n in keys.items()
                if n > 1
            ]

        return asyncio.run(read())


def number_sid() -> str:
    (number,) = [n for n in demo_accounts()[0].numbers if n.phone_number == "+" + NUMBER]
    return number.sid


@pytest.fixture
def storm(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Storm]:
    with ExitStack() as stack:
        served = start_served(ws, stack)
        app = twilio_app()
        writes = Burst(app, "POST", f"/IncomingPhoneNumbers/{number_sid()}.json")
        reads = Burst(writes, "GET", "/IncomingPhoneNumbers.json")
        url = stack.enter_context(running(reads))
        text = ws.config.read_text(encoding="utf-8")
        assert text.count(served.twilio_url) == 1
        # the local environment gets a gateway, so the Twilio number's inbound URL is managed
        text = text.replace(served.twilio_url, url).replace(
            "    target: local\n", f"    target: local\n    gateway: {GATEWAY}\n", 1
        )
        ws.config.write_text(text, encoding="utf-8")
        served.twilio_url = url
        made = Storm(served, app.state.twilio, writes, reads)

        def recorded() -> Any:
            policy = original()
            policy.sleep = record
            return policy

        async def record(seconds: float) -> None:
            made.waits.append(seconds)

        original = twilio_client.provider_retry_policy
        monkeypatch.setattr(twilio_client, "provider_retry_policy", recorded)
        yield made


def expected_url(storm: Storm) -> str:
    planned = storm.served.plan("--format", "json")
    org = json.loads(planned.stdout)["org_id"]
    return f"{GATEWAY}/twilio/incoming?orgId={org}"


def test_a_storm_within_the_retry_budget_converges_without_duplicates(storm: Storm) -> None:
    served = storm.served
    storm.throttle_next(ATTEMPTS - 2)
    planned = served.plan("--detailed-exitcode")
    assert planned.exit_code == ExitCode.CHANGES, planned.output
    assert f"Twilio inbound URL of number {NUMBER}" in planned.output
    assert len(storm.waits) >= ATTEMPTS - 2  # each refused request was retried after a wait
    assert all(wait > 0 for wait in storm.waits)

    storm.throttle_next(ATTEMPTS - 2)  # the apply's own checks meet a storm
    storm.writes.remaining = ATTEMPTS - 1  # and so does its write: the last attempt passes
    applied = served.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert storm.writes.refused == ATTEMPTS - 1
    assert storm.number_posts() == 1
    url = expected_url(storm)
    assert storm.sms_url() == url

    again = served.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert storm.duplicates() == []
    assert storm.number_posts() == 1


def test_a_storm_outlasting_the_budget_fails_the_credential_check_and_writes_nothing(
    storm: Storm,
) -> None:
    served = storm.served
    storm.throttle_next(10_000)
    planned = served.plan()
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    assert "contoso-twilio" in planned.output and "throttled" in planned.output
    applied = served.apply()
    assert applied.exit_code == ExitCode.CREDENTIALS, applied.output
    assert served.rows("msdyn_occommunicationprovidersetting") == []
    assert storm.number_posts() == 0
    # Every attempt was made: the budget, not a shortcut, ended each request.
    assert len(storm.waits) >= ATTEMPTS - 1

    storm.throttle_next(0)  # the storm is over: the next apply does everything
    assert served.apply().exit_code == ExitCode.OK
    assert storm.sms_url() == expected_url(storm)
    assert storm.duplicates() == [] and storm.number_posts() == 1


def test_a_storm_on_the_write_fails_it_located_and_the_next_apply_finishes(
    storm: Storm,
) -> None:
    served = storm.served
    storm.writes.remaining = 10_000
    applied = served.apply()
    assert applied.exit_code == ExitCode.PARTIAL_APPLY, applied.output
    assert storm.writes.refused == ATTEMPTS  # one write, every attempt of it refused
    assert f"Twilio inbound URL of number {NUMBER}" in applied.output
    assert "20429" in applied.output or "Too Many Requests" in applied.output
    assert storm.number_posts() == 0 and storm.sms_url() == ""
    # The organisation's rows were written before the switch (§7.3's order).
    (account,) = served.rows("msdyn_occommunicationprovidersetting", msdyn_name="contoso-twilio")
    assert account

    storm.writes.remaining = 0
    again = served.apply()
    assert again.exit_code == ExitCode.OK, again.output
    assert storm.number_posts() == 1 and storm.sms_url() == expected_url(storm)
    assert storm.duplicates() == []
    final = served.plan("--detailed-exitcode")
    assert final.exit_code == ExitCode.OK, final.output


def test_a_storm_on_the_number_reads_fails_the_plan_instead_of_skipping_the_number(
    storm: Storm,
) -> None:
    """The credentials pass, then every look-up of the number is refused: the plan cannot say
    where its inbound SMS goes, so the account is not checkable (exit 4), never a plan that
    silently leaves the inbound URL out."""
    served = storm.served
    storm.reads.remaining = 10_000
    planned = served.plan()
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    assert storm.reads.refused == ATTEMPTS
    assert "contoso-twilio" in planned.output
    assert "numbers could not be read" in planned.output and "20429" in planned.output
    applied = served.apply()
    assert applied.exit_code == ExitCode.CREDENTIALS, applied.output
    assert served.rows("msdyn_occommunicationprovidersetting") == []

    storm.reads.remaining = 0
    assert served.apply().exit_code == ExitCode.OK
    assert storm.sms_url() == expected_url(storm) and storm.duplicates() == []


def test_a_retry_after_twilio_sends_is_the_wait(storm: Storm) -> None:
    """Where Twilio does send Retry-After, the client waits that long rather than its own
    backoff, and the write still lands once."""
    storm.writes.retry_after = "3"
    storm.writes.remaining = 2
    applied = storm.served.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert storm.waits.count(3.0) == 2
    assert storm.number_posts() == 1 and storm.sms_url() == expected_url(storm)
