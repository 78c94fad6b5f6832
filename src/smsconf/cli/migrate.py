"""`smsconf migrate telesign --to TWILIO_ACCOUNT PATH...`: rewrite the configuration off
Telesign (smsconf.config.migrate), then print what only a person can do."""

import sys

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.main import LazyGroup, main
from smsconf.config.fmt import write
from smsconf.config.migrate import migrate_telesign
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.migration import TELESIGN_REMOVED, person_steps, telesign_steps


@main.group(cls=LazyGroup)
def migrate() -> None:
    """Rewrite the configuration to move off a provider."""


@migrate.command("telesign")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="TWILIO_ACCOUNT",
    help="The configuration's `provider: twilio` account that takes the numbers.",
)
@paths_argument
@click.option("--check", is_flag=True, help="Write nothing; exit 3 when a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what changes, as a unified diff.")
@handle_errors
def migrate_telesign_command(to: str, paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Move every Telesign number to the Twilio account TWILIO_ACCOUNT, comments kept.

    \b
    Telesign was removed from Omnichannel on 2024-10-08. Each Telesign number goes under
    TWILIO_ACCOUNT's numbers (geo becomes long_code), so the workstreams on it keep their
    channel settings and use Twilio; a Telesign account left without numbers is deleted from
    accounts: and listed under removed:. A number Twilio cannot carry for Dynamics 365 (not a
    US number) stays, with the reason. Then `smsconf plan` shows the move; what no API can do
    (porting, registration, Telesign support) is printed as a checklist.
    """
    migration = migrate_telesign(paths, to)
    changed = [f for f in migration.files if f.changed]
    for formatted in changed:
        click.echo(formatted.display)
        if show_diff:
            click.echo(formatted.diff(), nl=False)
        if not check:
            write(formatted)
    for moved in migration.moved:
        how = "already declared there" if moved.already_declared else f"as {moved.kind}"
        click.echo(f"moved: number {moved.number} from '{moved.telesign}' to '{to}' ({how})")
    for kept in migration.kept:
        click.echo(f"kept on Telesign: number {kept.number} of '{kept.telesign}': {kept.reason}")
    for name in migration.removed:
        click.echo(f"removed: account '{name}' (listed under removed:)")
    for comment in migration.dropped_comments:
        click.echo(f"dropped with its account: {comment}")
    steps = [
        (f"number {m.number}", step)
        for m in migration.moved
        for step in person_steps(m.number, m.kind)
    ] + [(f"account '{name}'", step) for name in migration.removed for step in telesign_steps(name)]
    if steps:
        click.echo(f"\nFor a person to do (no API does these; Telesign ended {TELESIGN_REMOVED}):")
        for subject, step in steps:
            click.echo(f"  [ ] {subject}: {step}")
    if not migration.moved and not migration.kept:
        click.echo("No Telesign numbers in the configuration: nothing to migrate.")
    if check and changed:
        click.echo(
            f"{len(changed)} file(s) still on Telesign: run `smsconf migrate telesign --to {to}`",
            err=True,
        )
        sys.exit(ExitCode.INVALID_CONFIG)
