"""`smsconf validate PATH...`: schema, domain rules and references, for every environment."""

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.main import main
from smsconf.config.loader import validate_with_sources


@main.command()
@paths_argument
@handle_errors
def validate(paths: tuple[str, ...]) -> None:
    """Check configuration files and directories; report every problem with file:line:col."""
    configs, source = validate_with_sources(paths)
    from smsconf.routing.lint import located  # after validation: a broken file never pays

    for warning in dict.fromkeys(p.render() for c in configs.values() for p in located(c, source)):
        click.echo(warning, err=True)
    envs = ", ".join(sorted(e for e in configs if e)) or "no environments declared"
    any_config = next(iter(configs.values()))
    click.echo(
        f"configuration valid ({envs}): {len(any_config.accounts)} account(s), "
        f"{sum(len(a.numbers) for a in any_config.accounts)} number(s), "
        f"{len(any_config.workstreams)} workstream(s)"
    )
