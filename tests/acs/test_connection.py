"""The connection string, parsed as the SDK parses it, with errors that never show it."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsconf.acs.connection import BadConnectionString, parse

KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="


def test_documented_format() -> None:
    parsed = parse(f"endpoint=https://contoso.communication.azure.com/;accesskey={KEY}")
    assert parsed.endpoint == "https://contoso.communication.azure.com"
    assert parsed.host == "contoso.communication.azure.com"
    assert parsed.key == b"k" * 32
    assert KEY not in repr(parsed)


def test_keys_case_insensitive_padding_kept_other_keys_ignored() -> None:
    parsed = parse(f"Endpoint=https://c.communication.azure.com/;AccessKey={KEY};extra=1;")
    assert parsed.access_key.reveal() == KEY


def test_loopback_http_stays_http() -> None:
    assert parse(f"endpoint=http://127.0.0.1:8443/;accesskey={KEY}").endpoint == (
        "http://127.0.0.1:8443"
    )


def test_no_scheme_means_https() -> None:
    assert parse(f"endpoint=c.communication.azure.com;accesskey={KEY}").endpoint.startswith(
        "https://"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"accesskey={KEY}", "no endpoint"),
        ("endpoint=https://c.communication.azure.com/", "no accesskey"),
        ("", "no endpoint or accesskey"),
        ("endpoint=ftp://x/;accesskey=" + KEY, "not a URL"),
        ("endpoint=https://c/;accesskey=s3cr3t!!", "not base64"),
    ],
)
def test_errors_say_what_not_the_value(text: str, says: str) -> None:
    with pytest.raises(BadConnectionString) as caught:
        parse(text)
    assert says in str(caught.value)
    assert "s3cr3t" not in str(caught.value) and KEY not in str(caught.value)


@given(st.text())
def test_parse_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(BadConnectionString):
        parse(text)
