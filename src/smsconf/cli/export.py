"""`smsconf export`: the live organisation as configuration files (re-plans to zero changes)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from smsconf.cli.common import allow_host_option, env_option, handle_errors, organisation_option
from smsconf.cli.main import main
from smsconf.connect import open_target
from smsconf.exitcodes import ExitCode
from smsconf.mapping.export import Exported
from smsconf.mapping.yaml_out import render, write
from smsconf.reconcile.manager import export as export_target
from smsconf.target import LOCAL


@main.command()
@click.option(
    "--target",
    default=LOCAL,
    show_default=True,
    callback=organisation_option,
    help="'local', an organisation URL, or its Web API root.",
)
@click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="Directory to write (empty)."
)
@env_option
@allow_host_option
@handle_errors
def export(target: str, out: str, env: str | None) -> None:
    """Write the organisation's SMS configuration as YAML: a shared file, one per workstream.

    With --env NAME the files declare that environment with this target, so `smsconf plan DIR`
    reads the same organisation. What cannot be expressed is listed here and in the files.
    """

    async def run() -> Exported:
        async with open_target(target) as conn:
            return await export_target(conn)

    exported = asyncio.run(run())
    try:
        written = write(Path(out), render(exported, target, env))
    except FileExistsError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(ExitCode.ERROR) from None
    for omission in exported.omitted:
        click.echo(f"not exported: {omission}", err=True)
    for field in exported.not_stored:
        click.echo(f"not stored in the organisation: {field}", err=True)
    click.echo(
        f"Wrote {len(written)} file(s) to {out} ({len(exported.omitted)} not exported, "
        f"{len(exported.not_stored)} field(s) not stored in the organisation)."
    )
