"""PhoneID answers (§5.3) from what the emulator knows about a number.

Owned numbers answer with their declared kind and country, handsets from the `directory` with
theirs; any other number is guessed from its prefix so that lookups of arbitrary test numbers
still get a plausible, deterministic answer.
"""

from collections.abc import Mapping
from typing import Any

from smsconf.emulator.telesign.accounts import EmulatedAccount, Handset, NumberKind

# PhoneID phone_type codes: 1, 2, 8 from Telesign's docs; the others from third-party clients.
PHONE_TYPE_CODES = {
    "FIXED_LINE": "1",
    "MOBILE": "2",
    "PREPAID": "3",
    "TOLL_FREE": "4",
    "VOIP": "5",
    "PAGER": "6",
    "PAYPHONE": "7",
    "INVALID": "8",
    "RESTRICTED_PREMIUM": "9",
    "PERSONAL": "10",
    "VOICEMAIL": "11",
    "OTHER": "12",
}
_KIND_TYPES: dict[NumberKind, str] = {
    "geo": "FIXED_LINE",
    "toll_free": "TOLL_FREE",
    "short_code": "INVALID",
}
# Calling code -> (ISO2, ISO3, name), longest prefix first.
COUNTRIES = {
    "44": ("GB", "GBR", "United Kingdom"),
    "33": ("FR", "FRA", "France"),
    "49": ("DE", "DEU", "Germany"),
    "61": ("AU", "AUS", "Australia"),
    "91": ("IN", "IND", "India"),
    "1": ("US", "USA", "United States"),
}
_NANP_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")


def describe(
    number: str, accounts: Mapping[str, EmulatedAccount], directory: Mapping[str, Handset]
) -> Handset:
    """The line type and country PhoneID reports for `number`."""
    for account in accounts.values():
        owned = account.owns(number)
        if owned is not None:
            return Handset(phone_type=_KIND_TYPES[owned.kind], country=owned.country)
    if number in directory:
        return directory[number]
    country = next(
        (iso2 for code, (iso2, _, _) in COUNTRIES.items() if number.startswith(code)), None
    )
    if len(number) < 10:
        return Handset(phone_type="INVALID", country=country)
    if number.startswith("1") and number[1:4] in _NANP_TOLL_FREE:
        return Handset(phone_type="TOLL_FREE", country="US")
    return Handset(phone_type="MOBILE", country=country)


def phoneid_body(
    number: str, handset: Handset, reference: str, status: Mapping[str, Any]
) -> dict[str, Any]:
    calling_code = next(
        (
            code
            for code, (iso2, _, _) in COUNTRIES.items()
            if iso2 == handset.country and number.startswith(code)
        ),
        "",
    )
    iso2, iso3, name = next(
        (entry for entry in COUNTRIES.values() if entry[0] == handset.country),
        (handset.country, None, None),
    )
    national = number[len(calling_code) :]
    cleansed = {
        "country_code": calling_code,
        "phone_number": national,
        "cleansed_code": 100,
        "min_length": len(national),
        "max_length": len(national),
    }
    return {
        "reference_id": reference,
        "sub_resource": "standard",
        "errors": [],
        "status": status,
        "numbering": {
            "original": {
                "complete_phone_number": number,
                "country_code": calling_code,
                "phone_number": national,
            },
            "cleansing": {"call": cleansed, "sms": cleansed},
        },
        "phone_type": {
            "code": PHONE_TYPE_CODES.get(handset.phone_type, "12"),
            "description": handset.phone_type,
        },
        "location": {"country": {"name": name, "iso2": iso2, "iso3": iso3}},
        "carrier": {"name": "Emulated Carrier"},
    }
