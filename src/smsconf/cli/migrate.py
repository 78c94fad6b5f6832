"""`smsconf migrate telesign --to TWILIO_ACCOUNT PATH...`: rewrite the configuration off
Telesign (smsconf.config.migrate), then print what only a person can do."""

import sys

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.fmt import rewrite
from smsconf.cli.main import LazyGroup, main
from smsconf.config.migrate import migrate_telesign
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.migration import (
    TELESIGN_REMOVED,
    acs_account_steps,
    acs_person_steps,
    person_steps,
    telesign_steps,
)


@main.group(cls=LazyGroup)
def migrate() -> None:
    """Rewrite the configuration to move off a provider."""


@migrate.command("telesign")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="ACCOUNT",
    help="The configuration's `provider: twilio` or `provider: acs` account that takes the "
    "numbers.",
)
@paths_argument
@click.option("--check", is_flag=True, help="Write nothing; exit 3 when a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what changes, as a unified diff.")
@handle_errors
def migrate_telesign_command(to: str, paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Move every Telesign number to the Twilio or ACS account ACCOUNT, comments kept.

    \b
    Telesign was removed from Omnichannel on 2024-10-08. Each Telesign number goes under
    ACCOUNT's numbers (to Twilio, geo becomes long_code), so the workstreams on it keep their
    channel settings and use the new provider; a Telesign account left without numbers is
    deleted from accounts: and listed under removed:. A number the provider cannot carry for
    Dynamics 365 (Twilio: not a US number; ACS: a geo number) stays, with the reason. To ACS,
    numbers are written +E.164 and the workstreams on them lose file_attachments: (ACS has
    none). Then `smsconf plan` shows the move; what no API can do (porting, registration,
    Sync from Azure, Event Grid, Telesign support) is printed as a checklist.
    """
    migration = migrate_telesign(paths, to)
    changed = rewrite([f for f in migration.files if f.changed], check, show_diff)
    for moved in migration.moved:
        how = "already declared there" if moved.already_declared else f"as {moved.kind}"
        click.echo(f"moved: number {moved.number} from '{moved.telesign}' to '{to}' ({how})")
    for kept in migration.kept:
        click.echo(f"kept on Telesign: number {kept.number} of '{kept.telesign}': {kept.reason}")
    for name in migration.removed:
        click.echo(f"removed: account '{name}' (listed under removed:)")
    for workstream in migration.attachments_off:
        click.echo(
            f"attachments off: workstream '{workstream}' (its file_attachments: went; ACS SMS "
            "channels support none)"
        )
    container = "what it was in" if migration.attachments_off else "its account"
    for comment in migration.dropped_comments:
        click.echo(f"dropped with {container}: {comment}")
    number_steps = acs_person_steps if migration.provider == "acs" else person_steps
    steps = [
        (f"number {m.as_written}", step)
        for m in migration.moved
        for step in number_steps(m.as_written, m.kind)
    ]
    if migration.provider == "acs" and migration.moved:
        steps += [(f"account '{to}'", s) for s in acs_account_steps(to, migration.managed)]
    steps += [
        (f"account '{name}'", step) for name in migration.removed for step in telesign_steps(name)
    ]
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
