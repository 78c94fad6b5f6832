"""The Event Grid wiring of an ACS resource, as Dynamics 365 needs it for inbound SMS.

D-EG (providers.md §2.2 (b), §4.6, §7.2 item 5): a system topic on the ACS resource, and an
event subscription on it with the Event Grid schema, the event types SMS Received and SMS
Delivery Report Received, a Web Hook to the organisation's "SMS Web Hook Endpoint", and
Microsoft Entra authentication with the tenant and app the resource was connected with (the
organisation's provider-setting entries `EventGridAppID` / `EventGripAppTenantID`).

`inspect` reads what ARM holds (the resource, the topic whose source it is, the topic's event
subscriptions and each webhook's full URL: reads only give its base, §4.8); `evaluate` says,
without I/O, which required event types reach the endpoint correctly and what is wrong with each
subscription that is meant for it. Whether one subscription carries both types or one each
(§10 q9; D-EG also says "create a new event subscription for each event type") is left open:
the types are required of the subscriptions to the endpoint together.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any, cast

from smsconf.acs.arm import ArmClient, ArmError, EventSubscription, SystemTopic, same_id

SMS_RECEIVED = "Microsoft.Communication.SMSReceived"
SMS_DELIVERY_REPORT = "Microsoft.Communication.SMSDeliveryReportReceived"
REQUIRED = (SMS_RECEIVED, SMS_DELIVERY_REPORT)
SCHEMA = "EventGridSchema"
TYPE_WORDS = {SMS_RECEIVED: "SMS Received", SMS_DELIVERY_REPORT: "SMS Delivery Report Received"}
INFERRED = (
    "msdyn_occommunicationprovidersetting.msdyn_occommunicationproviderimmutableid is the ACS "
    "resource's ARM immutableResourceId (the Event Grid check compares them)",
    "a webhook subscription delivers to the SMS Web Hook Endpoint when getFullUrl returns "
    "exactly event_grid.endpoint (where the organisation stores the endpoint is unknown, "
    "providers.md §10 q7)",
    "SMS Received and SMS Delivery Report Received may come through one subscription or one "
    "each (§10 q9): the Event Grid check requires them of the endpoint's subscriptions together",
    "Event Grid reports a failed validation handshake as the event subscription's failed "
    "operation with 'Webhook validation handshake failed' in its message",
    "a system topic for an ACS resource takes the resource's location (global)",
)
PORTAL_PATH = "Azure portal: the ACS resource > Events > Event Subscriptions"
HANDSHAKE_ADVICE = (
    "D-EG: \"It can take up to 15 minutes to sync. If you get an error like 'Webhook "
    "validation handshake failed,' then retry this step after a few minutes\"; a wrong "
    "tenant/app pair fails the same way, and the one creating the subscription must be an "
    "owner of the Event Grid app registration"
)


@dataclass(frozen=True)
class Expected:
    """What the subscription must be, as far as it is known (None: unknown, not compared)."""

    endpoint: str | None
    tenant_id: str | None
    app_id: str | None
    name: str
    """The subscription smsconf names and would create (`event_grid.subscription_name`)."""


@dataclass(frozen=True)
class Inspection:
    """What ARM holds for one ACS resource (`inspect`)."""

    resource_id: str
    location: str
    immutable_id: str | None
    topic: SystemTopic | None
    subscriptions: tuple[EventSubscription, ...] = ()
    """The topic's event subscriptions, webhooks with their `full_url`."""


@dataclass(frozen=True)
class Verdict:
    """`evaluate`'s answer: which required types are delivered right, and the faults of every
    subscription meant for the endpoint (by name; its event types are not among them: a type
    is missing when no faultless subscription brings it, whichever lacks it)."""

    delivered: frozenset[str]
    faults: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meant: tuple[EventSubscription, ...] = ()
    """The subscriptions meant for the organisation: named as configured, or to its endpoint."""

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(t for t in REQUIRED if t not in self.delivered)

    @property
    def right(self) -> bool:
        return not self.missing and not any(self.faults.values())

    def carrying(self, event_type: str) -> list[str]:
        """The faultless subscriptions bringing `event_type`, by name."""
        return [s.name for s in self.meant if not self.faults[s.name] and carries(s, event_type)]


async def inspect(arm: ArmClient, resource_id: str, subscription: str) -> Inspection:
    """The resource, its system topic and the topic's subscriptions (ArmError when ARM
    refuses; a 404 of the resource too: the caller says where the id is written). The
    resource and the topic are read at once, and every webhook's full URL; the resource's
    error is the one raised when both fail."""
    read = await asyncio.gather(
        arm.resource(resource_id), arm.topic_of(subscription, resource_id), return_exceptions=True
    )
    for failed in read:
        if isinstance(failed, BaseException):
            raise failed
    resource, topic = cast(tuple[dict[str, Any], SystemTopic | None], tuple(read))
    props = resource.get("properties") if isinstance(resource.get("properties"), dict) else {}
    immutable = str(props.get("immutableResourceId") or "") or None
    location = str(resource.get("location") or "global")
    if topic is None:
        return Inspection(resource_id, location, immutable, None)
    subscriptions = await arm.event_subscriptions(topic.id)

    async def full(sub: EventSubscription) -> EventSubscription:
        return replace(sub, full_url=await arm.full_url(sub.id)) if sub.is_webhook else sub

    found = await asyncio.gather(*(full(sub) for sub in subscriptions))
    return Inspection(resource_id, location, immutable, topic, tuple(found))


def evaluate(found: Inspection, expected: Expected) -> Verdict:
    """Which required event types reach the endpoint as D-EG has it, and what is wrong with
    each subscription meant for it (a webhook named as configured, or to the endpoint; with
    the endpoint unknown, any webhook with an SMS event type)."""
    meant = [s for s in found.subscriptions if _meant(s, expected)]
    faults: dict[str, tuple[str, ...]] = {}
    delivered: set[str] = set()
    for sub in meant:
        wrong = _faults(sub, expected)
        types = set(REQUIRED) if sub.included_event_types is None else set(sub.included_event_types)
        if not wrong:
            delivered |= types & set(REQUIRED)
        faults[sub.name] = tuple(wrong)
    return Verdict(frozenset(delivered), faults, tuple(meant))


def carries(sub: EventSubscription, event_type: str) -> bool:
    return sub.included_event_types is None or event_type in sub.included_event_types


def _meant(sub: EventSubscription, expected: Expected) -> bool:
    if sub.name.lower() == expected.name.lower():
        return True
    if not sub.is_webhook:
        return False
    if expected.endpoint is not None:
        return sub.full_url == expected.endpoint
    return any(carries(sub, t) for t in REQUIRED)


def _faults(sub: EventSubscription, expected: Expected) -> list[str]:
    """What makes `sub` not deliver to the organisation as D-EG has it, in the portal's words."""
    if not sub.is_webhook:
        return [f"its endpoint type is {sub.endpoint_type or '(none)'}, not Web Hook"]
    wrong = []
    if expected.endpoint is not None and sub.full_url != expected.endpoint:
        wrong.append(
            f"its endpoint is {sub.full_url or sub.endpoint_base_url or '(none)'}, not the "
            f"SMS Web Hook Endpoint {expected.endpoint}"
        )
    if sub.schema != SCHEMA:
        wrong.append(f"its event schema is {sub.schema or '(none)'}, not Event Grid Schema")
    for what, have, want in (
        ("Microsoft Entra Tenant ID", sub.tenant_id, expected.tenant_id),
        ("Microsoft Entra Application ID or URI", sub.app_id, expected.app_id),
    ):
        if want is not None and have.lower() != want.lower():
            wrong.append(
                f"its {what} is {have or '(none: Entra authentication is off)'}, not {want}"
            )
    if sub.provisioning_state and sub.provisioning_state.lower() != "succeeded":
        wrong.append(f"its provisioning state is {sub.provisioning_state}")
    return wrong


def free_name(expected: Expected, found: Inspection, missing: tuple[str, ...]) -> str | None:
    """The name of the new subscription for `missing`: the configured one when it is free;
    else the configured one with the type's name (a new subscription per event type, D-EG);
    None when that is taken too (then only a person can sort it out)."""
    taken = {s.name.lower() for s in found.subscriptions}
    candidates = [expected.name]
    if len(missing) == 1:
        suffix = "received" if missing[0] == SMS_RECEIVED else "delivery-reports"
        candidates.append(f"{expected.name}-{suffix}"[:64])
    return next((c for c in candidates if c.lower() not in taken), None)


def is_handshake_failure(exc: ArmError) -> bool:
    return exc.handshake_failed


def immutable_mismatch(found: Inspection, organisation: str | None) -> bool:
    """The organisation's ACS connection names another resource (§7.2 item 4)."""
    return (
        organisation is not None
        and found.immutable_id is not None
        and not same_id(organisation, found.immutable_id)
    )
