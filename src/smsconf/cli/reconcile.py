"""`smsconf plan`, `apply`, `callback-urls`: thin wrappers over `smsconf.reconcile.manager`."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from smsconf.cli.common import (
    ExistingPath,
    allow_host_option,
    colour_wanted,
    env_option,
    handle_errors,
    organisation_option,
    paths_argument,
    target_of,
)
from smsconf.cli.main import main
from smsconf.config.loader import Loaded, load
from smsconf.connect import open_target
from smsconf.exitcodes import ExitCode
from smsconf.process import burst
from smsconf.reconcile.apply import Progress, StalePlan
from smsconf.reconcile.drift import drift as find_drift
from smsconf.reconcile.manager import (
    PlanOptions,
    apply_plan,
    git_commit,
    make_plan,
    replan_saved,
)
from smsconf.reconcile.outcome import (
    apply_blocker,
    apply_exit,
    event_grid_report,
    newly_connected,
    plan_exit,
    telesign_support_message,
    twilio_inbound_report,
)
from smsconf.reconcile.plan import DeleteAllowance, Plan, Trust, read_plan_file
from smsconf.reconcile.trust import (
    compared,
    compared_with_plan,
    configured,
    endpoints,
    named_route,
    require,
    target_named_by,
)
from smsconf.redact import redact
from smsconf.render import RENDERERS
from smsconf.render.common import summary_line
from smsconf.render.drift import render as render_drift
from smsconf.render.text import render as render_text
from smsconf.routing.lint import warnings as lint_warnings
from smsconf.target import Target, state_dir

target_option = click.option(
    "--target",
    callback=organisation_option,
    help="'local', an organisation URL, or its Web API root (default: the environment's target).",
)
delete_options = [
    click.option(
        "--allow-deletes",
        is_flag=True,
        help="Allow deletes beyond the limit (default: $SMSCONF_ALLOW_DELETES, one address a "
        "line or 'all').",
    ),
    click.option(
        "--allow-delete",
        "allowed",
        multiple=True,
        metavar="ADDRESS",
        help="Allow the delete of this object (address as printed in the plan).",
    ),
]
ALLOW_DELETES_VARIABLE = "SMSCONF_ALLOW_DELETES"
only_option = click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ADDRESS",
    help="Plan only the change with this address (as printed in the plan), the deletes that "
    "follow from it and the changes it needs; repeatable (Terraform's -target).",
)


def _allowance(allow_deletes: bool, allowed: tuple[str, ...]) -> DeleteAllowance | None:
    """The deletes the workflow allows, from the flags, else from $SMSCONF_ALLOW_DELETES (one
    address a line, or `all`; set but empty: none), else None (nothing said). Never from a
    file: a saved plan's own allowance is only believed where nothing here says otherwise."""
    if allow_deletes or allowed:
        return DeleteAllowance(allow_deletes, tuple(sorted(set(allowed))))
    value = os.environ.get(ALLOW_DELETES_VARIABLE)
    if value is None:
        return None
    lines = sorted({line.strip() for line in value.splitlines()} - {""})
    if lines == ["all"]:
        return DeleteAllowance(all=True)
    return DeleteAllowance(addresses=tuple(lines))


def _with(options: list) -> callable:  # type: ignore[type-arg]
    def decorate(func):  # type: ignore[no-untyped-def]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Print request counts (requests, retries, bytes)."
)


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[Progress], None] | None]:
    """A transient progress bar on a terminal's stderr (a pulsing one when `total` is None),
    counting writes as their answers arrive and naming the object written; nothing at all
    when stderr is piped, so CI logs and redirected plans stay clean."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # only on a terminal: piped runs never pay for it
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda p: bar.update(task, completed=p.answered, description=writing(p))


def writing(progress: Progress) -> str:
    """`Writing queue 'SMS Support VIP' (12/48)`: what the bar says while apply writes."""
    if progress.writing is None:
        return f"Applying ({progress.answered}/{progress.total})"
    more = progress.in_flight - 1
    also = f" and {more} more in this request" if more > 0 else ""
    return f"Writing {progress.writing.label}{also} ({progress.answered}/{progress.total})"


def _trusted(loaded: Loaded, target: str | None, providers: bool) -> tuple[str, str, Trust]:
    """The target, who named it, and its hosts, checked before any secret is read."""
    url, named_by = target_of(loaded, target), target_named_by(loaded, target)
    found = endpoints(loaded, named_route(url, named_by), providers=providers)
    return url, named_by, require(found)


async def _plan(
    loaded: Loaded,
    flag: str | None,
    paths: list[str],
    options: PlanOptions,
    verbose: bool = False,
) -> Plan:
    """Open the target the configuration or `--target` names, once its hosts are trusted."""
    url, named_by, trust = _trusted(loaded, flag, options.check_credentials)
    async with open_target(url, named_by=named_by, home=state_dir(paths)) as target:
        with _progress("Reading the organisation", None):
            result = await make_plan(loaded, target, paths, options, trust)
        if verbose:
            click.echo(f"plan: {target.dataverse.stats}", err=True)
    return result


@main.command()
@paths_argument
@env_option
@target_option
@allow_host_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Save the plan (JSON) for apply --plan; with --format html, save the HTML page instead.",
)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text")
@only_option
@click.option(
    "--base-plan",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved plan of the same environment made from the base branch (plan --out): every "
    "host or secret reference it did not trust so is a risk flag.",
)
@click.option(
    "--base-config",
    multiple=True,
    type=ExistingPath(),
    metavar="PATH",
    help="The base branch's configuration (a checkout of it), instead of --base-plan: its "
    "hosts and secret references, found without contacting anything, are compared; "
    "repeatable.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--skip-credentials", is_flag=True, help="Do not call Telesign.")
@click.option(
    "--check-numbers", is_flag=True, help="Look up each sender number with PhoneID (billed)."
)
@_with(delete_options)
@verbose_option
@handle_errors
def plan(
    paths: tuple[str, ...],
    env: str | None,
    target: str | None,
    out: str | None,
    fmt: str,
    only: tuple[str, ...],
    base_plan: Path | None,
    base_config: tuple[str, ...],
    detailed_exitcode: bool,
    skip_credentials: bool,
    check_numbers: bool,
    allow_deletes: bool,
    allowed: tuple[str, ...],
    verbose: bool,
) -> None:
    """Show what apply would change in the organisation."""
    if base_plan and base_config:
        raise click.UsageError("give --base-plan or --base-config, not both")
    base = read_plan_file(base_plan) if base_plan else None
    loaded = load(paths, env, burst=burst)
    if base is not None and base.environment != loaded.environment:
        raise click.UsageError(
            f"--base-plan {base_plan} is a plan of environment {base.environment or '(none)'}, "
            f"not of {loaded.environment or '(none)'}: compare plans of the same environment"
        )
    before = load(base_config, loaded.environment, burst=burst) if base_config else None
    for warning in lint_warnings(loaded):
        click.echo(warning, err=True)
    allowance = _allowance(allow_deletes, allowed) or DeleteAllowance()
    options = dataclasses.replace(
        PlanOptions.allowing(allowance),
        burst=burst,
        check_credentials=not skip_credentials,
        check_numbers=check_numbers,
        only=tuple(dict.fromkeys(only)),
    )

    result = asyncio.run(_plan(loaded, target, list(paths), options, verbose))
    if base is not None:
        result = dataclasses.replace(result, trust_base=compared_with_plan(result.trust, base))
    elif before is not None:
        route = named_route(target_of(before, target), target_named_by(before, target))
        was = configured(before, route, result.trust, providers=not skip_credentials)
        commit = git_commit(list(base_config))[0]
        result = dataclasses.replace(result, trust_base=compared(result.trust, was, commit, None))
    page = fmt == "html" and out is not None  # a report file, not a page on stdout
    if out:
        saved = RENDERERS[fmt](result) if page else result.to_json()
        Path(out).write_text(redact(saved), encoding="utf-8")
    if page:
        report = f"{summary_line(result.counts())} Report: {out}\n"
    elif fmt == "text":
        report = render_text(result, color=colour_wanted(sys.stdout), burst=burst)
    else:
        report = RENDERERS[fmt](result)
    click.echo(report, nl=False)
    sys.exit(plan_exit(result, detailed=detailed_exitcode))


@main.command()
@click.argument("paths", nargs=-1, type=ExistingPath())
@env_option
@target_option
@allow_host_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply this saved plan: planned again, applied only if nothing differs (PATHS and "
    "the allowed deletes default to the plan's own).",
)
@only_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--continue-on-error", is_flag=True, help="Keep going after a failed write.")
@click.option("--ignore-credentials", is_flag=True, help="Apply even if a credential check failed.")
@_with(delete_options)
@verbose_option
@handle_errors
def apply(
    paths: tuple[str, ...],
    env: str | None,
    target: str | None,
    plan_file: Path | None,
    only: tuple[str, ...],
    auto_approve: bool,
    continue_on_error: bool,
    ignore_credentials: bool,
    allow_deletes: bool,
    allowed: tuple[str, ...],
    verbose: bool,
) -> None:
    """Make the organisation match the configuration (plan, confirm, write).

    With --plan FILE (`plan --out FILE`), the plan is made again from the configuration and
    the organisation, and applied only when it equals the saved one: same changes, bodies,
    ETags and allowed deletes. What is written is that fresh plan, never the file's."""
    saved = read_plan_file(plan_file) if plan_file else None
    if saved is not None and only:
        raise click.UsageError("--only is recorded in a saved plan: plan again with --only")
    if saved is not None and not paths:
        if not saved.paths:
            raise click.UsageError("the plan records no configuration paths: give PATHS")
        paths = saved.paths
        click.echo(f"Configuration: {' '.join(paths)} (from the plan)", err=True)
    elif not paths:
        raise click.UsageError("Missing argument 'PATHS...' (or give --plan FILE).")
    loaded = load(
        paths, env if env is not None or saved is None else saved.environment, burst=burst
    )
    allowance = _allowance(allow_deletes, allowed)
    claimed = saved is not None and allowance is None
    if claimed:  # the Terraform habit: the plan is the decision, once a person or the
        allowance = saved.allowed_deletes  # workflow agrees (see `_unconfirmed_deletes`)

    url, named_by, trust = _trusted(loaded, target, providers=True)

    async def run() -> ExitCode:
        async with open_target(url, named_by=named_by, home=state_dir(paths)) as conn:
            try:
                the_plan = await _plan_for_apply(
                    saved,
                    loaded,
                    conn,
                    list(paths),
                    allowance or DeleteAllowance(),
                    trust,
                    verbose,
                    tuple(dict.fromkeys(only)),
                )
            except StalePlan as exc:
                return _stale(exc)
            shown = render_text(the_plan, color=colour_wanted(sys.stdout), burst=burst)
            click.echo(shown, nl=False)
            blocker = apply_blocker(the_plan, ignore_credentials=ignore_credentials)
            if blocker is not None:
                click.echo("Apply refused: fix the problems above first.", err=True)
                return blocker
            if not the_plan.has_changes:
                return ExitCode.OK
            if claimed and auto_approve and _unconfirmed_deletes(the_plan):
                return ExitCode.UNSAFE_PLAN
            if not auto_approve and not _confirmed(the_plan):
                click.echo("Apply cancelled.", err=True)
                return ExitCode.ERROR
            before = dataclasses.replace(conn.dataverse.stats)
            try:
                with _progress("Applying", len(the_plan.changes)) as progress:
                    report = await apply_plan(
                        the_plan,
                        loaded,
                        conn,
                        continue_on_error=continue_on_error,
                        progress=progress,
                    )
            except StalePlan as exc:
                return _stale(exc)
            finally:
                if verbose:
                    click.echo(f"apply: {conn.dataverse.stats - before}", err=True)
            if report.interrupted:
                click.echo(
                    "\nApply interrupted (Ctrl-C): what was answered is in place and "
                    "journaled; run apply again to finish.",
                    err=True,
                )
            click.echo(
                f"\nApply: {report.done} done, {report.failed} failed, {report.stale} "
                f"stale, {report.not_attempted} not attempted (journal {report.journal})"
            )
            for failure in report.failures:
                click.echo(f"  ! {failure}", err=True)
            connected = [] if conn.is_local else newly_connected(the_plan)
            if connected:  # Telesign must learn a new account's callback URL; once is enough
                click.echo(
                    "\n" + telesign_support_message(the_plan, customer_ids(loaded), connected)
                )
            return apply_exit(report)

    sys.exit(asyncio.run(run()))


async def _plan_for_apply(
    saved: Plan | None,
    loaded: Loaded,
    conn: Target,
    paths: list[str],
    allowance: DeleteAllowance,
    trust: Trust,
    verbose: bool,
    only: tuple[str, ...],
) -> Plan:
    """The plan apply writes: a fresh one, which for a saved plan must equal it."""
    with _progress("Reading the organisation" if saved is None else "Planning again", None):
        if saved is None:
            options = dataclasses.replace(PlanOptions.allowing(allowance), only=only, burst=burst)
            fresh = await make_plan(loaded, conn, paths, options, trust)
        else:
            fresh = await replan_saved(saved, loaded, conn, paths, allowance, trust, burst)
    if verbose:
        click.echo(f"plan: {conn.dataverse.stats}", err=True)
    return fresh


def _stale(exc: StalePlan) -> ExitCode:
    click.echo("Stale plan, nothing written:", err=True)
    for reason in exc.reasons:
        click.echo(f"  - {reason}", err=True)
    return ExitCode.STALE_PLAN


def _unconfirmed_deletes(plan: Plan) -> bool:
    """A plan file's own allowance deletes nothing unattended: anyone can write a file that
    allows deletes and re-checksum it, so with --auto-approve the workflow must allow them
    too (flags or $SMSCONF_ALLOW_DELETES, which must then equal the file's); at a terminal,
    the person typing `yes` is that agreement."""
    if not (plan.allowed_deletes and plan.counts()["delete"]):
        return False
    click.echo(
        f"Apply refused: the deletes allowed ({plan.allowed_deletes.describe()}) come from the "
        "plan file alone; with --auto-approve, allow them where the workflow says it "
        f"(--allow-delete ADDRESS, --allow-deletes or ${ALLOW_DELETES_VARIABLE}).",
        err=True,
    )
    return True


def customer_ids(loaded: Loaded) -> dict[str, str | None]:
    return {a.name: a.customer_id for a in loaded.config.accounts}


def _confirmed(plan: Plan) -> bool:
    """A terminal's yes. A plan that deletes takes the word `yes` itself (Terraform's rule):
    a stray `y` or Enter must never delete."""
    if not sys.stdin.isatty():
        click.echo(
            "Refusing to apply without a terminal to confirm; pass --auto-approve.", err=True
        )
        return False
    deletes = plan.counts()["delete"]
    allowed = (
        f" (deletes allowed: {plan.allowed_deletes.describe()})" if plan.allowed_deletes else ""
    )
    # The prompt blocks the event loop, so asyncio's own Ctrl-C handling (cancel the task at
    # its next await) would wait for Enter: while it is asked, Ctrl-C interrupts at once.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if not deletes:
            return _ask("Apply these changes? [y/N]: ") in ("y", "yes")
        click.echo(f"This plan deletes {deletes} object(s){allowed}; only 'yes' approves it.")
        return _ask("Apply these changes? Type yes: ") == "yes"
    except (KeyboardInterrupt, EOFError):  # Ctrl-C or end of input: not a yes
        click.echo("", err=True)
        return False
    finally:
        signal.signal(signal.SIGINT, previous)


def _ask(prompt: str) -> str:
    """One line from the terminal, waiting in short slices: a signal may reach another thread
    of the process (the OS picks any), and a read blocked in the main thread would then not
    return until Enter; between slices the main thread runs the pending Ctrl-C handler."""
    click.echo(prompt, nl=False)
    sys.stdout.flush()
    while not select.select([sys.stdin], [], [], 0.1)[0]:
        pass
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip().lower()


@main.command("callback-urls")
@paths_argument
@env_option
@target_option
@allow_host_option
@handle_errors
def callback_urls(paths: tuple[str, ...], env: str | None, target: str | None) -> None:
    """Print each Telesign account's callback URL and the message for Telesign support; each
    Twilio number's inbound URL, the organisation's it must be, and whether it is; and each ACS
    resource's Event Grid subscription in effect and whether it is right.

    With Twilio or ACS accounts the providers are asked (credential checks, number reads, ARM
    reads with Azure credentials; nothing is written). Exit 2 when a Twilio number's inbound
    URL is not the organisation's, or an ACS resource's Event Grid wiring is wrong.
    """
    loaded = load(paths, env, burst=burst)
    asked = any(a.provider in ("twilio", "acs") for a in loaded.config.accounts)
    options = PlanOptions(check_credentials=asked, burst=burst)
    plan = asyncio.run(_plan(loaded, target, list(paths), options))
    report, all_set = twilio_inbound_report(plan)
    grid, grid_right = event_grid_report(plan)
    all_set = all_set and grid_right
    click.echo(
        "\n".join(
            t for t in (telesign_support_message(plan, customer_ids(loaded)), report, grid) if t
        )
    )
    if plan.failed_credentials():
        sys.exit(ExitCode.CREDENTIALS)
    sys.exit(ExitCode.OK if all_set else ExitCode.CHANGES)


@main.command()
@paths_argument
@env_option
@target_option
@allow_host_option
@handle_errors
def drift(paths: tuple[str, ...], env: str | None, target: str | None) -> None:
    """Report edits made in the organisation to managed objects; exit 2 when there are some."""
    loaded = load(paths, env, burst=burst)
    options = PlanOptions(check_credentials=False, allow_deletes=True, burst=burst)
    report = find_drift(
        asyncio.run(_plan(loaded, target, list(paths), options)), loaded.config.settings.ignore
    )
    click.echo(render_drift(report), nl=False)
    sys.exit(ExitCode.CHANGES if report.drifted else ExitCode.OK)
