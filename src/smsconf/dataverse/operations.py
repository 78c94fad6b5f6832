"""Single-row operations described as data: one definition for direct calls and for $batch.

Each builder here decides, once, the HTTP shape of an operation (method, URL, conditional
headers) and whether repeating it is harmless. `DataverseClient` sends an `Operation` as its own
request; `batch` serialises the same `Operation` as a part of a multipart body, so a create in a
change set and a create on its own cannot drift apart.

Creates with a client-chosen id are sent as `PATCH <set>(<id>)` with `If-None-Match: *` (create
only) rather than a POST with the primary key in the body: the URL carries the id, so the
client needs no table metadata (the primary-key column name) and the request is idempotent by
construction; a repeat after a lost response answers 412 and never makes a second row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import quote

import httpx

from smsconf.dataverse import odata
from smsconf.dataverse.errors import DataverseError
from smsconf.dataverse.odata import Filter, Key

JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json"}
_QUERY_SAFE = "$,'()/:@*"
"""Left readable in query values; `&`, `+`, `#`, `%`, `=`, `;` and spaces are percent-encoded."""


@dataclass(frozen=True)
class Operation:
    """One Web API request, relative to the service root."""

    method: str
    path: str
    """Resource path and query string relative to the service root, e.g. `accounts(<id>)`."""
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = False
    """Whether sending it twice leaves the same state as once (decides retries after a send).

    False unless said otherwise, so a hand-made operation is never repeated blindly.
    """
    ref: str | None = None
    """For `$ref` writes: the target row's path; sent as an absolute `@odata.id` in the body."""

    def url(self, service_root: str) -> str:
        """Absolute URL of the operation under `service_root` (which ends with a slash)."""
        return service_root + self.path

    def content(self, service_root: str) -> bytes | None:
        """The JSON body as sent: compact UTF-8, UUID values as text."""
        body = dict(self.body) if self.body is not None else None
        if self.ref is not None:
            body = {"@odata.id": service_root + self.ref}
        if body is None:
            return None
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_uuid).encode()

    def settled_by(self, status: int) -> bool:
        """Whether `status`, answering a repeat of this operation, shows the first one worked.

        A create-only write finds its row (412), a delete finds it gone (404), an associate
        finds its link (412: the service refuses a duplicate N:N link as a duplicate record).
        """
        if self.method == "DELETE":
            return status == 404
        return status == 412 and (self.headers.get("If-None-Match") == "*" or self.ref is not None)

    def describe(self) -> str:
        """Request line for error messages (no headers, no body, so no secrets)."""
        return f"{self.method} {self.path}"


def _uuid(value: object) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def row_path(entity_set: str, key: Key) -> str:
    """`<set>(<key>)` for a GUID or an alternate key."""
    return odata.entity_set_name(entity_set) + odata.key_segment(key)


def query_string(
    *,
    select: Sequence[str] | None = None,
    filter: Filter | str | None = None,
    orderby: Sequence[str] | None = None,
    expand: Sequence[str] | None = None,
    top: int | None = None,
) -> str:
    """Encoded system query options, `?`-prefixed, or empty.

    `filter` may be a raw string for fixed expressions; anything built from data should be a
    `Filter` from `odata`. `expand` items are passed through (`nav($select=a,b)` syntax).
    """
    params: list[tuple[str, str]] = []
    if select:
        params.append(("$select", ",".join(odata.column(c) for c in select)))
    if filter is not None:
        params.append(("$filter", str(filter)))
    if orderby:
        params.append(("$orderby", ",".join(odata.order(t) for t in orderby)))
    if expand:
        params.append(("$expand", ",".join(expand)))
    if top is not None:
        if top < 1:
            raise ValueError("$top must be at least 1")
        params.append(("$top", str(top)))
    return (
        "?" + "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in params)
        if params
        else ""
    )


def prefer(*preferences: str | None) -> dict[str, str]:
    """A `Prefer` header from the given preferences (None ones skipped), or no header."""
    chosen = [p for p in preferences if p]
    return {"Prefer": ",".join(chosen)} if chosen else {}


def annotations_preference(annotations: str | None) -> str | None:
    """`odata.include-annotations="<pattern>"`, e.g. `*` or the FormattedValue annotation."""
    return f'odata.include-annotations="{annotations}"' if annotations else None


class ReadOptions(TypedDict, total=False):
    """`get`'s options as `DataverseClient.get` passes them on, so the client's signature
    never repeats the builder's (which still rejects a keyword it does not know)."""

    select: Sequence[str] | None
    expand: Sequence[str] | None
    if_none_match: str | None
    annotations: str | None


def get(
    entity_set: str,
    key: Key,
    *,
    select: Sequence[str] | None = None,
    expand: Sequence[str] | None = None,
    if_none_match: str | None = None,
    annotations: str | None = None,
) -> Operation:
    """Read one row; with `if_none_match` (its last ETag) the answer may be 304."""
    headers = prefer(annotations_preference(annotations))
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    path = row_path(entity_set, key) + query_string(select=select, expand=expand)
    return Operation("GET", path, headers=headers, idempotent=True)


def create(
    entity_set: str,
    body: Mapping[str, Any],
    *,
    id: str | uuid.UUID | None = None,
    return_representation: bool = False,
) -> Operation:
    """Create a row; with `id`, a create-only upsert to that id (see the module docstring)."""
    if id is not None:
        return upsert(
            entity_set, id, body, create_only=True, return_representation=return_representation
        )
    headers = {**JSON_HEADERS, **prefer("return=representation" if return_representation else None)}
    return Operation("POST", odata.entity_set_name(entity_set), body=body, headers=headers)


def update(
    entity_set: str,
    key: Key,
    body: Mapping[str, Any],
    *,
    etag: str | None = None,
    return_representation: bool = False,
) -> Operation:
    """Update an existing row: `If-Match: <etag>` (412 if changed) or `*` (404 if missing)."""
    headers = {
        **JSON_HEADERS,
        "If-Match": etag or "*",
        **prefer("return=representation" if return_representation else None),
    }
    return Operation(
        "PATCH", row_path(entity_set, key), body=body, headers=headers, idempotent=True
    )


def upsert(
    entity_set: str,
    key: Key,
    body: Mapping[str, Any],
    *,
    create_only: bool = False,
    return_representation: bool = False,
) -> Operation:
    """Create the row at `key` or update it; `create_only` makes an existing row a 412.

    Idempotent even without a condition: a repeat writes the same values to the same row.
    """
    headers = {**JSON_HEADERS, **prefer("return=representation" if return_representation else None)}
    if create_only:
        headers["If-None-Match"] = "*"
    return Operation(
        "PATCH", row_path(entity_set, key), body=body, headers=headers, idempotent=True
    )


def delete(entity_set: str, key: Key, *, etag: str | None = None) -> Operation:
    """Delete a row; with `etag`, only if it has not changed since it was read (412 otherwise)."""
    headers = {"If-Match": etag} if etag else {}
    return Operation("DELETE", row_path(entity_set, key), headers=headers, idempotent=True)


def associate(
    entity_set: str, key: Key, relationship: str, target_set: str, target_key: Key
) -> Operation:
    """Link two rows through a collection-valued navigation property (N:N or 1:N).

    Repeating it cannot add a second link (a repeat of an N:N link is refused as a duplicate
    record, which `settled_by` reads as done), so it counts as idempotent.
    """
    path = f"{row_path(entity_set, key)}/{odata.column(relationship)}/$ref"
    return Operation(
        "POST",
        path,
        headers=dict(JSON_HEADERS),
        idempotent=True,
        ref=row_path(target_set, target_key),
    )


def disassociate(
    entity_set: str, key: Key, relationship: str, target_set: str, target_key: Key
) -> Operation:
    """Remove the link `associate` made; `target_set` only validates the target key's table."""
    odata.entity_set_name(target_set)
    target = odata.key_segment(target_key)
    path = f"{row_path(entity_set, key)}/{odata.column(relationship)}{target}/$ref"
    return Operation("DELETE", path, idempotent=True)


@dataclass(frozen=True)
class OperationResult:
    """What happened to one operation, sent alone or as part of a $batch.

    `ok` is true exactly when `error` is None. `status` is None for an operation that got no
    answer of its own (not executed, or rolled back with its change set).
    """

    operation: Operation
    status: int | None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: Any = None
    """The parsed JSON body (a row, a collection, an action response), or None."""
    error: DataverseError | None = None
    replayed: bool = False
    """The answer is to a repeat of a request whose first answer was lost in transit (or to a
    gateway failure), so the first attempt may have taken effect."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def entity_id(self) -> str | None:
        """Id of the row written, from `OData-EntityId` (or the returned row's `@odata.id`)."""
        location = self.headers.get("OData-EntityId") or self.headers.get("Location")
        if location is None and isinstance(self.body, dict):
            location = self.body.get("@odata.id")
        if not location or not location.endswith(")"):
            return None
        try:
            return str(odata.guid(location[location.rindex("(") + 1 : -1]))
        except ValueError:
            return None

    @property
    def etag(self) -> str | None:
        """The row version after the operation: the ETag header or the body's `@odata.etag`."""
        value = self.headers.get("ETag")
        if value is None and isinstance(self.body, dict):
            value = self.body.get("@odata.etag")
        return None if value is None else str(value)


def answer_body(content: bytes) -> Any:
    """An answer's body as `OperationResult.body` holds it, sent alone or in a $batch: its
    JSON, or None when there is none (a 204) or it is not JSON (a gateway's page)."""
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
