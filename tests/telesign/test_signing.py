"""The signing helpers reproduce the official SDK's test vectors (telesign.md §3.2, §10.3)."""

import base64

import pytest
from telesign.rest import RestClient
from telesign.util import verify_telesign_callback_signature

from smsconf.telesign import signing

CID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
KEY = "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="
DATE = "Wed, 14 Dec 2016 18:20:12 GMT"
NONCE = "A1592C6F-E384-4CDB-BC42-C3AB970369E9"


@pytest.mark.parametrize(
    ("method", "body", "signature"),
    [
        ("POST", "test=param", "2xVlmbrxLjYrrPun3G3WMNG6Jon4yKcTeOoK9DjXJ/Q="),
        ("POST", "test=%CF%BF", "h8d4I0RTxErbxYXuzCOtNqb/f0w3Ck8e5SEkGNj01+8="),
        ("GET", "", "aUm7I+9GKl3ww7PNeeJntCT0iS7b+EmRKEE4LnRzChQ="),
    ],
)
def test_tsa_vectors(method: str, body: str, signature: str) -> None:
    text = signing.string_to_sign(
        method, signing.default_content_type(method), DATE, NONCE, body, "/v1/resource"
    )
    assert signing.tsa_authorization(CID, KEY, text) == f"TSA {CID}:{signature}"


def test_exact_string_to_sign_of_vector_one() -> None:
    text = signing.string_to_sign(
        "POST", signing.FORM_CONTENT_TYPE, DATE, NONCE, "test=param", "/v1/resource"
    )
    assert text == (
        "POST\napplication/x-www-form-urlencoded\nWed, 14 Dec 2016 18:20:12 GMT\n"
        "x-ts-auth-method:HMAC-SHA256\nx-ts-nonce:A1592C6F-E384-4CDB-BC42-C3AB970369E9\n"
        "test=param\n/v1/resource"
    )


def test_basic_vector() -> None:
    assert signing.basic_authorization(CID, KEY) == (
        "Basic RkZGRkZGRkYtRUVFRS1ERERELTEyMzQtQUIxMjM0NTY3ODkwOkVYQU1QTEUtLS0tVEU4c1RnZzQ1eXVzdW"
        "1vTjZCWXNCVmtoK3lSSjVjemdzbkNlaFphT1lsZFBKZG1GaDZOZVg4a3VuWjJ6VTFZV2FVdy8wd1Y2eGZ3PT0="
    )


def test_callback_vector() -> None:
    assert signing.hmac_signature(KEY, "{'test': 123}") == (
        "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="
    )


def test_x_ts_date_layout_matches_telesign_samples() -> None:
    """§3.3: an empty Date line, then x-ts-date between the auth method and the nonce."""
    text = signing.string_to_sign(
        "POST", signing.FORM_CONTENT_TYPE, "", "n1", "a=b", "/v1/messaging", x_ts_date=DATE
    )
    assert text.split("\n") == [
        "POST",
        signing.FORM_CONTENT_TYPE,
        "",
        "x-ts-auth-method:HMAC-SHA256",
        f"x-ts-date:{DATE}",
        "x-ts-nonce:n1",
        "a=b",
        "/v1/messaging",
    ]


def test_body_is_signed_only_with_a_content_type() -> None:
    with_type = signing.string_to_sign("GET", "text/plain", DATE, NONCE, "x=1", "/v1/r")
    without_type = signing.string_to_sign("GET", "", DATE, NONCE, "x=1", "/v1/r")
    assert "x=1" in with_type.split("\n")
    assert "x=1" not in without_type.split("\n")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_matches_the_official_sdk(method: str) -> None:
    body = "phone_number=15555551234&message=Hello+w%C3%B6rld" if method in ("POST", "PUT") else ""
    sdk = RestClient.generate_telesign_headers(
        CID, KEY, method, "/v1/messaging", body, date_rfc2616=DATE, nonce=NONCE
    )
    text = signing.string_to_sign(
        method, signing.default_content_type(method), DATE, NONCE, body, "/v1/messaging"
    )
    assert signing.tsa_authorization(CID, KEY, text) == sdk["Authorization"]


def test_callback_signature_verifies_with_the_sdk_helper() -> None:
    body = '{"reference_id": "ABC", "status": {"code": 200}}'
    assert verify_telesign_callback_signature(KEY, signing.hmac_signature(KEY, body), body)


def test_constant_time_equal() -> None:
    assert signing.constant_time_equal("abc", "abc")
    assert not signing.constant_time_equal("abc", "abd")
    assert not signing.constant_time_equal("abc", "ab")


def test_http_date_is_rfc1123_gmt() -> None:
    assert signing.http_date(1481739612) == DATE
    assert base64.b64decode(signing.hmac_signature(KEY, "x"))  # standard, padded base64
