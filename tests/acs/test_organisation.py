"""The organisation side of an ACS account, from rows (reconcile.acs.organisation_side): one
ACS connection with its Event Grid app entries and a row per number, else a person's step;
and `removed:` never deleting the connection or its numbers."""

from __future__ import annotations

from typing import Any

from tools.testkit.workspace import Workspace, ws

from smsconf.config.model import Config
from smsconf.exitcodes import ExitCode
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.acs import SYNC, organisation_side

__all__ = ["ws"]  # the fixture, used by name

SETTING = "00000000-0000-4000-8000-0000000000a1"
OTHER = "00000000-0000-4000-8000-0000000000b2"
CONFIG = Config.model_validate(
    {
        "accounts": [
            {
                "name": "Contoso ACS",
                "provider": "acs",
                "resource_name": "contoso-acs",
                "resource_id": "/subscriptions/00000000-0000-4000-8000-000000000001/"
                "resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/"
                "contoso-acs",
                "connection_string": "${env:ACS}",
                "numbers": [
                    {"number": "+18005550100", "type": "toll_free"},
                    {"number": "+18005550101", "type": "toll_free"},
                ],
            }
        ],
        "workstreams": [{"name": "Orders", "sms": {"number": "+18005550101"}}],
    }
)


def setting(row_id: str = SETTING, provider: str = "acs") -> dict[str, Any]:
    return {
        "msdyn_occommunicationprovidersettingid": row_id,
        "msdyn_name": f"setting {row_id[-2:]}",
        "msdyn_occommunicationprovider": vocab.PROVIDER[provider],
    }


def entry(key: str, value: str = "0f0f0f0f-0000-4000-8000-000000000001") -> dict[str, Any]:
    return {
        "msdyn_key": key,
        "msdyn_value": value,
        "_msdyn_communicationprovidersettingentid_value": SETTING,
    }


def number(phone: str, owner: str = SETTING, inbound: bool = True) -> dict[str, Any]:
    return {
        "msdyn_phonenumber": phone,
        "_msdyn_occommunicationprovidersettingid_value": owner,
        "msdyn_smsinboundenabled": inbound,
    }


def notes(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, str]]:
    found = organisation_side(CONFIG, rows, lambda path: None)
    return [(n.level, n.subject, n.text) for n in found.notes if n.level != "fact"]


ENTRIES = [entry("EventGridAppID"), entry("EventGripAppTenantID")]


def test_a_connected_organisation_with_both_numbers_has_nothing_to_say() -> None:
    rows = {
        "msdyn_occommunicationprovidersetting": [setting()],
        "msdyn_occommunicationprovidersettingentry": ENTRIES,
        "msdyn_ocphonenumber": [number("+18005550100"), number("+18005550101")],
    }
    assert notes(rows) == []
    assert organisation_side(CONFIG, rows, lambda path: None).absent == set()


def test_no_connection_is_the_connect_step_and_every_number_waits() -> None:
    found = notes({"msdyn_occommunicationprovidersetting": [setting(OTHER, "twilio")]})
    assert found[0][:2] == ("todo", "the organisation's ACS connection")
    assert "Channels > Phone numbers > Manage > Use existing resource" in found[0][2]
    waiting = [n for n in found if n[1].startswith("number +18005550101")]
    assert waiting == [
        (
            "todo",
            "number +18005550101 of 'Contoso ACS'",
            f"not in the organisation: {SYNC}; the SMS channel of workstream 'Orders' is "
            "planned once the number is there",
        )
    ]


def test_two_acs_settings_are_a_warning() -> None:
    rows = {
        "msdyn_occommunicationprovidersetting": [setting(), setting(OTHER)],
        "msdyn_ocphonenumber": [number("+18005550100"), number("+18005550101", OTHER)],
    }
    (only,) = notes(rows)
    assert only[0] == "warning" and "2 ACS provider settings" in only[2]


def test_missing_event_grid_entries_are_named() -> None:
    rows = {
        "msdyn_occommunicationprovidersetting": [setting()],
        "msdyn_occommunicationprovidersettingentry": [entry("EventGridAppID")],
        "msdyn_ocphonenumber": [number("+18005550100"), number("+18005550101")],
    }
    (only,) = notes(rows)
    assert only[0] == "todo"
    assert "Event grid app tenant id are not set" in only[2]
    assert "Event grid app id and" not in only[2]


def test_a_number_under_another_provider_setting_is_not_the_acs_one() -> None:
    rows = {
        "msdyn_occommunicationprovidersetting": [setting(), setting(OTHER, "twilio")],
        "msdyn_occommunicationprovidersettingentry": ENTRIES,
        "msdyn_ocphonenumber": [number("+18005550100"), number("+18005550101", OTHER)],
    }
    (only,) = notes(rows)
    assert "under another provider setting" in only[2] and SYNC in only[2]
    assert organisation_side(CONFIG, rows, lambda path: None).absent == {"+18005550101"}


def test_a_send_only_row_under_a_channel_is_warned() -> None:
    rows = {
        "msdyn_occommunicationprovidersetting": [setting()],
        "msdyn_occommunicationprovidersettingentry": ENTRIES,
        "msdyn_ocphonenumber": [number("+18005550100"), number("+18005550101", inbound=False)],
    }
    (only,) = notes(rows)
    assert only[0] == "warning" and "replies will never reach" in only[2]


def test_removed_never_deletes_the_acs_connection_or_its_numbers(ws: Workspace) -> None:
    """Even said `managed: true` (adopted): the local organisation holds the admin center's
    ACS connection and its synced numbers."""
    for kind, name in (("account", "contoso-acs"), ("number", "+18005550101")):
        removed = f"removed:\n  - kind: {kind}\n    name: '{name}'\n    managed: true\n"
        ws.config.write_text(removed, encoding="utf-8")
        planned = ws.plan()
        assert planned.exit_code == ExitCode.INVALID_CONFIG, planned.output
        assert "smsconf never deletes it" in planned.output, planned.output
        assert "only the admin center" in planned.output
    settings = ws.rows(
        "msdyn_occommunicationprovidersetting",
        msdyn_occommunicationprovider=vocab.PROVIDER["acs"],
    )
    assert len(settings) == 1
