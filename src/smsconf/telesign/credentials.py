"""Is this Customer ID + API key accepted by this endpoint? One cheap signed request per account.

The probe is `GET /v1/messaging/<32 zeros>` (telesign.md §7): a status lookup of a reference that
cannot exist. Telesign authenticates it like any request, so the answer tells the credentials
apart (401 codes) without sending a message or creating anything; "reference not found" means
the credentials were accepted.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

import httpx

from smsconf.telesign.account import TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignResponse, TelesignTiming
from smsconf.telesign.errors import TelesignBadKey, TelesignTimeout, TelesignUnreachable

PROBE_RESOURCE = "/v1/messaging/" + "0" * 32


class CredentialStatus(StrEnum):
    OK = "ok"
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_DISABLED = "account_disabled"
    PRODUCT_NOT_ENABLED = "product_not_enabled"
    WRONG_HOST = "wrong_host"
    IP_NOT_ALLOWED = "ip_not_allowed"
    CLOCK_SKEW = "clock_skew"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class CredentialResult:
    """The verdict for one account. `code` is Telesign's status/error code when it gave one."""

    account: str
    customer_id: str
    endpoint: str
    status: CredentialStatus
    detail: str
    code: int | None = None
    http_status: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is CredentialStatus.OK


# Telesign codes (Family A positive, Family B negative, §4) -> verdict, as listed in §7.
_CODE_STATUS: dict[int, CredentialStatus] = {
    **dict.fromkeys(
        (
            10008,
            10009,
            10013,
            10015,
            10022,
            10028,
            -30000,
            -30001,
            -30002,
            -30004,
            -30005,
            -30006,
            -30015,
        ),
        CredentialStatus.INVALID_CREDENTIALS,
    ),
    10010: CredentialStatus.ACCOUNT_DISABLED,  # suspended/expired: the key may be right
    **dict.fromkeys((10011, -20002), CredentialStatus.PRODUCT_NOT_ENABLED),
    **dict.fromkeys((10031, 10035), CredentialStatus.WRONG_HOST),
    **dict.fromkeys((10014, -10009), CredentialStatus.IP_NOT_ALLOWED),
    **dict.fromkeys((10004, 10005, 10007, -30007, -30009, -30010), CredentialStatus.CLOCK_SKEW),
    **dict.fromkeys((10019, 10020, -40007, -40008), CredentialStatus.THROTTLED),
    **dict.fromkeys((10000, -90001), CredentialStatus.UNAVAILABLE),
    # Authenticated, the dummy reference is just unknown or malformed: the credentials work.
    **dict.fromkeys((10017, 10036, 11011, -40004), CredentialStatus.OK),
}


# What to do about the common refusals, appended to Telesign's own text.
_HINTS: dict[int, str] = {
    **dict.fromkeys((10008, 10022, -30006, -30015), "the API key does not match the Customer ID"),
    **dict.fromkeys((10013, 10015, -30000), "Telesign does not know this Customer ID"),
    **dict.fromkeys((10011, -20002), "ask Telesign to enable SMS for this customer"),
    **dict.fromkeys(
        (10031, 10035),
        "standard accounts use rest-api.telesign.com, "
        "enterprise accounts rest-ww.telesign.com: set endpoint",
    ),
    **dict.fromkeys((10004, 10005, -30009, -30010), "check this machine's clock"),
}


def interpret(response: TelesignResponse) -> tuple[CredentialStatus, str]:
    """Map the probe's answer to a verdict and a one-line detail (Telesign's text, a hint)."""
    code = response.code
    if code in _CODE_STATUS:
        status = _CODE_STATUS[code]
        text = "credentials accepted" if status is CredentialStatus.OK else response.description
        hint = f"; {_HINTS[code]}" if code in _HINTS else ""
        return status, f"{text} (code {code}, HTTP {response.http_status}){hint}"
    if response.http_status == 200:
        return CredentialStatus.OK, "credentials accepted (HTTP 200)"
    if response.http_status == 429:
        return CredentialStatus.THROTTLED, f"{response.description} (HTTP 429)"
    if response.http_status >= 500:
        return CredentialStatus.UNAVAILABLE, f"{response.description} (HTTP {response.http_status})"
    return (
        CredentialStatus.UNEXPECTED,
        f"unexpected answer: HTTP {response.http_status}, code {code}: {response.description}",
    )


class CredentialChecker:
    """Checks accounts for one run: concurrent within a bound, each distinct identity once.

    Two accounts with the same customer ID, key, endpoint and auth method share one request,
    even when asked for at the same time (the cache holds the in-flight task).
    """

    def __init__(
        self,
        *,
        concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: TelesignTiming | None = None,
    ) -> None:
        self._semaphore = asyncio.Semaphore(concurrency)
        self._transport = transport
        self._policy = policy
        self._cache: dict[tuple[str, ...], asyncio.Task[CredentialResult]] = {}

    async def check(self, account: TelesignAccount) -> CredentialResult:
        task = self._cache.get(account.identity)
        if task is None:
            task = asyncio.ensure_future(self._probe(account))
            self._cache[account.identity] = task
        result = await asyncio.shield(task)
        return replace(result, account=account.name)

    async def check_all(self, accounts: Iterable[TelesignAccount]) -> list[CredentialResult]:
        """Results in the order of `accounts`."""
        return list(await asyncio.gather(*(self.check(account) for account in accounts)))

    async def _probe(self, account: TelesignAccount) -> CredentialResult:
        def result(
            status: CredentialStatus, detail: str, response: TelesignResponse | None = None
        ) -> CredentialResult:
            return CredentialResult(
                account=account.name,
                customer_id=account.customer_id,
                endpoint=account.base_url,
                status=status,
                detail=detail,
                code=response.code if response else None,
                http_status=response.http_status if response else None,
            )

        async with (
            self._semaphore,
            TelesignClient(account, transport=self._transport, policy=self._policy) as client,
        ):
            try:
                response = await client.request("GET", PROBE_RESOURCE)
            except TelesignBadKey as exc:
                return result(CredentialStatus.INVALID_CREDENTIALS, str(exc))
            except TelesignTimeout as exc:
                return result(CredentialStatus.TIMEOUT, str(exc))
            except TelesignUnreachable as exc:
                return result(CredentialStatus.UNREACHABLE, str(exc))
        return result(*interpret(response), response)


async def check_credentials(
    account: TelesignAccount,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: TelesignTiming | None = None,
) -> CredentialResult:
    """Check one account with one cheap signed request; no message is sent."""
    return await CredentialChecker(transport=transport, policy=policy).check(account)


async def check_all(
    accounts: Iterable[TelesignAccount],
    *,
    concurrency: int = 8,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: TelesignTiming | None = None,
) -> list[CredentialResult]:
    """Check every account concurrently (at most `concurrency` at once), each identity once."""
    checker = CredentialChecker(concurrency=concurrency, transport=transport, policy=policy)
    return await checker.check_all(accounts)
