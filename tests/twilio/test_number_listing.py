"""Many numbers of one account are read in one listing, not one request each, with the same
answers as the one-by-one look-ups (against the Twilio emulator over its ASGI app)."""

from __future__ import annotations

import httpx
import pytest

import smsconf.twilio.numbers as numbers
from smsconf.emulator.twilio import account, create_app
from smsconf.telesign.secret import ApiKey
from smsconf.twilio.account import TwilioAccount
from smsconf.twilio.client import TwilioClient
from smsconf.twilio.numbers import LIST_FROM, NumberState, inspect_number, inspect_numbers

SID = "AC" + "ab" * 16
TOKEN = "listing-token"
OWNED = [f"1425555{i:04d}" for i in range(LIST_FROM + 5)]
MISSING = "14255559999"


async def states(many: bool) -> tuple[list[NumberState], int]:
    app = create_app([account(SID, TOKEN, *("+" + n for n in OWNED))])
    app.state.twilio.state.accounts[SID].numbers[3].sms_url = "https://elsewhere.example/sms"
    declared = [(n, False) for n in (OWNED if many else OWNED[:3])] + [(MISSING, False)]
    client_account = TwilioAccount("listing", SID, ApiKey(TOKEN), "http://twilio.test")
    async with TwilioClient(client_account, transport=httpx.ASGITransport(app=app)) as client:
        if many:
            found = await inspect_numbers(client, declared, {})
        else:
            found = [await inspect_number(client, d, s, {}) for d, s in declared]
    gets = [path for method, path, _ in app.state.twilio.journal if method == "GET"]
    return found, len(gets)


async def test_many_numbers_cost_one_listing_and_answer_as_look_ups_do() -> None:
    listed, requests = await states(many=True)
    assert requests == 1  # 26 numbers, one page of up to 1,000
    one_by_one, _ = await states(many=False)
    by_number = {s.number: s for s in listed}
    for state in one_by_one:
        assert by_number[state.number] == state
    assert by_number[OWNED[3]].sms_url == "https://elsewhere.example/sms"
    assert by_number[MISSING].sid is None


async def test_a_listing_longer_than_a_page_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numbers, "PAGE_SIZE", 10)
    listed, requests = await states(many=True)
    assert requests == 3  # 25 numbers in pages of 10
    assert sum(1 for s in listed if s.sid is not None) == len(OWNED)
