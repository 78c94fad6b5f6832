"""Is this Account SID + Auth Token accepted, and is the account usable? One request.

`GET /2010-04-01/Accounts/{sid}.json` (§3.2), the call the admin center's validation is assumed
to make (§10 q.3): 401/20003 means wrong credentials (or a suspended/closed account, which
Twilio also answers so); `status` suspended or closed fails; `type` Trial passes with a warning,
since a trial account only messages verified numbers (21608).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from smsconf.http_client import RetryPolicy
from smsconf.twilio.account import TwilioAccount
from smsconf.twilio.client import TwilioClient
from smsconf.twilio.errors import TwilioUnreachable


@dataclass(frozen=True)
class AccountCheck:
    account: str
    account_sid: str
    status: str
    """ok, invalid_credentials, account_suspended, account_closed, throttled, unavailable,
    unreachable or unexpected."""
    detail: str
    account_type: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def verdict(http_status: int, code: int | None, body_status: str | None) -> str:
    if http_status == 200:
        return {"active": "ok", "suspended": "account_suspended", "closed": "account_closed"}.get(
            body_status or "", "unexpected"
        )
    if http_status == 401 or code == 20003:
        return "invalid_credentials"
    if http_status == 404:
        return "invalid_credentials"  # an unknown SID in the path (20404)
    if http_status == 429:
        return "throttled"
    if http_status >= 500:
        return "unavailable"
    return "unexpected"


HINTS = {
    "invalid_credentials": "check the Account SID and its Auth Token (an API key is not "
    "accepted here); Twilio also answers so for a suspended or closed account",
    "account_suspended": "Twilio suspended the account: messages are neither sent nor received",
    "account_closed": "the account is closed: its numbers are released",
}


async def check_account(
    account: TwilioAccount,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
) -> AccountCheck:
    async with TwilioClient(account, transport=transport, policy=policy) as client:
        try:
            response = await client.get(client.account_path(".json"))
        except TwilioUnreachable as exc:
            return AccountCheck(account.name, account.account_sid, "unreachable", str(exc))
    body_status = response.body.get("status")
    status = verdict(response.status, response.code, str(body_status) if body_status else None)
    kind = response.body.get("type") if response.ok else None
    if status == "ok":
        detail = f"credentials accepted; {kind or 'unknown'} account, active"
    else:
        detail = f"{response.message} (HTTP {response.status}, code {response.code})"
        if status in HINTS:
            detail += f"; {HINTS[status]}"
    warning = (
        "a Trial account only messages verified numbers (error 21608) and prefixes every "
        "message; upgrade it before customers text it"
        if status == "ok" and kind == "Trial"
        else None
    )
    return AccountCheck(
        account.name,
        account.account_sid,
        status,
        detail,
        str(kind) if kind else None,
        warning,
    )
