"""One redactor: every secret a run handles is masked in whatever leaves the process.

Keeping secrets out of messages is not enough on its own: a server (or a proxy) that echoes the
request into its error body hands the bearer token or a Basic header back, and that text
travels on into errors, the journal, the plan and the logs. So each secret is registered the
moment it is read (`SecretRef.resolve`, the bearer token, the Basic credentials built from a
key), and the output boundaries (the command's stdout and stderr, the journal, the plan file,
log records) pass their text through `redact` before it is written.

A registered value is masked as written and in the encodings a request carries it in: base64
(standard and URL-safe, and the runs of it that stay the same wherever the value sits inside a
longer encoded string, such as `Basic base64(customer:key)`), percent-encoding and a JSON string.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "<redacted>"
MIN_SECRET = 8
"""A shorter value (a test's token `t`) would mask innocent text everywhere; real keys and tokens
are far longer (a Telesign key, a Twilio Auth Token, a bearer JWT)."""
MIN_CORE = 8
"""Shorter base64 runs could match innocent text; the whole encodings are masked anyway."""

_lock = threading.Lock()
_forms: list[str] = []
_seen: set[str] = set()


def encodings(secret: str) -> set[str]:
    """The value and every form of it a request or an echo of one may carry."""
    raw = secret.encode("utf-8", errors="surrogatepass")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode("ascii"))
        for shift in range(3):  # the value starting at each offset of a 3-byte group
            whole = (len(raw) - shift) // 3 * 3
            core = encode(raw[shift : shift + whole]).decode("ascii")
            if len(core) >= MIN_CORE:
                forms.add(core)
    return {form for form in forms if form}


def register(secret: str) -> None:
    """From now on, mask `secret` (and its encodings) in everything written."""
    if len(secret) < MIN_SECRET or secret in _seen:
        return
    with _lock:
        _seen.add(secret)
        _forms[:] = sorted(set(_forms) | encodings(secret), key=len, reverse=True)


def forget_all() -> None:
    """A new command: only what it reads from now on is its secrets."""
    with _lock:
        _seen.clear()
        _forms.clear()


def redact(text: str) -> str:
    for form in _forms:  # longest first, so no shorter form splits a longer one
        if form in text:
            text = text.replace(form, MASK)
    return text


class RedactingStream:
    """A text stream that writes through `redact`. It has no `buffer`, so nothing (click
    included) can go around it to the bytes underneath."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")
        return self._inner.write(redact(text))  # type: ignore[attr-defined,no-any-return]

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()  # type: ignore[attr-defined]

    def isatty(self) -> bool:
        return bool(self._inner.isatty())  # type: ignore[attr-defined]

    def fileno(self) -> int:
        return int(self._inner.fileno())  # type: ignore[attr-defined]

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return str(getattr(self._inner, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:
        return getattr(self._inner, "errors", None)

    @property
    def closed(self) -> bool:
        return bool(getattr(self._inner, "closed", False))


def _redacting_factory(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if _forms:
            record.msg, record.args = redact(record.getMessage()), None
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    return factory


def redact_logging() -> None:
    """Every log record, of any logger, is redacted when it is made (once per process)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))
