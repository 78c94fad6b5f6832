"""redact.py: a secret, once read, is masked in every form a request or an echo carries it."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest

from smsconf.redact import MASK, RedactingStream, forget_all, redact, redact_logging, register

SECRET = 'k3y/with+odd=chars&"quote'


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget_all()
    register(SECRET)
    yield
    forget_all()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        b64(SECRET),
        base64.urlsafe_b64encode(SECRET.encode()).decode(),
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        json.dumps(SECRET)[1:-1],
    ],
)
def test_each_encoding_is_masked(form: str) -> None:
    assert redact(f"server said: {form}!") == f"server said: {MASK}!"


@pytest.mark.parametrize("user", ["", "C", "CU", "CUSTOMER-0001"])
def test_inside_a_longer_base64_string_no_run_of_it_survives(user: str) -> None:
    """`Basic base64(user:secret)` for any user: what stays is at most the few characters that
    also encode the user or the padding."""
    basic = b64(f"{user}:{SECRET}")
    shown = redact(f"Authorization: Basic {basic}")
    assert MASK in shown
    leftover = shown.split(MASK)
    assert all(
        len(part.removeprefix("Authorization: Basic ")) <= len(b64(user)) + 4 for part in leftover
    )


def test_short_values_are_not_registered() -> None:
    register("t")
    assert redact("the target") == "the target"


def test_streams_and_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    inner = io.StringIO()
    RedactingStream(inner).write(f"echo {SECRET}\n")
    assert inner.getvalue() == f"echo {MASK}\n"
    with pytest.raises(TypeError):
        RedactingStream(inner).write(SECRET.encode())  # type: ignore[arg-type]
    assert not hasattr(RedactingStream(inner), "buffer")  # no way around it to the bytes
    redact_logging()
    logging.getLogger("smsconf.test").warning("got %s back", SECRET)
    assert SECRET not in caplog.text and MASK in caplog.text
