"""The `smsconf` executable's entry point."""

from __future__ import annotations

import sys

import pytest

from smsconf import gcpause
from smsconf.cli import run


def test_the_executable_declares_a_short_lived_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", False)
    monkeypatch.setattr(sys, "argv", ["smsconf", "--version"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 0
    assert gcpause._freeze_after is True
