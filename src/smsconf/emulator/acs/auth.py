"""The ACS access-key check (providers.md §4.2) as the emulator applies it to each request.

The string to sign is rebuilt from what arrived: the method, the raw path and query as sent,
the values of the signed headers (`x-ms-date`, `Host`, `x-ms-content-sha256`, the last checked
against a hash of the body), and the signature compared with `smsconf.acs.signing`'s for each
key of each resource: the one that verifies names the resource. A request signed for another
host fails because its Host differs from the one signed.

Where no source settles a behaviour it is [inferred]: the allowed clock skew (§10 q14), the
401 messages (the body shape and the code "Denied" are the service's, §4.3).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from smsconf.acs import signing
from smsconf.emulator.acs.state import AcsResource

DEFAULT_SKEW = 15 * 60.0
"""Seconds an `x-ms-date` may be off the emulator's clock [inferred: ACS's window is not
documented (§10 q14); 15 minutes is App Configuration's HMAC window, on the verify list]."""
REQUIRED = ("x-ms-date", "host", "x-ms-content-sha256")


class Denied(Exception):
    """Why a request is refused (the 401's message)."""


@dataclass
class Checker:
    resources: Sequence[AcsResource]
    skew: float = DEFAULT_SKEW
    clock: Callable[[], float] = field(default=time.time)

    def resource(
        self, method: str, path_and_query: str, headers: dict[str, str], body: bytes
    ) -> AcsResource:
        """The resource whose key signed the request, else `Denied` with the reason."""
        value = headers.get("authorization")
        if not value:
            raise Denied("The Authorization header is missing.")
        parsed = signing.parse_authorization(value)
        if parsed is None:
            raise Denied("The Authorization header is not HMAC-SHA256 SignedHeaders=…&Signature=…")
        names = [n.strip().lower() for n in parsed[0].split(";")]
        if sorted(names) != sorted(REQUIRED):
            raise Denied(f"SignedHeaders must be {signing.SIGNED_HEADERS}.")
        values = [headers.get(name) for name in names]
        if any(v is None for v in values):
            missing = [n for n, v in zip(names, values, strict=True) if v is None]
            raise Denied(f"The signed header {missing[0]} is missing.")
        self._check_date(headers["x-ms-date"])
        if headers["x-ms-content-sha256"] != signing.content_hash(body):
            raise Denied("The x-ms-content-sha256 header does not match the body.")
        text = f"{method.upper()}\n{path_and_query}\n{';'.join(v or '' for v in values)}"
        for resource in self.resources:
            for key in resource.access_keys():
                expected = signing.signature(signing.decode_key(key), text)
                if signing.constant_time_equal(expected, parsed[1]):
                    return resource
        raise Denied("The request signature does not match the one computed with the access key.")

    def _check_date(self, value: str) -> None:
        try:
            sent = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            raise Denied("The x-ms-date header is not an RFC 1123 date.") from None
        if abs(sent - self.clock()) > self.skew:
            raise Denied("The x-ms-date header is outside the allowed clock skew.")
