"""The `smsconf` executable's entry point."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from smsconf import gcpause
from smsconf.cli import main, run
from smsconf.exitcodes import ExitCode


def test_the_executable_sets_up_its_one_command_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    module = sys.modules["smsconf.cli.main"]  # `smsconf.cli.main` names the group, not it
    monkeypatch.setattr(module, "one_command", lambda: calls.append("set up"))
    monkeypatch.setattr(sys, "argv", ["smsconf", "--version"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 0 and calls == ["set up"]


def test_an_emulator_server_is_not_short_lived(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", True)
    result = CliRunner().invoke(main, ["emulator", "serve", "--port", "not-a-port"])
    assert result.exit_code == ExitCode.USAGE  # stopped at the option, after the group spoke
    assert gcpause._freeze_after is False
