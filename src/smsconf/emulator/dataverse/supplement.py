"""Facts an organisation has that Microsoft's table pages do not carry, each with its source.

The generated entity reference lists columns, types, lengths, options and relationships, but not
which columns are secured, which alternate keys a solution defines, nor a choice value seen only
on a live organisation. The emulator's schema (`schema.py`) takes those from here and only from
here, so the list of what is not the pages' word is this file.
"""

from __future__ import annotations

from smsconf.platform.model import AlternateKey

SECURED: frozenset[tuple[str, str]] = frozenset(
    {
        # "Configure permissions to access secure columns" (Customer Service,
        # add-users-assign-roles; audit §3): the provider secret.
        ("msdyn_occommunicationprovidersetting", "msdyn_securesecret"),
        # The legacy Telesign key columns: "secure" by name and by the reference (§1) [inferred].
        ("msdyn_liveworkstream", "msdyn_secureapikey"),
        ("msdyn_ocsmssettingsecret", "msdyn_secureapikey"),
    }
)
"""(table, column) pairs under field security: they read back null without a profile."""


OPTIONS: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {
    # Seen on a live organisation, on no page: a Boolean context variable (audit §3, the
    # context-variable row: "C VRT shows 192350002 Boolean live").
    ("msdyn_ocliveworkstreamcontextvariable", "msdyn_datatype"): ((192350002, "Boolean"),),
}
"""Choice values organisations have beyond the ones the pages list, per (table, column)."""


def _uniquename(table: str) -> tuple[AlternateKey, ...]:
    return (AlternateKey(f"{table}_uniquename", ("msdyn_uniquename",), inferred=True),)


KEYS: dict[str, tuple[AlternateKey, ...]] = {
    # A `msdyn_uniquename` key, which solution import matches rows by (the session template's
    # is seen in exported solutions, reference §3; the others are inferred from it).
    name: _uniquename(name)
    for name in (
        "msdyn_routingconfiguration",
        "msdyn_routingconfigurationstep",
        "msdyn_decisionruleset",
        "msdyn_decisioncontract",
        "msdyn_capacityprofile",
        "msdyn_sessiontemplate",
        "msdyn_notificationtemplate",
    )
}
"""Alternate keys per table: rows addressable as `/<set>(msdyn_uniquename='x')`."""

STANDARD_COLUMNS = frozenset(
    {
        "createdon",
        "modifiedon",
        "createdby",
        "modifiedby",
        "createdonbehalfby",
        "modifiedonbehalfby",
        "versionnumber",
        "ownerid",
        "owningbusinessunit",
        "owninguser",
        "owningteam",
        "statecode",
        "statuscode",
        "importsequencenumber",
        "overriddencreatedon",
        "timezoneruleversionnumber",
        "utcconversiontimezonecode",
        "organizationid",
    }
)
"""Columns every table has in the same words (SOURCES.md: the standard system-column blocks):
a page that lists one without its block takes another page's. For state and status that means
another table's options, Active/Inactive and their default reasons [inferred]."""


def derive(table: str, row: dict[str, object]) -> None:
    """Columns the platform computes on every write: a user's `fullname` (read-only on the
    systemuser page) from its first and last names, first name first [inferred: the order
    follows the organisation's full-name convention; with one of the two empty, as for
    application users, every convention gives the same name]."""
    if table == "systemuser" and ("firstname" in row or "lastname" in row):
        parts = [row.get("firstname"), row.get("lastname")]
        row["fullname"] = " ".join(str(p) for p in parts if p) or None
