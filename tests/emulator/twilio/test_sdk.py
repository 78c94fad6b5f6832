"""The official `twilio` SDK, unmodified, against the emulator over a real socket (issue 18).

The SDK has no base-URL argument; providers.md §3.9 option A is used: an `HttpClient` subclass
that rewrites Twilio's hosts to the emulator's URL, the rest of the SDK as shipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from smsconf.emulator.serving import running
from smsconf.emulator.twilio import account, create_app
from smsconf.emulator.twilio.state import MessagingService, sid
from smsconf.twilio import signature

SID = "AC" + "1" * 32
TOKEN = "sdk-token"
KEY_SID, KEY_SECRET = "SK" + "2" * 32, "key-secret"
SHORT_CODE = "55199"
NUMBERS = ["+14255550101", "+14255550102", "+14255550103", "+18005550104", "+14255550105"]


class Redirect(TwilioHttpClient):
    """Sends every Twilio host's request to the emulator instead (§3.9 option A)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        for host in ("https://api.twilio.com", "https://messaging.twilio.com"):
            url = url.replace(host, self.base)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, object]]:
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        monkeypatch.delenv(name, raising=False)
    acct = account(SID, TOKEN, *NUMBERS, api_keys={KEY_SID: KEY_SECRET})
    first = acct.numbers[0]
    acct.add_number(SHORT_CODE, friendly_name="Marketing")
    acct.services.append(
        MessagingService(
            sid=sid("MG", SID, "svc"),
            friendly_name="Support",
            inbound_request_url="https://example.invalid/service",
            numbers=[first.sid],
        )
    )
    app = create_app([acct])
    with running(app) as url:
        yield url, app.state.twilio


def client(base: str, user: str = SID, password: str = TOKEN) -> Client:
    return Client(user, password, account_sid=SID, http_client=Redirect(base))


def test_account_fetch_gives_status_and_type(served: tuple[str, object]) -> None:
    base, _ = served
    fetched = client(base).api.v2010.accounts(SID).fetch()
    assert (fetched.sid, fetched.status, fetched.type) == (SID, "active", "Full")


def test_a_wrong_token_is_twilios_20003(served: tuple[str, object]) -> None:
    base, _ = served
    with pytest.raises(TwilioRestException) as caught:
        client(base, password="wrong").api.v2010.accounts(SID).fetch()
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert "Authenticate" in caught.value.msg


def test_an_api_key_reads_numbers_but_not_the_account(served: tuple[str, object]) -> None:
    base, _ = served
    keyed = client(base, KEY_SID, KEY_SECRET)
    assert len(keyed.incoming_phone_numbers.list()) == len(NUMBERS)
    with pytest.raises(TwilioRestException) as caught:
        keyed.api.v2010.accounts(SID).fetch()
    assert caught.value.status == 401


def test_number_filter_and_paging_as_the_sdk_pages(served: tuple[str, object]) -> None:
    base, emulator = served
    twilio = client(base)
    found = twilio.incoming_phone_numbers.list(phone_number="+14255550103")
    assert [n.phone_number for n in found] == ["+14255550103"]
    assert found[0].capabilities["sms"] is True
    paged = list(twilio.incoming_phone_numbers.stream(page_size=2))
    assert [n.phone_number for n in paged] == NUMBERS
    pages = [q for m, p, q in emulator.journal if p.endswith("IncomingPhoneNumbers.json")]
    assert sum("PageToken=PA" in q for q in pages) == 2  # three pages, two followed by token


def test_short_codes_are_their_own_list(served: tuple[str, object]) -> None:
    """`/SMS/ShortCodes.json` filtered by `ShortCode`; the number list never shows them."""
    base, _ = served
    twilio = client(base)
    (found,) = twilio.short_codes.list(short_code=SHORT_CODE)
    assert (found.short_code, found.sid[:2]) == (SHORT_CODE, "SC")
    assert twilio.short_codes.list(short_code="55100") == []
    assert SHORT_CODE not in [n.phone_number for n in twilio.incoming_phone_numbers.list()]


def test_update_sms_url_then_fetch(served: tuple[str, object]) -> None:
    base, _ = served
    twilio = client(base)
    number = twilio.incoming_phone_numbers.list(phone_number="+14255550102")[0]
    updated = twilio.incoming_phone_numbers(number.sid).update(
        sms_url="https://m-org.example/twilio/incoming?orgId=1", sms_method="POST"
    )
    assert updated.sms_url == "https://m-org.example/twilio/incoming?orgId=1"
    again = twilio.incoming_phone_numbers(number.sid).fetch()
    assert (again.sms_url, again.sms_method, again.voice_url) == (updated.sms_url, "POST", "")


def test_buying_a_number_is_refused(served: tuple[str, object]) -> None:
    base, _ = served
    with pytest.raises(TwilioRestException) as caught:
        client(base).incoming_phone_numbers.create(phone_number="+14255550199")
    assert caught.value.status == 403


def test_messaging_services_and_their_numbers(served: tuple[str, object]) -> None:
    base, _ = served
    twilio = client(base)
    services = twilio.messaging.v1.services.list()
    assert [(s.friendly_name, s.use_inbound_webhook_on_number) for s in services] == [
        ("Support", False)
    ]
    members = twilio.messaging.v1.services(services[0].sid).phone_numbers.list()
    assert [m.phone_number for m in members] == [NUMBERS[0]]


def test_send_a_message_and_follow_its_status(served: tuple[str, object]) -> None:
    base, _ = served
    twilio = client(base)
    sent = twilio.messages.create(to="+15555550123", from_=NUMBERS[1], body="hello")
    assert sent.status == "queued"
    statuses = [twilio.messages(sent.sid).fetch().status for _ in range(3)]
    assert statuses == ["sent", "delivered", "delivered"]
    with pytest.raises(TwilioRestException) as caught:
        twilio.messages.create(to="+15555550123", from_="+19995550000", body="x")
    assert caught.value.code == 21606


def test_a_throttled_request_is_a_429_with_20429(served: tuple[str, object]) -> None:
    base, emulator = served
    emulator.injector.faults.throttle_next = 1
    with pytest.raises(TwilioRestException) as caught:
        client(base).api.v2010.accounts(SID).fetch()
    assert (caught.value.status, caught.value.code) == (429, 20429)


def test_our_signature_is_the_sdks() -> None:
    """The SDK's validator accepts what smsconf signs (vectors of §3.6 as well)."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    signed = signature.signature("12345", url, {k: [v] for k, v in params.items()})
    assert signed == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert RequestValidator("12345").validate(url, params, signed)
