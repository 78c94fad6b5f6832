"""Opt-in PhoneID lookups of sender numbers: does Telesign see the line type that was declared?

There is no current API listing an account's numbers (telesign.md §8), so this is the best
remote check of a sender number short of sending a message. PhoneID is billed, hence opt-in.
"""

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import httpx

from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignTiming
from smsconf.telesign.errors import TelesignError

NumberKind = Literal["geo", "short_code", "toll_free"]

# PhoneID `phone_type.description` values that fit each declared kind. The descriptions are
# Telesign's (FIXED_LINE, MOBILE, INVALID are in telesign.md §5.3; PREPAID, TOLL_FREE, VOIP,
# PERSONAL come from third-party client code) and are compared instead of the numeric codes.
_EXPECTED_TYPES: dict[str, frozenset[str]] = {
    "geo": frozenset({"FIXED_LINE", "MOBILE", "PREPAID", "VOIP", "PERSONAL"}),
    "toll_free": frozenset({"TOLL_FREE"}),
}
PHONEID_COMPLETED = (300, 301)


@dataclass(frozen=True)
class SenderNumber:
    """A sender number as declared: E.164 digits without `+`, its kind, optionally its country."""

    number: str
    kind: NumberKind
    country: str | None = None


class NumberVerdict(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    NOT_APPLICABLE = "not_applicable"
    LOOKUP_FAILED = "lookup_failed"


@dataclass(frozen=True)
class NumberCheck:
    """What PhoneID says about one declared number and whether it fits the declaration."""

    number: str
    kind: NumberKind
    verdict: NumberVerdict
    detail: str
    phone_type: str | None = None
    country: str | None = None
    code: int | None = None


def judge(declared: SenderNumber, body: Mapping[str, Any]) -> NumberCheck:
    """Compare a PhoneID answer with the declaration: line type, then country if declared."""
    phone_type = str((body.get("phone_type") or {}).get("description", "")).upper() or None
    location = body.get("location") or {}
    country = (location.get("country") or {}).get("iso2")
    problems = []
    if phone_type not in _EXPECTED_TYPES[declared.kind]:
        problems.append(f"PhoneID line type {phone_type} does not fit a {declared.kind} number")
    if declared.country and country and declared.country.upper() != str(country).upper():
        problems.append(f"PhoneID country {country} differs from the declared {declared.country}")
    verdict = NumberVerdict.INCONSISTENT if problems else NumberVerdict.CONSISTENT
    detail = "; ".join(problems) or f"{phone_type} in {country}"
    return NumberCheck(declared.number, declared.kind, verdict, detail, phone_type, country)


async def _lookup(client: TelesignClient, declared: SenderNumber) -> NumberCheck:
    if declared.kind == "short_code":
        return NumberCheck(
            declared.number,
            declared.kind,
            NumberVerdict.NOT_APPLICABLE,
            "PhoneID does not describe short codes; not looked up",
        )
    try:
        response = await client.request("POST", f"/v1/phoneid/{declared.number}")
    except TelesignError as exc:
        return NumberCheck(declared.number, declared.kind, NumberVerdict.LOOKUP_FAILED, str(exc))
    if response.http_status != 200 or response.code not in PHONEID_COMPLETED:
        return NumberCheck(
            declared.number,
            declared.kind,
            NumberVerdict.LOOKUP_FAILED,
            f"PhoneID answered HTTP {response.http_status}, code {response.code}: "
            f"{response.description}",
            code=response.code,
        )
    return judge(declared, response.body)


async def lookup_sender_numbers(
    account: TelesignAccount,
    numbers: Iterable[SenderNumber],
    *,
    concurrency: int = 4,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: TelesignTiming | None = None,
) -> list[NumberCheck]:
    """One PhoneID lookup per geo/toll-free number (billed), results in input order."""
    semaphore = asyncio.Semaphore(concurrency)
    async with TelesignClient(account, transport=transport, policy=policy) as client:

        async def bounded(declared: SenderNumber) -> NumberCheck:
            async with semaphore:
                return await _lookup(client, declared)

        return list(await asyncio.gather(*(bounded(number) for number in numbers)))
