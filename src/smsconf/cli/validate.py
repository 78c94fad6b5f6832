"""`smsconf validate PATH...`: schema, domain rules and references, for every environment."""

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.main import main
from smsconf.config import validate_paths


@main.command()
@paths_argument
@handle_errors
def validate(paths: tuple[str, ...]) -> None:
    """Check configuration files and directories; report every problem with file:line:col."""
    configs = validate_paths(paths)
    envs = ", ".join(sorted(e for e in configs if e)) or "no environments declared"
    any_config = next(iter(configs.values()))
    click.echo(
        f"configuration valid ({envs}): {len(any_config.accounts)} account(s), "
        f"{sum(len(a.numbers) for a in any_config.accounts)} number(s), "
        f"{len(any_config.workstreams)} workstream(s)"
    )
