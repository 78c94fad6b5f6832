"""The Twilio inbound-URL update shows only the columns that change (no `"POST" → "POST"`),
while the form sent still sets SmsMethod."""

from __future__ import annotations

from smsconf.config.model import Account
from smsconf.reconcile.twilio import _change
from smsconf.twilio.numbers import NumberState

URL = "https://org.example/twilio/incoming?orgId=1"
ACCOUNT = Account.model_validate(
    {
        "name": "contoso-twilio",
        "provider": "twilio",
        "account_sid": "AC" + "0" * 32,
        "auth_token": "${env:T}",
    }
)


def shown(state: NumberState) -> dict[str, tuple[str, str]]:
    change = _change(ACCOUNT, "long_code", state, URL, None)
    assert change.body["SmsMethod"] == "POST" and change.body["SmsUrl"] == URL
    return {c.column: (c.before, c.after) for c in change.columns}


def test_a_method_already_post_is_not_shown_as_a_change() -> None:
    state = NumberState("14255550142", False, sid="PN1", sms_url="", sms_method="POST")
    assert shown(state) == {"SmsUrl": ("", URL)}


def test_a_method_that_changes_is_shown() -> None:
    state = NumberState("14255550142", False, sid="PN1", sms_url="https://old", sms_method="GET")
    assert shown(state) == {"SmsUrl": ("https://old", URL), "SmsMethod": ("GET", "POST")}


def test_an_application_detached_with_the_url_already_right_shows_only_the_detach() -> None:
    state = NumberState("14255550142", False, sid="PN1", sms_url=URL, sms_application_sid="AP1")
    assert shown(state) == {"SmsApplicationSid": ("AP1", "")}
