"""The org's inbound Telesign callback, `POST /telesign/incoming?orgId=...`.

Telesign pushes inbound SMS to an org-level URL (evidence §3). The signature is checked when the
customer id matches a provider account whose API key is stored, as the product would; messages
from unknown customers are accepted so that demos without an account still see traffic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from smsconf.emulator.dataverse.errors import NOT_AUTHENTICATED, DataverseError
from smsconf.emulator.dataverse.records import now
from smsconf.emulator.dataverse.store import Store

TELESIGN_PROVIDER = 192350002
PROVIDER_TABLE = "msdyn_occommunicationprovidersetting"


def signature(body: bytes, api_key: str) -> str:
    """The `TSA` signature of a callback body: base64(HMAC-SHA256(body, base64decode(key)))."""
    digest = hmac.new(base64.b64decode(api_key), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _unauthorized(reason: str) -> DataverseError:
    return DataverseError(401, NOT_AUTHENTICATED, f"Telesign callback rejected: {reason}.")


def receive(store: Store, org_id: str | None, authorization: str, body: bytes) -> None:
    """Verify and keep one inbound callback, or raise a 401."""
    customer_id = None
    given = ""
    if authorization.startswith("TSA "):
        customer_id, _, given = authorization[4:].partition(":")
    with store.transaction():
        if customer_id:
            accounts = store.find(
                PROVIDER_TABLE,
                {
                    "msdyn_accountsid": customer_id,
                    "msdyn_occommunicationprovider": TELESIGN_PROVIDER,
                },
            )
            keys = [a["msdyn_securesecret"] for a in accounts if a.get("msdyn_securesecret")]
            if keys:
                try:
                    valid = any(hmac.compare_digest(signature(body, k), given) for k in keys)
                except (binascii.Error, ValueError):
                    valid = False
                if not valid:
                    raise _unauthorized("bad signature")
        store.add_inbound(org_id, customer_id, body.decode("utf-8", errors="replace"), now())
