"""The input of every Twilio operation: one account, independent of the configuration model."""

from __future__ import annotations

from dataclasses import dataclass, field

from smsconf import hosts
from smsconf.telesign.secret import ApiKey

API_BASE = "https://api.twilio.com"
MESSAGING_BASE = "https://messaging.twilio.com"
HOSTS = ("api.twilio.com", "messaging.twilio.com")


def require_trusted(name: str, endpoint: str | None) -> None:
    """Before the Auth Token is read or sent: both hosts of account `name` are trusted."""
    for base in (endpoint or API_BASE, endpoint or MESSAGING_BASE):
        hosts.require(base.rstrip("/"), "twilio", f"account '{name}'")


def e164(digits: str, short_code: bool) -> str:
    """The admin center's digits (`14255550100`) as Twilio's API writes them (`+14255550100`);
    a short code stays digits (§2.1, §3.3)."""
    return digits if short_code else f"+{digits}"


@dataclass(frozen=True)
class TwilioAccount:
    """A Twilio account as smsconf uses it: SID and Auth Token (a secret that only reveals
    itself to build the Basic credentials; `ApiKey` is the project's secret wrapper).

    `endpoint` replaces both Twilio hosts (the 2010 API and the Messaging API) with one base
    URL: the emulator, or a proxy.
    """

    name: str
    account_sid: str
    auth_token: ApiKey = field(repr=False)
    endpoint: str | None = None

    @property
    def api_base(self) -> str:
        return (self.endpoint or API_BASE).rstrip("/")

    @property
    def messaging_base(self) -> str:
        return (self.endpoint or MESSAGING_BASE).rstrip("/")

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.account_sid, self.auth_token.fingerprint(), self.api_base)
