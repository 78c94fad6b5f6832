"""The ACS access-key scheme against the test vectors of providers.md §4.2 (computed with the
SDK's own HMACCredentialsPolicy and an independent implementation)."""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsconf.acs.signing import (
    BadAccessKey,
    HmacAuth,
    content_hash,
    decode_key,
    parse_authorization,
    rfc1123,
    signed_headers,
)

KEY = base64.b64encode(b"k" * 32).decode()
DATE = "Thu, 03 Dec 2026 06:00:00 GMT"
SMS_BODY = (
    b'{"from": "+18005550100", "smsRecipients": [{"to": "+15550001111"}], "message": "hello"}'
)
VECTORS = [
    ("POST", "/sms?api-version=2021-03-07", "contoso.communication.azure.com", SMS_BODY,
     "Z4Pn10l+F/Ly5pJD1EKoxrTv/lX/XH+VISJSF1Iyxf0="),
    ("GET", "/phoneNumbers?skip=0&top=100&api-version=2025-06-01",
     "contoso.communication.azure.com", b"", "lt2lPH2tggPiKLwJGhw+X99Pn9cbC3o8X1vcCLxwNXc="),
    ("GET", "/phoneNumbers/%2B18005550100?api-version=2025-06-01", "127.0.0.1:8443", b"",
     "gdVcx5Cc4/dTbbKxLd/b5UX+Pc9rHY+0LiH2UAfoUS4="),
]  # fmt: skip


def test_key_is_the_documented_one() -> None:
    assert KEY == "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="


@pytest.mark.parametrize(("method", "pq", "host", "body", "expected"), VECTORS)
def test_vectors(method: str, pq: str, host: str, body: bytes, expected: str) -> None:
    headers = signed_headers(method, pq, host, body, decode_key(KEY), DATE)
    assert parse_authorization(headers["Authorization"]) == (
        "x-ms-date;host;x-ms-content-sha256",
        expected,
    )
    assert headers["x-ms-date"] == DATE


def test_empty_body_hash() -> None:
    assert content_hash(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert content_hash(SMS_BODY) == "Du7GE9mLBjj2TOeqz8dvOdSPBDmAanDNorh3gatn/ZA="


def test_date_format() -> None:
    assert rfc1123(1796277600.0) == DATE


def test_httpx_auth_signs_what_is_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """The path as sent (`+` percent-encoded) and the port are what is signed."""
    monkeypatch.setattr("smsconf.acs.signing.rfc1123", lambda: DATE)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), auth=HmacAuth(decode_key(KEY)))
    client.get("http://127.0.0.1:8443/phoneNumbers/%2B18005550100?api-version=2025-06-01")
    assert seen[0].headers["Authorization"].endswith("gdVcx5Cc4/dTbbKxLd/b5UX+Pc9rHY+0LiH2UAfoUS4=")
    assert "key" not in repr(HmacAuth(b"secret")).replace("key=<hidden>", "")


@pytest.mark.parametrize("bad", ["not base64!", "abc"])
def test_bad_key(bad: str) -> None:
    with pytest.raises(BadAccessKey):
        decode_key(bad)


@given(st.text())
def test_parse_authorization_never_raises(value: str) -> None:
    parsed = parse_authorization(value)
    assert parsed is None or len(parsed) == 2
