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

from smsconf.platform.columns import lookup, memo, options, picklist, string, system_columns
from smsconf.platform.model import Column, ColumnType, ManyToMany, Table

ALLOWED = 4
"""`cancreate` / `canread` / `canupdate`: 4 Allowed, 0 Not Allowed."""
SYSTEM_ADMINISTRATOR = "System Administrator"
"""The security role that bypasses field security (its name, as every organisation has it)."""
_PERMISSION = options((0, "Not Allowed"), (ALLOWED, "Allowed"))


def _table(
    logical_name: str,
    entity_set: str,
    primary_name: str,
    *columns: object,
    ownership: str = "OrganizationOwned",
) -> Table:
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
        ownership=ownership,
    )


FIELD_SECURITY_PROFILE = _table(
    "fieldsecurityprofile",
    "fieldsecurityprofiles",
    "name",
    string("name", 100),
    memo("description", 2000),
)
# The page: no primary name, no owner and no audit columns but the version (OwnershipType None).
FIELD_PERMISSION = Table(
    logical_name="fieldpermission",
    entity_set="fieldpermissions",
    primary_key="fieldpermissionid",
    primary_name="",
    columns=(
        Column("fieldpermissionid", ColumnType.UNIQUEIDENTIFIER),
        Column("versionnumber", ColumnType.BIGINT, server_owned=True),
        Column("entityname", ColumnType.STRING),  # EntityName: a table's logical name
        string("attributelogicalname", 128),
        picklist("cancreate", _PERMISSION, default=0),
        picklist("canread", _PERMISSION, default=0),
        picklist("canupdate", _PERMISSION, default=0),
        # the navigation: no relationship block names it [inferred: the column's name]
        lookup(
            "fieldsecurityprofileid", "fieldsecurityprofile", cascade_delete=True, inferred=True
        ),
    ),
    ownership="None",
)
TEAM = _table("team", "teams", "name", string("name", 160), ownership="BusinessOwned")
ROLE = _table("role", "roles", "name", string("name", 100), ownership="BusinessOwned")

SECURITY_TABLES = (FIELD_SECURITY_PROFILE, FIELD_PERMISSION, TEAM, ROLE)


def _association(table1: str, table2: str, intersect: str, *, inferred: bool = False) -> ManyToMany:
    """A system N:N relationship, named (and so are both its navigations) after its intersect
    table, as all four here are: the name is said once."""
    name = f"{intersect}_association"
    return ManyToMany(name, table1, table2, name, name, intersect, inferred=inferred)


# Both sides of each are on the pages (the systemuser, team and fieldsecurityprofile pages),
# except the role side of users' roles: the role page only points at the systemuser page's block
# [inferred: Dataverse gives both sides the relationship's name; smsconf navigates it from the
# user's side only].
SECURITY_RELATIONSHIPS = (
    _association("fieldsecurityprofile", "systemuser", "systemuserprofiles"),
    _association("fieldsecurityprofile", "team", "teamprofiles"),
    _association("systemuser", "team", "teammembership"),
    _association("systemuser", "role", "systemuserroles", inferred=True),
)
