"""`send_test_sms`: one real (billed) message from an ACS number (providers.md §4.5).

`POST /sms` answers 202 with one result per recipient (`successful`, `messageId`,
`httpStatusCode`, `errorMessage`): a refused recipient is not an HTTP error. Delivery is not
followed: ACS reports it through Event Grid (SMS Delivery Report Received), to the
organisation's webhook, not to smsconf; the message is "accepted" when ACS took it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Unpack

from smsconf.acs.client import AcsClient, ClientOptions
from smsconf.acs.connection import ConnectionString


@dataclass(frozen=True)
class TestSmsResult:
    __test__ = False  # not a pytest test class, despite the name

    accepted: bool
    message_id: str
    status: int
    """The recipient's `httpStatusCode` (the request's own status when it failed as a whole)."""
    detail: str


async def send_test_sms(
    connection: ConnectionString,
    from_number: str,
    to_number: str,
    text: str,
    **options: Unpack[ClientOptions],
) -> TestSmsResult:
    async with AcsClient(connection, **options) as client:
        response = await client.send_sms(from_number, to_number, text, tag="smsconf test-sms")
    if not response.ok:
        return TestSmsResult(False, "", response.status, f"{response.message} ({response.code})")
    results = response.body.get("value")
    first: Mapping[str, Any] = (
        results[0]
        if isinstance(results, list) and results and isinstance(results[0], Mapping)
        else {}
    )
    accepted = first.get("successful") is True
    status = first.get("httpStatusCode")
    return TestSmsResult(
        accepted,
        str(first.get("messageId") or ""),
        status if isinstance(status, int) else response.status,
        "accepted" if accepted else str(first.get("errorMessage") or "refused"),
    )
