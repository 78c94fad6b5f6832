"""`send_test_sms`: send one real message from a sender number and follow it to a final state.

This is the only end-to-end proof that a number can send (a number not allowed for the
destination shows up only asynchronously, as status 508/521, §8), so it costs one message and is
run only on request.
"""

import time
from dataclasses import dataclass

import httpx

from smsconf.polling import poll_until
from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignResponse, TelesignTiming
from smsconf.telesign.errors import TelesignRejected, TelesignTimeout

# Intermediate SMS states (§5.2); every other code is final.
IN_PROGRESS = frozenset({203, 290, 291, 292, 295})
DELIVERED = 200


@dataclass(frozen=True)
class StatusUpdate:
    code: int
    description: str


@dataclass(frozen=True)
class TestSmsResult:
    """Where the test message ended: `final` is False when the deadline came first."""

    __test__ = False  # not a pytest test class, despite the name

    reference_id: str
    history: tuple[StatusUpdate, ...]
    final: bool

    @property
    def last(self) -> StatusUpdate:
        return self.history[-1]

    @property
    def delivered(self) -> bool:
        return self.final and self.last.code == DELIVERED


def _update(response: TelesignResponse) -> StatusUpdate:
    if response.http_status != 200 or response.code is None:
        raise TelesignRejected(response.http_status, response.code, response.description)
    return StatusUpdate(response.code, response.description)


async def send_test_sms(
    account: TelesignAccount,
    from_number: str,
    to_number: str,
    text: str,
    *,
    deadline: float = 120.0,
    poll_interval: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: TelesignTiming | None = None,
) -> TestSmsResult:
    """Send `text` to `to_number` with `sender_id=from_number`, then poll until final or deadline.

    Raises `TelesignRejected` when Telesign refuses the send or a status read, and
    `TelesignUnreachable`/`TelesignTimeout` when it cannot be reached.
    """
    ends = time.monotonic() + deadline
    async with TelesignClient(account, transport=transport, policy=policy) as client:
        sent = await client.request(
            "POST",
            "/v1/messaging",
            idempotent=False,
            form={
                "phone_number": to_number,
                "message": text,
                "message_type": "ARN",
                "sender_id": from_number,
            },
        )
        first = _update(sent)
        reference_id = str(sent.body.get("reference_id", ""))

        async def read() -> StatusUpdate:
            return _update(await client.request("GET", f"/v1/messaging/{reference_id}"))

        history, final = await poll_until(
            first,
            read,
            lambda update: update.code not in IN_PROGRESS,
            ends=ends,
            poll_interval=poll_interval,
            lost=(TelesignTimeout,),
        )
    return TestSmsResult(reference_id, tuple(history), final)
