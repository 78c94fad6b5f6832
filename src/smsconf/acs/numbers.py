"""A configured ACS number against what the resource says of it (providers.md §2.2 (c), §4.3).

`GET /phoneNumbers/{+E.164}` gives the number's type, country and SMS capability. Dynamics 365
needs the number to send (`outbound`: the admin center's "Send SMS") and, for conversations,
to receive (`inbound+outbound`: "Send and receive SMS"); a number that only sends is a channel
whose customers' replies never arrive. The type and country are held to the admin center's
table of supported destinations (D-ACS), which decides what Dynamics 365 supports, not what
ACS sells. Short codes are not in the Phone Numbers API: the preview ShortCodes API lists them
(§4.4), which says whether the resource has one, not its SMS direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["ok", "warning", "error"]

# Configure an SMS channel for ACS (D-ACS), supported destinations: country → number types.
SUPPORTED: dict[str, frozenset[str]] = {
    "US": frozenset({"toll_free", "short_code"}),
    "CA": frozenset({"toll_free", "short_code"}),
    "PR": frozenset({"toll_free"}),
    "GB": frozenset({"short_code", "mobile"}),
    **{c: frozenset({"mobile"}) for c in ("AU", "IE", "FI", "DK", "NL", "SE", "PL", "BE", "LV")},
}
ACS_TYPES = {"tollFree": "toll_free", "mobile": "mobile", "geographic": "geographic"}
"""`phoneNumberType` (§4.3) in the configuration's words."""
NO_REPLIES = (
    "its SMS capability is outbound only (the admin center's Send SMS): customers' replies "
    "will never arrive; upgrade its SMS plan to Send and receive SMS (admin center: Phone "
    "numbers, Edit) before it serves a workstream: plans cannot change once it does"
)


LIST_FROM = 20
"""Configured phone numbers of one resource from which its purchased numbers are listed
(`GET /phoneNumbers`, 100 a page) instead of read one by one (`GET /phoneNumbers/{+E.164}`):
the listing's items are the same objects a read returns (§4.3)."""


def by_number(listed: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """A listing of purchased numbers by `phoneNumber` (E.164), as a read would find them."""
    return {str(item.get("phoneNumber")): item for item in listed if item.get("phoneNumber")}


@dataclass(frozen=True)
class NumberCheck:
    number: str
    verdict: str
    """consistent, outbound_only, not_in_resource, no_sms or inbound_only."""
    level: Level
    detail: str
    warnings: tuple[str, ...] = ()
    """Type or country outside the supported destinations, a type other than the YAML's."""
    advice: str = ""
    """What a warning means and what to do (the detail says it in a few words)."""


def judge(number: str, kind: str, found: Mapping[str, Any] | None) -> NumberCheck:
    """The verdict on configured `number` of type `kind` from the resource's answer (None: the
    resource has no such number)."""
    if kind == "short_code":
        return _short_code(number, found)
    if found is None:
        return NumberCheck(
            number,
            "not_in_resource",
            "error",
            "the ACS resource has no such number: buy it in the admin center (Channels > "
            "Phone numbers > Add ACS number) or in Azure, or fix the number",
        )
    capabilities = found.get("capabilities")
    sms = str(capabilities.get("sms", "none")) if isinstance(capabilities, Mapping) else "none"
    warnings = _destination(kind, found)
    if sms == "inbound+outbound":
        return NumberCheck(number, "consistent", "ok", "SMS inbound+outbound", warnings)
    if sms == "outbound":
        return NumberCheck(
            number, "outbound_only", "warning", "SMS outbound only", warnings, NO_REPLIES
        )
    verdict = "inbound_only" if sms == "inbound" else "no_sms"
    return NumberCheck(
        number,
        verdict,
        "error",
        f"its SMS capability is {sms}: Dynamics 365 cannot send from it; give it Send and "
        "receive SMS (admin center: Phone numbers, Edit)",
        warnings,
    )


def _short_code(number: str, found: Mapping[str, Any] | None) -> NumberCheck:
    """A short code as the (preview) ShortCodes API lists it: there, or not. Its SMS
    direction is not in the listing."""
    if found is None:
        return NumberCheck(
            number,
            "not_in_resource",
            "error",
            "the ACS resource has no such short code (GET /shortCodes): apply for it in the "
            "Azure portal, then run Sync from Azure in the admin center",
        )
    country = str(found.get("countryCode") or "").upper()
    allowed = SUPPORTED.get(country, frozenset())
    warnings = (
        ()
        if "short_code" in allowed
        else (
            f"Dynamics 365 does not list short codes in {country or 'its country'} among the "
            "supported destinations for SMS through ACS",
        )
    )
    return NumberCheck(number, "consistent", "ok", "short code of the resource", warnings)


def _destination(kind: str, found: Mapping[str, Any]) -> tuple[str, ...]:
    warnings = []
    acs_type = ACS_TYPES.get(str(found.get("phoneNumberType")), str(found.get("phoneNumberType")))
    if acs_type != kind:
        warnings.append(
            f"ACS says it is a {acs_type.replace('_', '-')} number, the configuration "
            f"{kind.replace('_', '-')}"
        )
    country = str(found.get("countryCode") or "").upper()
    allowed = SUPPORTED.get(country)
    if allowed is None:
        warnings.append(
            f"Dynamics 365 does not list {country or 'its country'} among the supported "
            "destinations for SMS through ACS"
        )
    elif acs_type not in allowed:
        kinds = ", ".join(sorted(k.replace("_", "-") for k in allowed))
        warnings.append(
            f"in {country}, Dynamics 365 supports SMS through ACS on {kinds} numbers only, "
            f"not {acs_type.replace('_', '-')}"
        )
    return tuple(warnings)
