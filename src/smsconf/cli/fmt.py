"""`smsconf fmt PATH...`: rewrite configuration files in canonical layout, comments kept."""

import sys

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.main import main
from smsconf.config.fmt import Formatted, format_files, write
from smsconf.exitcodes import ExitCode


def rewrite(changed: list[Formatted], check: bool, show_diff: bool) -> list[Formatted]:
    """Name each changed file (with its diff when asked) and write it unless only checking."""
    for formatted in changed:
        click.echo(formatted.display)
        if show_diff:
            click.echo(formatted.diff(), nl=False)
        if not check:
            write(formatted)
    return changed


@main.command()
@paths_argument
@click.option("--check", is_flag=True, help="Write nothing; exit 3 when a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what changes, as a unified diff.")
@handle_errors
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite files in canonical layout (indentation, spacing), keeping comments and order.

    Prints each file it changes (with --check: each it would change), like `terraform fmt`.
    """
    changed = rewrite([f for f in format_files(paths) if f.changed], check, show_diff)
    if check and changed:
        click.echo(f"{len(changed)} file(s) not in canonical layout: run `smsconf fmt`", err=True)
        sys.exit(ExitCode.INVALID_CONFIG)
