"""Usage errors: every mistyped command line exits 64, never 0 or 2 ("changes present")."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from smsconf.cli import main
from smsconf.exitcodes import ExitCode


def every_command(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    """Each command path of the CLI, nested groups included, as the user would type it."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from every_command(command, ctx, (*prefix, name))


COMMANDS = sorted(every_command(main, click.Context(main)))


def test_the_sweep_sees_every_command() -> None:
    assert {("plan",), ("apply",), ("validate",), ("emulator", "serve"), ("ci", "comment")} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unknown_option_is_a_usage_error(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--no-such-flag"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "No such option" in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["pln", "examples"], "Did you mean 'plan'?"),
        (["emulator", "srve"], "Did you mean 'serve'?"),
        (["plan", "--formt", "text", "examples"], "Did you mean"),
        (["plan"], "Missing argument 'PATHS...'"),
        (["plan", "--format", "md", "examples"], "'md' is not one of"),
        (["validate", "exmples"], "'exmples' does not exist. Did you mean 'examples'?"),
        (["plan", "examples/channel.yaml"], "Did you mean 'examples/channels.yaml'?"),
        (["emulator", "serve", "--port", "not-a-port"], "not a valid integer"),
        ([], "Usage:"),
    ],
)
def test_typos_name_what_was_meant(
    args: list[str], says: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(request.config.rootpath)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert says in result.output


def test_a_missing_path_with_nothing_close_suggests_nothing(tmp_path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "zzz")])
    assert result.exit_code == ExitCode.USAGE
    assert "does not exist." in result.output and "Did you mean" not in result.output
