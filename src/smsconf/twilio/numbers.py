"""A configured number as Twilio holds it: owned, SMS-capable, and which URL inbound messages
go to (§3.3). Three layers can decide that URL:

1. a Messaging Service the number is a sender of, unless the service defers to the number
   (`use_inbound_webhook_on_number`): its `inbound_request_url`;
2. an application attached to the number (`sms_application_sid`): Twilio "ignores all sms_*_url
   values and uses those of the application";
3. the number's own `sms_url`.

Reading the services costs one request plus one per service, once per account, since a number
says nothing of the services it belongs to. The numbers themselves are looked up one request
each (`PhoneNumber=` filter) while an account declares few; beyond `LIST_FROM` the account's
whole list is read instead, `PageSize=1000` a page (Twilio's page size is at most 1,000), so a
plan of 500 numbers costs one request, not 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from smsconf.twilio.account import e164
from smsconf.twilio.client import TwilioClient
from smsconf.twilio.errors import TwilioRejected


class InboundLayer(StrEnum):
    NUMBER = "number"
    APPLICATION = "application"
    MESSAGING_SERVICE = "messaging_service"


@dataclass(frozen=True)
class Service:
    sid: str
    name: str
    inbound_request_url: str | None
    use_inbound_webhook_on_number: bool


@dataclass(frozen=True)
class NumberState:
    """What Twilio says of one configured number; `sid` None means the account lacks it."""

    number: str
    short_code: bool
    sid: str | None = None
    sms_capable: bool = False
    sms_url: str = ""
    sms_method: str = "POST"
    sms_fallback_url: str = ""
    sms_application_sid: str = ""
    application_url: str | None = None
    service: Service | None = None
    origin: str | None = None

    @property
    def layer(self) -> InboundLayer:
        if self.service is not None and not self.service.use_inbound_webhook_on_number:
            return InboundLayer.MESSAGING_SERVICE
        if self.sms_application_sid:
            return InboundLayer.APPLICATION
        return InboundLayer.NUMBER

    @property
    def url_in_effect(self) -> str:
        if self.layer is InboundLayer.MESSAGING_SERVICE:
            assert self.service is not None
            return self.service.inbound_request_url or ""
        if self.layer is InboundLayer.APPLICATION:
            return self.application_url or ""
        return self.sms_url

    @property
    def resource(self) -> str:
        """The number's instance path under the account (what an update POSTs to)."""
        kind = "SMS/ShortCodes" if self.short_code else "IncomingPhoneNumbers"
        return f"/{kind}/{self.sid}.json"


async def messaging_services(client: TwilioClient) -> dict[str, Service]:
    """Number SID → the Messaging Service it is a sender of (following every page)."""
    found: dict[str, Service] = {}
    url: str | None = f"{client.account.messaging_base}/v1/Services"
    while url:
        page = await _ok(client, url, "the Messaging Services")
        for item in page.get("services", ()):
            service = Service(
                str(item["sid"]),
                str(item.get("friendly_name") or item["sid"]),
                item.get("inbound_request_url"),
                bool(item.get("use_inbound_webhook_on_number")),
            )
            members: str | None = (
                f"{client.account.messaging_base}/v1/Services/{service.sid}/PhoneNumbers"
            )
            while members:
                listed = await _ok(client, members, f"the numbers of service {service.sid}")
                for number in listed.get("phone_numbers", ()):
                    found[str(number["sid"])] = service
                members = (listed.get("meta") or {}).get("next_page_url")
        url = (page.get("meta") or {}).get("next_page_url")
    return found


LIST_FROM = 20
"""Declared long codes of one account from which its whole number list is read at once."""
PAGE_SIZE = 1000


async def inspect_numbers(
    client: TwilioClient, declared: list[tuple[str, bool]], services: Mapping[str, Service]
) -> list[NumberState]:
    """The state of each declared number (`(digits, short_code)`), in order: one look-up per
    number, or for many long codes the account's whole list read once (page by page)."""
    long_codes = [digits for digits, short in declared if not short]
    if len(long_codes) < LIST_FROM:
        return list(
            await asyncio.gather(
                *(inspect_number(client, d, short, services) for d, short in declared)
            )
        )
    listed: dict[str, Mapping[str, Any]] = {}
    url: str | None = client.account_path("/IncomingPhoneNumbers.json")
    params: dict[str, str] = {"PageSize": str(PAGE_SIZE)}
    while url:
        page = await _ok(client, url, "the numbers", **params)
        for item in page.get("incoming_phone_numbers", ()):
            listed[str(item.get("phone_number"))] = item
        following = page.get("next_page_uri")
        url = f"{client.account.api_base}{following}" if following else None
        params = {}
    states = []
    for digits, short in declared:
        if short:
            states.append(await inspect_number(client, digits, short, services))
            continue
        item = listed.get(e164(digits, short_code=False))
        states.append(
            NumberState(digits, False)
            if item is None
            else await _state(client, digits, False, item, services)
        )
    return states


async def inspect_number(
    client: TwilioClient, digits: str, short_code: bool, services: Mapping[str, Service]
) -> NumberState:
    """Look one number up by its E.164 form (a short code by its digits)."""
    if short_code:
        listed = await _ok(
            client, client.account_path("/SMS/ShortCodes.json"), "the short codes", ShortCode=digits
        )
        items = [i for i in listed.get("short_codes", ()) if i.get("short_code") == digits]
    else:
        wanted = e164(digits, short_code=False)
        listed = await _ok(
            client,
            client.account_path("/IncomingPhoneNumbers.json"),
            "the numbers",
            PhoneNumber=wanted,
        )
        items = [
            i for i in listed.get("incoming_phone_numbers", ()) if i.get("phone_number") == wanted
        ]
    if not items:
        return NumberState(digits, short_code)
    return await _state(client, digits, short_code, items[0], services)


async def _state(
    client: TwilioClient,
    digits: str,
    short_code: bool,
    item: Mapping[str, Any],
    services: Mapping[str, Service],
) -> NumberState:
    """A listed number's state; an attached application's URL is read (one request)."""
    capabilities = item.get("capabilities") or {}
    app_sid = str(item.get("sms_application_sid") or "")
    app_url = None
    if app_sid:
        app = await _ok(
            client, client.account_path(f"/Applications/{app_sid}.json"), "an application"
        )
        app_url = str(app.get("sms_url") or "")
    return NumberState(
        number=digits,
        short_code=short_code,
        sid=str(item["sid"]),
        sms_capable=True if short_code else bool(capabilities.get("sms")),
        sms_url=str(item.get("sms_url") or ""),
        sms_method=str(item.get("sms_method") or "POST"),
        sms_fallback_url=str(item.get("sms_fallback_url") or ""),
        sms_application_sid=app_sid,
        application_url=app_url,
        service=services.get(str(item["sid"])),
        origin=item.get("origin"),
    )


def update_form(state: NumberState, url: str) -> dict[str, str]:
    """What to POST so that the number itself points at `url`: the URL and POST, and an
    attached application detached (it would override them), nothing else (no voice field)."""
    form = {"SmsUrl": url, "SmsMethod": "POST"}
    if state.sms_application_sid:
        form["SmsApplicationSid"] = ""
    return form


async def update_number(client: TwilioClient, resource: str, form: Mapping[str, str]) -> None:
    response = await client.update(client.account_path(resource), form)
    if not response.ok:
        raise client.rejected(response, f"the update of {resource}")


async def _ok(client: TwilioClient, url: str, what: str, **params: str) -> Mapping[str, Any]:
    response = await client.get(url, params or None)
    if not response.ok:
        raise TwilioRejected(response.status, response.code, response.message, f"reading {what}")
    return response.body
