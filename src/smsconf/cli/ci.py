"""`smsconf ci comment`: post or update the plan's sticky pull-request comment."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from smsconf.ci.comment import upsert_comment
from smsconf.cli.common import handle_errors
from smsconf.cli.main import main


@main.group()
def ci() -> None:
    """Helpers for CI pipelines (see docs/ci-guide.md)."""


@ci.command()
@click.option("--repo", required=True, metavar="OWNER/NAME", help="The GitHub repository.")
@click.option("--pr", required=True, type=click.IntRange(min=1), help="Pull request number.")
@click.option(
    "--file",
    "file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The comment body: `smsconf plan --format markdown` output.",
)
@handle_errors
def comment(repo: str, pr: int, file: str) -> None:
    """Create the plan comment on a pull request, or update it in place (token: $GITHUB_TOKEN)."""
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise click.UsageError("set GITHUB_TOKEN to a token that may write pull-request comments")
    body = Path(file).read_text(encoding="utf-8")
    result = asyncio.run(upsert_comment(repo, pr, body, token))
    click.echo(f"{result.action} comment {result.id} {result.url}".rstrip())
