"""PhoneID checks of declared sender numbers against the emulator."""

from dataclasses import replace

import pytest

from smsconf.telesign.numbers import (
    NumberVerdict,
    SenderNumber,
    judge,
    lookup_sender_numbers,
)

from .conftest import FAST, GOOD, NO_SMS, Target

GEO, TOLL_FREE, SHORT = (number.number for number in GOOD.numbers)


async def test_declarations_checked_in_order(target: Target) -> None:
    declared = [
        SenderNumber(GEO, "geo", "US"),
        SenderNumber(TOLL_FREE, "toll_free"),
        SenderNumber(TOLL_FREE, "geo"),
        SenderNumber(GEO, "geo", "GB"),
        SenderNumber(SHORT, "short_code"),
    ]
    checks = await lookup_sender_numbers(
        target.account(), declared, transport=target.transport, policy=FAST
    )
    assert [(c.number, c.verdict) for c in checks] == [
        (GEO, NumberVerdict.CONSISTENT),
        (TOLL_FREE, NumberVerdict.CONSISTENT),
        (TOLL_FREE, NumberVerdict.INCONSISTENT),
        (GEO, NumberVerdict.INCONSISTENT),
        (SHORT, NumberVerdict.NOT_APPLICABLE),
    ]
    assert checks[0].detail == "FIXED_LINE in US"
    assert "TOLL_FREE does not fit a geo number" in checks[2].detail
    assert "country US differs from the declared GB" in checks[3].detail
    assert len(target.emulator.journal) == 4  # the short code cost nothing


@pytest.mark.parametrize(
    ("customer_id", "number", "code"),
    [(NO_SMS.customer_id, GEO, 10011), (GOOD.customer_id, "12345", 11000)],
)
async def test_lookup_failures(local: Target, customer_id: str, number: str, code: int) -> None:
    [check] = await lookup_sender_numbers(
        local.account(customer_id),
        [SenderNumber(number, "geo")],
        transport=local.transport,
        policy=FAST,
    )
    assert (check.verdict, check.code) == (NumberVerdict.LOOKUP_FAILED, code)


async def test_unreachable_lookup(closed_port_url: str, local: Target) -> None:
    [check] = await lookup_sender_numbers(
        replace(local.account(), endpoint=closed_port_url), [SenderNumber(GEO, "geo")], policy=FAST
    )
    assert check.verdict is NumberVerdict.LOOKUP_FAILED
    assert "could not reach" in check.detail


def test_judge_accepts_voip_geo_and_ignores_missing_country() -> None:
    body = {"phone_type": {"code": "5", "description": "VOIP"}, "location": {}}
    check = judge(SenderNumber("14255550100", "geo", "US"), body)
    assert (check.verdict, check.phone_type, check.country) == (
        NumberVerdict.CONSISTENT,
        "VOIP",
        None,
    )
    assert judge(SenderNumber("1", "toll_free"), {}).verdict is NumberVerdict.INCONSISTENT
