"""What each provider's account and numbers must look like, as the admin center asks for them.

Telesign: Customer ID + API key; numbers geo / short code / toll free. Twilio: Account SID +
Auth Token; numbers long code / short code / toll free, US only ("US phone numbers only are
supported", Configure SMS channel for Twilio; providers.md §2.1). Each problem names the field
and says why, so a Telesign habit (an `api_key`, a `geo` number) is corrected where it is typed.
"""

from __future__ import annotations

import re

from smsconf.config import vocabulary as v
from smsconf.config.model import Account
from smsconf.config.problems import Path_, Problem, did_you_mean

ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")
US_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
US_ONLY = "Dynamics 365 supports only US phone numbers for Twilio"
NEEDS_TOKEN = (
    "Dynamics 365 needs the Account SID and its Auth Token: it stores the Auth Token, and "
    "Twilio signs the inbound webhooks with it"
)
FIELDS = {
    "telesign": ("customer_id", "api_key"),
    "twilio": ("account_sid", "auth_token"),
}
TELESIGN_ONLY = ("customer_id", "api_key", "endpoint", "auth")


def provider_fields(account: Account, path: Path_) -> list[Problem]:
    """The provider's own fields present, the other provider's absent, an API key refused."""
    problems = []
    given = account.model_fields_set
    for field in FIELDS[account.provider]:
        if getattr(account, field) is None and field in given:  # written as null
            problems.append(Problem("input should be a valid string", (*path, field)))
        elif getattr(account, field) is None:
            problems.append(
                Problem(
                    f"missing required key '{field}' for a {account.provider} account",
                    (*path, field),
                )
            )
    if account.provider == "twilio":
        for field in TELESIGN_ONLY:
            if field in given:
                twin = {"customer_id": "account_sid", "api_key": "auth_token"}.get(field)
                problems.append(
                    Problem(
                        f"'{field}' is a Telesign field; a Twilio account does not take it",
                        (*path, field),
                        hint=f"use {twin}" if twin else "remove it",
                    )
                )
        sid = account.account_sid
        if sid is not None and API_KEY_SID.fullmatch(sid):
            problems.append(
                Problem(
                    "account_sid is an API key SID (SK…), and API keys are refused",
                    (*path, "account_sid"),
                    hint=f"{NEEDS_TOKEN}: use the Account SID (AC…) from the Twilio console",
                )
            )
        elif sid is not None and not ACCOUNT_SID.fullmatch(sid):
            problems.append(
                Problem(
                    "account_sid must be AC followed by 32 hexadecimal digits",
                    (*path, "account_sid"),
                    hint="copy ACCOUNT SID from the Twilio console's account info",
                )
            )
    else:
        for field in ("account_sid", "auth_token"):
            if field in given:
                problems.append(
                    Problem(
                        f"'{field}' is a Twilio field; a Telesign account does not take it",
                        (*path, field),
                        hint="set provider: twilio, or use customer_id and api_key",
                    )
                )
    return problems


def unknown_number_type(data: object, path: Path_, given: object) -> Problem | None:
    """The schema's refusal of a number's `type` at `path` (accounts[i].numbers[j].type), said
    for the account's provider: a Telesign number is never offered long_code, nor a Twilio one
    geo. None when `path` is not a number's type or the provider is not known yet."""
    if len(path) != 5 or (path[0], path[2], path[4]) != ("accounts", "numbers", "type"):
        return None
    accounts = data.get("accounts") if isinstance(data, dict) else None
    account = accounts[path[1]] if isinstance(accounts, list) else None
    provider = account.get("provider", "telesign") if isinstance(account, dict) else None
    if provider not in v.NUMBER_TYPES or not isinstance(given, str):
        return None
    return number_type(provider, given, path[:-1])[0]


def number_type(provider: str, kind: str, path: Path_) -> list[Problem]:
    allowed = v.NUMBER_TYPES[provider]
    if kind in allowed:
        return []
    twin = {"geo": "long_code", "long_code": "geo"}.get(kind)
    return [
        Problem(
            f"a {provider} number's type is one of {', '.join(allowed)}",
            (*path, "type"),
            hint=f"{provider} calls a local number {twin}" if twin else did_you_mean(kind, allowed),
        )
    ]


def us_number(number: str, kind: str, path: Path_) -> list[Problem]:
    """US numbers only: 1 + a 10-digit NANP number (toll-free area codes for toll free), or a
    5- or 6-digit short code."""
    if not number.isdigit():
        return []  # the digits rule has said so already
    if kind == "short_code":
        if len(number) in (5, 6):
            return []
        return [Problem(f"a US short code has 5 or 6 digits; '{number}' has {len(number)}", path)]
    if len(number) != 11 or not number.startswith("1") or number[1] in "01":
        return [
            Problem(
                f"number '{number}' is not a US number (1 and 10 digits)",
                path,
                hint=f"{US_ONLY}; write it like 14252306549",
            )
        ]
    if kind == "toll_free" and number[1:4] not in US_TOLL_FREE:
        return [
            Problem(
                f"number '{number}' is not a US toll-free number",
                path,
                hint=f"US toll-free numbers start 1 then {', '.join(US_TOLL_FREE)}",
            )
        ]
    return []
