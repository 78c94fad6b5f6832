"""`smsconf emulator ...`: serve the local Dataverse, Telesign and Twilio emulators over HTTP."""

import contextlib
import ipaddress
import threading
from collections.abc import Callable
from pathlib import Path

import click
from starlette.types import ASGIApp

from smsconf.cli.main import LazyGroup, main
from smsconf.emulator.dataverse import FaultConfig, serve
from smsconf.emulator.dataverse.schema import load_schema
from smsconf.process import long_lived

host_option = click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: loopback unless you say otherwise, since an emulator trusts "
    "whoever reaches it (see below).",
)


def fault_options(command: Callable[..., None]) -> Callable[..., None]:
    """`--faults` and `--seed` of a provider emulator (both read them with `parse_faults`)."""
    command = click.option(
        "--seed", default=0, show_default=True, type=int, help="Seed of the fault draws."
    )(command)
    return click.option(
        "--faults", default="", help="e.g. 'throttle=0.2,outage_next=1,delay=0.5'."
    )(command)


def serve_until_interrupted(app: ASGIApp, host: str, port: int, banner: str) -> None:
    """Serve a provider emulator: `banner` on stderr, then its base URL alone on stdout (the
    line a script or test reads), until Ctrl-C."""
    from smsconf.emulator.serving import running

    with running(app, host, port) as url:
        click.echo(f"{banner}; Ctrl-C to stop", err=True)
        click.echo(url)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


@main.group(
    cls=LazyGroup, lazy={"telesign": "smsconf.cli.telesign", "twilio": "smsconf.cli.twilio"}
)
def emulator() -> None:
    """Run the local organisation's emulators as real HTTP servers."""
    long_lived()  # a server lives on until interrupted


@emulator.command("serve")
@host_option
@click.option("--port", default=8080, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file of the org (default: the CLI's 'local' org: under $SMSCONF_HOME, else "
    "the nearest .smsconf/ upward from here, else ./.smsconf/); a new file is a new "
    "organisation (its own id) with the demo rows the example looks up; ':memory:' for a "
    "throwaway, empty org.",
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-self-signed", is_flag=True, help="Serve HTTPS with a generated certificate.")
@click.option(
    "--token",
    help="Accept only this bearer token. Without it ANY bearer token is accepted: whoever "
    "reaches the port reads and writes the org.",
)
@click.option("--faults", default="", help="e.g. 'throttle=0.1,unavailable=0.05,request_budget=9'.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the fault sequence.")
@click.option(
    "--schema",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve the tables of this schema snapshot (the format of platform/snapshot.json).",
)
def serve_command(
    host: str,
    port: int,
    db: Path | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_self_signed: bool,
    token: str | None,
    faults: str,
    seed: int,
    schema: Path | None,
) -> None:
    """Serve the local Dataverse org (Web API under /api/data/v9.2/) until interrupted.

    \b
    It listens on 127.0.0.1 unless --host says otherwise. What it accepts:
      - the Web API: any bearer token without --token, only that one with it;
      - the Telesign inbound callback (POST /telesign/incoming): only callbacks signed with
        the API key of one of the org's Telesign accounts (Telesign's callback signature),
        with or without --token;
      - the Twilio inbound webhook (POST /twilio/incoming): only webhooks whose
        X-Twilio-Signature verifies with the Auth Token of the org's Twilio account named by
        their AccountSid (else 403), with or without --token;
      - request bodies up to 64 MiB (past it 413), malformed or too deeply nested JSON a 400.
    """
    if (tls_cert is None) != (tls_key is None) or (tls_cert and tls_self_signed):
        raise click.UsageError("use --tls-cert with --tls-key, or --tls-self-signed alone")
    try:
        fault_config = FaultConfig.parse(faults, seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        served = load_schema(schema) if schema is not None else None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    from smsconf.connect import prepare_org
    from smsconf.emulator.dataverse.store import StoreError
    from smsconf.target import LOCAL_DB, state_dir

    if db is None:
        db = state_dir() / LOCAL_DB  # the org that `plan`/`apply` on the local target use
    if token is None and not _loopback(host):
        click.echo(
            f"warning: listening on {host} without --token: anyone who reaches this port may "
            "read and write the organisation with any bearer token",
            err=True,
        )
    try:
        if str(db) != ":memory:":
            prepare_org(db)
        serve(
            host,
            port,
            db,
            tls_cert,
            tls_key,
            tls_self_signed,
            token,
            fault_config,
            schema=served,
            announce=click.echo,
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
