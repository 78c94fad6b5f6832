"""Twilio commands: `emulator twilio`.

The emulator's accounts come from the flags (`SID:TOKEN`, numbers `+E164` or `SID:+E164`), or
are the demo account of the local organisation when none is given.
"""

from __future__ import annotations

import re

import click

from smsconf.cli.emulator import (
    emulator,
    fault_options,
    listening,
    repeatable,
    serve_until_interrupted,
)
from smsconf.config.provider_rules import ACCOUNT_SID
from smsconf.emulator.telesign import parse_faults
from smsconf.emulator.twilio import Account, account, create_app, demo_accounts

E164 = re.compile(r"\+[1-9][0-9]{6,14}|[0-9]{5,6}")
"""An E.164 number, or a 5- or 6-digit short code (Twilio writes short codes without `+`)."""


def flag_accounts(accounts: tuple[str, ...], numbers: tuple[str, ...]) -> list[Account]:
    """The accounts the flags name, each number under the account its `SID:` prefix names
    (the first account without one); the demo accounts when no account is named."""
    made: dict[str, Account] = {}
    for value in accounts:
        sid, sep, token = value.partition(":")
        if not (sep and token) or not ACCOUNT_SID.fullmatch(sid):
            raise click.BadParameter(
                f"expected ACCOUNT_SID:AUTH_TOKEN with an SID of AC and 32 hex digits, got "
                f"{sid!r}:…",
                param_hint="--account",
            )
        made[sid] = account(sid, token, friendly_name=sid)
    if not made:
        if numbers:
            raise click.UsageError("--number needs an --account to belong to")
        return demo_accounts()
    first = next(iter(made))
    for value in numbers:
        sid, _, phone = value.rpartition(":")
        owner = made.get(sid or first)
        if owner is None:
            raise click.BadParameter(f"{value}: no --account {sid}", param_hint="--number")
        if not E164.fullmatch(phone):
            raise click.BadParameter(
                f"{value}: expected +E164 (e.g. +14255550142) or a short code",
                param_hint="--number",
            )
        owner.add_number(phone, friendly_name=phone)
    return list(made.values())


@emulator.command("twilio")
@listening(8091)
@repeatable("--account", "accounts", "ACCOUNT_SID:AUTH_TOKEN", "An account (active, Full)")
@repeatable(
    "--number",
    "numbers",
    "[ACCOUNT_SID:]+E164",
    "An SMS-capable number of that account (default: the first --account)",
)
@fault_options
def emulator_twilio(
    host: str,
    port: int,
    accounts: tuple[str, ...],
    numbers: tuple[str, ...],
    faults: str,
    seed: int,
) -> None:
    """Serve the emulated Twilio REST API until interrupted; prints its base URL.

    Without --account it knows the demo account of the local organisation.

    \b
    It listens on 127.0.0.1 unless --host says otherwise. What it accepts:
      - the 2010 API (/2010-04-01/...) and the Messaging API (/v1/Services...): Basic auth
        by a known Account SID and Auth Token, as Twilio; a POST to the number list (a
        purchase) is refused;
      - the control routes (/_emulator/...: simulate a handset texting a number, whose
        signed webhook goes to the URL in effect; set faults; change an account): anyone
        who reaches the port, which is why it stays on loopback;
      - request bodies up to 64 KiB (past it 413).
    """
    try:
        fault_config = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    app = create_app(flag_accounts(accounts, numbers), faults=fault_config, seed=seed)
    sids = ", ".join(app.state.twilio.state.accounts)
    serve_until_interrupted(app, host, port, f"Twilio emulator for {sids}")
