"""`X-Twilio-Signature`: how Twilio signs the webhooks it sends (providers.md §3.6).

The signed string is the full URL Twilio called followed by each POST parameter, names sorted,
each name's values sorted and de-duplicated, as `name + value` with no separators; the signature
is base64(HMAC-SHA1(auth token, that string)). Standard library only: the Twilio emulator signs
with it and the organisation's emulator verifies with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

HEADER = "X-Twilio-Signature"


def signed_string(url: str, params: Mapping[str, Iterable[str]]) -> str:
    text = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            text += name + value
    return text


def signature(auth_token: str, url: str, params: Mapping[str, Iterable[str]]) -> str:
    digest = hmac.new(
        auth_token.encode("utf-8"), signed_string(url, params).encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def valid(auth_token: str, url: str, params: Mapping[str, Iterable[str]], given: str) -> bool:
    """Constant-time check of `given` against the signature of `url` and `params`."""
    return hmac.compare_digest(signature(auth_token, url, params), given)


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs as name → values, the shape the signature is computed over."""
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params
