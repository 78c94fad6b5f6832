"""A Twilio-backed workstream through the CLI, against the local organisation and its
in-process Twilio emulator (the demo account of `emulator/twilio/state.py`).

Each test runs in its own directory (the `ws` workspace, its example replaced by the Twilio
configuration below); what apply did is looked at through the two services' HTTP APIs: the
Dataverse rows with a second Web API client, the number's webhook with a Basic-auth GET of the
Twilio emulator, never through the reconciler's view of them.
"""

from __future__ import annotations

import asyncio

import httpx
from tests.twilio.local import (
    CONFIG,
    NUMBER,
    TOKEN_VAR,
    plan_json,
    twilio_number,
    twilio_workspace,
)
from tools.testkit.workspace import Workspace, ws

from smsconf.connect import local_twilio
from smsconf.emulator.dataverse import create_app
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
from smsconf.exitcodes import ExitCode
from smsconf.platform import vocabulary as vocab
from smsconf.target import LOCAL_DB, LOCAL_URL, state_dir

__all__ = ["ws"]  # the fixture, used by name

NOT_OWNED = "14255550177"
HANDSET = "+14255550123"
ROTATED = "rotated-demo-auth-token"


def test_twilio_workstream_applied_from_empty_and_replanned_to_zero(ws: Workspace) -> None:
    twilio_workspace(ws)
    plan = plan_json(ws)
    org = plan["org_id"]
    expected = f"http://local.smsconf/twilio/incoming?orgId={org}"
    (inbound,) = [c for c in plan["resource_changes"] if c["kind"] == "twilio_inbound_url"]
    assert inbound["change"]["actions"] == ["update"]
    assert inbound["change"]["after"]["SmsUrl"] == expected
    assert twilio_number("+" + NUMBER)["sms_url"] == ""

    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert DEMO_AUTH_TOKEN not in applied.output

    (account,) = ws.rows("msdyn_occommunicationprovidersetting", msdyn_name="contoso-twilio")
    assert account["msdyn_occommunicationprovider"] == vocab.PROVIDER["twilio"]
    assert account["msdyn_accountsid"] == DEMO_ACCOUNT_SID
    (number,) = ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER)
    assert (
        number["_msdyn_occommunicationprovidersettingid_value"]
        == account["msdyn_occommunicationprovidersettingid"]
    )
    (channel,) = ws.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS via Twilio")
    assert channel["_msdyn_phonenumberid_value"] == number["msdyn_ocphonenumberid"]
    webhook = twilio_number("+" + NUMBER)
    assert (webhook["sms_url"], webhook["sms_method"]) == (expected, "POST")

    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes" in again.output
    (checked,) = plan_json(ws)["provider_numbers"]
    assert (checked["layer"], checked["url_in_effect"], checked["right"]) == (
        "number",
        expected,
        True,
    )


def handset_texts(ws: Workspace, text: str, rotate_to: str | None = None) -> tuple[int | None, int]:
    """A handset texts the number through the local Twilio, which posts the signed webhook to
    the local org (after rotating the account's Auth Token in Twilio, console-style, when
    `rotate_to`); returns the webhook's HTTP status and how many messages the org holds."""
    org = create_app(ws.home / LOCAL_DB, base_url=LOCAL_URL)

    async def text_it() -> int | None:
        url, transport = local_twilio(httpx.ASGITransport(app=org), home=state_dir())
        async with httpx.AsyncClient(transport=transport, base_url=url) as http:
            if rotate_to is not None:
                patched = await http.patch(
                    f"/_emulator/accounts/{DEMO_ACCOUNT_SID}", json={"auth_token": rotate_to}
                )
                patched.raise_for_status()
            sent = await http.post(
                "/_emulator/inbound", json={"to": "+" + NUMBER, "from": HANDSET, "body": text}
            )
        sent.raise_for_status()
        return sent.json().get("status")

    try:
        return asyncio.run(text_it()), len(org.inbound_messages())
    finally:
        org.close()


def test_inbound_sms_reaches_the_org_and_a_rotated_token_is_carried_over(
    ws: Workspace,
) -> None:
    """The loop smsconf owns for Twilio: the number's webhook points at the org, which checks
    X-Twilio-Signature with the stored Auth Token. A token rotated in Twilio alone breaks
    inbound SMS (403) until the configuration's new token is applied to the organisation."""
    twilio_workspace(ws)
    assert ws.plan().exit_code == ExitCode.OK
    assert handset_texts(ws, "before apply") == (None, 0)  # no SmsUrl: nowhere to post
    assert ws.apply().exit_code == ExitCode.OK
    assert handset_texts(ws, "hello") == (200, 1)

    assert handset_texts(ws, "after rotation", rotate_to=ROTATED) == (403, 1)
    rotated = {TOKEN_VAR: ROTATED}
    planned = ws.plan(env=rotated)
    assert planned.exit_code == ExitCode.OK, planned.output
    assert "update account 'contoso-twilio'" in planned.output and ROTATED not in planned.output
    assert ws.apply(env=rotated).exit_code == ExitCode.OK
    assert handset_texts(ws, "after apply") == (200, 2)
    assert ws.plan("--detailed-exitcode", env=rotated).exit_code == ExitCode.OK


def test_bad_auth_token_fails_the_credential_check_with_exit_4(ws: Workspace) -> None:
    twilio_workspace(ws)
    wrong = {TOKEN_VAR: "not-the-demo-auth-token"}
    planned = ws.plan(env=wrong)
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    assert "invalid_credentials" in planned.output and "20003" in planned.output
    assert "not-the-demo-auth-token" not in planned.output
    applied = ws.apply(env=wrong)
    assert applied.exit_code == ExitCode.CREDENTIALS, applied.output
    assert ws.rows("msdyn_occommunicationprovidersetting", msdyn_name="contoso-twilio") == []
    assert twilio_number("+" + NUMBER)["sms_url"] == ""


def test_number_not_on_the_twilio_account_is_reported(ws: Workspace) -> None:
    twilio_workspace(ws)
    ws.config.write_text(CONFIG.replace(NUMBER, NOT_OWNED), encoding="utf-8")
    plan = plan_json(ws)
    (check,) = plan["number_checks"]
    assert (check["number"], check["verdict"]) == (NOT_OWNED, "not_in_account")
    (provider,) = plan["provider_numbers"]
    assert (provider["sid"], provider["layer"], provider["right"]) == (
        None,
        "not_in_account",
        False,
    )
    # Nothing to point at: no inbound URL change is planned for a number Twilio does not have.
    assert not [c for c in plan["resource_changes"] if c["kind"] == "twilio_inbound_url"]
    text = ws.plan()
    assert f"number {NOT_OWNED} (long_code) of 'contoso-twilio': not_in_account" in text.output
