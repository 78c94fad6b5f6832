"""`smsconf show PLAN.json`: a saved plan rendered again (Terraform's `show`), as text,
Markdown, HTML or JSON, from the file alone: no configuration, no organisation, no network.

The file is read by the same strict reader `apply --plan` uses, so what is shown is exactly
what that plan holds; a damaged or foreign file exits 9 with the one thing wrong."""

import sys
from pathlib import Path

import click

from smsconf.cli.common import colour_wanted, handle_errors
from smsconf.cli.main import main
from smsconf.process import burst
from smsconf.reconcile.plan import read_plan_file
from smsconf.render import RENDERERS
from smsconf.render.text import render as render_text


@main.command()
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text")
@handle_errors
def show(plan_file: Path, fmt: str) -> None:
    """Show a plan saved with `plan --out FILE` (its changes, checks and risks)."""
    plan = read_plan_file(plan_file)
    if fmt == "text":
        click.echo(render_text(plan, color=colour_wanted(sys.stdout), burst=burst), nl=False)
    else:
        click.echo(RENDERERS[fmt](plan), nl=False)
