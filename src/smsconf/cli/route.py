"""`smsconf route`: where a text to a number goes, from the configuration or the organisation."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from smsconf.cli.common import (
    allow_host_option,
    env_option,
    handle_errors,
    organisation_option,
    paths_argument,
    target_of,
)
from smsconf.cli.main import main
from smsconf.config.loader import load
from smsconf.config.problems import ConfigError, Problem
from smsconf.exitcodes import ExitCode
from smsconf.routing import cases as route_cases
from smsconf.routing import explain
from smsconf.routing.model import WorkstreamRouting
from smsconf.routing.route import RouteError, route
from smsconf.routing.sources import from_config


async def _live_routings(
    target: str, config: object, paths: tuple[str, ...]
) -> list[WorkstreamRouting]:
    from smsconf.connect import open_target
    from smsconf.reconcile.live import read_live
    from smsconf.routing.sources import from_live
    from smsconf.target import state_dir

    async with open_target(target, home=state_dir(paths)) as conn:
        live = await read_live(conn.dataverse, config)  # type: ignore[arg-type]
    routings, problems = from_live(live.rows)
    for problem in problems:
        click.echo(f"warning: not evaluated: {problem}", err=True)
    return routings


@main.command("route")
@paths_argument
@click.option("--to", "to", metavar="NUMBER", help="The number texted (selects the workstream).")
@click.option("--from", "sender", metavar="NUMBER", help="The sender's number.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="ATTR=VALUE",
    help="An attribute of the conversation, e.g. account.msdyn_tier=Gold (repeatable).",
)
@click.option("--at", "at", metavar="TIME", help="ISO 8601 time of the text (default: now).")
@click.option("--live", is_flag=True, help="Evaluate the organisation's rulesets, not the YAML.")
@click.option(
    "--target",
    callback=organisation_option,
    help="With --live: 'local', an organisation URL, or its Web API root.",
)
@click.option(
    "--cases",
    "cases_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file of cases (inputs and expected queue); a failing case exits 8.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@env_option
@allow_host_option
@handle_errors
def route_command(
    paths: tuple[str, ...],
    to: str | None,
    sender: str | None,
    sets: tuple[str, ...],
    at: str | None,
    live: bool,
    target: str | None,
    cases_file: Path | None,
    fmt: str,
    env: str | None,
) -> None:
    """Explain where a text to NUMBER goes: workstream, channel hours, each classification
    rule, each route-to-queue rule and why it matched or not, the queue, split or fallback."""
    loaded = load(paths, env)
    routings = (
        asyncio.run(_live_routings(target_of(loaded, target), loaded.config, paths))
        if live
        else from_config(loaded.config)
    )
    if cases_file is not None:
        results = route_cases.run(routings, route_cases.load(cases_file))
        if fmt == "json":
            click.echo(json.dumps(route_cases.as_data(results), indent=2, default=str))
        else:
            click.echo(route_cases.report(results))
        if not all(r.passed for r in results):
            sys.exit(ExitCode.ROUTE_CASES_FAILED)
        return
    problems = [] if to else [Problem("give --to NUMBER (or --cases FILE)")]
    try:
        values = explain.parse_sets(sets)
        moment = explain.parse_at(at)
    except ValueError as exc:
        problems.append(Problem(str(exc)))
    if problems:
        raise ConfigError(problems)
    try:
        outcome = route(routings, str(to), moment, sender, values)
    except RouteError as exc:
        raise ConfigError([Problem(str(exc), hint=exc.hint)]) from None
    click.echo(explain.dumps(outcome) if fmt == "json" else explain.text(outcome))
