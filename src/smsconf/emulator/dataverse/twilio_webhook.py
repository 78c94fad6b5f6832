"""The org's inbound Twilio webhook, `POST /twilio/incoming?orgId=...`.

Twilio posts an inbound SMS form-encoded to the number's `SmsUrl`, signed with
`X-Twilio-Signature`: HMAC-SHA1 with the account's Auth Token over the exact URL it called and
the sorted parameters (providers.md §3.6-3.7). Microsoft's own test client signs its simulated
webhooks so, which is why the organisation is taken to verify them with the stored Auth Token
[inferred, §2.1 and §10 q.2]. A webhook is kept only when its signature verifies against the
Auth Token of one of the organisation's Twilio accounts with that `AccountSid`; anything else
is a forged inbound message and answers 403 (Twilio's own advice for a failed validation),
whatever the Web API's `--token`. As the twilio SDK's `RequestValidator` does, the URL is
tried with and without its default port, since Twilio's back end is "inconsistent" there.
The answer is an empty TwiML `<Response/>`: a message acknowledged, nothing sent back.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.protocol import Reply
from smsconf.emulator.dataverse.records import now
from smsconf.emulator.dataverse.store import Store
from smsconf.platform.vocabulary import PROVIDER
from smsconf.twilio import signature

PROVIDER_TABLE = "msdyn_occommunicationprovidersetting"
FORBIDDEN = "0x80048306"
"""[inferred] no Dataverse code is documented for this endpoint; the status is what matters."""
DEFAULT_PORTS = {"http": 80, "https": 443}
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _forbidden(reason: str) -> DataverseError:
    return DataverseError(403, FORBIDDEN, f"Twilio webhook rejected: {reason}.")


def url_forms(url: str) -> list[str]:
    """`url` as called, then without and with its scheme's default port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    default = DEFAULT_PORTS.get(parts.scheme)
    forms = [url]
    if parts.port is not None and parts.port == default:
        forms.append(urlunsplit(parts._replace(netloc=shown)))
    elif parts.port is None and default is not None:
        forms.append(urlunsplit(parts._replace(netloc=f"{shown}:{default}")))
    return forms


def receive(store: Store, url: str, org_id: str | None, given: str, body: bytes) -> Reply:
    """Verify and keep one inbound webhook called at `url`; a 403 unless signed by the Auth
    Token of the organisation's Twilio account named in the form."""
    if not given:
        raise _forbidden(f"no {signature.HEADER} header")
    text = body.decode("utf-8", errors="replace")
    params = signature.grouped(parse_qsl(text, keep_blank_values=True))
    account_sid = (params.get("AccountSid") or [""])[0]
    with store.transaction():
        accounts = store.find(
            PROVIDER_TABLE,
            {"msdyn_accountsid": account_sid, "msdyn_occommunicationprovider": PROVIDER["twilio"]},
        )
        tokens = [a["msdyn_securesecret"] for a in accounts if a.get("msdyn_securesecret")]
        if not account_sid or not tokens:
            raise _forbidden("no Twilio account of this organisation has that AccountSid")
        if not any(
            signature.valid(token, form, params, given)
            for token in tokens
            for form in url_forms(url)
        ):
            raise _forbidden("bad signature")
        store.add_inbound(org_id, account_sid, text, now())
    return Reply(200, {"Content-Type": "text/xml"}, EMPTY_TWIML)
