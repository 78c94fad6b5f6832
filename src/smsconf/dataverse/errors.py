"""Exceptions raised by the Dataverse client.

Every failure the client reports is a `DataverseError`, so a caller needs one `except` to stay in
control; the subclasses exist for the few outcomes a reconciler branches on (a row that is gone,
a stale ETag, a duplicate client-chosen id, throttling, bad credentials). Messages carry the
Dataverse error code and text and the request line, never headers or bodies we sent, so a bearer
token or a secret column can never end up in a log through an exception.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

DUPLICATE_KEY_CODE = "0x80040237"
"""Code of "A record with matching key values already exists." (412 on a create)."""


class DataverseError(Exception):
    """A request to Dataverse failed; `status` is None when no HTTP answer was received."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request = request
        parts = [str(status)] if status is not None else []
        if code:
            parts.append(code)
        head = " ".join(parts)
        text = f"{head}: {message}" if head else message
        super().__init__(f"{text} ({request})" if request else text)


class BadRequest(DataverseError):
    """400: the service rejected the request itself (unknown column, bad value, bad query)."""


class Unauthorized(DataverseError):
    """401: no or an invalid bearer token; `authenticate` is the WWW-Authenticate challenge."""

    authenticate: str | None = None


class Forbidden(DataverseError):
    """403: authenticated, but the application user lacks a privilege."""


class NotFound(DataverseError):
    """404: the row (or entity set) does not exist."""


class PreconditionFailed(DataverseError):
    """412: an If-Match ETag is stale, or an If-None-Match create found the row already there."""


class DuplicateRecord(PreconditionFailed):
    """412 with code 0x80040237: a create with a client-chosen id found that id taken."""


class Throttled(DataverseError):
    """429: service protection limit hit; `retry_after` is the server's wait in seconds."""

    retry_after: float | None = None


class ServerError(DataverseError):
    """5xx: the service (or a gateway in front of it) failed."""


class TransportFailure(DataverseError):
    """No HTTP answer: connection refused, dropped, or timed out (the httpx error is the cause)."""


class DeadlineExceeded(DataverseError):
    """The client's total deadline for the run passed before the request could complete."""


class ProtocolError(DataverseError):
    """The answer broke the protocol (unparseable $batch response, nextLink to another origin)."""


class NotExecuted(DataverseError):
    """A $batch operation the service never ran, because an earlier one failed."""


class RolledBack(DataverseError):
    """A $batch operation undone because another operation of its change set failed."""


_BY_STATUS: Mapping[int, type[DataverseError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    412: PreconditionFailed,
    429: Throttled,
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; Dataverse sends delta-seconds, so dates are ignored."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def error_from_response(
    status: int, headers: Mapping[str, str], content: bytes, *, request: str | None = None
) -> DataverseError:
    """Build the exception for a non-success answer from its `{"error":{code,message}}` body.

    Bodies that are not the documented shape (a gateway's HTML page, an empty 503) still give a
    useful error: the status and a short excerpt of the body.
    """
    code, message = _code_and_message(content)
    if status == 412 and code == DUPLICATE_KEY_CODE:
        cls: type[DataverseError] = DuplicateRecord
    else:
        cls = _BY_STATUS.get(status, ServerError if status >= 500 else DataverseError)
    error = cls(message, status=status, code=code, request=request)
    lower = {k.lower(): v for k, v in headers.items()}
    if isinstance(error, Throttled):
        error.retry_after = parse_retry_after(lower.get("retry-after"))
    elif isinstance(error, Unauthorized):
        error.authenticate = lower.get("www-authenticate")
    return error


def _code_and_message(content: bytes) -> tuple[str | None, str]:
    text = content.decode("utf-8", errors="replace")
    try:
        error = json.loads(text)["error"]
        return (error.get("code") or None), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        excerpt = " ".join(text.split())[:200]
        return None, excerpt or "no error body"
