"""`smsconf emulator ...`: serve the local Dataverse, Telesign, Twilio and ACS emulators over
HTTP."""

import contextlib
import ipaddress
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from starlette.types import ASGIApp

from smsconf.cli.main import LazyGroup, main
from smsconf.emulator.dataverse import FaultConfig, serve
from smsconf.emulator.dataverse.schema import load_schema
from smsconf.process import long_lived

Command = Callable[..., None]


def listening(port: int) -> Callable[[Command], Command]:
    """`--host` and `--port` of an emulator; each emulator has a default port of its own, so
    they all run side by side."""

    def options(command: Command) -> Command:
        command = click.option(
            "--port", default=port, show_default=True, type=int, help="0 picks a free port."
        )(command)
        return click.option(
            "--host",
            default="127.0.0.1",
            show_default=True,
            help="Address to listen on: loopback unless you say otherwise, since an emulator "
            "trusts whoever reaches it (see below).",
        )(command)

    return options


def repeatable(flag: str, dest: str, metavar: str, help: str) -> Callable[[Command], Command]:
    """A flag given once for each account, resource or number the emulator is to know."""
    return click.option(flag, dest, multiple=True, metavar=metavar, help=f"{help}; repeatable.")


def fault_options(command: Command) -> Command:
    """`--faults` and `--seed` of a provider emulator (both read them with `parse_faults`)."""
    command = click.option(
        "--seed", default=0, show_default=True, type=int, help="Seed of the fault draws."
    )(command)
    return click.option(
        "--faults", default="", help="e.g. 'throttle=0.2,outage_next=1,delay=0.5'."
    )(command)


def serve_until_interrupted(
    app: ASGIApp,
    host: str,
    port: int,
    banner: str,
    *,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> None:
    """Serve a provider emulator: `banner` on stderr, then its base URL alone on stdout (the
    line a script or test reads), until Ctrl-C."""
    from smsconf.emulator.serving import running

    with running(app, host, port, tls_cert=tls_cert, tls_key=tls_key) as url:
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
@listening(8080)
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


# --- emulator acs ---------------------------------------------------------------------------

NUMBER_FLAG = re.compile(r"(?:(?P<name>[^:+]+):)?(?P<number>\+[1-9][0-9]{6,14})(?::(?P<sms>.+))?")
TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
COUNTRIES = {"1": "US", "44": "GB", "61": "AU", "353": "IE", "358": "FI", "45": "DK", "31": "NL"}
COUNTRIES |= {"46": "SE", "48": "PL", "32": "BE", "371": "LV"}


def acs_resources(
    resources: tuple[str, ...], numbers: tuple[str, ...], subscription: str, group: str
) -> list[Any]:
    """The resources the flags name (`NAME:BASE64KEY`), each number (`[NAME:]+E164[:SMS]`,
    SMS capability as ACS spells it, default inbound+outbound) under the resource it names
    (the first one without a name); the demo resource when none is named."""
    from smsconf.acs.signing import BadAccessKey, decode_key
    from smsconf.emulator.acs import CAPABILITIES, AcsResource, PhoneNumber, demo_resource

    made: dict[str, AcsResource] = {}
    for value in resources:
        name, sep, key = value.partition(":")
        try:
            if not (sep and name and key) or not decode_key(key):
                raise BadAccessKey("empty")
        except BadAccessKey:
            raise click.BadParameter(
                f"expected NAME:BASE64KEY (the connection string's accesskey), got {name!r}:…",
                param_hint="--resource",
            ) from None
        made[name] = AcsResource(name, key, subscription=subscription, resource_group=group)
    if not made:
        if numbers:
            raise click.UsageError("--number needs a --resource to belong to")
        return [demo_resource()]
    first = next(iter(made))
    for value in numbers:
        found = NUMBER_FLAG.fullmatch(value)
        if found is None or (found["sms"] or "inbound+outbound") not in CAPABILITIES:
            raise click.BadParameter(
                f"{value}: expected [NAME:]+E164[:SMS] with SMS one of {', '.join(CAPABILITIES)}",
                param_hint="--number",
            )
        owner = made.get(found["name"] or first)
        if owner is None:
            raise click.BadParameter(
                f"{value}: no --resource {found['name']}", param_hint="--number"
            )
        digits = found["number"][1:]
        code = next(
            (c for c in sorted(COUNTRIES, key=len, reverse=True) if digits.startswith(c)), ""
        )
        kind = "tollFree" if code == "1" and digits[1:4] in TOLL_FREE else "geographic"
        owner.numbers.append(
            PhoneNumber(
                found["number"],
                sms=found["sms"] or "inbound+outbound",
                phone_number_type=kind if code == "1" else "mobile",
                country_code=COUNTRIES.get(code, "US"),
            )
        )
    return list(made.values())


@emulator.command("acs")
@listening(8093)
@repeatable(
    "--resource",
    "resources",
    "NAME:BASE64KEY",
    "An ACS resource and its access key (the connection string's accesskey)",
)
@repeatable(
    "--number",
    "numbers",
    "[NAME:]+E164[:SMS]",
    "A purchased number of that resource (default: the first --resource), SMS capability "
    "as ACS spells it: none, inbound, outbound or inbound+outbound (the default)",
)
@click.option(
    "--subscription",
    default="00000000-0000-4000-8000-000000000000",
    show_default=True,
    help="The Azure subscription the resources are in (their ARM ids).",
)
@click.option(
    "--resource-group",
    default="rg-communication",
    show_default=True,
    help="The resource group the resources (and new system topics) are in.",
)
@click.option(
    "--token",
    help="Accept only this ARM bearer token. Without it ANY non-empty bearer token is accepted.",
)
@click.option(
    "--skew",
    default=900.0,
    show_default=True,
    type=float,
    help="Seconds an x-ms-date may differ from this clock (ACS's own window is undocumented).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file keeping the Event Grid system topics and subscriptions between runs.",
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-self-signed", is_flag=True, help="Serve HTTPS with a generated certificate.")
@fault_options
def emulator_acs(
    host: str,
    port: int,
    resources: tuple[str, ...],
    numbers: tuple[str, ...],
    subscription: str,
    resource_group: str,
    token: str | None,
    skew: float,
    state: Path | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_self_signed: bool,
    faults: str,
    seed: int,
) -> None:
    """Serve the emulated Azure Communication Services until interrupted; prints its base URL.

    Without --resource it knows the demo resource of the local organisation.

    \b
    It listens on 127.0.0.1 unless --host says otherwise. What it accepts:
      - the data plane (GET /phoneNumbers, /phoneNumbers/{+E164}, /shortCodes, POST /sms,
        each with a known api-version): only requests signed with a resource's access key
        (HMAC-SHA256 over method, path and query, x-ms-date, Host and the body's hash), else
        401 Denied; point an SDK at it with its constructor, e.g.
        SmsClient("http://127.0.0.1:PORT", AzureKeyCredential(KEY));
      - Azure Resource Manager's slice under /subscriptions/... (the resources, Event Grid
        system topics and event subscriptions, getFullUrl): any non-empty bearer token, or
        only --token's; the azure-mgmt SDKs need https (--tls-self-signed); a webhook
        subscription is taken as validated (no handshake is sent to its endpoint);
      - the control routes (/_emulator/inbound: a handset texts a number and Event Grid
        posts SMSReceived to the resource's webhook subscriptions; /_emulator/faults,
        /_emulator/state): anyone who reaches the port, which is why it stays on loopback;
      - request bodies up to 256 KiB (past it 413), malformed JSON a 400.
    """
    from smsconf.emulator.acs import create_app as acs_app
    from smsconf.emulator.telesign import parse_faults

    if (tls_cert is None) != (tls_key is None) or (tls_cert and tls_self_signed):
        raise click.UsageError("use --tls-cert with --tls-key, or --tls-self-signed alone")
    try:
        fault_config = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    served = acs_resources(resources, numbers, subscription, resource_group)
    if tls_self_signed:
        import tempfile

        from smsconf.emulator.dataverse.tls import self_signed_certificate

        tls_cert, tls_key = self_signed_certificate(
            Path(tempfile.mkdtemp(prefix="smsconf-acs-")), [host]
        )
        click.echo(f"Self-signed certificate: {tls_cert}  (pass it as connection_verify)", err=True)
    app = acs_app(served, state_file=state, faults=fault_config, seed=seed, skew=skew, token=token)
    names = ", ".join(r.name for r in served)
    serve_until_interrupted(
        app, host, port, f"ACS emulator for {names}", tls_cert=tls_cert, tls_key=tls_key
    )
