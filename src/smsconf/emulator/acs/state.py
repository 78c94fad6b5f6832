"""What the emulated ACS knows: resources (name, ARM place, access key, numbers, short codes)
and, on the Azure Resource Manager side, Event Grid system topics and their event
subscriptions, kept in a JSON file when asked so that the local organisation's Event Grid
remembers the subscription an earlier `apply` created (the resources themselves come from the
flags or the demo and are not written).

Shapes follow providers.md §4.3 (numbers), §4.4 (short codes) and §4.8 (ARM).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Capability = Literal["none", "inbound", "outbound", "inbound+outbound"]
CAPABILITIES: tuple[Capability, ...] = ("none", "inbound", "outbound", "inbound+outbound")
NumberType = Literal["geographic", "tollFree", "mobile"]

RESOURCE_TYPE = "Microsoft.Communication/CommunicationServices"
TOPIC_TYPE = "Microsoft.Communication.CommunicationServices"
SMS_RECEIVED = "Microsoft.Communication.SMSReceived"
SMS_DELIVERY_REPORT = "Microsoft.Communication.SMSDeliveryReportReceived"


@dataclass
class PhoneNumber:
    """A purchased number as `GET /phoneNumbers` lists it (§4.3)."""

    phone_number: str
    sms: Capability = "inbound+outbound"
    calling: Capability = "none"
    phone_number_type: NumberType = "tollFree"
    country_code: str = "US"
    assignment_type: Literal["person", "application"] = "application"
    purchase_date: str = "2025-01-15T10:00:00.000Z"
    monthly_cost: float = 2.0

    def body(self) -> dict[str, Any]:
        return {
            "id": self.phone_number.lstrip("+"),
            "phoneNumber": self.phone_number,
            "countryCode": self.country_code,
            "phoneNumberType": self.phone_number_type,
            "capabilities": {"calling": self.calling, "sms": self.sms},
            "assignmentType": self.assignment_type,
            "purchaseDate": self.purchase_date,
            "cost": {
                "amount": self.monthly_cost,
                "currencyCode": "USD",
                "billingFrequency": "monthly",
            },
        }


@dataclass
class ShortCode:
    """A short code as the preview `GET /shortCodes` lists it (§4.4)."""

    number: str
    country_code: str = "US"
    number_type: Literal["shortCode", "alphaId"] = "shortCode"
    purchase_date: str = "2025-02-01T10:00:00.000Z"

    def body(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "numberType": self.number_type,
            "countryCode": self.country_code,
            "programBriefIds": [],
            "purchaseDate": self.purchase_date,
        }


@dataclass
class AcsResource:
    """An ACS resource: its data plane (the access key, numbers) and its ARM identity."""

    name: str
    access_key: str
    """The primary key, base64, as the connection string's `accesskey` carries it."""
    numbers: list[PhoneNumber] = field(default_factory=list)
    short_codes: list[ShortCode] = field(default_factory=list)
    subscription: str = "00000000-0000-4000-8000-000000000000"
    resource_group: str = "rg-communication"
    immutable_id: str = ""
    data_location: str = "United States"
    secondary_key: str = ""
    host: str = ""
    """ARM's `hostName` (default `<name>.communication.azure.com`, §4.1)."""

    def __post_init__(self) -> None:
        if not self.immutable_id:  # stable per name, as a real resource's is for its life
            self.immutable_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"acs/{self.name}"))

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/{RESOURCE_TYPE}/{self.name}"
        )

    @property
    def host_name(self) -> str:
        return self.host or f"{self.name}.communication.azure.com"

    def access_keys(self) -> list[str]:
        return [k for k in (self.access_key, self.secondary_key) if k]

    def number(self, phone: str) -> PhoneNumber | None:
        return next((n for n in self.numbers if n.phone_number == phone), None)

    def connection_string(self, endpoint: str) -> str:
        return f"endpoint={endpoint.rstrip('/')}/;accesskey={self.access_key}"


@dataclass
class SystemTopic:
    name: str
    subscription: str
    resource_group: str
    source: str
    topic_type: str
    location: str = "global"
    tags: dict[str, str] = field(default_factory=dict)
    metric_resource_id: str = ""


@dataclass
class EventSubscription:
    name: str
    topic: str
    """The system topic's name (under the topic's subscription and group)."""
    subscription: str
    resource_group: str
    properties: dict[str, Any]
    """The `properties` as PUT (destination with its full endpoint URL, filter, schema)."""


@dataclass
class ArmState:
    topics: list[SystemTopic] = field(default_factory=list)
    event_subscriptions: list[EventSubscription] = field(default_factory=list)


class State:
    """The resources (from the caller) and the ARM objects, persisted to `path` on change."""

    def __init__(
        self,
        resources: list[AcsResource],
        path: Path | None = None,
        resource_groups: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.path = path
        self.resources = resources
        self.resource_groups = {
            (r.subscription.lower(), r.resource_group.lower()) for r in resources
        }
        self.resource_groups |= {(s.lower(), g.lower()) for s, g in resource_groups}
        self.arm = ArmState()
        if path is not None and path.exists():
            self.arm = _load(path)

    def save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self.arm), indent=1), encoding="utf-8")
        temporary.replace(self.path)

    def subscriptions(self) -> set[str]:
        return {s for s, _ in self.resource_groups}


def _load(path: Path) -> ArmState:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ArmState(
        topics=[SystemTopic(**t) for t in data.get("topics", [])],
        event_subscriptions=[EventSubscription(**e) for e in data.get("event_subscriptions", [])],
    )


# --- the local organisation's demo resource --------------------------------------------------

DEMO_SUBSCRIPTION = "5d0c4a8e-0000-4000-8000-00000000a0c5"
DEMO_RESOURCE_GROUP = "rg-contoso-sms"
DEMO_ACCESS_KEY = "c21zY29uZi1sb2NhbC1hY3MtZGVtby1hY2Nlc3Mta2V5IQ=="
"""base64 of b"smsconf-local-acs-demo-access-key!" (a demo secret, known to everyone)."""
DEMO_EVENT_GRID_APP_ID = "8d6f3c2e-5a4b-4e1d-9c7f-1a2b3c4d5e6f"
DEMO_EVENT_GRID_TENANT_ID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
DEMO_TWO_WAY = "+18005550100"
DEMO_OUTBOUND_ONLY = "+18005550101"
DEMO_NOT_SYNCED = "+18005550102"
"""Bought in Azure but not yet synced into the organisation ("Sync from Azure" not run)."""
DEMO_SHORT_CODE = "55100"


def demo_resource(**changes: Any) -> AcsResource:
    """The ACS resource of the local organisation: a two-way toll-free number, an outbound-only
    one ("Send SMS" in the admin center), one not synced into the org yet, and a short code;
    `changes` overrides fields (the local organisation's host)."""
    fields: dict[str, Any] = dict(
        name="contoso-acs",
        access_key=DEMO_ACCESS_KEY,
        subscription=DEMO_SUBSCRIPTION,
        resource_group=DEMO_RESOURCE_GROUP,
        immutable_id="3c1f9a6e-7d2b-4f0a-8e5c-6b4d2a1f0e9c",
        numbers=[
            PhoneNumber(DEMO_TWO_WAY, sms="inbound+outbound", calling="inbound+outbound"),
            PhoneNumber(DEMO_OUTBOUND_ONLY, sms="outbound"),
            PhoneNumber(DEMO_NOT_SYNCED, sms="inbound+outbound"),
        ],
        short_codes=[ShortCode(DEMO_SHORT_CODE)],
    )
    return AcsResource(**{**fields, **changes})


DEMO_RESOURCE = demo_resource()
"""The demo resource as a value (name, id, immutable id, key, numbers); `demo_resource()` gives
a fresh copy to serve."""
