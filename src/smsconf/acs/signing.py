"""ACS access-key authentication (providers.md §4.2), one definition for both sides.

smsconf signs its requests to the ACS data plane with it, and the ACS emulator checks the
official SDKs' requests with it: the SDKs (`HMACCredentialsPolicy`) are the proof that both
agree with the service, and the test vectors of §4.2 hold the arithmetic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Generator
from email.utils import formatdate

import httpx

SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
SCHEME = "HMAC-SHA256"


class BadAccessKey(ValueError):
    """The access key is not base64 (the connection string's `accesskey`)."""


def decode_key(access_key: str) -> bytes:
    """The HMAC key: the access key is base64 of the key bytes."""
    try:
        return base64.b64decode(access_key, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadAccessKey("the access key is not base64") from exc


def rfc1123(timestamp: float | None = None) -> str:
    """`x-ms-date` as the SDK writes it: `Thu, 03 Dec 2026 06:00:00 GMT`."""
    return formatdate(timestamp, usegmt=True)


def content_hash(body: bytes) -> str:
    """`x-ms-content-sha256`: the empty body is hashed too."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def string_to_sign(method: str, path_and_query: str, date: str, host: str, sha: str) -> str:
    """`path_and_query` is the path as sent (percent-encoded) with `?query`; `host` the
    authority with a non-default port."""
    return f"{method.upper()}\n{path_and_query}\n{date};{host};{sha}"


def signature(key: bytes, text: str) -> str:
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()


def authorization(sig: str) -> str:
    return f"{SCHEME} SignedHeaders={SIGNED_HEADERS}&Signature={sig}"


def signed_headers(
    method: str, path_and_query: str, host: str, body: bytes, key: bytes, date: str
) -> dict[str, str]:
    """The three headers an access-key request carries (besides Host)."""
    sha = content_hash(body)
    sig = signature(key, string_to_sign(method, path_and_query, date, host, sha))
    return {"x-ms-date": date, "x-ms-content-sha256": sha, "Authorization": authorization(sig)}


def parse_authorization(value: str) -> tuple[str, str] | None:
    """(SignedHeaders, Signature) of an `HMAC-SHA256 SignedHeaders=…&Signature=…` header."""
    scheme, _, rest = value.partition(" ")
    if scheme != SCHEME:
        return None
    fields = dict(part.partition("=")[::2] for part in rest.split("&"))
    if "SignedHeaders" not in fields or "Signature" not in fields:
        return None
    return fields["SignedHeaders"], fields["Signature"]


def constant_time_equal(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


class HmacAuth(httpx.Auth):
    """httpx authentication for an ACS access key: signs each request as it is sent, so the
    signed path, host and body are exactly those on the wire (retries are signed anew with a
    fresh date)."""

    requires_request_body = True

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "HmacAuth(key=<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        headers = signed_headers(
            request.method,
            request.url.raw_path.decode("ascii"),
            request.url.netloc.decode("ascii"),
            request.content,
            self._key,
            rfc1123(),
        )
        request.headers.update(headers)
        yield request
