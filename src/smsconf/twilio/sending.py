"""`send_test_sms`: one real (billed) message from a Twilio number, followed to a final state.

Sent by `POST …/Messages.json` (From, To, Body) and read back by `GET …/Messages/{SM}.json`
until its status is final (§3.8: queued, sending, sent are on the way; delivered and read
arrived; undelivered, failed and canceled did not) or the deadline comes. The only proof the
whole path works (the number, its registration, the carrier), so it runs on request only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from smsconf.http_client import RetryPolicy
from smsconf.polling import poll_until
from smsconf.twilio.account import TwilioAccount, e164
from smsconf.twilio.client import TwilioClient, TwilioResponse

FINAL = frozenset({"delivered", "read", "undelivered", "failed", "canceled"})
ARRIVED = frozenset({"delivered", "read"})


@dataclass(frozen=True)
class TestSmsResult:
    """Where the message ended: `final` is False when the deadline came first."""

    __test__ = False  # not a pytest test class, despite the name

    sid: str
    history: tuple[str, ...]
    final: bool
    error_code: int | None = None

    @property
    def delivered(self) -> bool:
        return self.final and self.history[-1] in ARRIVED


def twilio_number(number: str) -> str:
    """The admin center's digits or E.164 as Twilio writes it (a short code stays digits)."""
    digits = number.removeprefix("+")
    return e164(digits, short_code=len(digits) <= 6)


def _checked(client: TwilioClient, response: TwilioResponse, where: str) -> TwilioResponse:
    if not response.ok:
        raise client.rejected(response, where)
    return response


def _status(response: TwilioResponse) -> str:
    return str(response.body.get("status", ""))


async def send_test_sms(
    account: TwilioAccount,
    from_number: str,
    to_number: str,
    text: str,
    *,
    deadline: float = 120.0,
    poll_interval: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
) -> TestSmsResult:
    """Send `text` from `from_number` to `to_number`, then poll until final or the deadline.

    Raises `TwilioRejected` when Twilio refuses the send or a status read (401: the
    credentials), `TwilioUnreachable` when it cannot be reached.
    """
    ends = time.monotonic() + deadline
    async with TwilioClient(account, transport=transport, policy=policy) as client:
        form = {"From": twilio_number(from_number), "To": twilio_number(to_number), "Body": text}
        sent = _checked(client, await client.send_message(form), "the test message")
        sid = str(sent.body.get("sid", ""))
        resource = client.account_path(f"/Messages/{sid}.json")

        async def read() -> TwilioResponse:
            return _checked(client, await client.get(resource), f"message {sid}")

        answers, final = await poll_until(
            sent,
            read,
            lambda answer: _status(answer) in FINAL,
            ends=ends,
            poll_interval=poll_interval,
        )
    history = tuple(map(_status, answers))
    if not final:
        return TestSmsResult(sid, history, final=False)
    code = answers[-1].body.get("error_code")
    return TestSmsResult(sid, history, True, int(code) if code else None)
