"""Natural keys of live rows, computed the same way the mapping builds desired keys.

Rows are matched by what they mean (an account's name, a number, the workstream a channel is
on), never by position or GUID, so objects created in the admin center are adopted and renamed
rows are seen as remove + add. A `Parent` part expands to the key of the row a lookup points at.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from smsconf.mapping.routing_xml import GUID


@dataclass(frozen=True)
class Parent:
    column: str  # read name of the lookup, or a text column holding an id
    table: str


KeyPart = str | Parent

# In dependency order: a table's parents come before it.
KEYS: dict[str, tuple[KeyPart, ...]] = {
    "msdyn_occommunicationprovidersetting": ("msdyn_name",),
    "msdyn_occommunicationprovidersettingentry": (
        Parent(
            "_msdyn_communicationprovidersettingentid_value", "msdyn_occommunicationprovidersetting"
        ),
        "msdyn_key",
    ),
    "msdyn_ocphonenumber": ("msdyn_phonenumber",),
    "msdyn_operatinghour": ("msdyn_name",),
    "queue": ("name",),
    "msdyn_capacityprofile": ("msdyn_name",),
    "msdyn_cannedmessage": ("msdyn_title",),
    "msdyn_decisioncontract": ("msdyn_uniquename",),
    "msdyn_liveworkstream": ("msdyn_name",),
    "msdyn_liveworkstreamcapacityprofile": (
        Parent("_msdyn_workstream_id_value", "msdyn_liveworkstream"),
        Parent("_msdyn_capacityprofile_id_value", "msdyn_capacityprofile"),
    ),
    "msdyn_ocsmschannelsetting": (Parent("_msdyn_liveworkstreamid_value", "msdyn_liveworkstream"),),
    "msdyn_ocsystemmessage": (
        Parent("msdyn_instanceid", "msdyn_ocsmschannelsetting"),
        "msdyn_systemmessageeventtype",
    ),
    "msdyn_oclocalizationdata": (
        Parent("_msdyn_systemmessageid_value", "msdyn_ocsystemmessage"),
        "msdyn_languagecode",
    ),
    "msdyn_ocliveworkstreamcontextvariable": (
        Parent("_msdyn_liveworkstreamid_value", "msdyn_liveworkstream"),
        "msdyn_name",
    ),
    "msdyn_routingconfiguration": (
        Parent("_msdyn_liveworkstreamid_value", "msdyn_liveworkstream"),
    ),
    "msdyn_decisionruleset": ("msdyn_uniquename",),
    "msdyn_routingconfigurationstep": ("msdyn_uniquename",),
}


def guid_of(value: object) -> str | None:
    """A GUID as ids are compared: lower case, no braces (text columns may hold either)."""
    return _guid_in(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=1 << 16)
def _guid_in(text: str) -> str | None:
    """Remembered: a plan of 1,000 workstreams asks ~70,000 times about ~9,000 distinct ids
    (the parents and targets many rows point at, asked again by the index, the diff and the
    deletion checks)."""
    match = GUID.search(text)
    return match[1].lower() if match else None
