"""The root click group. Command modules attach themselves to it when first needed.

Loading is lazy so that a command pays only for what it uses: `validate` in a pre-commit hook
must not import the emulators, the HTTP stack and the reconciler (that alone cost ~0.5 s).
"""

import difflib
import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from smsconf import __version__
from smsconf.cli.common import show_retries_on_terminal
from smsconf.exitcodes import EXIT_CODE_HELP, ExitCode
from smsconf.process import one_command


@contextmanager
def usage_exit() -> Iterator[None]:
    """Give every usage error smsconf's own code: click's is 2, which CI reads as "changes"."""
    try:
        yield
    except click.UsageError as exc:
        exc.exit_code = ExitCode.USAGE
        raise


class LazyGroup(click.Group):
    """A group whose commands live in modules imported on first use (or for `--help`).

    It also owns the usage-error contract for everything below it: parsing of the group's own
    options happens in `make_context`, a subcommand's (and a nested group's) inside `invoke`.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])  # registers the command on this group
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with usage_exit():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with usage_exit():
            return super().invoke(ctx)


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
        "fmt": "smsconf.cli.fmt",
        "migrate": "smsconf.cli.migrate",
        "schema": "smsconf.cli.schema",
        "show": "smsconf.cli.show",
        "validate": "smsconf.cli.validate",
        "ci": "smsconf.cli.ci",
        "route": "smsconf.cli.route",
    },
    help=f"Configuration-as-code for Dynamics 365 SMS channels.\n\n{EXIT_CODE_HELP}",
)
@click.version_option(__version__, prog_name="smsconf")
@click.option(
    "--no-color",
    is_flag=True,
    help="No colour in any output (as NO_COLOR=1 does; colour is only ever used on a terminal).",
)
def main(no_color: bool) -> None:
    """Root command group."""
    if no_color:
        os.environ["NO_COLOR"] = "1"  # one switch that our renderers and rich's consoles all read
    show_retries_on_terminal()


def run() -> None:
    """The `smsconf` executable: one command, then the process ends (see `one_command`;
    `main` itself is also invoked in-process, by tests and by other tools)."""
    one_command()
    main()
