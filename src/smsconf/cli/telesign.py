"""Provider commands: `check-credentials` (Telesign, Twilio, ACS), `test-sms` and
`emulator telesign`.

This module is where configuration meets the Telesign client (it turns a configured account into
a `TelesignAccount`) and where the local target is wired to the in-process emulator.
"""

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
import pydantic
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette

from smsconf import hosts
from smsconf.acs.client import AcsError
from smsconf.acs.connection import BadConnectionString
from smsconf.acs.connection import parse as parse_connection_string
from smsconf.acs.sending import send_test_sms as send_acs_test_sms
from smsconf.cli.common import (
    allow_host_option,
    env_option,
    handle_errors,
    paths_argument,
    target_of,
)
from smsconf.cli.emulator import (
    emulator,
    fault_options,
    listening,
    repeatable,
    serve_until_interrupted,
)
from smsconf.cli.main import main
from smsconf.config import SecretError
from smsconf.config.loader import load
from smsconf.connect import local_acs, local_telesign, local_twilio
from smsconf.emulator.telesign import (
    DEMO_ACCOUNTS,
    AccountsFileError,
    EmulatedAccount,
    create_app,
    load_setup,
    parse_faults,
)
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.acs import check_credentials as check_acs_credentials
from smsconf.reconcile.credentials import check_accounts
from smsconf.reconcile.plan import Credential
from smsconf.reconcile.trust import endpoints, named_route, require, target_named_by
from smsconf.reconcile.twilio import check_credentials as check_twilio_credentials
from smsconf.target import LOCAL, state_dir
from smsconf.telesign.account import AuthMethod, TelesignAccount, base_url
from smsconf.telesign.errors import TelesignBadKey, TelesignRejected
from smsconf.telesign.secret import ApiKey
from smsconf.telesign.sending import send_test_sms
from smsconf.twilio.account import API_BASE, TwilioAccount
from smsconf.twilio.errors import TwilioError, TwilioRejected
from smsconf.twilio.sending import send_test_sms as send_twilio_test_sms

LOG_WIDTH = 160


@main.command("check-credentials")
@paths_argument
@env_option
@click.option(
    "--endpoint-override",
    metavar="URL",
    help="Check every account against this Telesign base URL (e.g. a served emulator).",
)
@allow_host_option
@handle_errors
def check_credentials(
    paths: tuple[str, ...], env: str | None, endpoint_override: str | None
) -> None:
    """Check each account's credentials with one request: a Telesign account's Customer ID
    and API key (signed), a Twilio account's Account SID and Auth Token (GET the account), an
    ACS account's connection string (a signed read of its numbers).

    No message is sent. The local target is checked against the built-in emulators; other
    targets against Telesign (or --endpoint-override), Twilio and the ACS resource's endpoint.
    Exit 4 when any account fails its check or its secret cannot be read.
    """
    loaded = load(paths, env)
    target = target_of(loaded, None)
    route = named_route(target, target_named_by(loaded, None), endpoint_override)
    found = endpoints(loaded, route)
    require([e for e in found if e.service in ("telesign", "twilio")])
    endpoint, transport = endpoint_override, None
    if endpoint is None and target == LOCAL:
        endpoint, transport = local_telesign()
    twilio_endpoint, twilio_transport = (
        local_twilio(home=state_dir(paths)) if target == LOCAL else (None, None)
    )
    acs_endpoint, acs_transport = (
        local_acs(home=state_dir(paths))[:2] if target == LOCAL else (None, None)
    )

    async def checks() -> list[Credential]:
        (telesign, _), twilio, acs = await asyncio.gather(
            check_accounts(loaded.config, endpoint=endpoint, transport=transport),
            check_twilio_credentials(
                loaded.config, endpoint=twilio_endpoint, transport=twilio_transport
            ),
            check_acs_credentials(
                loaded.config, loaded.locate, endpoint=acs_endpoint, transport=acs_transport
            ),
        )
        by_name = {c.account: c for c in telesign + twilio + acs}
        return [by_name[a.name] for a in loaded.config.accounts if a.name in by_name]

    results = asyncio.run(checks())
    table = Table()
    for column in ("account", "provider", "customer ID / SID", "result"):
        table.add_column(column, no_wrap=True)
    table.add_column("detail")
    for result in results:
        style = "green" if result.ok else "red"
        table.add_row(
            result.account,
            result.provider,
            result.customer_id,
            f"[{style}]{result.status}[/]",
            result.detail,
        )
    # Logs and CI are not terminals: give the detail column room instead of rich's 80 columns.
    Console(width=None if sys.stdout.isatty() else LOG_WIDTH).print(table)  # obeys NO_COLOR
    if not all(result.ok for result in results):
        sys.exit(ExitCode.CREDENTIALS)


@main.command("test-sms")
@click.option(
    "--provider",
    type=click.Choice(["telesign", "twilio", "acs"]),
    default="telesign",
    show_default=True,
)
@click.option("--customer-id", help="Telesign: the Customer ID.")
@click.option(
    "--api-key-env",
    metavar="VAR",
    help="Telesign: environment variable holding the API key (keys never go on a command line).",
)
@click.option("--account-sid", metavar="AC…", help="Twilio: the Account SID.")
@click.option(
    "--auth-token-env",
    metavar="VAR",
    help="Twilio: environment variable holding the Auth Token.",
)
@click.option(
    "--connection-string-env",
    metavar="VAR",
    help="ACS: environment variable holding the resource's connection string.",
)
@click.option("--from", "from_number", required=True, metavar="NUMBER", help="Sender number.")
@click.option("--to", "to_number", required=True, metavar="HANDSET", help="Destination handset.")
@click.option(
    "--endpoint",
    metavar="URL",
    help="Telesign: 'standard' (default), 'enterprise' or a base URL; Twilio: a base URL "
    "(default https://api.twilio.com).",
)
@click.option("--auth", type=click.Choice(["tsa", "basic"]), default="tsa", show_default=True)
@click.option("--text", default="smsconf test message", show_default=True)
@click.option(
    "--timeout",
    "deadline",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds to wait for a final delivery state.",
)
@click.option(
    "--poll-interval",
    type=float,
    default=2.0,
    show_default=True,
    help="Seconds between status reads.",
)
@allow_host_option
@handle_errors
def test_sms(
    provider: str,
    customer_id: str | None,
    api_key_env: str | None,
    account_sid: str | None,
    auth_token_env: str | None,
    connection_string_env: str | None,
    from_number: str,
    to_number: str,
    endpoint: str | None,
    auth: AuthMethod,
    text: str,
    deadline: float,
    poll_interval: float,
) -> None:
    """Send ONE real (billed) SMS from NUMBER to HANDSET and follow it to a final state.

    Telesign takes --customer-id and --api-key-env; Twilio (--provider twilio) takes
    --account-sid and --auth-token-env; ACS (--provider acs) takes --connection-string-env
    (the endpoint is the connection string's) and is done when ACS accepts the message (its
    delivery report goes to the organisation through Event Grid). Exit 0 when delivered (ACS:
    accepted), 4 when the provider refuses the credentials, 1 otherwise.
    """
    message = (from_number, to_number, text)
    if provider == "acs":
        if not connection_string_env:
            raise click.UsageError("--provider acs needs --connection-string-env")
        sys.exit(_acs_test_sms(connection_string_env, message))
    wanted = (
        ("--customer-id", "--api-key-env")
        if provider == "telesign"
        else ("--account-sid", "--auth-token-env")
    )
    given = (customer_id, api_key_env) if provider == "telesign" else (account_sid, auth_token_env)
    if not all(given):
        raise click.UsageError(f"--provider {provider} needs {' and '.join(wanted)}")
    identifier, variable = str(given[0]), str(given[1])
    hosts.require(
        base_url(endpoint) if provider == "telesign" else (endpoint or API_BASE),
        provider,
        "--endpoint",
    )
    secret = _environment_secret(variable)
    timing = {"deadline": deadline, "poll_interval": poll_interval}
    if provider == "twilio":
        account = TwilioAccount(identifier, identifier, ApiKey(secret), endpoint)
        sys.exit(_twilio_test_sms(account, message, timing))
    account = TelesignAccount(identifier, identifier, ApiKey(secret), endpoint, auth)
    try:
        result = asyncio.run(send_test_sms(account, *message, **timing))
    except TelesignBadKey as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.CREDENTIALS)
    except TelesignRejected as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.CREDENTIALS if exc.http_status == 401 else ExitCode.ERROR)
    for update in result.history:
        click.echo(f"{update.code} {update.description}")
    click.echo(f"reference {result.reference_id}: {_verdict(result.delivered, result.final)}")
    if not result.delivered:
        sys.exit(ExitCode.ERROR)


def _environment_secret(variable: str) -> str:
    secret = os.environ.get(variable)
    if not secret:
        raise SecretError(f"environment variable {variable} is not set")
    return secret


def _acs_test_sms(variable: str, message: tuple[str, str, str]) -> ExitCode:
    """ACS's test message from the connection string in `variable` (parsed, its host held to
    the host policy by the client before the key is used)."""
    try:
        connection = parse_connection_string(_environment_secret(variable))
    except BadConnectionString as exc:
        click.echo(f"error: {variable}: {exc}", err=True)
        return ExitCode.CREDENTIALS
    try:
        result = asyncio.run(send_acs_test_sms(connection, *message, name=f"${{env:{variable}}}"))
    except AcsError as exc:
        click.echo(f"error: {exc}", err=True)
        return ExitCode.ERROR
    click.echo(f"message {result.message_id or '(none)'}: {result.detail} (HTTP {result.status})")
    if result.accepted:
        return ExitCode.OK
    return ExitCode.CREDENTIALS if result.status in (401, 403) else ExitCode.ERROR


def _verdict(delivered: bool, final: bool) -> str:
    return (
        "delivered"
        if delivered
        else "not delivered"
        if final
        else "no final state before the deadline"
    )


def _twilio_test_sms(
    account: TwilioAccount, message: tuple[str, str, str], timing: dict[str, float]
) -> ExitCode:
    """Twilio's test message: sender, handset and text in `message`, its deadline and poll
    interval in `timing`."""
    try:
        result = asyncio.run(send_twilio_test_sms(account, *message, **timing))
    except TwilioRejected as exc:
        click.echo(f"error: {exc}", err=True)
        return ExitCode.CREDENTIALS if exc.status == 401 else ExitCode.ERROR
    except TwilioError as exc:
        click.echo(f"error: {exc}", err=True)
        return ExitCode.ERROR
    for status in result.history:
        click.echo(status)
    error = f" (error {result.error_code})" if result.error_code else ""
    click.echo(f"message {result.sid}: {_verdict(result.delivered, result.final)}{error}")
    return ExitCode.OK if result.delivered else ExitCode.ERROR


def _flag_account(value: str) -> EmulatedAccount:
    customer_id, sep, api_key = value.partition(":")
    if not (customer_id and sep and api_key):
        raise click.BadParameter(
            f"expected CUSTOMER_ID:API_KEY, got {customer_id!r}:…", param_hint="--account"
        )
    try:
        return EmulatedAccount(
            customer_id=customer_id, api_key=api_key, name=customer_id, reject_unknown_senders=False
        )
    except pydantic.ValidationError as exc:
        raise click.BadParameter(
            f"{customer_id}: {exc.errors()[0]['msg']}", param_hint="--account"
        ) from None


def emulator_app(
    flag_accounts: Sequence[str], accounts_file: Path | None, faults: str, seed: int
) -> Starlette:
    """The emulator the flags describe: file and flag accounts, else the demo accounts."""
    try:
        fault_config = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        setup = load_setup(accounts_file) if accounts_file else None
    except AccountsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--accounts-file") from None
    accounts = [*(setup.accounts if setup else ()), *map(_flag_account, flag_accounts)]
    return create_app(
        accounts or DEMO_ACCOUNTS,
        faults=fault_config,
        seed=seed,
        directory=setup.directory if setup else None,
    )


@emulator.command("telesign")
@listening(8090)
@repeatable(
    "--account", "flag_accounts", "CUSTOMER_ID:API_KEY", "An account (any sender ID allowed)"
)
@click.option(
    "--accounts-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML/JSON with `accounts:` (keys, switches, numbers) and `directory:`.",
)
@fault_options
def emulator_telesign(
    host: str,
    port: int,
    flag_accounts: tuple[str, ...],
    accounts_file: Path | None,
    faults: str,
    seed: int,
) -> None:
    """Serve the emulated Telesign REST API until interrupted; prints its base URL.

    Without --account or --accounts-file it knows the demo accounts of examples/channels.yaml.

    \b
    It listens on 127.0.0.1 unless --host says otherwise. What it accepts:
      - the Telesign API (/v1/...): requests signed with a known account's key, as Telesign;
      - the control routes (/_emulator/...: simulate an inbound SMS, set faults, list
        messages): anyone who reaches the port, which is why it stays on loopback;
      - request bodies up to 64 KiB (past it 413), malformed JSON a 400.
    """
    app = emulator_app(flag_accounts, accounts_file, faults, seed)
    customers = ", ".join(app.state.telesign.accounts)
    serve_until_interrupted(app, host, port, f"Telesign emulator for {customers}")
