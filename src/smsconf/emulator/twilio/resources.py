"""The emulated Twilio's resources as Twilio renders them (field names of TW-PY, §3.2-3.3)."""

from __future__ import annotations

from typing import Any

from smsconf.emulator.twilio.state import (
    Account,
    Application,
    Message,
    MessagingService,
    Number,
    sid,
)

API = "/2010-04-01"
DATE = "Thu, 01 Oct 2026 00:00:00 +0000"


def account(acct: Account) -> dict[str, Any]:
    base = f"{API}/Accounts/{acct.sid}"
    return {
        "sid": acct.sid,
        "friendly_name": acct.friendly_name,
        "status": acct.status,
        "type": acct.type,
        "owner_account_sid": acct.sid,
        "date_created": DATE,
        "date_updated": DATE,
        "uri": f"{base}.json",
        "subresource_uris": {
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
            "applications": f"{base}/Applications.json",
            "messages": f"{base}/Messages.json",
        },
    }


def number(acct: Account, num: Number) -> dict[str, Any]:
    if num.short_code:
        return short_code(acct, num)
    fields = {
        "phone_number": num.phone_number,
        "friendly_name": num.friendly_name,
        "origin": num.origin,
        "beta": False,
        "capabilities": {"sms": num.sms, "mms": num.mms, "voice": num.voice, "fax": False},
        **_sms_urls(num),
        "sms_application_sid": num.sms_application_sid,
        "voice_url": num.voice_url,
        "voice_method": num.voice_method,
        "status_callback": num.status_callback,
        "status_callback_method": "POST",
    }
    return _resource(acct, num.sid, "IncomingPhoneNumbers", fields)


def short_code(acct: Account, num: Number) -> dict[str, Any]:
    fields = {"short_code": num.phone_number, "friendly_name": num.friendly_name}
    return _resource(acct, num.sid, "SMS/ShortCodes", {**fields, **_sms_urls(num)})


def application(acct: Account, app: Application) -> dict[str, Any]:
    fields = {
        "friendly_name": app.friendly_name,
        "sms_url": app.sms_url,
        "sms_method": app.sms_method,
    }
    return _resource(acct, app.sid, "Applications", fields)


_SMS_URLS = ("sms_url", "sms_method", "sms_fallback_url", "sms_fallback_method")


def _sms_urls(num: Number) -> dict[str, Any]:
    """Where a number (long or short) sends inbound messages, as both resources render it."""
    return {name: getattr(num, name) for name in _SMS_URLS}


def _resource(
    acct: Account, resource_sid: str, path: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """A 2010-04-01 resource of an account: the API frames every one alike, its own and its
    account's sid first, the version, dates and its URI last."""
    return {
        "sid": resource_sid,
        "account_sid": acct.sid,
        **fields,
        "api_version": "2010-04-01",
        "date_created": DATE,
        "date_updated": DATE,
        "uri": f"{API}/Accounts/{acct.sid}/{path}/{resource_sid}.json",
    }


def message(acct: Account, msg: Message) -> dict[str, Any]:
    return {
        "sid": msg.sid,
        "account_sid": acct.sid,
        "from": msg.from_,
        "to": msg.to,
        "body": msg.body,
        "status": msg.status,
        "direction": msg.direction,
        "messaging_service_sid": msg.messaging_service_sid,
        "num_segments": str(msg.num_segments),
        "num_media": "0",
        "error_code": msg.error_code,
        "error_message": None,
        "price": None,
        "api_version": "2010-04-01",
        "date_created": DATE,
        "date_updated": DATE,
        "date_sent": None,
        "uri": f"{API}/Accounts/{acct.sid}/Messages/{msg.sid}.json",
    }


def service(acct: Account, svc: MessagingService, base: str) -> dict[str, Any]:
    url = f"{base}/v1/Services/{svc.sid}"
    return {
        "sid": svc.sid,
        "account_sid": acct.sid,
        "friendly_name": svc.friendly_name,
        "inbound_request_url": svc.inbound_request_url,
        "inbound_method": svc.inbound_method,
        "fallback_url": svc.fallback_url,
        "fallback_method": "POST",
        "status_callback": svc.status_callback,
        "use_inbound_webhook_on_number": svc.use_inbound_webhook_on_number,
        "sticky_sender": True,
        "usecase": "undeclared",
        "date_created": "2026-10-01T00:00:00Z",
        "date_updated": "2026-10-01T00:00:00Z",
        "url": url,
        "links": {"phone_numbers": f"{url}/PhoneNumbers"},
    }


def service_number(acct: Account, svc: MessagingService, num: Number, base: str) -> dict[str, Any]:
    capabilities = [
        name for name, on in (("SMS", num.sms), ("MMS", num.mms), ("Voice", num.voice)) if on
    ]
    return {
        "sid": num.sid,
        "account_sid": acct.sid,
        "service_sid": svc.sid,
        "phone_number": num.phone_number,
        "country_code": "US" if num.phone_number.startswith("+1") else None,
        "capabilities": capabilities,
        "date_created": "2026-10-01T00:00:00Z",
        "date_updated": "2026-10-01T00:00:00Z",
        "url": f"{base}/v1/Services/{svc.sid}/PhoneNumbers/{num.sid}",
    }


def service_from(acct: Account, data: dict[str, Any]) -> MessagingService:
    """A Messaging Service described by an admin call: `numbers` are E.164 numbers."""
    name = str(data.get("friendly_name", "service"))
    members = [n.sid for n in acct.numbers if n.phone_number in data.get("numbers", ())]
    return MessagingService(
        sid=sid("MG", acct.sid, name),
        friendly_name=name,
        inbound_request_url=data.get("inbound_request_url"),
        use_inbound_webhook_on_number=bool(data.get("use_inbound_webhook_on_number", False)),
        numbers=members,
    )


def application_from(acct: Account, data: dict[str, Any]) -> Application:
    name = str(data.get("friendly_name", "application"))
    return Application(
        sid=sid("AP", acct.sid, name), friendly_name=name, sms_url=str(data.get("sms_url", ""))
    )
