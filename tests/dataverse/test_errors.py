"""Error bodies and statuses become the right exception, with the Dataverse code and message."""

from __future__ import annotations

import json

import pytest

from smsconf.dataverse import errors


def body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "0x80048d19", errors.BadRequest),
        (401, "0x8006088a", errors.Unauthorized),
        (403, "0x80040220", errors.Forbidden),
        (404, "0x80040217", errors.NotFound),
        (412, "0x80060882", errors.PreconditionFailed),
        (412, "0x80040237", errors.DuplicateRecord),
        (429, "0x80072321", errors.Throttled),
        (500, "0x80040216", errors.ServerError),
        (503, "", errors.ServerError),
        (405, "", errors.DataverseError),
    ],
)
def test_statuses_and_codes_map_to_exceptions(
    status: int, code: str, kind: type[errors.DataverseError]
) -> None:
    error = errors.error_from_response(status, {}, body(code, "why"), request="GET x")
    assert type(error) is kind
    assert (error.status, error.code or "", error.message) == (status, code, "why")
    assert str(error) == f"{status} {code}: why (GET x)".replace(" :", ":")


def test_throttling_keeps_retry_after_and_401_keeps_the_challenge() -> None:
    throttled = errors.error_from_response(429, {"Retry-After": " 7 "}, b"")
    assert isinstance(throttled, errors.Throttled) and throttled.retry_after == 7
    challenge = "Bearer authorization_uri=https://login.microsoftonline.com/t/oauth2/authorize"
    refused = errors.error_from_response(401, {"WWW-Authenticate": challenge}, b"")
    assert isinstance(refused, errors.Unauthorized) and refused.authenticate == challenge


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3", 3.0), ("0.5", 0.5), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("-1", None)],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert errors.parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<html>\n  <body>502 Bad Gateway</body>\n</html>",
            "<html> <body>502 Bad Gateway</body> </html>",
        ),
        (b"", "no error body"),
        (b'{"error": "flat"}', '{"error": "flat"}'),
        (b"x" * 500, "x" * 200),
    ],
)
def test_bodies_that_are_not_the_documented_shape_still_explain(
    content: bytes, message: str
) -> None:
    error = errors.error_from_response(502, {}, content)
    assert error.code is None and error.message == message


def test_an_error_without_status_or_request_reads_plainly() -> None:
    assert str(errors.TransportFailure("ConnectError: refused")) == "ConnectError: refused"
    assert str(errors.DataverseError("boom", code="0x1")) == "0x1: boom"
