"""Field (column) security: who may read, create and update a secured column.

The API key goes to `msdyn_occommunicationprovidersetting.msdyn_securesecret`, a secured column
("Configure permissions to access secure columns", Customer Service: add-users-assign-roles).
Access is granted per column by a field security profile's field permission (`cancreate`,
`canread`, `canupdate`: 0 Not Allowed, 4 Allowed), and a profile reaches a user directly
(`systemuserprofiles`) or through a team the user is in (`teamprofiles`); a System
Administrator has every column without a profile (powerapps-docs: field security, the
FieldPermission and FieldSecurityProfile table references, Web API 8.0 fieldpermission).
"""

from __future__ import annotations

from smsconf.platform.columns import lookup, options, picklist, string, system_columns
from smsconf.platform.model import ColumnType, ManyToMany, Table

ALLOWED = 4
"""`cancreate` / `canread` / `canupdate`: 4 Allowed, 0 Not Allowed."""
SYSTEM_ADMINISTRATOR = "System Administrator"
"""The security role that bypasses field security (its name, as every organisation has it)."""
_PERMISSION = options((0, "Not Allowed"), (ALLOWED, "Allowed"))


def _table(logical_name: str, entity_set: str, primary_name: str, *columns: object) -> Table:
    primary_key = f"{logical_name}id"
    return Table(
        logical_name=logical_name,
        entity_set=entity_set,
        primary_key=primary_key,
        primary_name=primary_name,
        columns=(
            *(
                c
                for c in system_columns(primary_key, "OrganizationOwned")
                if c.type is not ColumnType.PICKLIST
            ),
            *columns,  # type: ignore[arg-type]
        ),
        ownership="OrganizationOwned",
    )


FIELD_SECURITY_PROFILE = _table(
    "fieldsecurityprofile",
    "fieldsecurityprofiles",
    "name",
    string("name", 256),
    string("description", 2000),
)
FIELD_PERMISSION = _table(
    "fieldpermission",
    "fieldpermissions",
    "attributelogicalname",
    string("entityname", 128),
    string("attributelogicalname", 128),
    picklist("cancreate", _PERMISSION, default=0),
    picklist("canread", _PERMISSION, default=0),
    picklist("canupdate", _PERMISSION, default=0),
    lookup("fieldsecurityprofileid", "fieldsecurityprofile", cascade_delete=True),
)
TEAM = _table("team", "teams", "name", string("name", 160))
ROLE = _table("role", "roles", "name", string("name", 100))

SECURITY_TABLES = (FIELD_SECURITY_PROFILE, FIELD_PERMISSION, TEAM, ROLE)
SECURITY_RELATIONSHIPS = tuple(
    ManyToMany(name, table1, table2, name, name, intersect)
    for name, table1, table2, intersect in (
        (
            "systemuserprofiles_association",
            "fieldsecurityprofile",
            "systemuser",
            "systemuserprofiles",
        ),
        ("teamprofiles_association", "fieldsecurityprofile", "team", "teamprofiles"),
        ("teammembership_association", "systemuser", "team", "teammembership"),
        ("systemuserroles_association", "systemuser", "role", "systemuserroles"),
    )
)
