"""The workflow's allowance, as a test that serves an emulator on loopback gives it.

Any host that is not a documented provider or organisation host needs one (`smsconf.hosts`):
a test that talks to its own served emulator over a socket allows exactly that host and port,
the way a workflow would with `SMSCONF_ALLOW_HOSTS`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from smsconf.hosts import ALLOW_ENV, authority


def allowed(*urls: str) -> str:
    """`SMSCONF_ALLOW_HOSTS` as it is now plus the hosts of `urls`."""
    entries = [e for e in os.environ.get(ALLOW_ENV, "").split(",") if e]
    return ",".join([*entries, *(authority(url) for url in urls)])


def allow(monkeypatch: pytest.MonkeyPatch, *urls: str) -> None:
    monkeypatch.setenv(ALLOW_ENV, allowed(*urls))


@contextlib.contextmanager
def allowing(url: str) -> Iterator[str]:
    """`url` allowed while the context lasts (a served emulator's lifetime); yields it."""
    before = os.environ.get(ALLOW_ENV)
    os.environ[ALLOW_ENV] = allowed(url)
    try:
        yield url
    finally:
        if before is None:
            os.environ.pop(ALLOW_ENV, None)
        else:
            os.environ[ALLOW_ENV] = before
