"""A Twilio number whose inbound SMS a Messaging Service takes over, through the CLI against the
local organisation and its Twilio emulator.

The service is set up as an admin would in the Twilio console (the emulator's admin route);
what plan says, and what apply leaves alone, is looked at through Twilio's own API (the number
and the service fetched with Basic auth), never through the reconciler's view of them.
"""

from __future__ import annotations

from typing import Any

from tests.twilio.local import NUMBER, plan_json, twilio, twilio_config, twilio_number
from tools.testkit.workspace import Workspace, ws

from smsconf.emulator.twilio import DEMO_ACCOUNT_SID
from smsconf.exitcodes import ExitCode

__all__ = ["ws"]  # the fixture, used by name

SERVICE = "Marketing blasts"
SERVICE_URL = "https://marketing.example.com/inbound"
CONFIG = twilio_config()


def console_service(use_number_webhook: bool) -> dict[str, Any]:
    """The console: the number is a sender of a Messaging Service with its own inbound URL."""
    twilio(
        "PATCH",
        f"/_emulator/accounts/{DEMO_ACCOUNT_SID}",
        json={
            "services": [
                {
                    "friendly_name": SERVICE,
                    "inbound_request_url": SERVICE_URL,
                    "use_inbound_webhook_on_number": use_number_webhook,
                    "numbers": ["+" + NUMBER],
                }
            ]
        },
    )
    (service,) = twilio("GET", "/v1/Services")["services"]
    return service


def test_a_messaging_service_in_effect_is_reported_and_never_edited(ws: Workspace) -> None:
    ws.config.write_text(CONFIG, encoding="utf-8")
    service = console_service(use_number_webhook=False)
    assert service["inbound_request_url"] == SERVICE_URL

    plan = plan_json(ws)
    expected = f"http://local.smsconf/twilio/incoming?orgId={plan['org_id']}"
    (checked,) = plan["provider_numbers"]
    assert (checked["layer"], checked["url_in_effect"], checked["right"]) == (
        "messaging_service",
        SERVICE_URL,
        False,
    )
    # No change is planned on Twilio: the service is shared by its other senders.
    assert not [c for c in plan["resource_changes"] if c["kind"] == "twilio_inbound_url"]
    (warning,) = [
        n
        for n in plan["notes"]
        if n["level"] == "warning"
        and n["subject"] == f"number {NUMBER} of 'contoso-twilio'"
        and SERVICE in n["text"]
    ]
    # It names the service, where its messages go now, and both ways to fix it in the console.
    for words in (service["sid"], SERVICE_URL, f"set its inbound URL to {expected}"):
        assert words in warning["text"], words
    assert "use inbound webhook on number" in warning["text"]
    text = ws.plan()
    assert f"Messaging Service '{SERVICE}'" in text.output

    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert ws.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS via Twilio")
    # Twilio as the console left it: the service's URL, and the number's own (ignored) URL.
    (after,) = twilio("GET", "/v1/Services")["services"]
    assert after == service
    assert twilio_number("+" + NUMBER)["sms_url"] == ""
    # The organisation is not where the number's messages go: callback-urls says so (exit 2).
    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.CHANGES, urls.output
    assert f"in effect {SERVICE_URL} (its Messaging Service's inbound URL)" in urls.output
    # Nothing left to change in the organisation; the warning stays until the console changes.
    replanned = plan_json(ws)
    assert replanned["resource_changes"] == []
    assert [n for n in replanned["notes"] if n["level"] == "warning"] == [warning]


def test_once_the_service_uses_the_number_webhook_smsconf_sets_it(ws: Workspace) -> None:
    """The console's other fix: the service defers to the number's webhook, which smsconf then
    owns like any number's (set, re-planned to zero), the service itself still untouched."""
    ws.config.write_text(CONFIG, encoding="utf-8")
    console_service(use_number_webhook=False)
    assert ws.apply().exit_code == ExitCode.OK
    service = console_service(use_number_webhook=True)

    plan = plan_json(ws)
    expected = f"http://local.smsconf/twilio/incoming?orgId={plan['org_id']}"
    (checked,) = plan["provider_numbers"]
    assert (checked["layer"], checked["right"]) == ("number", False)
    (change,) = [c for c in plan["resource_changes"] if c["kind"] == "twilio_inbound_url"]
    assert change["change"]["after"]["SmsUrl"] == expected
    assert not [n for n in plan["notes"] if n["level"] == "warning"]

    assert ws.apply().exit_code == ExitCode.OK
    webhook = twilio_number("+" + NUMBER)
    assert (webhook["sms_url"], webhook["sms_method"]) == (expected, "POST")
    (after,) = twilio("GET", "/v1/Services")["services"]
    assert after == service
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
