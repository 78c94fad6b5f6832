"""Generated organisations of N workstreams, written as configuration files.

Every workstream carries what a real SMS contact centre configures (an SMS channel on its own
number, automated messages with translations, classification and route-to-queue rules, context
variables, quick replies), so the benchmark exercises every table smsconf manages, not just
workstream rows. Numbers are spread over several accounts of the three providers (every third
account ACS's, the other odd-numbered ones Twilio's, the rest Telesign's) whose credentials the
benchmark's Telesign, Twilio and ACS emulators know, so credential checks, number checks, the
Twilio numbers' inbound URLs and the ACS resource's Event Grid wiring go over the wire as they
would in production.
"""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from smsconf.emulator.acs import AcsResource, PhoneNumber, demo_resource
from smsconf.emulator.telesign import EmulatedAccount, EmulatedNumber
from smsconf.emulator.twilio import Account as TwilioAccount
from smsconf.emulator.twilio import account as twilio_account

WORKSTREAMS_PER_FILE = 100
WORKSTREAMS_PER_ACCOUNT = 250
QUICK_REPLIES = ("Greeting", "Closing", "Hold on", "Opening hours", "Survey")
CHANGED_FIELDS_PER_WORKSTREAM = 3
"""Fields edited in each changed workstream: capacity, greeting text, one translation."""


@dataclass(frozen=True)
class GeneratedOrg:
    """Where the configuration of one size was written, and what it asks for."""

    directory: Path
    workstreams: int
    accounts: tuple[EmulatedAccount, ...]
    changed_workstreams: int
    twilio_accounts: tuple[TwilioAccount, ...] = ()
    acs_resources: tuple[AcsResource, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [str(self.directory)]


def account_count(n: int) -> int:
    """Several accounts at every size (at least 3: one of each provider), one more per 250
    numbers."""
    return max(3, math.ceil(n / WORKSTREAMS_PER_ACCOUNT))


def changed_indexes(n: int) -> list[int]:
    """The 1% of workstreams (at least one) whose fields the "change" variant edits."""
    step = 100
    return list(range(0, n, step)) if n >= step else [0]


def number_of(i: int) -> str:
    return f"1425{5500000 + i:07d}"


def is_acs(a: int, mixed: bool = True) -> bool:
    """Which accounts are ACS's: every third (2, 5, ...), so every size has one; an
    organisation connects one ACS resource, and up to N=1,250 there is exactly one (none
    when not `mixed`: a Telesign-only organisation, as tools/testkit generates)."""
    return mixed and a % 3 == 2


def is_twilio(a: int, mixed: bool = True) -> bool:
    """Which accounts are Twilio's: the odd-numbered ones that are not ACS's, so every size
    mixes providers (none when not `mixed`)."""
    return mixed and a % 2 == 1 and not is_acs(a)


def provider_of(n: int, i: int, mixed: bool = True) -> str:
    """The provider of workstream `i`'s number."""
    a = i % account_count(n)
    return "acs" if is_acs(a, mixed) else "twilio" if is_twilio(a, mixed) else "telesign"


def sms_number(n: int, i: int, mixed: bool = True) -> str:
    """Workstream `i`'s number as its account lists it: E.164 with the + for ACS (as ACS and
    the organisation store it), digits for the others."""
    return ("+" if provider_of(n, i, mixed) == "acs" else "") + number_of(i)


def _numbers_of(n: int, a: int) -> list[str]:
    return [number_of(i) for i in range(n) if i % account_count(n) == a]


def telesign_accounts(n: int, mixed: bool = True) -> tuple[EmulatedAccount, ...]:
    """The customers the benchmark's Telesign emulator serves: deterministic ids and keys."""
    accounts = []
    for a in range(account_count(n)):
        if is_twilio(a, mixed) or is_acs(a, mixed):
            continue
        digest = hashlib.sha256(f"smsconf-bench-{a}".encode()).digest()
        accounts.append(
            EmulatedAccount(
                name=f"bench-{a}",
                customer_id=f"BENCH-CUSTOMER-{a:04d}",
                api_key=base64.b64encode(digest).decode(),
                numbers=tuple(EmulatedNumber(number=number) for number in _numbers_of(n, a)),
            )
        )
    return tuple(accounts)


def twilio_accounts(n: int) -> tuple[TwilioAccount, ...]:
    """The accounts the benchmark's Twilio emulator serves: deterministic SIDs and tokens, each
    owning its numbers (E.164), SMS-capable, with no inbound URL yet."""
    accounts = []
    for a in range(account_count(n)):
        if not is_twilio(a):
            continue
        digest = hashlib.sha256(f"smsconf-bench-twilio-{a}".encode()).hexdigest()
        accounts.append(
            twilio_account(
                "AC" + digest[:32],
                digest[32:],
                *("+" + number for number in _numbers_of(n, a)),
                friendly_name=f"bench-{a}",
            )
        )
    return tuple(accounts)


ACS_KIND = "toll_free"
"""The ACS numbers' type: in the US, Dynamics 365 takes ACS SMS on toll-free numbers (D-ACS)."""
SMS_WEBHOOK = (
    "https://m-00000000-0000-4000-8000-000000000be7.us.omnichannelengagementhub.com/sms/acs"
)
"""The organisation's "SMS Web Hook Endpoint" the Event Grid subscription delivers to (a fixed
host, never contacted: the emulator takes its validation handshake as passed)."""


def acs_resources(n: int) -> tuple[AcsResource, ...]:
    """The ACS resources the benchmark's ACS emulator serves: the local organisation's demo
    resource (its name, key, ARM place and immutable id, which the organisation's seeded
    connection names) owning the ACS accounts' numbers, toll-free, send and receive."""
    resources = []
    for a in range(account_count(n)):
        if not is_acs(a):
            continue
        numbers = [PhoneNumber("+" + number) for number in _numbers_of(n, a)]
        resources.append(demo_resource(numbers=numbers, short_codes=[]))
    return tuple(resources)


def _acs_account(resource: AcsResource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "provider": "acs",
        "resource_name": resource.name,
        "resource_id": resource.id,
        "connection_string": f"${{file:secrets/{resource.name}.connection}}",
        "event_grid": {"mode": "managed", "endpoint": SMS_WEBHOOK},
        "numbers": [
            {"number": p.phone_number, "type": ACS_KIND, "description": f"line {p.phone_number}"}
            for p in resource.numbers
        ],
    }


def _shared(
    n: int,
    telesign_url: str,
    accounts: tuple[EmulatedAccount, ...],
    twilio_url: str,
    twilio: tuple[TwilioAccount, ...],
    acs: tuple[AcsResource, ...] = (),
) -> dict[str, Any]:
    queues = max(2, n // 20)
    return {
        "accounts": [
            *(
                {
                    "name": account.name,
                    "provider": "telesign",
                    "customer_id": account.customer_id,
                    "api_key": f"${{file:secrets/{account.name}.key}}",
                    "endpoint": telesign_url,
                    "numbers": [
                        {
                            "number": number.number,
                            "type": "geo",
                            "description": f"line {number.number}",
                        }
                        for number in account.numbers
                    ],
                }
                for account in accounts
            ),
            *(
                {
                    "name": account.friendly_name,
                    "provider": "twilio",
                    "account_sid": account.sid,
                    "auth_token": f"${{file:secrets/{account.friendly_name}.token}}",
                    "endpoint": twilio_url,
                    "numbers": [
                        {
                            "number": number.phone_number.lstrip("+"),
                            "type": "long_code",
                            "description": f"line {number.phone_number}",
                        }
                        for number in account.numbers
                    ],
                }
                for account in twilio
            ),
            *(_acs_account(resource) for resource in acs),
        ],
        "operating_hours": [{"name": "Business hours"}, {"name": "Always open"}],  # looked up
        "queues": [
            {
                "name": f"Queue {q:03d}",
                "managed": True,
                "assignment": "round_robin" if q % 2 else "highest_capacity",
                "operating_hours": "Business hours",
                "priority": 1 + q % 10,
            }
            for q in range(queues)
        ],
        "templates": [
            {"name": "Session", "kind": "session", "unique_name": "msdyn_sms_session_default"},
            {
                "name": "Consult",
                "kind": "notification",
                "unique_name": "msdyn_sms_consult",
            },
        ],
        "quick_replies": [
            {"title": title, "managed": True, "message": f"{title}: thanks for texting us."}
            for title in QUICK_REPLIES
        ],
    }


def _workstream(i: int, n: int, changed: bool, mixed: bool = True) -> dict[str, Any]:
    queues = max(2, n // 20)
    name = f"SMS workstream {i:05d}"
    greeting = f"Thanks for texting team {i}. An agent will reply shortly."
    french = f"Merci d'avoir écrit à l'équipe {i}."
    units = 10
    if changed:
        greeting += " (updated)"
        french += " (mis à jour)"
        units = 12
    sms: dict[str, Any] = {
        "number": sms_number(n, i, mixed),
        "language": "en-US",
        "operating_hours": "Business hours" if i % 2 else "Always open",
        "automated_messages": [
            {
                "trigger": "greeting",
                "text": greeting,
                "translations": {"fr-FR": french, "es-ES": f"Gracias, equipo {i}."},
            },
            {
                "trigger": "agent_assigned",
                "text": "You're now chatting with {Agent}.",
                "translations": {"de-DE": "Sie chatten jetzt mit {Agent}."},
            },
        ],
    }
    if provider_of(n, i, mixed) != "acs":  # an ACS channel takes no file attachments (D-ACS)
        sms["file_attachments"] = {"customers": i % 3 == 0, "agents": True}
    return {
        "name": name,
        "fallback_queue": f"Queue {i % queues:03d}",
        "distribution": {"mode": "push", "capacity": {"units": units}, "auto_close_after": "2d"},
        "sms": sms,
        "routing": {
            "classification": [
                {
                    "name": "Customer tier",
                    "rules": [
                        {
                            "name": "Gold accounts",
                            "when": [{"attribute": "account.msdyn_tier", "value": "Gold"}],
                            "set": {"context.CustomerTier": "VIP", "priority": 1},
                        }
                    ],
                }
            ],
            "route_to_queue": [
                {
                    "name": "VIP queue",
                    "when": [{"attribute": "context.CustomerTier", "value": "VIP"}],
                    "queue": f"Queue {(i + 1) % queues:03d}",
                }
            ],
        },
        "advanced": {
            "session_template": "Session",
            "notification_templates": {"consult": "Consult"},
            "context_variables": [
                {"name": "CustomerTier", "type": "text"},
                {"name": "OpenCases", "type": "number"},
            ],
            "quick_replies": [
                QUICK_REPLIES[i % len(QUICK_REPLIES)],
                QUICK_REPLIES[(i + 1) % len(QUICK_REPLIES)],
            ],
        },
    }


def write_org(
    directory: Path,
    n: int,
    telesign_url: str,
    twilio_url: str | None = None,
    acs_url: str | None = None,
    *,
    changed: bool = False,
) -> GeneratedOrg:
    """Write the configuration of `n` workstreams to `directory` (replacing what was there).

    With `changed`, 1% of the workstreams (at least one) get `CHANGED_FIELDS_PER_WORKSTREAM`
    fields edited, the rest is identical, so a plan shows exactly those updates. With
    `twilio_url` and `acs_url` (the served Twilio and ACS emulators) the accounts mix the three
    providers; without, every account is Telesign's.
    """
    mixed = twilio_url is not None
    if mixed and acs_url is None:
        raise ValueError("a mixed organisation needs the ACS emulator's URL too")
    accounts = telesign_accounts(n, mixed)
    twilio = twilio_accounts(n) if mixed else ()
    acs = acs_resources(n) if mixed else ()
    edited = set(changed_indexes(n)) if changed else set()
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.yaml"):
        old.unlink()
    secrets = directory / "secrets"
    secrets.mkdir(exist_ok=True)
    for account in accounts:
        (secrets / f"{account.name}.key").write_text(account.api_key + "\n", encoding="utf-8")
    for owner in twilio:
        token = secrets / f"{owner.friendly_name}.token"
        token.write_text(owner.auth_token + "\n", encoding="utf-8")
    for resource in acs:
        connection = secrets / f"{resource.name}.connection"
        connection.write_text(resource.connection_string(acs_url or "") + "\n", encoding="utf-8")
    shared = _shared(n, telesign_url, accounts, twilio_url or "", twilio, acs)
    _dump(directory / "shared.yaml", shared)
    for start in range(0, n, WORKSTREAMS_PER_FILE):
        chunk = range(start, min(n, start + WORKSTREAMS_PER_FILE))
        workstreams = [_workstream(i, n, i in edited, mixed) for i in chunk]
        _dump(directory / f"workstreams-{start:05d}.yaml", {"workstreams": workstreams})
    return GeneratedOrg(directory, n, accounts, len(edited), twilio, acs)


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
