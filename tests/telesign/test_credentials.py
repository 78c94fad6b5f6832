"""Credential checks against the emulator, in-process and over a socket: each verdict, the
per-run cache and the concurrency bound."""

import time

import httpx
import pytest

from smsconf.emulator.telesign import Faults, create_app
from smsconf.telesign.account import AuthMethod, TelesignAccount
from smsconf.telesign.client import TelesignResponse, TelesignTiming
from smsconf.telesign.credentials import (
    PROBE_RESOURCE,
    CredentialChecker,
    CredentialStatus,
    check_all,
    check_credentials,
    interpret,
)
from smsconf.telesign.secret import ApiKey

from .conftest import EMULATED, ENTERPRISE_ONLY, FAST, GOOD, NO_SMS, SUSPENDED, Target

WRONG_KEY = "d3Jvbmcta2V5LXdyb25nLWtleQ=="
Verdict = tuple[CredentialStatus, int | None]


async def verdict(target: Target, account: TelesignAccount) -> Verdict:
    result = await check_credentials(account, transport=target.transport, policy=FAST)
    return result.status, result.code


async def test_good_credentials(target: Target) -> None:
    result = await check_credentials(
        target.account(name="contoso"), transport=target.transport, policy=FAST
    )
    assert result.ok and result.status is CredentialStatus.OK
    assert (result.account, result.customer_id, result.code, result.http_status) == (
        "contoso",
        GOOD.customer_id,
        10017,
        404,
    )
    assert result.endpoint == target.endpoint
    assert target.emulator.journal == [("GET", PROBE_RESOURCE)]
    assert target.emulator.messages == {}


@pytest.mark.parametrize(
    ("customer_id", "api_key", "auth", "expected"),
    [
        (GOOD.customer_id, WRONG_KEY, "tsa", (CredentialStatus.INVALID_CREDENTIALS, 10008)),
        ("UNKNOWN-CUSTOMER", GOOD.api_key, "tsa", (CredentialStatus.INVALID_CREDENTIALS, 10015)),
        (GOOD.customer_id, WRONG_KEY, "basic", (CredentialStatus.INVALID_CREDENTIALS, 10022)),
        (GOOD.customer_id, GOOD.api_key, "basic", (CredentialStatus.OK, 10017)),
        (NO_SMS.customer_id, GOOD.api_key, "tsa", (CredentialStatus.PRODUCT_NOT_ENABLED, 10011)),
        (ENTERPRISE_ONLY.customer_id, GOOD.api_key, "tsa", (CredentialStatus.WRONG_HOST, 10035)),
        (SUSPENDED.customer_id, GOOD.api_key, "tsa", (CredentialStatus.ACCOUNT_DISABLED, 10010)),
    ],
)
async def test_verdicts(
    target: Target, customer_id: str, api_key: str, auth: AuthMethod, expected: Verdict
) -> None:
    account = target.account(customer_id, api_key, auth=auth)
    assert await verdict(target, account) == expected


async def test_throttled_after_retries(target: Target) -> None:
    target.emulator.faults = Faults(throttle=1.0)
    result = await check_credentials(target.account(), transport=target.transport, policy=FAST)
    assert (result.status, result.code, result.http_status) == (
        CredentialStatus.THROTTLED,
        10019,
        429,
    )
    assert len(target.emulator.journal) == FAST.attempts


async def test_transient_throttling_is_absorbed(target: Target) -> None:
    target.emulator.faults = Faults(throttle_next=1, outage_next=1)
    assert await verdict(target, target.account()) == (CredentialStatus.OK, 10017)


async def test_outage(target: Target) -> None:
    target.emulator.faults = Faults(outage=1.0)
    assert await verdict(target, target.account()) == (CredentialStatus.UNAVAILABLE, 10000)


async def test_timeout(target: Target) -> None:
    target.emulator.faults = Faults(delay=0.8)
    policy = TelesignTiming(attempts=2, backoff=0.0, request_timeout=0.2, deadline=0.5)
    result = await check_credentials(target.account(), transport=target.transport, policy=policy)
    assert result.status is CredentialStatus.TIMEOUT
    assert "within the deadline" in result.detail


async def test_unreachable(closed_port_url: str) -> None:
    account = TelesignAccount("a", GOOD.customer_id, ApiKey(GOOD.api_key), closed_port_url)
    result = await check_credentials(account, policy=FAST)
    assert result.status is CredentialStatus.UNREACHABLE
    assert closed_port_url in result.detail and result.code is None


async def test_clock_skew_is_not_a_credential_verdict() -> None:
    """An emulator whose clock runs an hour ahead refuses our Date with 10004."""
    app = create_app(EMULATED, clock=lambda: time.time() + 3600)
    ahead = Target("https://rest-api.telesign.test", httpx.ASGITransport(app), app.state.telesign)
    assert await verdict(ahead, ahead.account()) == (CredentialStatus.CLOCK_SKEW, 10004)


async def test_same_identity_is_checked_once_per_run(local: Target) -> None:
    first, twin, wrong = (
        local.account(name="first"),
        local.account(name="twin"),
        local.account(api_key=WRONG_KEY, name="wrong"),
    )
    results = await check_all([first, twin, wrong, first], transport=local.transport, policy=FAST)
    assert [(r.account, r.status) for r in results] == [
        ("first", CredentialStatus.OK),
        ("twin", CredentialStatus.OK),
        ("wrong", CredentialStatus.INVALID_CREDENTIALS),
        ("first", CredentialStatus.OK),
    ]
    assert len(local.emulator.journal) == 2


async def test_checker_cache_spans_calls(local: Target) -> None:
    checker = CredentialChecker(transport=local.transport, policy=FAST)
    await checker.check(local.account())
    await checker.check_all([local.account(name="again")])
    assert len(local.emulator.journal) == 1


async def test_concurrency_is_bounded(local: Target) -> None:
    local.emulator.faults = Faults(delay=0.15)
    accounts = [
        local.account(customer_id)
        for customer_id in (GOOD.customer_id, NO_SMS.customer_id, ENTERPRISE_ONLY.customer_id)
    ]

    async def elapsed(concurrency: int) -> float:
        started = time.monotonic()
        await check_all(accounts, concurrency=concurrency, transport=local.transport, policy=FAST)
        return time.monotonic() - started

    assert await elapsed(1) >= 0.45
    assert await elapsed(3) < 0.4


@pytest.mark.parametrize(
    ("http_status", "body", "status"),
    [
        (
            401,
            {"status": {"code": 501}, "errors": [{"code": -30006}]},
            CredentialStatus.INVALID_CREDENTIALS,
        ),
        (
            401,
            {"status": {"code": 501}, "errors": [{"code": -20002}]},
            CredentialStatus.PRODUCT_NOT_ENABLED,
        ),
        (401, {"status": {"code": 10014}}, CredentialStatus.IP_NOT_ALLOWED),
        (400, {"status": {"code": 11011}}, CredentialStatus.OK),
        (200, {"status": {"code": 290}}, CredentialStatus.OK),
        (429, {}, CredentialStatus.THROTTLED),
        (502, {}, CredentialStatus.UNAVAILABLE),
        (403, {"status": {"code": 99999}}, CredentialStatus.UNEXPECTED),
    ],
)
def test_interpret_other_answers(
    http_status: int, body: dict[str, object], status: CredentialStatus
) -> None:
    assert interpret(TelesignResponse(http_status, body))[0] is status


def test_details_carry_telesign_text_and_a_hint() -> None:
    _, detail = interpret(
        TelesignResponse(
            401,
            {
                "status": {
                    "code": 10035,
                    "description": "The requested API host is not allowed for this CustomerID.",
                }
            },
        )
    )
    assert detail == (
        "The requested API host is not allowed for this CustomerID. (code 10035, "
        "HTTP 401); standard accounts use rest-api.telesign.com, enterprise accounts "
        "rest-ww.telesign.com: set endpoint"
    )


async def test_a_key_that_cannot_sign_fails_without_a_request(local: Target) -> None:
    result = await check_credentials(
        local.account(api_key="secret-not-base64!"), transport=local.transport, policy=FAST
    )
    assert result.status is CredentialStatus.INVALID_CREDENTIALS
    assert result.detail == (
        "account acct: the API key is not base64 text, so it cannot sign requests"
    )
    assert local.emulator.journal == []
