"""One Web API request and its reply, independent of how they arrived.

A request from HTTP and a request unpacked from a `$batch` body are the same `Call`, so the
emulator has one code path for both and a change set can replay operations in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from smsconf.emulator.dataverse.errors import DataverseError, bad_payload, bad_query

JSON_TYPE = "application/json; odata.metadata=minimal"
MAX_PAGE_SIZE = 5000


@dataclass
class Call:
    """A request below the service root; header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    root: str

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or the service's 400 for malformed JSON or another shape."""
        try:
            body = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_payload(f"Invalid JSON. {exc}") from None
        if not isinstance(body, dict):
            raise bad_payload("The request body must be a JSON object.")
        return body

    @property
    def prefer(self) -> dict[str, str]:
        """`Prefer` preferences by name; a bare preference maps to ''."""
        result: dict[str, str] = {}
        for item in self.headers.get("prefer", "").split(","):
            name, _, value = item.strip().partition("=")
            if name:
                result[name.strip().lower()] = value.strip().strip('"')
        return result

    def page_size(self) -> int | None:
        """The requested `odata.maxpagesize`, capped at the service maximum."""
        raw = self.prefer.get("odata.maxpagesize")
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) < 1:
            raise bad_query(f"Invalid odata.maxpagesize '{raw}'.")
        return min(int(raw), MAX_PAGE_SIZE)

    @property
    def wants_representation(self) -> bool:
        """Whether the client asked for the written row back."""
        return self.prefer.get("return") == "representation"

    @property
    def wants_annotations(self) -> bool:
        """Whether formatted values and lookup annotations were asked for."""
        return "odata.include-annotations" in self.prefer


@dataclass
class Reply:
    """A response status, headers and body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON reply with the OData headers every Web API response carries."""
    all_headers = {"Content-Type": JSON_TYPE, "OData-Version": "4.0", **(headers or {})}
    return Reply(status, all_headers, json.dumps(payload).encode())


def empty_reply(status: int, headers: dict[str, str] | None = None) -> Reply:
    """A reply without a body (204, 304)."""
    return Reply(status, {"OData-Version": "4.0", **(headers or {})})


def error_reply(error: DataverseError) -> Reply:
    """The documented error body for a refused request."""
    return json_reply(error.status, error.body(), error.headers)
