"""Configured ACS resources meet Azure Resource Manager: the Event Grid wiring in the plan,
and what `apply` creates there.

Per ACS account (`acs.eventgrid`): the resource's immutable id against the organisation's
ACS connection, the system topic, and the webhook subscriptions bringing SMS Received and
SMS Delivery Report Received to the SMS Web Hook Endpoint with the organisation's Entra
tenant and app. What is wrong with an existing subscription is a step for a person, located at
the account's `event_grid:`: smsconf never edits a subscription (D-EG: "Don't update an existing
event subscription by changing the event type"). With `event_grid.mode: managed` a missing
topic or subscription is a plan change, a new one, which apply creates (the pseudo-tables
below, after every Dataverse write as the Twilio inbound URL is); its validation handshake is
retried for up to 15 minutes, as D-EG tells a person to.

Without Azure credentials nothing is asked of ARM: the plan says the wiring was not checked and
how to have it checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smsconf.acs import arm as az
from smsconf.acs.eventgrid import (
    HANDSHAKE_ADVICE,
    PORTAL_PATH,
    REQUIRED,
    SCHEMA,
    TYPE_WORDS,
    Expected,
    Inspection,
    Verdict,
    evaluate,
    free_name,
    immutable_mismatch,
    inspect,
)
from smsconf.config.model import Account, Config
from smsconf.dataverse.auth import StaticToken
from smsconf.dataverse.retry import RetryPolicy
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.apply import ProviderSteps
from smsconf.reconcile.journal import Status
from smsconf.reconcile.plan import Change, ColumnChange, EventGridWiring, Note
from smsconf.target import Target

TOPIC_TABLE = "eventgrid.SystemTopic"
SUBSCRIPTION_TABLE = "eventgrid.EventSubscription"
TABLES = (TOPIC_TABLE, SUBSCRIPTION_TABLE)
RANK = {TOPIC_TABLE: (2, 2), SUBSCRIPTION_TABLE: (2, 3)}
"""After every Dataverse write and the Twilio inbound URLs, the topic before its subscription,
before the deletes (§7.3: inbound switches once the new channel exists)."""
DEFAULT_SUBSCRIPTION = "dynamics365-sms"
HANDSHAKE_BUDGET = 15 * 60.0
"""D-EG: "It can take up to 15 minutes to sync"."""
ENTRY_APP, ENTRY_TENANT = "EventGridAppID", "EventGripAppTenantID"  # (sic), D-EG
ENABLE = (
    "to have it checked, give smsconf an Azure principal with Reader on the resource and its "
    "system topic (EventGrid Contributor to create one with event_grid.mode: managed): "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE "
    f"(or {az.TOKEN_ENV} with an ARM token)"
)
Locate = Callable[[tuple[str | int, ...]], str | None]


def is_event_grid(change: Change) -> bool:
    return change.table in TABLES


@dataclass(frozen=True)
class OrgAcs:
    """What the organisation holds of its ACS connection (the admin center's connect flow wrote
    it): the provider setting's immutable id and the Event Grid app entries; None: absent or
    not one (several ACS settings: acsprov's checks say so)."""

    immutable_id: str | None = None
    app_id: str | None = None
    tenant_id: str | None = None


def org_acs(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> OrgAcs:
    """The organisation's ACS connection from the live rows (provider 192350000, its entries
    by `msdyn_key`). The immutable id as ARM's `immutableResourceId` is inferred (verify list)."""
    settings = [
        r
        for r in rows.get("msdyn_occommunicationprovidersetting", ())
        if r.get("msdyn_occommunicationprovider") == vocab.PROVIDER["acs"]
    ]
    if len(settings) != 1:
        return OrgAcs()
    setting = settings[0]
    setting_id = str(setting.get("msdyn_occommunicationprovidersettingid") or "")
    entries = {
        str(e.get("msdyn_key") or ""): str(e.get("msdyn_value") or "") or None
        for e in rows.get("msdyn_occommunicationprovidersettingentry", ())
        if str(e.get("_msdyn_communicationprovidersettingentid_value") or "") == setting_id
    }
    return OrgAcs(
        str(setting.get("msdyn_occommunicationproviderimmutableid") or "") or None,
        entries.get(ENTRY_APP),
        entries.get(ENTRY_TENANT),
    )


@dataclass
class EventGridFindings:
    notes: list[Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    wiring: list[EventGridWiring] = field(default_factory=list)


async def check_event_grid(
    config: Config, organisation: OrgAcs, access: az.ArmAccess, locate: Locate
) -> EventGridFindings:
    """Every ACS account's wiring, concurrently (nothing is asked of ARM without a credential)."""
    accounts = [(i, a) for i, a in enumerate(config.accounts) if a.provider == "acs"]
    found = EventGridFindings()
    results = await asyncio.gather(
        *(_account(i, a, organisation, access, locate) for i, a in accounts)
    )
    for result in results:
        found.notes += result.notes
        found.changes += result.changes
        found.wiring += result.wiring
    return found


def _mode(account: Account) -> str:
    return account.event_grid.mode if account.event_grid is not None else "checked"


def _subject(account: Account, where: str | None) -> str:
    return f"Event Grid of '{account.name}'" + (f" ({where})" if where else "")


async def _account(
    index: int, account: Account, organisation: OrgAcs, access: az.ArmAccess, locate: Locate
) -> EventGridFindings:
    found = EventGridFindings()
    mode = _mode(account)
    here = ("accounts", index, "event_grid") if account.event_grid else ("accounts", index)
    subject = _subject(account, locate(here))

    def unchecked(level: str, text: str) -> EventGridFindings:
        found.notes.append(Note(level, subject, text))  # type: ignore[arg-type]
        found.wiring.append(EventGridWiring(account.name, False, False, "", "", "", None, text))
        return found

    if mode == "ignored":
        return unchecked("fact", "not checked (event_grid.mode: ignored)")
    resource = account.resource
    if resource is None or account.resource_id is None:  # reconcile.acs's note says so
        why = "resource_id is not set" if account.resource_id is None else "resource_id is not one"
        found.wiring.append(EventGridWiring(account.name, False, False, "", "", "", None, why))
        return found
    if access.credential is None:
        what = "not checked, and not created by apply" if mode == "managed" else "not checked"
        return unchecked(
            "warning",
            f"the Event Grid wiring (system topic and SMS subscription) was {what}: no Azure "
            f"credentials ({access.why_not}); {ENABLE}",
        )
    grid = account.event_grid
    expected = Expected(
        grid.endpoint if grid else None,
        organisation.tenant_id,
        organisation.app_id,
        (grid.subscription_name if grid else None) or DEFAULT_SUBSCRIPTION,
    )
    try:
        async with access.client() as arm:
            inspection = await inspect(arm, account.resource_id, resource.subscription)
    except az.ArmError as exc:
        where = locate(("accounts", index, "resource_id"))
        if exc.status == 404:
            return unchecked(
                "todo",
                f"ARM has no ACS resource {account.resource_id} ({where or 'resource_id'}): "
                "copy Resource ID from the Azure portal (the ACS resource > Properties)",
            )
        needs = (
            "; the principal needs Reader on the resource and its system topic"
            if exc.status in (401, 403)
            else ""
        )
        return unchecked("warning", f"the Event Grid wiring was not checked: {exc}{needs}")
    _check(found, index, account, organisation, inspection, expected, mode, subject, locate)
    return found


def _check(
    found: EventGridFindings,
    index: int,
    account: Account,
    organisation: OrgAcs,
    inspection: Inspection,
    expected: Expected,
    mode: str,
    subject: str,
    locate: Locate,
) -> None:
    wrong: list[str] = []
    if immutable_mismatch(inspection, organisation.immutable_id):
        text = (
            f"the organisation's ACS connection is to another resource: its provider setting's "
            f"msdyn_occommunicationproviderimmutableid is {organisation.immutable_id}, "
            f"{account.resource_id} has immutableResourceId {inspection.immutable_id}; connect "
            "this resource in the admin center (Channels > Phone numbers > Manage), or correct "
            f"resource_id ({locate(('accounts', index, 'resource_id')) or 'resource_id'})"
        )
        found.notes.append(Note("todo", _subject(account, None), text))
        wrong.append(text)
    for what, value, key in (
        ("Event grid app id", expected.app_id, ENTRY_APP),
        ("Event grid app tenant id", expected.tenant_id, ENTRY_TENANT),
    ):
        if value is None:
            found.notes.append(
                Note(
                    "warning",
                    subject,
                    f"the organisation has no {key} entry ({what}), so the subscriptions' "
                    "Microsoft Entra settings are not compared",
                )
            )
    if expected.endpoint is None:
        found.notes.append(
            Note(
                "warning",
                subject,
                "event_grid.endpoint is not set, so where the subscriptions deliver is shown "
                "but not compared: copy the SMS Web Hook Endpoint from the admin center "
                "(Channels > Phone numbers > Advanced > Manage Azure Communication Services)",
            )
        )
    verdict = evaluate(inspection, expected) if inspection.topic else None
    for name, faults in (verdict.faults if verdict else {}).items():
        if faults:
            found.notes.append(
                Note(
                    "todo",
                    subject,
                    f"event subscription '{name}' on system topic "
                    f"'{inspection.topic.name if inspection.topic else ''}': "
                    + "; ".join(faults)
                    + f". smsconf does not edit an existing subscription: fix it in the "
                    f"{PORTAL_PATH} > {name} (Filters, Additional Features), or delete it",
                )
            )
            wrong += faults
    missing = verdict.missing if verdict else REQUIRED
    if missing:
        wrong.append(_missing_text(inspection, missing, expected))
        _missing(found, index, account, inspection, verdict, expected, mode, subject, locate)
    elif verdict is not None:
        names = sorted({n for t in REQUIRED for n in verdict.carrying(t)})
        found.notes.append(
            Note(
                "fact",
                subject,
                f"system topic '{inspection.topic.name if inspection.topic else ''}': "
                f"{carriers(names)} SMS Received and SMS Delivery Report Received "
                f"to {expected.endpoint or 'a webhook (endpoint not compared)'}",
            )
        )
    found.wiring.append(_wiring(account, inspection, verdict, expected, wrong))


def carriers(names: list[str]) -> str:
    """The subscriptions that deliver, as the subject of a sentence: one or several."""
    quoted = ", ".join(f"'{n}'" for n in names)
    return (
        f"subscription {quoted} delivers" if len(names) == 1 else f"subscriptions {quoted} deliver"
    )


def _missing_text(inspection: Inspection, missing: tuple[str, ...], expected: Expected) -> str:
    words = " and ".join(TYPE_WORDS[t] for t in missing)
    if inspection.topic is None:
        return (
            f"the resource has no Event Grid system topic, so no {words} reaches the organisation"
        )
    to = expected.endpoint or "the SMS Web Hook Endpoint"
    return (
        f"no event subscription of system topic '{inspection.topic.name}' delivers {words} to {to}"
    )


def _missing(
    found: EventGridFindings,
    index: int,
    account: Account,
    inspection: Inspection,
    verdict: Verdict | None,
    expected: Expected,
    mode: str,
    subject: str,
    locate: Locate,
) -> None:
    missing = verdict.missing if verdict else REQUIRED
    text = _missing_text(inspection, missing, expected)
    unknown = [
        what
        for what, value in (
            ("event_grid.endpoint (the SMS Web Hook Endpoint)", expected.endpoint),
            (f"the organisation's {ENTRY_APP} entry", expected.app_id),
            (f"the organisation's {ENTRY_TENANT} entry", expected.tenant_id),
        )
        if value is None
    ]
    name = free_name(expected, inspection, missing)
    if mode != "managed" or unknown or name is None:
        if mode != "managed":
            how = (
                "create it as D-EG says (the ACS resource > Events > + Event Subscription: "
                "Event Grid Schema, the event types, Web Hook to the SMS Web Hook Endpoint, "
                "Additional Features: Use Microsoft Entra authentication with the Event grid "
                "app tenant id and app id), or set event_grid.mode: managed to have apply "
                "create it"
            )
        elif name is None:
            how = (
                f"apply cannot create it: subscription names {expected.name} and its "
                "per-type variant are taken; set event_grid.subscription_name to a free name"
            )
        else:
            how = f"apply cannot create it without {', '.join(unknown)}"
        found.notes.append(Note("todo", subject, f"{text}: {how}"))
        return
    assert expected.endpoint and expected.app_id and expected.tenant_id
    resource = account.resource
    assert resource is not None and account.resource_id is not None
    grid = account.event_grid
    source = locate(("accounts", index, "event_grid"))
    path = f"accounts[{account.name}].event_grid"
    topic = inspection.topic
    if topic is None:
        topic_name = (grid.system_topic if grid else None) or f"{account.resource_name}-events"
        group = (grid.resource_group if grid else None) or resource.group
        topic_id = az.system_topic_id(resource.subscription, group, topic_name)
        body = az.system_topic(account.resource_id, inspection.location)
        found.changes.append(
            Change(
                action="create",
                kind="event_grid_system_topic",
                label=f"Event Grid system topic '{topic_name}' of ACS '{account.name}'",
                table=TOPIC_TABLE,
                key=(account.name, topic_name),
                id=topic_id,
                columns=(
                    ColumnChange("source", None, account.resource_id),
                    ColumnChange("topicType", None, az.ACS_TOPIC_TYPE),
                    ColumnChange("location", None, inspection.location),
                ),
                body=body,
                reason="the ACS resource has no system topic (D-EG step 1)",
                source=source,
                path=path,
            )
        )
    else:
        topic_name, topic_id = topic.name, topic.id
    subscription_id = f"{topic_id}/eventSubscriptions/{name}"
    body = az.webhook_subscription(expected.endpoint, missing, expected.tenant_id, expected.app_id)
    found.changes.append(
        Change(
            action="create",
            kind="event_grid_subscription",
            label=f"Event Grid subscription '{name}' on system topic '{topic_name}' "
            f"(ACS '{account.name}')",
            table=SUBSCRIPTION_TABLE,
            key=(account.name, name),
            id=subscription_id,
            columns=(
                ColumnChange("endpointType", None, "WebHook"),
                ColumnChange("endpointUrl", None, expected.endpoint),
                ColumnChange("includedEventTypes", None, list(missing)),
                ColumnChange("eventDeliverySchema", None, SCHEMA),
                ColumnChange("azureActiveDirectoryTenantId", None, expected.tenant_id),
                ColumnChange("azureActiveDirectoryApplicationIdOrUri", None, expected.app_id),
            ),
            body=body,
            reason=f"{text} (a new subscription: D-EG advises against changing another's "
            "event types)",
            risks=(
                "Event Grid validates the endpoint while creating it; apply retries a failed "
                "handshake for up to 15 minutes",
            ),
            source=source,
            path=path,
        )
    )


def _wiring(
    account: Account,
    inspection: Inspection,
    verdict: Verdict | None,
    expected: Expected,
    wrong: list[str],
) -> EventGridWiring:
    meant = verdict.meant if verdict else ()
    return EventGridWiring(
        account.name,
        True,
        not wrong,
        inspection.topic.name if inspection.topic else "",
        ", ".join(s.name for s in meant),
        ", ".join(s.full_url or s.endpoint_base_url for s in meant),
        expected.endpoint,
        "; ".join(wrong),
    )


@dataclass(frozen=True)
class EventGridWriter:
    """Apply's hand on Event Grid: the topic and subscription creates of a plan."""

    access: az.ArmAccess
    handshake: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(max_attempts=1000, base_delay=20.0, max_delay=120.0)
    )
    budget: float = HANDSHAKE_BUDGET

    def owns(self, change: Change) -> bool:
        return is_event_grid(change)

    async def write(self, change: Change, config: Config) -> tuple[Status, str]:
        if self.access.credential is None:
            return "failed", f"no Azure credentials ({self.access.why_not})"
        try:
            async with self.access.client() as arm:
                if change.table == TOPIC_TABLE:
                    return await _topic(arm, change)
                return await self._subscription(arm, change)
        except az.ArmError as exc:
            return "failed", str(exc)

    async def _subscription(self, arm: az.ArmClient, change: Change) -> tuple[Status, str]:
        """Created unless one of that name exists already: the planned one (a retried apply:
        done) or another made since the plan (stale: never overwritten)."""
        now = await arm.event_subscription(change.id)
        url = change.body["properties"]["destination"]["properties"]["endpointUrl"]
        if now is not None:
            if now.is_webhook and await arm.full_url(change.id) == url:
                return "done", "already in place"
            return "stale", "an event subscription of that name was created since the plan"
        waited, attempt = 0.0, 0
        while True:
            attempt += 1
            try:
                await arm.put_event_subscription(change.id, change.body)
                return "done", "" if attempt == 1 else f"after {attempt} handshake attempts"
            except az.ArmError as exc:
                if not exc.handshake_failed:
                    raise
                wait = self.handshake.backoff(attempt)
                if waited + wait > self.budget:
                    return "failed", f"{exc} (tried {attempt} times over {waited:.0f}s): " + (
                        HANDSHAKE_ADVICE
                    )
            await self.handshake.sleep(wait)
            waited += wait


async def _topic(arm: az.ArmClient, change: Change) -> tuple[Status, str]:
    now = await arm.get_system_topic(change.id)
    source = change.body["properties"]["source"]
    if now is not None:
        if az.same_id(now.source, source):
            return "done", "already in place"
        return "stale", f"system topic {now.name} exists with another source ({now.source})"
    await arm.put_system_topic(change.id, change.body)
    return "done", ""


def arm_access(target: Target) -> az.ArmAccess:
    """How the target reaches ARM: the local organisation's in-process emulator, or Azure with
    the environment's credential (none: the wiring is not checked)."""
    base = target.arm_endpoint or az.arm_base()
    transport = target.arm_transport
    if transport is not None:
        return az.ArmAccess(StaticToken("local"), "the local organisation", base, transport)
    credential, source = az.arm_credential()
    return az.ArmAccess(credential, source, base)


@dataclass(frozen=True)
class ProviderWriters:
    """Apply's provider steps, each to the writer owning its table (Twilio, Event Grid)."""

    writers: tuple[ProviderSteps, ...]

    def owns(self, change: Change) -> bool:
        return any(w.owns(change) for w in self.writers)

    async def write(self, change: Change, config: Config) -> tuple[Status, str]:
        return await next(w for w in self.writers if w.owns(change)).write(change, config)
