"""The API key never shows: every failure path's results, exceptions, tracebacks, logs and
printed output are scanned for the key, its decoded bytes and the Basic credential."""

import base64
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import replace

import httpx
import pytest

from smsconf.emulator.telesign import Faults, create_app
from smsconf.telesign import signing
from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignTiming
from smsconf.telesign.credentials import check_all
from smsconf.telesign.errors import TelesignError
from smsconf.telesign.numbers import SenderNumber, lookup_sender_numbers
from smsconf.telesign.sending import send_test_sms

from .conftest import EMULATED, ENTERPRISE_ONLY, FAST, GOOD, NO_SMS, Target

WRONG_KEY = base64.b64encode(b"a wrong but well-formed key, also secret").decode()
SLOW = TelesignTiming(attempts=2, backoff=0.0, request_timeout=0.1, deadline=0.3)


def forms_of(account: TelesignAccount) -> list[str]:
    """Every way a key could leak: itself, its decoded text, its base64, the Basic credential."""
    key = account.api_key.reveal()
    return [
        key,
        base64.b64decode(key).decode("utf-8", errors="replace"),
        base64.b64encode(key.encode()).decode(),
        signing.basic_authorization(account.customer_id, key).removeprefix("Basic "),
    ]


def texts_of(value: object) -> list[str]:
    if isinstance(value, BaseException):
        return [str(value), repr(value), "".join(traceback.format_exception(value))]
    if isinstance(value, list):
        return [text for item in value for text in texts_of(item)]
    return [str(value), repr(value)]


async def outcome(action: Callable[[], Awaitable[object]]) -> object:
    try:
        return await action()
    except TelesignError as exc:
        return exc


def fresh(faults: Faults | None = None) -> Target:
    app = create_app(EMULATED, faults=faults)
    return Target("https://rest-api.telesign.test", httpx.ASGITransport(app), app.state.telesign)


async def test_no_failure_path_shows_the_key(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], closed_port_url: str
) -> None:
    caplog.set_level(logging.DEBUG)
    plain, throttled, down, slow = (
        fresh(),
        fresh(Faults(throttle=1.0)),
        fresh(Faults(outage=1.0)),
        fresh(Faults(delay=1.0)),
    )
    wrong = plain.account(api_key=WRONG_KEY)
    wrong_basic = plain.account(api_key=WRONG_KEY, auth="basic")
    good = plain.account()
    nowhere = replace(good, endpoint=closed_port_url)
    accounts = [
        wrong,
        wrong_basic,
        good,
        nowhere,
        plain.account(NO_SMS.customer_id),
        plain.account(ENTERPRISE_ONLY.customer_id),
    ]
    sender, handset = GOOD.numbers[0].number, "15555550123"
    observed: list[object] = [
        await check_all(accounts[:3] + accounts[4:], transport=plain.transport, policy=FAST),
        await check_all([nowhere], policy=FAST),
        await check_all([good], transport=throttled.transport, policy=FAST),
        await check_all([good], transport=down.transport, policy=FAST),
        await check_all([good], transport=slow.transport, policy=SLOW),
        await lookup_sender_numbers(
            wrong, [SenderNumber(sender, "geo")], transport=plain.transport, policy=FAST
        ),
        await lookup_sender_numbers(nowhere, [SenderNumber(sender, "geo")], policy=FAST),
        await outcome(
            lambda: send_test_sms(
                wrong, sender, handset, "x", transport=plain.transport, policy=FAST
            )
        ),
        await outcome(
            lambda: send_test_sms(
                wrong_basic, sender, handset, "x", transport=plain.transport, policy=FAST
            )
        ),
        await outcome(lambda: send_test_sms(nowhere, sender, handset, "x", policy=FAST)),
        await outcome(
            lambda: send_test_sms(good, sender, handset, "x", transport=slow.transport, policy=SLOW)
        ),
        TelesignClient(wrong, transport=plain.transport),
        good,
        wrong,
    ]
    assert sum(isinstance(item, TelesignError) for item in observed) == 4
    printed = capsys.readouterr()
    haystack = "\n".join(
        [*(t for item in observed for t in texts_of(item)), caplog.text, printed.out, printed.err]
    )
    assert "Invalid Signature." in haystack and "could not reach" in haystack
    for account in accounts:
        for secret in forms_of(account):
            assert secret not in haystack
