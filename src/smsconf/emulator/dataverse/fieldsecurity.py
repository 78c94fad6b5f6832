"""Field security as Dataverse applies it: a secured column is written only by a user whose
field security profile (its own, or a team's) allows it, or by a System Administrator.

The profiles, permissions and links are ordinary rows (`platform/security.py`), so a client
reads and changes them through the Web API as on a real organisation. A write of a secured
column without the permission is refused with 403; the code and text are [inferred]: the
service's error map sends the field-security codes 0x8004F502/F504/F507 to 403 (audit §1 IL),
and which of them a create or an update raises is not documented. A read without the permission
returns null, as Learn says; the emulator returns null to everyone (it never reveals a secret).
The local organisation's identity is a System Administrator from the start, as the admin who
creates an organisation is.
"""

from __future__ import annotations

from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.records import Records
from smsconf.emulator.dataverse.seed import seed_id
from smsconf.emulator.dataverse.store import Row
from smsconf.platform import Table
from smsconf.platform.security import ALLOWED, SYSTEM_ADMINISTRATOR

NO_FIELD_PERMISSION = "0x8004f507"  # [inferred] one of the 403 field-security codes
_SEEDED = "field_security_seeded"


def seed_administrator(records: Records) -> None:
    """Give the organisation's identity the System Administrator role, once per database."""
    store = records.store
    with store.transaction():
        if store.meta(_SEEDED):
            return
        role_id = seed_id("role", SYSTEM_ADMINISTRATOR)
        records.create(records.schema.tables["role"], {"name": SYSTEM_ADMINISTRATOR}, role_id)
        store.link("systemuserroles_association", records.user_id, role_id)
        store.set_meta(_SEEDED, "1")


def _linked(records: Records, relationship: str, row_id: str, *, from_first: bool) -> set[str]:
    ids = records.store.linked(relationship, row_id, from_first=from_first)
    return {i.lower() for i in ids}


def allowed(records: Records, table: str, column: str, right: str) -> bool:
    """May the calling user exercise `right` (`cancreate`, `canupdate`) on the column?"""
    user = records.user_id
    roles = _linked(records, "systemuserroles_association", user, from_first=True)
    if seed_id("role", SYSTEM_ADMINISTRATOR) in roles or any(
        (r := records.store.get("role", i)) and r.get("name") == SYSTEM_ADMINISTRATOR for i in roles
    ):
        return True
    teams = _linked(records, "teammembership_association", user, from_first=True)
    for permission in records.store.find(
        "fieldpermission", {"entityname": table, "attributelogicalname": column}
    ):
        if permission.get(right) != ALLOWED:
            continue
        profile = str(permission.get("fieldsecurityprofileid") or "")
        users = _linked(records, "systemuserprofiles_association", profile, from_first=True)
        profile_teams = _linked(records, "teamprofiles_association", profile, from_first=True)
        if user.lower() in users or teams & profile_teams:
            return True
    return False


def check_write(records: Records, table: Table, changes: Row, *, creating: bool) -> None:
    """Refuse a create or update that sets a secured column the user may not write."""
    right, verb = ("cancreate", "create") if creating else ("canupdate", "update")
    for name in changes:
        column = table.column(name)
        if column is None or not column.secured:
            continue
        if not allowed(records, table.logical_name, name, right):
            raise DataverseError(
                403,
                NO_FIELD_PERMISSION,
                f"The user does not have {verb} permissions for a secured field "
                f"'{name}' of '{table.logical_name}'. The requested operation could not be "
                "completed.",
            )
