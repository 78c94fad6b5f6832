"""Field security on the API key's column: plan names a missing permission before apply.

The local organisation's identity starts as a System Administrator (who needs no profile).
Each test takes that role away through the Web API, as an admin would, and grants the column
back through a field security profile, directly or through a team.
"""

from __future__ import annotations

import pytest
from tools.testkit.workspace import Workspace, ws

from smsconf.dataverse import DataverseClient
from smsconf.dataverse.errors import Forbidden
from smsconf.emulator.dataverse import seed_id
from smsconf.exitcodes import ExitCode
from smsconf.platform.security import ALLOWED

__all__ = ["ws"]  # fixture, used by name

USER = seed_id("systemuser", "application")
ADMIN_ROLE = seed_id("role", "System Administrator")
PROFILE = "11111111-2222-3333-4444-555555555555"
TEAM = "66666666-7777-8888-9999-000000000000"


async def demote(dv: DataverseClient) -> None:
    await dv.disassociate("systemusers", USER, "systemuserroles_association", "roles", ADMIN_ROLE)


async def profile_allowing(dv: DataverseClient, rights: dict[str, int]) -> None:
    await dv.create("fieldsecurityprofiles", {"name": "SMS secrets"}, id=PROFILE)
    await dv.create(
        "fieldpermissions",
        {
            "entityname": "msdyn_occommunicationprovidersetting",
            "attributelogicalname": "msdyn_securesecret",
            "fieldsecurityprofileid@odata.bind": f"/fieldsecurityprofiles({PROFILE})",
            **rights,
        },
    )


def test_a_user_without_the_permission_is_told_which_profile_to_join(ws: Workspace) -> None:
    assert ws.plan().exit_code in (ExitCode.OK, ExitCode.CHANGES)  # the org exists

    async def setup(dv: DataverseClient) -> None:
        await demote(dv)
        await profile_allowing(dv, {"cancreate": ALLOWED, "canupdate": ALLOWED})

    ws.web(setup)
    result = ws.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert (
        f"account 'contoso-telesign': the identity smsconf runs as (user {USER}) may not create "
        "the secured column msdyn_occommunicationprovidersetting.msdyn_securesecret"
    ) in result.output
    assert "(at accounts[0].api_key)" in result.output
    assert (
        "hint: add it (or a team it is in) to field security profile SMS secrets" in result.output
    )
    # (the local org's ACS provider setting is the admin center's, there from the start)
    assert not ws.rows(
        "msdyn_occommunicationprovidersetting", msdyn_occommunicationprovider=192350002
    )


@pytest.mark.parametrize("through", ["user", "team"])
def test_a_profile_reaching_the_user_lets_the_plan_apply(ws: Workspace, through: str) -> None:
    assert ws.plan().exit_code in (ExitCode.OK, ExitCode.CHANGES)

    async def setup(dv: DataverseClient) -> None:
        await demote(dv)
        await profile_allowing(dv, {"cancreate": ALLOWED, "canupdate": ALLOWED})
        if through == "user":
            await dv.associate(
                "fieldsecurityprofiles",
                PROFILE,
                "systemuserprofiles_association",
                "systemusers",
                USER,
            )
        else:
            await dv.create("teams", {"name": "SMS admins"}, id=TEAM)
            await dv.associate("systemusers", USER, "teammembership_association", "teams", TEAM)
            await dv.associate(
                "fieldsecurityprofiles", PROFILE, "teamprofiles_association", "teams", TEAM
            )

    ws.web(setup)
    assert ws.apply().exit_code == ExitCode.OK
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


def test_a_profile_without_create_gives_no_permission(ws: Workspace) -> None:
    assert ws.plan().exit_code in (ExitCode.OK, ExitCode.CHANGES)

    async def setup(dv: DataverseClient) -> None:
        await demote(dv)
        await profile_allowing(dv, {"canupdate": ALLOWED})
        await dv.associate(
            "fieldsecurityprofiles", PROFILE, "systemuserprofiles_association", "systemusers", USER
        )

    ws.web(setup)
    result = ws.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert "create a field security profile whose field permission on" in result.output


def test_the_emulator_refuses_a_secured_write_without_the_permission(ws: Workspace) -> None:
    assert ws.plan().exit_code in (ExitCode.OK, ExitCode.CHANGES)

    async def write_secret(dv: DataverseClient) -> None:
        await demote(dv)
        await dv.create(
            "msdyn_occommunicationprovidersettings",
            {"msdyn_name": "x", "msdyn_securesecret": "key"},
        )

    with pytest.raises(Forbidden, match="does not have create permissions for a secured field"):
        ws.web(write_secret)
