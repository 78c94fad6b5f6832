"""An ACS connection string, parsed by smsconf rather than the SDK (providers.md §4.1, §7.2).

The SDK's `from_connection_string` drops the scheme and always ends on https; smsconf keeps
the endpoint as written so a loopback emulator can be plain http (the host policy still
refuses a non-https endpoint that the workflow did not allow). The parse follows the SDK's:
`;`-separated `key=value` pairs, keys case-insensitive, the value split at the first `=` (a
base64 key keeps its padding), other keys ignored. The string itself is a secret: nothing here
puts it, or the key, in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smsconf.acs.signing import BadAccessKey, decode_key
from smsconf.telesign.secret import ApiKey

FORMAT = "endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>"


class BadConnectionString(ValueError):
    """Says what is wrong with the string, never what it contains."""


@dataclass(frozen=True)
class ConnectionString:
    endpoint: str
    access_key: ApiKey = field(repr=False)

    @property
    def key(self) -> bytes:
        return decode_key(self.access_key.reveal())

    @property
    def host(self) -> str:
        return self.endpoint.split("//", 1)[-1]


def parse(text: str) -> ConnectionString:
    pairs: dict[str, str] = {}
    for part in text.strip().split(";"):
        if part.strip():
            name, _, value = part.partition("=")
            pairs[name.strip().lower()] = value.strip()
    endpoint, key = pairs.get("endpoint"), pairs.get("accesskey")
    missing = [name for name, value in (("endpoint", endpoint), ("accesskey", key)) if not value]
    if missing:
        raise BadConnectionString(f"the connection string has no {' or '.join(missing)}: {FORMAT}")
    assert endpoint is not None and key is not None
    endpoint = endpoint.rstrip("/")
    if "//" not in endpoint:
        endpoint = f"https://{endpoint}"
    scheme = endpoint.split("://", 1)[0].lower()
    if scheme not in ("https", "http") or not endpoint.split("//", 1)[1]:
        raise BadConnectionString(f"the connection string's endpoint is not a URL: {FORMAT}")
    try:
        decode_key(key)
    except BadAccessKey as exc:
        raise BadConnectionString(
            f"the connection string's accesskey is not base64: {FORMAT}"
        ) from exc
    return ConnectionString(endpoint, ApiKey(key))
