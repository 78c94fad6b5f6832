"""Configured ACS resources meet ACS and the organisation: what `plan` learns; nothing written.

Per ACS account (providers.md §7.2): the connection string read and parsed by smsconf (its
endpoint held to the host policy before the key is used), the access key checked with one
signed read, and each number read from the resource (`acs.numbers`: SMS capability, type and
country). The organisation side is checked, never written (§7.2 item 4): the admin center's
connect flow made the ACS provider setting (192350000) and its Event Grid app entries, and
purchase or Sync from Azure made the number rows; smsconf binds SMS channels to those rows
(mapping/desired.py) and names every missing piece as a step for a person. Creating, editing or
deleting those rows, buying, releasing or re-syncing numbers, regenerating keys and
disconnecting the resource are never done (disconnecting releases every number, D-DISC). The
Event Grid wiring is acsgrid's (`reconcile.eventgrid`), called from here.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from smsconf.acs import connection as acs_connection
from smsconf.acs.client import AcsClient, AcsError
from smsconf.acs.connection import ConnectionString
from smsconf.acs.credentials import check_key
from smsconf.acs.numbers import LIST_FROM, by_number, judge
from smsconf.config.model import Account, Config
from smsconf.config.names import fold
from smsconf.config.secrets import SecretError
from smsconf.mapping.keys import guid_of
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.eventgrid import ENTRY_APP, ENTRY_TENANT, org_acs
from smsconf.reconcile.plan import Credential, Note, NumberResult, ProviderFindings

Locate = Callable[[tuple[str | int, ...]], str | None]
Rows = Mapping[str, Sequence[Mapping[str, Any]]]
SETTING = "msdyn_occommunicationprovidersetting"
NUMBER = "msdyn_ocphonenumber"
ENTRY_KEYS = {
    "EventGridAppID": "Event grid app id",
    "EventGripAppTenantID": "Event grid app tenant id",
}
"""The connect dialog's fields as the entries key them (D-EG, `EventGripAppTenantID` sic)."""
MANAGE_ACS = "Channels > Phone numbers > Advanced > Manage Azure Communication Services"
CONNECT = (
    "connect the ACS resource in the admin center: Channels > Phone numbers > Manage > Use "
    "existing resource, with its resource name, resource id, connection string and the Event "
    "Grid app id and tenant id"
)
SYNC = (
    "run Sync from Azure in the admin center: Channels > Phone numbers > Manage > Advanced > "
    "Manage Azure Communication Services > Sync from Azure"
)
SECRET_UNREAD = (
    "smsconf cannot read the connection string the organisation was connected with (the "
    "provider setting's secret is write-only), so it cannot tell whether it is this one: when "
    f"this one is new (a regenerated key), paste it in the connect dialog ({MANAGE_ACS}); "
    "smsconf never writes it"
)


@dataclass(frozen=True)
class AcsRows:
    """The organisation's ACS connection as its rows hold it (the entries: `eventgrid.org_acs`)."""

    settings: tuple[Mapping[str, Any], ...]
    numbers: Mapping[str, Mapping[str, Any]]
    """Number rows of the ACS settings, by folded number."""
    others: Mapping[str, Mapping[str, Any]]
    """Number rows of any other provider setting, by folded number."""


def acs_rows(rows: Rows) -> AcsRows:
    settings = tuple(
        r
        for r in rows.get(SETTING, ())
        if r.get("msdyn_occommunicationprovider") == vocab.PROVIDER["acs"]
    )
    ids = {guid_of(s.get("msdyn_occommunicationprovidersettingid")) for s in settings}
    mine: dict[str, Mapping[str, Any]] = {}
    others: dict[str, Mapping[str, Any]] = {}
    for row in rows.get(NUMBER, ()):
        owner = guid_of(row.get("_msdyn_occommunicationprovidersettingid_value"))
        (mine if owner in ids else others)[fold(str(row.get("msdyn_phonenumber") or ""))] = row
    return AcsRows(settings, mine, others)


@dataclass
class AcsFindings(ProviderFindings):
    unsafe: list[str] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)
    """Configured ACS numbers the organisation has no row for: their channels wait (desired)."""

    def extend(self, other: AcsFindings) -> None:
        for name in ("credentials", "numbers", "notes", "unsafe"):
            getattr(self, name).extend(getattr(other, name))
        self.absent |= other.absent


def acs_accounts(config: Config) -> list[tuple[int, Account]]:
    return [(i, a) for i, a in enumerate(config.accounts) if a.provider == "acs"]


def organisation_side(config: Config, rows: Rows, locate: Locate) -> AcsFindings:
    """The organisation's ACS connection against the configuration, from the live rows."""
    found = AcsFindings()
    accounts = acs_accounts(config)
    if not accounts:
        return found
    org = acs_rows(rows)
    subject = "the organisation's ACS connection"
    if not org.settings:
        found.notes.append(Note("todo", subject, f"none: {CONNECT}"))
    elif len(org.settings) > 1:
        names = ", ".join(f"'{s.get('msdyn_name')}'" for s in org.settings)
        found.notes.append(
            Note(
                "warning",
                subject,
                f"{len(org.settings)} ACS provider settings ({names}) where the admin center "
                "makes one: smsconf cannot tell which is the resource's; the numbers are "
                "found under any of them",
            )
        )
    else:
        entries = org_acs(rows)
        given = {ENTRY_APP: entries.app_id, ENTRY_TENANT: entries.tenant_id}
        missing = [words for key, words in ENTRY_KEYS.items() if not given[key]]
        if missing:
            found.notes.append(
                Note(
                    "todo",
                    subject,
                    f"its {' and '.join(missing)} are not set: Event Grid cannot deliver "
                    "inbound SMS with Entra authentication without them; enter them in "
                    f"{MANAGE_ACS}",
                )
            )
    channels = {ws.sms.number: ws.name for ws in config.workstreams if ws.sms is not None}
    for i, account in accounts:
        if account.resource_id is None and (
            account.event_grid is None or account.event_grid.mode != "ignored"
        ):
            found.notes.append(
                Note(
                    "warning",
                    f"account '{account.name}'" + _at(locate, ("accounts", i)),
                    "resource_id is not set, so the Event Grid wiring that brings inbound SMS "
                    "is not checked: copy Resource ID from the Azure portal (the ACS resource > "
                    "Properties)",
                )
            )
        found.notes.append(
            Note("fact", f"connection string of account '{account.name}'", SECRET_UNREAD)
        )
        for j, number in enumerate(account.numbers):
            subject = f"number {number.number} of '{account.name}'" + _at(
                locate, ("accounts", i, "numbers", j, "number")
            )
            row = org.numbers.get(fold(number.number))
            if row is None:
                found.absent.add(number.number)
                waiting = channels.get(number.number)
                text = f"not in the organisation: {SYNC}"
                if fold(number.number) in org.others:
                    text = (
                        "the organisation has it under another provider setting, not the ACS "
                        f"connection: {SYNC}"
                    )
                if waiting:
                    text += (
                        f"; the SMS channel of workstream '{waiting}' is planned once the "
                        "number is there"
                    )
                found.notes.append(Note("todo", subject, text))
                continue
            if row.get("msdyn_smsinboundenabled") is False and channels.get(number.number):
                found.notes.append(
                    Note(
                        "warning",
                        subject,
                        "the organisation's row says SMS inbound is off (Send SMS only): "
                        "customers' replies will never reach its workstream",
                    )
                )
    return found


def _at(locate: Locate, path: tuple[str | int, ...]) -> str:
    where = locate(path)
    return f" ({where})" if where else ""


def connection_of(account: Account) -> ConnectionString:
    """The account's connection string, read and parsed; raises SecretError or
    BadConnectionString, whose messages never show the value."""
    return acs_connection.parse(account.secret.resolve())


def endpoint_warning(account: Account, connection: ConnectionString) -> str | None:
    """An ACS resource's endpoint host starts with its name (§4.1): one that does not is
    another resource's connection string. The host itself is not shown."""
    name = (account.resource_name or "").casefold()
    host = connection.host.split(":", 1)[0].casefold()
    if not name or not host.endswith((".communication.azure.com", ".communication.azure.us")):
        return None
    if host.split(".", 1)[0] == name:
        return None
    return (
        f"the connection string's endpoint is not resource '{account.resource_name}''s "
        "(an ACS endpoint is <resource name>.communication.azure.com): it may be another "
        "resource's"
    )


async def _credential(
    index: int,
    account: Account,
    locate: Locate,
    endpoint: str | None,
    transport: httpx.AsyncBaseTransport | None,
) -> tuple[Credential, ConnectionString | None, str | None]:
    """The account's verdict, its connection when the key passed, and a warning."""
    where = locate(("accounts", index, "connection_string"))
    at = f" (connection_string at {where})" if where else ""

    def verdict(status: str, detail: str) -> Credential:
        return Credential(account.name, "acs", account.identifier, status, detail)

    try:
        own = connection_of(account)
    except (SecretError, ValueError) as exc:
        return verdict("secret_unreadable", f"{exc}{at}"), None, None
    warning = endpoint_warning(account, own)
    # `endpoint`: the target's override (the local organisation's in-process emulator).
    connection = dataclasses.replace(own, endpoint=endpoint.rstrip("/")) if endpoint else own
    check = await check_key(connection, name=account.name, transport=transport)
    if not check.ok:
        return verdict(check.status, f"{check.detail}{at}"), None, warning
    return verdict("ok", check.detail), connection, warning


async def _account(
    index: int,
    account: Account,
    locate: Locate,
    endpoint: str | None,
    transport: httpx.AsyncBaseTransport | None,
) -> AcsFindings:
    found = AcsFindings()
    credential, connection, warning = await _credential(index, account, locate, endpoint, transport)
    found.credentials.append(credential)
    if warning:
        found.notes.append(Note("warning", f"account '{account.name}'", warning))
    if connection is None:
        return found
    async with AcsClient(connection, transport, name=account.name) as client:
        try:
            answers = await _numbers(client, account)
        except AcsError as exc:
            found.notes.append(
                Note("warning", f"account '{account.name}'", f"numbers not checked: {exc}")
            )
            return found
    for j, (number, answer) in enumerate(zip(account.numbers, answers, strict=True)):
        check = judge(number.number, number.type, answer)
        subject = f"number {number.number} of '{account.name}'" + _at(
            locate, ("accounts", index, "numbers", j, "number")
        )
        found.numbers.append(
            NumberResult(account.name, number.number, number.type, check.verdict, check.detail)
        )
        if check.level == "warning":
            found.notes.append(Note("warning", subject, check.advice or check.detail))
        elif check.level == "error":
            found.unsafe.append(f"{subject}: {check.detail}")
        found.notes += [Note("warning", subject, text) for text in check.warnings]
    return found


async def _numbers(client: AcsClient, account: Account) -> list[Mapping[str, Any] | None]:
    """What the resource says of each configured number: one read per phone number, or for
    `LIST_FROM` phone numbers or more the resource's purchased numbers listed once (a page
    per 100); one listing for all the short codes (when there is one)."""
    short = [n for n in account.numbers if n.type == "short_code"]
    codes: dict[str, Mapping[str, Any]] = {}
    if short:
        codes = {str(c.get("number")): c for c in await client.list_short_codes()}
    phones = [n for n in account.numbers if n.type != "short_code"]
    if len(phones) >= LIST_FROM:
        listed = by_number(await client.list_numbers())
        found: list[Mapping[str, Any] | None] = [listed.get(n.number) for n in phones]
    else:
        found = list(await asyncio.gather(*(client.get_number(n.number) for n in phones)))
    answers = iter(found)
    return [
        codes.get(n.number) if n.type == "short_code" else next(answers) for n in account.numbers
    ]


async def check_acs(
    config: Config,
    rows: Rows,
    locate: Locate,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    providers: bool = True,
) -> AcsFindings:
    """The organisation side from `rows`; with `providers`, every ACS resource too
    (`check_resources`)."""
    found = organisation_side(config, rows, locate)
    if providers:
        found.extend(await check_resources(config, locate, endpoint=endpoint, transport=transport))
    return found


async def check_resources(
    config: Config,
    locate: Locate,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AcsFindings:
    """Every ACS resource's key and numbers, concurrently: what `check_acs` adds to the
    organisation side. It needs no live row, so `plan` runs it beside the live read."""
    found = AcsFindings()
    results = await asyncio.gather(
        *(_account(i, a, locate, endpoint, transport) for i, a in acs_accounts(config))
    )
    for result in results:
        found.extend(result)
    return found


async def check_credentials(
    config: Config,
    locate: Locate = lambda path: None,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Credential]:
    """Only the key check of every ACS account (`check-credentials`), concurrently; a warning
    (an endpoint of another resource) is appended to its detail."""
    checked = await asyncio.gather(
        *(_credential(i, a, locate, endpoint, transport) for i, a in acs_accounts(config))
    )
    return [
        dataclasses.replace(c, detail=f"{c.detail}; {warning}") if warning else c
        for c, _, warning in checked
    ]
