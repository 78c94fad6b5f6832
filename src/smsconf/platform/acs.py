"""What smsconf assumes of the organisation's ACS connection and numbers without a source that
says so (providers.md §2.3, §2.4, §4.1, §4.3, §10): each is on the verify list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smsconf.platform.vocabulary import PROVIDER

SETTING = "msdyn_occommunicationprovidersetting"
NUMBER = "msdyn_ocphonenumber"

INFERRED = (
    "an ACS number's msdyn_ocphonenumber.msdyn_phonenumber is E.164 with its + (purchase and "
    "Sync from Azure write it so; one third-party row seen), and a short code's is its digits",
    "an organisation holds one ACS provider setting (msdyn_occommunicationprovider 192350000), "
    "and the ACS numbers' rows link to it",
    "the admin center's Send SMS is ACS capability outbound and Send and receive SMS is "
    "inbound+outbound; msdyn_ocphonenumber.msdyn_smsinboundenabled mirrors the plan",
    "an ACS resource's endpoint host begins with its resource name "
    "(<name>.communication.azure.com, or a regional <name>.<geo>.communication.azure.com)",
    "Manage Azure Communication Services (Channels > Phone numbers > Advanced) takes new Event "
    "grid app id and tenant id values, as it takes a new connection string",
    "the ACS provider setting's msdyn_name is the resource name (export writes it as "
    "resource_name)",
    "the ACS key check GET /phoneNumbers?top=1 answers 401 for a wrong access key or another "
    "resource's endpoint, 200 for the resource's key (the status mapping was seen with the SDK)",
    "an ACS resource id's subscription segment is a GUID (the rules refuse anything else)",
    "an SMS channel on an ACS number carries msdyn_enablefileattachmentforcustomers/agents false "
    "(the admin center's ACS wizard has no user-features page)",
)


def _id(value: Any) -> str:
    return str(value or "").strip("{}").lower()


def admin_center_owned(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], table: str, row: Mapping[str, Any]
) -> str | None:
    """Why smsconf must never delete `row`, the organisation's ACS connection or one of its
    numbers (None: it may): the admin center's connect flow, purchase and Sync from Azure
    made them, and disconnecting releases every number of the resource (D-DISC)."""
    acs = {
        _id(s.get("msdyn_occommunicationprovidersettingid"))
        for s in rows.get(SETTING, ())
        if s.get("msdyn_occommunicationprovider") == PROVIDER["acs"]
    }
    if table == SETTING and _id(row.get("msdyn_occommunicationprovidersettingid")) in acs:
        return (
            "it is the organisation's ACS connection, which only the admin center connects and "
            "disconnects (disconnecting releases every number)"
        )
    if table == NUMBER and _id(row.get("_msdyn_occommunicationprovidersettingid_value")) in acs:
        return "it is an ACS number, which only the admin center releases (Phone numbers)"
    return None
