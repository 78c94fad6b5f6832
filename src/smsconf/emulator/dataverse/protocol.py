"""One Web API request and its reply, independent of how they arrived.

A request from HTTP and a request unpacked from a `$batch` body are the same `Call`, so the
emulator has one code path for both and a change set can replay operations in one transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from smsconf.emulator.dataverse.errors import DataverseError, bad_payload, bad_query
from smsconf.emulator.limits import loads

JSON_TYPE = "application/json; odata.metadata=minimal"
MAX_PAGE_SIZE = 5000
_QUOTED_AWARE_COMMA = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')


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
            body = loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_payload(f"Invalid JSON. {exc}") from None
        if not isinstance(body, dict):
            raise bad_payload("The request body must be a JSON object.")
        return body

    @property
    def prefer(self) -> dict[str, str]:
        """`Prefer` preferences by name; a bare preference maps to ''. Commas inside a quoted
        value (`odata.include-annotations="a,b"`) belong to the value (RFC 7240)."""
        result: dict[str, str] = {}
        for item in _QUOTED_AWARE_COMMA.split(self.headers.get("prefer", "")):
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
    def annotations(self) -> AnnotationFilter:
        """Which instance annotations `odata.include-annotations` asks for."""
        return AnnotationFilter(self.prefer.get("odata.include-annotations"))

    def applied(self, *preferences: str) -> dict[str, str]:
        """`Preference-Applied` for the given honoured preferences plus include-annotations,
        which every read honours (collections and single rows alike)."""
        names = list(preferences)
        if self.annotations.requested:
            names.append(f'odata.include-annotations="{self.annotations.pattern}"')
        return {"Preference-Applied": ",".join(names)} if names else {}


class AnnotationFilter:
    """The `odata.include-annotations` pattern: comma-separated terms, `*`, `Namespace.*`, and
    exclusions with a leading `-` (OData 4.0 part 1, 8.2.8.4); an exclusion wins."""

    def __init__(self, pattern: str | None) -> None:
        self.pattern = pattern or ""
        self.requested = pattern is not None
        terms = [t.strip() for t in self.pattern.split(",") if t.strip()]
        self._include = [t for t in terms if not t.startswith("-")]
        self._exclude = [t[1:] for t in terms if t.startswith("-")]

    @staticmethod
    def _matches(term: str, pattern: str) -> bool:
        if pattern == "*":
            return True
        if pattern.endswith(".*"):
            return term.startswith(pattern[:-1])
        return term == pattern

    def wants(self, term: str) -> bool:
        """Whether the annotation `term` (`Microsoft.Dynamics.CRM.morerecords`…) is asked for."""
        if any(self._matches(term, p) for p in self._exclude):
            return False
        return any(self._matches(term, p) for p in self._include)


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


def text_reply(status: int, text: str) -> Reply:
    """A `text/plain` reply, as `/$count` answers."""
    return Reply(status, {"Content-Type": "text/plain", "OData-Version": "4.0"}, text.encode())


def empty_reply(status: int, headers: dict[str, str] | None = None) -> Reply:
    """A reply without a body (204, 304)."""
    return Reply(status, {"OData-Version": "4.0", **(headers or {})})


def error_reply(error: DataverseError) -> Reply:
    """The documented error body for a refused request."""
    return json_reply(error.status, error.body(), error.headers)
