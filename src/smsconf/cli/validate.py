"""`smsconf validate PATH...`: schema, domain rules and references, for every environment."""

import sys
from pathlib import Path

import click

from smsconf.cli.common import handle_errors, paths_argument
from smsconf.cli.main import main
from smsconf.config import ConfigError
from smsconf.config.source import configuration_roots
from smsconf.exitcodes import ExitCode
from smsconf.mapping.limits import validate_storable
from smsconf.process import burst
from smsconf.render.problems import FORMATS, render


@main.command()
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json for scripts; github for workflow annotations on the lines.",
)
@click.option(
    "--expand",
    is_flag=True,
    help="Read the whole configuration each file belongs to: the nearest directory above it "
    "holding smsconf.yaml or .smsconfignore (what the pre-commit hook passes).",
)
@handle_errors
def validate(paths: tuple[str, ...], fmt: str, expand: bool) -> None:
    """Check configuration files and directories; report every problem with file:line:col."""
    if expand:
        paths = tuple(str(p) for p in configuration_roots([Path(p) for p in paths]))
    if fmt == "text":
        return _validate_text(paths)
    try:
        configs, source = validate_storable(paths, burst=burst)
    except ConfigError as exc:
        click.echo(render(fmt, exc.problems, {}), nl=False)
        sys.exit(ExitCode.INVALID_CONFIG)
    from smsconf.routing.lint import located

    warnings = list(dict.fromkeys(p for c in configs.values() for p in located(c, source)))
    click.echo(render(fmt, warnings, summary(configs)), nl=False)


def _validate_text(paths: tuple[str, ...]) -> None:
    configs, source = validate_storable(paths, burst=burst)
    from smsconf.routing.lint import located  # after validation: a broken file never pays

    for warning in dict.fromkeys(p.render() for c in configs.values() for p in located(c, source)):
        click.echo(warning, err=True)
    counts = summary(configs)
    envs = ", ".join(counts["environments"]) or "no environments declared"
    click.echo(
        f"configuration valid ({envs}): {counts['accounts']} account(s), "
        f"{counts['numbers']} number(s), {counts['workstreams']} workstream(s)"
    )


def summary(configs: dict) -> dict:
    """What was validated, counted once for both the sentence and the JSON document."""
    any_config = next(iter(configs.values()))
    return {
        "environments": sorted(e for e in configs if e),
        "accounts": len(any_config.accounts),
        "numbers": sum(len(a.numbers) for a in any_config.accounts),
        "workstreams": len(any_config.workstreams),
    }
