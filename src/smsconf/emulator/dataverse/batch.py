"""`$batch`: lenient multipart parsing, atomic change sets, Content-ID references.

Real clients disagree on the details (LF or CRLF, quoted boundaries, a missing blank line after
part headers, absolute or relative inner URLs, a missing final CRLF), so parsing accepts all of
them; execution follows the documented rules: a change set commits or rolls back as one, GETs
are refused inside it, and processing stops at the first failure unless
`Prefer: odata.continue-on-error` is sent. A batch that stopped at a failure answers
`400 Bad Request` with the parts up to the failed one ("Execute batch operations using the Web
API", *Handling errors*: "the error for that request will be returned for the batch request");
with `odata.continue-on-error` the batch answers `200 OK` whatever its parts did. The doc's
example fails with a 400 part; that the outer status is 400 for a 404 or 412 part too is
[inferred] from "the batch error represents the error of the first failing request".
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl

from smsconf.emulator.dataverse.errors import DataverseError, bad_payload
from smsconf.emulator.dataverse.protocol import Call, Reply, error_reply
from smsconf.emulator.dataverse.records import ContentIds
from smsconf.emulator.dataverse.service import Service
from smsconf.emulator.dataverse.urls import relative_path

MAX_OPERATIONS = 1000
_BOUNDARY = re.compile(r'boundary\s*=\s*"?([^";]+)"?', re.IGNORECASE)
_REQUEST_LINE = re.compile(r"^(GET|POST|PATCH|PUT|DELETE)\s+(\S+)(?:\s+HTTP/\d\.\d)?\s*$")


@dataclass
class Operation:
    """One request inside a batch, with the part headers that travel with it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    content_id: str | None = None


@dataclass
class ChangeSet:
    """Operations that commit together or not at all."""

    operations: list[Operation] = field(default_factory=list)


def boundary_of(content_type: str) -> str:
    """The multipart boundary, quoted or not; a 400 if there is none."""
    match = _BOUNDARY.search(content_type)
    if not match or "multipart/mixed" not in content_type.lower():
        raise bad_payload("A $batch request needs Content-Type: multipart/mixed with a boundary.")
    return match[1].strip()


def _parts(text: str, boundary: str) -> list[str]:
    delimiter = re.compile(rf"^--{re.escape(boundary)}(--)?[ \t]*$", re.MULTILINE)
    pieces = delimiter.split(text)
    # split() yields: preamble, then (closing-marker, part) pairs.
    return [pieces[i + 1] for i in range(1, len(pieces) - 1, 2) if pieces[i] is None]


def _headers(lines: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            result[name.strip().lower()] = value.strip()
    return result


def _operation(part: str) -> Operation:
    lines = part.strip("\n").split("\n")
    index = 0
    part_headers: list[str] = []
    while index < len(lines) and lines[index].strip() and not _REQUEST_LINE.match(lines[index]):
        part_headers.append(lines[index])
        index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not (request := _REQUEST_LINE.match(lines[index].strip())):
        raise bad_payload("A $batch part does not contain an HTTP request line.")
    index += 1
    start = index
    while index < len(lines) and lines[index].strip():
        index += 1
    headers = _headers(lines[start:index])
    body = "\n".join(lines[index + 1 :]).strip()
    outer = _headers(part_headers)
    return Operation(
        request[1],
        request[2],
        headers,
        body.encode(),
        outer.get("content-id") or headers.get("content-id"),
    )


def parse(body: bytes, content_type: str) -> list[Operation | ChangeSet]:
    """The batch's items in order: single operations and change sets."""
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n")
    items: list[Operation | ChangeSet] = []
    for part in _parts(text, boundary_of(content_type)):
        head = part.lstrip("\n").split("\n\n", 1)[0]
        part_type = _headers(head.split("\n")).get("content-type", "")
        if "multipart/mixed" in part_type.lower():
            inner = _parts(part, boundary_of(part_type))
            items.append(ChangeSet([_operation(p) for p in inner]))
        else:
            items.append(_operation(part))
    count = sum(len(i.operations) if isinstance(i, ChangeSet) else 1 for i in items)
    if count > MAX_OPERATIONS:
        raise bad_payload(f"The batch has {count} operations; the limit is {MAX_OPERATIONS}.")
    return items


def _call(op: Operation, root: str) -> Call:
    url, _, query = op.url.partition("?")
    headers = dict(op.headers)
    if op.content_id:
        headers["content-id"] = op.content_id
    return Call(
        op.method,
        relative_path(url),
        dict(parse_qsl(query, keep_blank_values=True)),
        headers,
        op.body,
        root,
    )


def _render_part(reply: Reply, content_id: str | None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}"]
    lines += [f"{k}: {v}" for k, v in reply.headers.items()]
    lines += ["", reply.body.decode()]
    return "\r\n".join(lines)


def _multipart(boundary: str, parts: list[str]) -> str:
    return "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + f"--{boundary}--\r\n"


class _RolledBack(Exception):
    def __init__(self, reply: Reply, content_id: str | None) -> None:
        super().__init__("change set rolled back")
        self.reply = reply
        self.content_id = content_id


def _run_change_set(
    service: Service, change_set: ChangeSet, root: str
) -> list[tuple[Reply, str | None]]:
    content_ids: ContentIds = {}
    done: list[tuple[Reply, str | None]] = []
    with service.store.transaction():
        for op in change_set.operations:
            if op.method == "GET":
                reply = error_reply(bad_payload("GET requests are not allowed in a change set."))
            else:
                reply = service.handle(_call(op, root), content_ids)
            if reply.status >= 400:
                raise _RolledBack(reply, op.content_id)
            done.append((reply, op.content_id))
    return done


def execute(service: Service, call: Call) -> Reply:
    """Run a `$batch` call and build its multipart response, or the error refusing it whole."""
    try:
        return _execute(service, call)
    except DataverseError as error:
        return error_reply(error)


def _execute(service: Service, call: Call) -> Reply:
    items = parse(call.body, call.headers.get("content-type", ""))
    continue_on_error = "odata.continue-on-error" in call.prefer
    boundary = f"batchresponse_{uuid.uuid4()}"
    parts: list[str] = []
    stopped = False
    with service.store.transaction():
        for item in items:
            failed = False
            if isinstance(item, ChangeSet):
                try:
                    done = _run_change_set(service, item, call.root)
                    inner = f"changesetresponse_{uuid.uuid4()}"
                    body = _multipart(inner, [_render_part(r, cid) for r, cid in done])
                    parts.append(f"Content-Type: multipart/mixed; boundary={inner}\r\n\r\n{body}")
                except _RolledBack as rollback:
                    parts.append(_render_part(rollback.reply, rollback.content_id))
                    failed = True
            else:
                reply = service.handle(_call(item, call.root))
                parts.append(_render_part(reply, item.content_id))
                failed = reply.status >= 400
            if failed and not continue_on_error:
                stopped = True
                break
    headers = {"Content-Type": f"multipart/mixed; boundary={boundary}", "OData-Version": "4.0"}
    if continue_on_error:
        headers["Preference-Applied"] = "odata.continue-on-error"
    return Reply(400 if stopped else 200, headers, _multipart(boundary, parts).encode())
