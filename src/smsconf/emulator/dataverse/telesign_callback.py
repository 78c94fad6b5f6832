"""The org's inbound Telesign callback, `POST /telesign/incoming?orgId=...`.

Telesign pushes inbound SMS to an org-level URL (evidence §3), signed over the body with the
account's API key (telesign.md §10.3: `Authorization: TSA <customer id>:<signature>`). A callback
is kept only when that signature verifies against the stored key of one of the organisation's
Telesign accounts; anything else is an unauthenticated write and answers 401, whether or not
the org is served with `--token` (the bearer token guards the Web API, not this callback).
"""

from __future__ import annotations

from smsconf.emulator.dataverse.errors import NOT_AUTHENTICATED, DataverseError, bad_payload
from smsconf.emulator.dataverse.records import now
from smsconf.emulator.dataverse.store import Store
from smsconf.emulator.limits import loads
from smsconf.telesign.signing import constant_time_equal, hmac_signature

TELESIGN_PROVIDER = 192350002
PROVIDER_TABLE = "msdyn_occommunicationprovidersetting"


def _unauthorized(reason: str) -> DataverseError:
    return DataverseError(401, NOT_AUTHENTICATED, f"Telesign callback rejected: {reason}.")


def receive(store: Store, org_id: str | None, authorization: str, body: bytes) -> None:
    """Verify and keep one inbound callback; a 401 unless it is signed, a 400 unless JSON."""
    scheme, _, credentials = authorization.partition(" ")
    customer_id, _, given = credentials.partition(":")
    if scheme != "TSA" or not customer_id or not given:
        raise _unauthorized("no `TSA <customer id>:<signature>` Authorization header")
    with store.transaction():
        accounts = store.find(
            PROVIDER_TABLE,
            {"msdyn_accountsid": customer_id, "msdyn_occommunicationprovider": TELESIGN_PROVIDER},
        )
        keys = [a["msdyn_securesecret"] for a in accounts if a.get("msdyn_securesecret")]
        if not keys:
            raise _unauthorized("no Telesign account of this organisation has that customer id")
        try:
            valid = any(constant_time_equal(hmac_signature(k, body), given) for k in keys)
        except ValueError:  # a stored key that is not base64 signs nothing
            valid = False
        if not valid:
            raise _unauthorized("bad signature")
        try:
            loads(body)
        except (ValueError, UnicodeDecodeError):
            raise bad_payload("The callback body is not JSON.") from None
        store.add_inbound(org_id, customer_id, body.decode("utf-8", errors="replace"), now())
