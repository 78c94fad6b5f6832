"""What each provider's account and numbers must look like, as the admin center asks for them.

Telesign: Customer ID + API key; numbers geo / short code / toll free. Twilio: Account SID +
Auth Token; numbers long code / short code / toll free, US only ("US phone numbers only are
supported", Configure SMS channel for Twilio; providers.md §2.1). ACS: the resource as the
admin center's connect dialog names it (resource name, resource id, connection string;
§2.2, §4.7), numbers toll free / short code / mobile in E.164 with the plus. Each problem names
the field and says why, so a Telesign habit (an `api_key`, a `geo` number) is corrected where
it is typed.
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
    "acs": ("resource_name", "connection_string"),
}
# The fields only one provider takes, and what the others call the same thing.
ONLY = {
    "telesign": ("customer_id", "api_key", "auth"),
    "twilio": ("account_sid", "auth_token"),
    "acs": ("resource_name", "resource_id", "connection_string", "event_grid"),
}
TWINS = {
    "twilio": {"customer_id": "account_sid", "api_key": "auth_token"},
    "acs": {"customer_id": "resource_name", "account_sid": "resource_name"}
    | dict.fromkeys(("api_key", "auth_token"), "connection_string"),
}
TITLE = {"telesign": "Telesign", "twilio": "Twilio", "acs": "ACS"}
RESOURCE_ID_HINT = (
    "copy Resource ID from the Azure portal (the ACS resource → Properties): "
    "/subscriptions/<subscription id>/resourceGroups/<group>/providers/"
    "Microsoft.Communication/CommunicationServices/<name>"
)
ACS_NO_ATTACHMENTS = (
    'the admin center says "File attachments aren\'t supported in the SMS channel using ACS" '
    "(its Set up SMS has no user-features page)"
)


def provider_fields(account: Account, path: Path_) -> list[Problem]:
    """The provider's own fields present, the other providers' absent, an API key refused."""
    problems = []
    given = account.model_fields_set
    provider = account.provider
    for field in FIELDS[provider]:
        if getattr(account, field) is None and field in given:  # written as null
            problems.append(Problem("input should be a valid string", (*path, field)))
        elif getattr(account, field) is None:
            problems.append(
                Problem(
                    f"missing required key '{field}' for {_a(provider)} {provider} account",
                    (*path, field),
                )
            )
    misplaced = [f for other, fields in ONLY.items() if other != provider for f in fields]
    if provider == "acs":
        misplaced.append("endpoint")  # the connection string names the endpoint
    for field in (f for f in misplaced if f in given):
        problems.append(_misplaced(provider, field, (*path, field)))
    if provider == "twilio":
        problems += _account_sid(account.account_sid, path)
    if provider == "acs":
        problems += _resource_id(account, path)
    return problems


def _misplaced(provider: str, field: str, path: Path_) -> Problem:
    if field == "endpoint":
        return Problem(
            "an ACS account takes its endpoint from the connection string", path, hint="remove it"
        )
    owner = next(p for p, fields in ONLY.items() if field in fields)
    twin = TWINS.get(provider, {}).get(field)
    if twin:
        hint = f"use {twin}"
    elif provider == "telesign":
        hint = f"set provider: {owner}, or use customer_id and api_key"
    else:
        hint = "remove it"
    return Problem(
        f"'{field}' is {_a(owner)} {TITLE[owner]} field; {_a(provider)} {TITLE[provider]} "
        "account does not take it",
        path,
        hint=hint,
    )


def _a(provider: str) -> str:
    return "an" if provider == "acs" else "a"


def _account_sid(sid: str | None, path: Path_) -> list[Problem]:
    if sid is not None and API_KEY_SID.fullmatch(sid):
        return [
            Problem(
                "account_sid is an API key SID (SK…), and API keys are refused",
                (*path, "account_sid"),
                hint=f"{NEEDS_TOKEN}: use the Account SID (AC…) from the Twilio console",
            )
        ]
    if sid is not None and not ACCOUNT_SID.fullmatch(sid):
        return [
            Problem(
                "account_sid must be AC followed by 32 hexadecimal digits",
                (*path, "account_sid"),
                hint="copy ACCOUNT SID from the Twilio console's account info",
            )
        ]
    return []


def _resource_id(account: Account, path: Path_) -> list[Problem]:
    """The ARM id's shape, and the resource it names being `resource_name`."""
    if account.resource_id is None:
        return []
    resource = account.resource
    if resource is None:
        return [
            Problem(
                "resource_id is not an ACS resource id",
                (*path, "resource_id"),
                hint=RESOURCE_ID_HINT,
            )
        ]
    name = account.resource_name
    if name is not None and resource.name.casefold() != name.casefold():
        return [
            Problem(
                f"resource_id names resource '{resource.name}', not resource_name '{name}'",
                (*path, "resource_id"),
                hint="both come from the same resource's Properties in the Azure portal",
            )
        ]
    return []


def acs_number(number: str, kind: str, path: Path_) -> list[Problem]:
    """ACS and the organisation store E.164 with its plus sign (providers.md §2.3, §4.3);
    short codes are digits (the ShortCodes API's `number`, §4.4)."""
    digits = number.removeprefix("+")
    if kind == "short_code":
        if number.startswith("+"):
            return [
                Problem(
                    f"short code '{number}' is digits only, without a plus sign",
                    path,
                    hint=f"write {digits}",
                )
            ]
        return []
    if number.startswith("+") and digits.isdigit() and digits.isascii():
        return []
    written = re.sub(r"[^0-9]", "", number) or "18005550100"
    return [
        Problem(
            f"number '{number}' of an ACS account is E.164 with its plus sign, as ACS and the "
            "organisation store it",
            path,
            hint=f'write "+{written}"',
        )
    ]


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
    if provider == "acs" and twin:
        hint = (
            "Dynamics 365's SMS through ACS supports toll-free, short code and mobile numbers "
            "(Configure an SMS channel for ACS: supported destinations)"
        )
    elif twin:
        hint = f"{provider} calls a local number {twin}"
    else:
        hint = did_you_mean(kind, allowed)
    return [
        Problem(
            f"{_a(provider)} {provider} number's type is one of {', '.join(allowed)}",
            (*path, "type"),
            hint=hint,
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
