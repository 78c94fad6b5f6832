"""Telesign request and callback signatures (telesign.md §3 and §10.3), as pure functions.

Standard library only, so that the Telesign emulator can verify exactly what the client signs
without importing the client: one definition of the string-to-sign serves both sides.
"""

import base64
import hashlib
import hmac
from email.utils import formatdate

from smsconf.redact import register

HMAC_SHA256 = "HMAC-SHA256"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"


def default_content_type(method: str) -> str:
    """The content type the official SDK signs when the caller gives none (forms for POST/PUT)."""
    return FORM_CONTENT_TYPE if method.upper() in ("POST", "PUT") else ""


def http_date(timestamp: float | None = None) -> str:
    """An RFC 1123 GMT date, the format Telesign expects in `Date` / `x-ts-date`."""
    return formatdate(timestamp, usegmt=True)


def string_to_sign(
    method: str,
    content_type: str,
    date: str,
    nonce: str | None,
    body: str,
    resource: str,
    *,
    auth_method: str = HMAC_SHA256,
    x_ts_date: str | None = None,
) -> str:
    """The canonical text a TSA signature covers.

    `resource` is the URL path only (`/v1/...`, no host, no query, no mount prefix). The body
    is included only when there is a content type, as the SDKs do; `x-ts-date` and `x-ts-nonce`
    lines appear only when those headers are sent, as in Telesign's own raw samples (§3.3).
    """
    lines = [method.upper(), content_type, date, f"x-ts-auth-method:{auth_method}"]
    if x_ts_date is not None:
        lines.append(f"x-ts-date:{x_ts_date}")
    if nonce is not None:
        lines.append(f"x-ts-nonce:{nonce}")
    if content_type and body:
        lines.append(body)
    lines.append(resource)
    return "\n".join(lines)


def signing_key(api_key: str) -> bytes:
    """The HMAC key: the API key's base64 decoded non-strictly, like Python's SDK does (keys
    with stray characters, such as the SDK's own example key, sign identically on both sides).

    Raises ValueError without quoting the key when it is not base64 text at all.
    """
    try:
        return base64.b64decode(api_key)
    except ValueError:
        raise ValueError("the API key is not base64 text, so it cannot sign requests") from None


def hmac_signature(api_key: str, text: str | bytes) -> str:
    """base64(HMAC-SHA256(base64decode(api_key), message)): requests (their string-to-sign,
    as UTF-8) and callbacks (their body, as sent) alike, on the client's and emulators' sides."""
    message = text.encode("utf-8") if isinstance(text, str) else text
    digest = hmac.new(signing_key(api_key), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def tsa_authorization(customer_id: str, api_key: str, text: str) -> str:
    """The `Authorization: TSA <customer_id>:<signature>` value for a string-to-sign."""
    return f"TSA {customer_id}:{hmac_signature(api_key, text)}"


def basic_authorization(customer_id: str, api_key: str) -> str:
    """`Basic base64(customer_id:api_key)`: the key as shown in the portal, not decoded (and
    the pair registered with the redactor, so no echo of the header is ever printed)."""
    register(f"{customer_id}:{api_key}")
    token = base64.b64encode(f"{customer_id}:{api_key}".encode()).decode("ascii")
    return f"Basic {token}"


def constant_time_equal(expected: str, given: str) -> bool:
    """Constant-time comparison, so a verifier does not leak how much of a secret matched."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
