"""Configured Twilio accounts meet Twilio: what `plan` learns and what `apply` sends there.

Per account, one credential check; per number, ownership, SMS capability, the inbound URL in
effect and its layer (`twilio.numbers`), and who answers STOP/START/HELP (`twilio.consent`).
A number whose own URL (or attached application) is in effect and is not the organisation's
Twilio inbound URL becomes a plan change: `SmsUrl`/`SmsMethod` set on the number (the
application detached), its earlier values kept as the change's "before" so it can be undone.
A Messaging Service in effect is shared by its other senders, so smsconf does not edit it: the
plan warns instead, naming what to change in the console.

Twilio changes are `Change`s of the pseudo-tables below, ranked after every Dataverse create,
update and association and before the deletes (§7.3: the inbound URL switches once the new
channel exists, and the Telesign rows go after it).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from smsconf.config.model import Account, Config
from smsconf.config.secrets import SecretError
from smsconf.reconcile.journal import Status
from smsconf.reconcile.plan import (
    PROVIDER_TABLES,
    Change,
    ColumnChange,
    Credential,
    Note,
    NumberResult,
    ProviderFindings,
    ProviderNumber,
)
from smsconf.telesign.secret import ApiKey
from smsconf.twilio.account import TwilioAccount, require_trusted
from smsconf.twilio.client import TwilioClient
from smsconf.twilio.consent import consent
from smsconf.twilio.credentials import check_account, verdict
from smsconf.twilio.errors import TwilioError, TwilioRejected
from smsconf.twilio.numbers import (
    InboundLayer,
    NumberState,
    inspect_numbers,
    messaging_services,
    update_form,
    update_number,
)

KIND = "twilio_inbound_url"
TABLE = {False: PROVIDER_TABLES[0], True: PROVIDER_TABLES[1]}  # by "is a short code"
RESOURCE = {TABLE[False]: "/IncomingPhoneNumbers/{}.json", TABLE[True]: "/SMS/ShortCodes/{}.json"}
Locate = Callable[[tuple[str | int, ...]], str | None]


def is_twilio(change: Change) -> bool:
    return change.table in RESOURCE


@dataclass
class TwilioFindings(ProviderFindings):
    changes: list[Change] = field(default_factory=list)
    provider_numbers: list[ProviderNumber] = field(default_factory=list)


def twilio_account(account: Account, endpoint: str | None, in_process: bool) -> TwilioAccount:
    """The client's account; raises SecretError/ValueError when the token cannot be read, and
    UntrustedHost (before reading it) when it would go out of the process to an untrusted host."""
    if not in_process:
        require_trusted(account.name, endpoint)
    return TwilioAccount(
        account.name, account.identifier, ApiKey(account.secret.resolve()), endpoint
    )


async def check_twilio(
    config: Config,
    expected_url: str | None,
    locate: Locate,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TwilioFindings:
    """Every Twilio account, concurrently; within an account, its numbers concurrently."""
    found = TwilioFindings()
    accounts = [(i, a) for i, a in enumerate(config.accounts) if a.provider == "twilio"]
    if accounts and expected_url is None:
        found.notes.append(
            Note(
                "warning",
                "Twilio inbound URL",
                "the organisation's gateway is unknown (set the environment's gateway:), so "
                "the numbers' inbound URLs are shown but not checked",
            )
        )
    results = await asyncio.gather(
        *(_account(i, a, expected_url, locate, endpoint, transport) for i, a in accounts)
    )
    for result in results:
        for name in ("credentials", "numbers", "changes", "notes", "provider_numbers"):
            getattr(found, name).extend(getattr(result, name))
    return found


async def _account(
    index: int,
    account: Account,
    expected: str | None,
    locate: Locate,
    endpoint: str | None,
    transport: httpx.AsyncBaseTransport | None,
) -> TwilioFindings:
    found = TwilioFindings()
    credential, warning, client_account = await _credential(account, endpoint, transport)
    found.credentials.append(credential)
    if warning:
        found.notes.append(Note("warning", f"account '{account.name}'", warning))
    if client_account is None:
        return found
    async with TwilioClient(client_account, transport=transport) as client:
        try:
            services = await messaging_services(client)
            declared = [(n.number, n.type == "short_code") for n in account.numbers]
            states = await inspect_numbers(client, declared, services)
        except TwilioError as exc:
            # Without its numbers the plan cannot say where their inbound SMS goes: the account
            # is not checkable, as a throttled credential check is (exit 4, nothing applied).
            found.credentials[-1] = dataclasses.replace(
                credential,
                status=_unchecked(exc),
                detail=f"credentials accepted, but the numbers could not be read: {exc}",
            )
            return found
    for j, (number, state) in enumerate(zip(account.numbers, states, strict=True)):
        path = ("accounts", index, "numbers", j)
        _number(found, account, number.type, state, expected, locate(path))
    return found


def _unchecked(exc: TwilioError) -> str:
    """The verdict of an account whose numbers Twilio would not give (after the retries)."""
    if isinstance(exc, TwilioRejected):
        return verdict(exc.status, exc.code, None)
    return "unreachable"


async def _credential(
    account: Account, endpoint: str | None, transport: httpx.AsyncBaseTransport | None
) -> tuple[Credential, str | None, TwilioAccount | None]:
    """The account's credential verdict, its warning (a Trial account), and the client's
    account when the check passed (None: nothing more may be asked of Twilio)."""
    try:
        client_account = twilio_account(
            account, endpoint or account.endpoint, transport is not None
        )
    except (SecretError, ValueError) as exc:
        unreadable = "secret_unreadable"
        return (
            Credential(account.name, "twilio", account.identifier, unreadable, str(exc)),
            None,
            None,
        )
    check = await check_account(client_account, transport=transport)
    credential = Credential(account.name, "twilio", account.identifier, check.status, check.detail)
    return credential, check.warning, client_account if check.ok else None


async def check_credentials(
    config: Config,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Credential]:
    """Only the credential check of every Twilio account (`check-credentials`), concurrently;
    a Trial account's warning is appended to its detail."""
    accounts = [a for a in config.accounts if a.provider == "twilio"]
    checked = await asyncio.gather(*(_credential(a, endpoint, transport) for a in accounts))
    return [
        dataclasses.replace(c, detail=f"{c.detail}; {warning}") if warning else c
        for c, warning, _ in checked
    ]


def _number(
    found: TwilioFindings,
    account: Account,
    kind: str,
    state: NumberState,
    expected: str | None,
    source: str | None,
) -> None:
    subject = f"number {state.number} of '{account.name}'"
    if state.sid is None:
        found.numbers.append(
            NumberResult(
                account.name,
                state.number,
                kind,
                "not_in_account",
                "the Twilio account has no such number (it may be in a subaccount, or not "
                "ported yet)",
            )
        )
        found.provider_numbers.append(
            ProviderNumber(
                account.name, state.number, None, "not_in_account", "", expected, False, ""
            )
        )
        return
    if not state.sms_capable:
        found.numbers.append(
            NumberResult(
                account.name, state.number, kind, "not_sms_capable", "capabilities.sms is false"
            )
        )
    else:
        origin = f" (origin {state.origin})" if state.origin and state.origin != "twilio" else ""
        found.numbers.append(
            NumberResult(
                account.name, state.number, kind, "consistent", f"owned, SMS-capable{origin}"
            )
        )
    handling = consent(state, kind)
    found.notes.append(
        Note(
            "warning" if handling.warning else "fact",
            f"STOP/START/HELP on {subject}",
            handling.detail,
        )
    )
    layer = state.layer
    right = expected is not None and state.url_in_effect == expected
    if layer is InboundLayer.NUMBER:
        right = right and state.sms_method.upper() == "POST"
    found.provider_numbers.append(
        ProviderNumber(
            account.name,
            state.number,
            state.sid,
            layer.value,
            state.url_in_effect,
            expected,
            right,
            handling.handled_by,
        )
    )
    if expected is None or right:
        return
    if layer is InboundLayer.MESSAGING_SERVICE:
        assert state.service is not None
        service_url = state.service.inbound_request_url or "(none: receiving disabled)"
        found.notes.append(
            Note(
                "warning",
                subject,
                f"inbound messages go to Messaging Service '{state.service.name}' "
                f"({state.service.sid}) at {service_url}; the number's own SmsUrl is ignored "
                "while the service does not use the number's webhook. smsconf does not "
                "change a service its other senders share: set its inbound URL to "
                f"{expected}, or turn on 'use inbound webhook on number' in the Twilio console",
            )
        )
        return
    found.changes.append(_change(account, kind, state, expected, source))


def _change(
    account: Account, kind: str, state: NumberState, expected: str, source: str | None
) -> Change:
    assert state.sid is not None
    form = update_form(state, expected)
    columns = [  # only what changes: the form sends SmsMethod anyway, POST → POST is noise
        c
        for c in (
            ColumnChange("SmsUrl", state.sms_url, expected),
            ColumnChange("SmsMethod", state.sms_method, "POST"),
        )
        if c.before != c.after
    ]
    reason = "the inbound URL in effect is not the organisation's Twilio inbound URL"
    if state.sms_application_sid:
        columns.append(ColumnChange("SmsApplicationSid", state.sms_application_sid, ""))
        reason = (
            f"application {state.sms_application_sid} overrides the number's URL with "
            f"{state.application_url or '(none)'}; it is detached from this number"
        )
    risks = []
    if state.sms_fallback_url:
        risks.append(
            f"SmsFallbackUrl {state.sms_fallback_url} stays: Twilio calls it when the "
            "organisation does not answer"
        )
    return Change(
        action="update",
        kind=KIND,
        label=f"Twilio inbound URL of number {state.number} (account '{account.name}')",
        table=TABLE[state.short_code],
        key=(account.name, state.number),
        id=state.sid,
        columns=tuple(columns),
        body=form,
        reason=reason,
        risks=tuple(risks),
        source=source,
    )


@dataclass(frozen=True)
class ProviderWriter:
    """Apply's hand on Twilio: where it is (the target's endpoint and transport)."""

    endpoint: str | None = None
    transport: httpx.AsyncBaseTransport | None = None

    def owns(self, change: Change) -> bool:
        return is_twilio(change)

    async def write(self, change: Change, config: Config) -> tuple[Status, str]:
        """Send one planned number update. The number is read first: if its URL moved since
        the plan, the change is stale (Twilio has no ETags); if it already holds the planned
        values (a retried apply), it is done."""
        account = next(a for a in config.accounts if a.name == change.key[0])
        resource = RESOURCE[change.table].format(change.id)
        try:
            async with TwilioClient(
                twilio_account(
                    account, self.endpoint or account.endpoint, self.transport is not None
                ),
                transport=self.transport,
            ) as client:
                now = await client.get(client.account_path(resource))
                if not now.ok:
                    return "failed", str(client.rejected(now, f"reading {resource}"))
                live = {
                    "SmsUrl": now.body.get("sms_url") or "",
                    "SmsMethod": now.body.get("sms_method") or "POST",
                    "SmsApplicationSid": now.body.get("sms_application_sid") or "",
                }
                if all(live[c.column] == c.after for c in change.columns):
                    return "done", "already in place"
                moved = [c.column for c in change.columns if live[c.column] != c.before]
                if moved:
                    return "stale", f"{', '.join(moved)} changed in Twilio since the plan"
                await update_number(client, resource, change.body)
        except (TwilioError, SecretError, ValueError) as exc:
            return "failed", str(exc)
        return "done", ""
