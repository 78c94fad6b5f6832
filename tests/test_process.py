"""process.py: what the smsconf executable sets up before its one command."""

from __future__ import annotations

import os

import pytest

from smsconf import gcpause
from smsconf.process import one_command

PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


def test_one_command_freezes_bursts_and_skips_pydantic_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", False)
    monkeypatch.setenv(PLUGINS, "restored afterwards")
    monkeypatch.delenv(PLUGINS)
    one_command()
    assert gcpause._freeze_after is True
    assert os.environ[PLUGINS] == "__all__"


def test_a_pydantic_plugin_setting_of_the_user_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", False)
    monkeypatch.setenv(PLUGINS, "")  # empty: search for plugins after all
    one_command()
    assert os.environ[PLUGINS] == ""
