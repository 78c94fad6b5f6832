"""May the identity smsconf runs as write the secured columns the plan writes?

A secured column (the API key's `msdyn_securesecret`) is written only by a System Administrator
or by a user that a field security profile allows, directly or through a team
(`platform/security.py`). Without it the write fails mid-apply; the seed page starts with
"verify that you have permissions on the secure columns". So the live read also fetches, in the
same `$batch` request, the calling user's profiles, teams and roles, the field permissions of
the secured columns smsconf writes, and the teams of every profile; the plan then names any
missing right at the account that needs it, and the profiles that would grant it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from smsconf.config.problems import Problem
from smsconf.dataverse import odata
from smsconf.dataverse.client import Query, Row
from smsconf.mapping.rows import DesiredRow
from smsconf.platform.security import ALLOWED, SYSTEM_ADMINISTRATOR
from smsconf.reconcile.plan import Change

SECURED = {"msdyn_occommunicationprovidersetting": ("msdyn_securesecret",)}
"""The secured columns smsconf writes, per table."""
_RIGHT = {"create": "cancreate", "update": "canupdate"}


def access_queries(user_id: str) -> list[Query]:
    """The calling user (profiles, teams, roles), the permissions, the profiles' teams."""
    fresh = "null"  # collection-valued $expand: ask for an uncached answer
    user = Query(
        "systemusers",
        select=["systemuserid"],
        filter=odata.eq("systemuserid", odata.guid(user_id)),
        expand=[
            "systemuserprofiles_association($select=fieldsecurityprofileid)",
            "teammembership_association($select=teamid)",
            "systemuserroles_association($select=name)",
        ],
        if_none_match=fresh,
    )
    wanted = [
        odata.all_of(odata.eq("entityname", t), odata.eq("attributelogicalname", c))
        for t, columns in SECURED.items()
        for c in columns
    ]
    permissions = Query(
        "fieldpermissions",
        select=[
            "entityname",
            "attributelogicalname",
            "cancreate",
            "canupdate",
            "_fieldsecurityprofileid_value",
        ],
        filter=odata.any_of(*wanted),
    )
    profiles = Query(
        "fieldsecurityprofiles",
        select=["name"],
        expand=["teamprofiles_association($select=teamid)"],
        if_none_match=fresh,
    )
    return [user, permissions, profiles]


@dataclass(frozen=True)
class FieldAccess:
    """What the calling user may write, from the rows `access_queries` read."""

    user_id: str
    administrator: bool
    profiles: frozenset[str]
    """Ids of the profiles that reach the user, directly or through a team."""
    permissions: tuple[Row, ...]
    names: dict[str, str]
    """Profile id → name."""

    @classmethod
    def of(cls, user_id: str, results: Sequence[list[Row]]) -> FieldAccess:
        users, permissions, profiles = results
        user = users[0] if users else {}
        mine = {
            _id(p, "fieldsecurityprofileid")
            for p in user.get("systemuserprofiles_association") or []
        }
        teams = {_id(t, "teamid") for t in user.get("teammembership_association") or []}
        for profile in profiles:
            if teams & {_id(t, "teamid") for t in profile.get("teamprofiles_association") or []}:
                mine.add(_id(profile, "fieldsecurityprofileid"))
        roles = {r.get("name") for r in user.get("systemuserroles_association") or []}
        names = {_id(p, "fieldsecurityprofileid"): str(p.get("name")) for p in profiles}
        return cls(
            user_id, SYSTEM_ADMINISTRATOR in roles, frozenset(mine), tuple(permissions), names
        )

    def granting(self, table: str, column: str, right: str) -> list[str]:
        """Ids of the profiles whose permission allows `right` on the column."""
        return [
            str(p.get("_fieldsecurityprofileid_value") or "").lower()
            for p in self.permissions
            if p.get("entityname") == table
            and p.get("attributelogicalname") == column
            and p.get(right) == ALLOWED
        ]

    def may(self, table: str, column: str, right: str) -> bool:
        return self.administrator or bool(self.profiles & set(self.granting(table, column, right)))

    def problems(self, changes: Iterable[Change], rows: Iterable[DesiredRow]) -> list[Problem]:
        """One located problem per planned secured write the user may not make."""
        source = {(r.table, r.id): r.source for r in rows}
        found = []
        for change in changes:
            right = _RIGHT.get(change.action)
            for column in change.secret_columns if right else ():
                if self.may(change.table, column, right or ""):
                    continue
                grant = sorted(
                    self.names.get(p, p) for p in self.granting(change.table, column, right or "")
                )
                offer = (
                    f"add it (or a team it is in) to field security profile {', '.join(grant)}"
                    if grant
                    else "create a field security profile whose field permission on "
                    f"{change.table}.{column} allows create and update, and add it (or a team "
                    "it is in) to that profile"
                )
                found.append(
                    Problem(
                        f"{change.label}: the identity smsconf runs as (user {self.user_id}) may "
                        f"not {change.action} the secured column {change.table}.{column}, where "
                        "the API key is written",
                        (*source.get((change.table, change.id), ()), "api_key"),
                        hint=f"{offer}; or give it the {SYSTEM_ADMINISTRATOR} role",
                    )
                )
        return found


def _id(row: Row, column: str) -> str:
    return str(row.get(column) or "").lower()
