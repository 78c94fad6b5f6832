"""The input of every Telesign operation: one account, independent of the configuration model."""

from dataclasses import dataclass, field
from typing import Literal

from smsconf.telesign.secret import ApiKey

STANDARD_ENDPOINT = "https://rest-api.telesign.com"
ENTERPRISE_ENDPOINT = "https://rest-ww.telesign.com"
_ALIASES = {"standard": STANDARD_ENDPOINT, "enterprise": ENTERPRISE_ENDPOINT}

AuthMethod = Literal["tsa", "basic"]


def base_url(endpoint: str | None) -> str:
    """An endpoint as an absolute URL without a trailing slash (None: the standard host)."""
    endpoint = endpoint or STANDARD_ENDPOINT
    return _ALIASES.get(endpoint.lower(), endpoint).rstrip("/")


@dataclass(frozen=True)
class TelesignAccount:
    """A Telesign customer as smsconf uses it.

    `endpoint` is None for the standard (self-service) host, `"standard"`/`"enterprise"`, or any
    base URL (an emulator, a proxy, a path prefix); requests are signed over `/v1/...` only.
    """

    name: str
    customer_id: str
    api_key: ApiKey = field(repr=False)
    endpoint: str | None = None
    auth: AuthMethod = "tsa"

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, ApiKey):
            raise TypeError("api_key must be an ApiKey, so that it never shows in a repr")
        if self.auth not in ("tsa", "basic"):
            raise ValueError(f"auth must be 'tsa' or 'basic', not {self.auth!r}")

    @property
    def base_url(self) -> str:
        return base_url(self.endpoint)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What makes two accounts the same credential check: customer, key, endpoint, auth."""
        return (self.customer_id, self.api_key.fingerprint(), self.base_url, self.auth)
