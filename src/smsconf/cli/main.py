"""The root click group. Command modules attach themselves to it when first needed.

Loading is lazy so that a command pays only for what it uses: `validate` in a pre-commit hook
must not import the emulators, the HTTP stack and the reconciler (that alone cost ~0.5 s).
"""

import importlib
from typing import Any

import click

from smsconf import __version__
from smsconf.exitcodes import EXIT_CODE_HELP
from smsconf.process import one_command


class LazyGroup(click.Group):
    """A group whose commands live in modules imported on first use (or for `--help`)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])  # registers the command on this group
        return super().get_command(ctx, cmd_name)


RECONCILE = "smsconf.cli.reconcile"
TELESIGN = "smsconf.cli.telesign"


@click.group(
    cls=LazyGroup,
    lazy={
        "apply": RECONCILE,
        "plan": RECONCILE,
        "drift": RECONCILE,
        "callback-urls": RECONCILE,
        "check-credentials": TELESIGN,
        "test-sms": TELESIGN,
        "emulator": "smsconf.cli.emulator",
        "export": "smsconf.cli.export",
        "schema": "smsconf.cli.schema",
        "validate": "smsconf.cli.validate",
        "ci": "smsconf.cli.ci",
        "route": "smsconf.cli.route",
    },
    help=f"Configuration-as-code for Dynamics 365 SMS channels.\n\n{EXIT_CODE_HELP}",
)
@click.version_option(__version__, prog_name="smsconf")
def main() -> None:
    """Root command group."""


def run() -> None:
    """The `smsconf` executable: one command, then the process ends (see `one_command`;
    `main` itself is also invoked in-process, by tests and by other tools)."""
    one_command()
    main()
