"""Request authentication as Telesign does it (telesign.md §3.4): Basic, or TSA with Date or
x-ts-date, date tolerance, nonce replay and the HMAC-SHA256 signature over the raw body.

The string-to-sign comes from `smsconf.telesign.signing` (standard library only), so the emulator
checks exactly the canonical form the client and the official SDKs produce.
"""

import base64
import binascii
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

from smsconf.emulator.telesign.accounts import EmulatedAccount
from smsconf.telesign import signing

_TSA = re.compile(r"TSA ([^:\s]+):(\S+)")
NONCE_MAX_LENGTH = 64


@dataclass(frozen=True)
class AuthFailure:
    """Why a request is refused: always HTTP 401 with a Family A code."""

    code: int
    signature_string: str | None = None


@dataclass
class NonceCache:
    """Nonces seen recently per customer; entries older than `ttl` can no longer be replayed
    anyway, because their date would fall outside the tolerance."""

    ttl: float
    clock: Callable[[], float]
    _seen: dict[tuple[str, str], float] = field(default_factory=dict)

    def first_use(self, customer_id: str, nonce: str) -> bool:
        now = self.clock()
        self._seen = {key: at for key, at in self._seen.items() if now - at < self.ttl}
        if (customer_id, nonce) in self._seen:
            return False
        self._seen[(customer_id, nonce)] = now
        return True


class Authenticator:
    """Finds the customer a request speaks for, or the code Telesign would refuse it with."""

    def __init__(
        self,
        accounts: Mapping[str, EmulatedAccount],
        *,
        clock: Callable[[], float] = time.time,
        date_tolerance: float = 900.0,
    ) -> None:
        self._accounts = accounts
        self._clock = clock
        self._tolerance = date_tolerance
        self._nonces = NonceCache(ttl=2 * date_tolerance, clock=clock)

    def authenticate(
        self, method: str, resource: str, headers: Mapping[str, str], body: bytes
    ) -> EmulatedAccount | AuthFailure:
        """`resource` is the path below any mount prefix and without the query string."""
        authorization = headers.get("authorization")
        if not authorization:
            return AuthFailure(10009)
        if authorization.startswith("Basic "):
            return self._basic(authorization[len("Basic ") :])
        match = _TSA.fullmatch(authorization)
        if not match:
            return AuthFailure(10028)
        customer_id, given = match.groups()
        account = self._accounts.get(customer_id)
        if account is None:
            return AuthFailure(10015)
        date_failure = self._check_date(headers)
        if date_failure:
            return date_failure
        auth_method = headers.get("x-ts-auth-method", "")
        if auth_method.upper() != signing.HMAC_SHA256:
            return AuthFailure(10006)
        nonce = headers.get("x-ts-nonce")
        if nonce is not None and not 1 <= len(nonce) <= NONCE_MAX_LENGTH:
            return AuthFailure(10003)
        text = signing.string_to_sign(
            method,
            headers.get("content-type", ""),
            headers.get("date", ""),
            nonce,
            body.decode("utf-8", errors="replace"),
            resource,
            auth_method=auth_method,
            x_ts_date=headers.get("x-ts-date"),
        )
        if not signing.constant_time_equal(signing.hmac_signature(account.api_key, text), given):
            return AuthFailure(10008, signature_string=text)
        if nonce is not None and not self._nonces.first_use(customer_id, nonce):
            return AuthFailure(10002)
        return account

    def _basic(self, token: str) -> EmulatedAccount | AuthFailure:
        try:
            decoded = base64.b64decode(token, validate=True).decode()
            customer_id, sep, api_key = decoded.partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return AuthFailure(10028)
        if not sep:
            return AuthFailure(10028)
        account = self._accounts.get(customer_id)
        if account is None:
            return AuthFailure(10015)
        if not signing.constant_time_equal(account.api_key, api_key):
            return AuthFailure(10022)
        return account

    def _check_date(self, headers: Mapping[str, str]) -> AuthFailure | None:
        value = headers.get("x-ts-date") or headers.get("date")
        if not value:
            return AuthFailure(10007)
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return AuthFailure(10005)
        moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
        if abs(self._clock() - moment) > self._tolerance:
            return AuthFailure(10004)
        return None
