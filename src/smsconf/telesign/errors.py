"""Exceptions of the Telesign client.

Messages carry the endpoint, customer ID, HTTP status and Telesign's code and description,
never a header or the key, so they are safe to print, log and put in a plan.
"""


class TelesignError(Exception):
    """Base class: any failure talking to Telesign."""


class TelesignBadKey(TelesignError):
    """The API key cannot sign a TSA request (it is not base64 text): nothing was sent."""


class TelesignUnreachable(TelesignError):
    """No HTTP response at all (DNS, refused connection, TLS, reset) after the retries."""


class TelesignTimeout(TelesignError):
    """The request or the whole operation ran past its deadline."""


class TelesignRejected(TelesignError):
    """Telesign answered with an error; `code` is its status/error code, not the HTTP status."""

    def __init__(self, http_status: int, code: int | None, description: str) -> None:
        self.http_status = http_status
        self.code = code
        self.description = description
        super().__init__(
            f"Telesign rejected the request: HTTP {http_status}, code {code}: {description}"
        )
