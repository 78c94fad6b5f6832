"""What the emulated Twilio knows: accounts, their numbers, applications, Messaging Services and
messages; kept in a JSON file when asked, so that the local organisation's Twilio remembers the
`SmsUrl` an earlier `apply` set (the Telesign emulator has no such state to keep).

SIDs follow Twilio's formats (providers.md §3.1): two letters and 32 hex digits, here derived
from what they name so that a demo is the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

AccountStatus = Literal["active", "suspended", "closed"]
AccountType = Literal["Full", "Trial"]


def sid(prefix: str, *parts: str) -> str:
    """A deterministic SID of Twilio's shape: `prefix` + 32 lower-case hex digits."""
    return prefix + hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Number:
    """An IncomingPhoneNumber (the fields §3.3 lists; voice fields are kept, never used)."""

    sid: str
    phone_number: str
    friendly_name: str = ""
    sms: bool = True
    mms: bool = False
    voice: bool = True
    sms_url: str = ""
    sms_method: str = "POST"
    sms_fallback_url: str = ""
    sms_fallback_method: str = "POST"
    sms_application_sid: str = ""
    voice_url: str = ""
    voice_method: str = "POST"
    status_callback: str = ""
    origin: str = "twilio"

    @property
    def short_code(self) -> bool:
        """Short codes are their own resource (`/SMS/ShortCodes`), SIDs `SC…`, no `+`."""
        return self.sid.startswith("SC")


@dataclass
class Application:
    sid: str
    friendly_name: str = ""
    sms_url: str = ""
    sms_method: str = "POST"


@dataclass
class MessagingService:
    sid: str
    friendly_name: str = ""
    inbound_request_url: str | None = None
    inbound_method: str = "POST"
    fallback_url: str | None = None
    use_inbound_webhook_on_number: bool = False
    status_callback: str | None = None
    numbers: list[str] = field(default_factory=list)
    """SIDs of the account's IncomingPhoneNumbers that are senders of the service."""


@dataclass
class Message:
    sid: str
    from_: str
    to: str
    body: str
    status: str
    direction: str = "outbound-api"
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    num_segments: int = 1
    error_code: int | None = None
    reads: int = 0


@dataclass
class Account:
    sid: str
    auth_token: str
    friendly_name: str = ""
    status: AccountStatus = "active"
    type: AccountType = "Full"
    api_keys: dict[str, str] = field(default_factory=dict)
    """Standard API keys, SID → secret: accepted everywhere but /Accounts (§3.1)."""
    numbers: list[Number] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    services: list[MessagingService] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)
    """Handsets that texted STOP to one of the account's numbers (sending to them: 21610)."""

    def number(self, number_sid: str) -> Number | None:
        return next((n for n in self.numbers if n.sid == number_sid), None)

    def number_by_phone(self, phone: str) -> Number | None:
        return next((n for n in self.numbers if n.phone_number == phone), None)

    def application(self, app_sid: str) -> Application | None:
        return next((a for a in self.applications if a.sid == app_sid), None)

    def service(self, service_sid: str) -> MessagingService | None:
        return next((s for s in self.services if s.sid == service_sid), None)

    def service_of(self, number_sid: str) -> MessagingService | None:
        return next((s for s in self.services if number_sid in s.numbers), None)

    def add_number(self, phone: str, **fields: Any) -> Number:
        prefix = "PN" if phone.startswith("+") else "SC"
        number = Number(sid=sid(prefix, self.sid, phone), phone_number=phone, **fields)
        self.numbers.append(number)
        return number


def account(account_sid: str, auth_token: str, *numbers: str, **fields: Any) -> Account:
    """An account owning `numbers` (E.164, or digits for a short code), each SMS-capable with
    no webhook yet."""
    made = Account(sid=account_sid, auth_token=auth_token, **fields)
    for phone in numbers:
        made.add_number(phone, friendly_name=phone)
    return made


DEMO_ACCOUNT_SID = "AC" + "c0" * 16
DEMO_AUTH_TOKEN = "demo-twilio-auth-token-for-smsconf"
DEMO_NUMBERS = ("+14255550142", "+14255550100", "+18005550199", "55123")


def demo_accounts() -> list[Account]:
    """The Twilio account of `examples/channels.yaml`: its own long code, and the numbers of
    the example's Telesign account as if already ported in (what `migrate telesign` expects)."""
    demo = account(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, *DEMO_NUMBERS, friendly_name="Contoso")
    return [demo]


class State:
    """Every account, optionally persisted to `path` after each change."""

    def __init__(self, accounts: list[Account], path: Path | None = None) -> None:
        self.path = path
        self.accounts = {a.sid: a for a in accounts}
        if path is not None and path.exists():
            self.accounts = {a.sid: a for a in _load(path)}

    def save(self) -> None:
        if self.path is None:
            return
        data = [asdict(a) for a in self.accounts.values()]
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        temporary.replace(self.path)

    def owner_of(self, phone: str) -> tuple[Account, Number] | None:
        for owner in self.accounts.values():
            number = owner.number_by_phone(phone)
            if number is not None:
                return owner, number
        return None


def _load(path: Path) -> list[Account]:
    loaded = []
    for data in json.loads(path.read_text(encoding="utf-8")):
        data["numbers"] = [Number(**n) for n in data["numbers"]]
        data["applications"] = [Application(**a) for a in data["applications"]]
        data["services"] = [MessagingService(**s) for s in data["services"]]
        data["messages"] = [Message(**m) for m in data["messages"]]
        loaded.append(Account(**data))
    return loaded
