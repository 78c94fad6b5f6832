"""Is this connection string's access key accepted by its resource? One request (§4.3, §7.2).

`GET /phoneNumbers?top=1`: 200 the key signs for this endpoint; 401 a wrong key (or an
endpoint of another resource, which rejects this key's signatures the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Unpack

from smsconf.acs.client import AcsClient, AcsUnreachable, ClientOptions
from smsconf.acs.connection import ConnectionString

HINTS = {
    "invalid_credentials": "check the connection string (Azure portal: the resource's Keys); "
    "when the key was regenerated, the organisation needs the new one too: paste it in the "
    "admin center's connect dialog (Channels > Phone numbers > Advanced > Manage Azure "
    "Communication Services)",
}


@dataclass(frozen=True)
class KeyCheck:
    status: str
    """ok, invalid_credentials, throttled, unavailable, unreachable or unexpected."""
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def verdict(http_status: int) -> str:
    if 200 <= http_status < 300:
        return "ok"
    if http_status in (401, 403):
        return "invalid_credentials"
    if http_status == 429:
        return "throttled"
    if http_status >= 500:
        return "unavailable"
    return "unexpected"


async def check_key(connection: ConnectionString, **options: Unpack[ClientOptions]) -> KeyCheck:
    async with AcsClient(connection, **options) as client:
        try:
            response = await client.check_key()
        except AcsUnreachable as exc:
            return KeyCheck("unreachable", str(exc))
    status = verdict(response.status)
    if status == "ok":
        return KeyCheck(status, "access key accepted")
    detail = f"{response.message} (HTTP {response.status}, code {response.code})"
    if status in HINTS:
        detail += f"; {HINTS[status]}"
    return KeyCheck(status, detail)
