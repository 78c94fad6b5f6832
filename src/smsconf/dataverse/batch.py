"""OData `$batch`: multipart/mixed bodies out, per-operation results back.

Writes go to Dataverse in batches (few round trips) and in change sets (atomic groups), so this
module turns a list of `Operation`s and `ChangeSet`s into one or more request bodies of at most
1,000 operations, and maps the multipart answer back onto the operations in order. The parser is
lenient in what real servers and proxies send (LF or CRLF, quoted or bare boundaries, stray
blank lines) and strict about what matters: an answer that cannot be matched to the operations
is a `ProtocolError`, never a silently shifted result.

A failed change set is reported per operation: the operation that failed carries the server's
error; the others carry `RolledBack` (Dataverse usually answers a failed change set with the one
error, tagged with the failing part's Content-ID). Operations after a failure that stopped the
batch carry `NotExecuted`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import httpx

from smsconf.dataverse.errors import (
    DataverseError,
    NotExecuted,
    ProtocolError,
    RolledBack,
    error_from_response,
)
from smsconf.dataverse.operations import Operation, OperationResult, answer_body

MAX_OPERATIONS = 1000
"""Dataverse's limit of requests in one $batch."""


@dataclass(frozen=True)
class ChangeSet:
    """Writes applied all-or-nothing."""

    operations: tuple[Operation, ...]

    def __init__(self, operations: Iterable[Operation]) -> None:
        ops = tuple(operations)
        if not ops:
            raise ValueError("a change set needs at least one operation")
        if len(ops) > MAX_OPERATIONS:
            raise ValueError(f"a change set holds at most {MAX_OPERATIONS} operations")
        if any(op.method == "GET" for op in ops):
            raise ValueError("GET is not allowed in a change set")
        object.__setattr__(self, "operations", ops)


BatchItem = Operation | ChangeSet


def operations_of(items: Iterable[BatchItem]) -> list[Operation]:
    """All operations, change sets flattened, in order."""
    return [op for item in items for op in _ops(item)]


def _ops(item: BatchItem) -> tuple[Operation, ...]:
    return item.operations if isinstance(item, ChangeSet) else (item,)


def split(items: Sequence[BatchItem], limit: int = MAX_OPERATIONS) -> list[list[BatchItem]]:
    """Consecutive chunks of at most `limit` operations; a change set is never cut."""
    chunks: list[list[BatchItem]] = []
    size = limit
    for item in items:
        count = len(_ops(item))
        if count > limit:
            raise ValueError(f"change set of {count} operations exceeds the limit of {limit}")
        if size + count > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += count
    return chunks


# --- request body -------------------------------------------------------------------------


def encode(
    items: Sequence[BatchItem], service_root: str, *, boundary: str | None = None
) -> tuple[str, bytes]:
    """(Content-Type, body) of one $batch request; change-set parts get Content-IDs 1..n."""
    batch = boundary or f"batch_{uuid.uuid4()}"
    lines: list[bytes] = []
    content_id = 0
    for item in items:
        lines.append(f"--{batch}".encode())
        if isinstance(item, ChangeSet):
            changeset = f"changeset_{uuid.uuid4()}" if boundary is None else f"changeset_{batch}"
            lines += [f"Content-Type: multipart/mixed; boundary={changeset}".encode(), b""]
            for op in item.operations:
                content_id += 1
                lines.append(f"--{changeset}".encode())
                lines += _part(op, service_root, content_id)
            lines.append(f"--{changeset}--".encode())
        else:
            lines += _part(item, service_root, None)
    lines.append(f"--{batch}--".encode())
    lines.append(b"")
    return f"multipart/mixed; boundary={batch}", b"\r\n".join(lines)


def _part(op: Operation, service_root: str, content_id: int | None) -> list[bytes]:
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        head.append(f"Content-ID: {content_id}")
    request = [f"{op.method} {op.url(service_root)} HTTP/1.1", "Accept: application/json"]
    content = op.content(service_root)
    for name, value in op.headers.items():
        if name.lower() == "content-type" and content is not None:
            value = "application/json; type=entry"
        request.append(f"{name}: {value}")
    return [*(h.encode() for h in head), b"", *(r.encode() for r in request), b"", content or b""]


# --- response body ------------------------------------------------------------------------


@dataclass(frozen=True)
class PartResponse:
    """One HTTP response inside a multipart answer."""

    status: int
    headers: httpx.Headers
    content: bytes
    content_id: str | None


Answer = PartResponse | list[PartResponse]
"""A top-level answer: one response, or a change set's list of responses."""


def decode(content_type: str, body: bytes) -> list[Answer]:
    """Parse a $batch answer into top-level answers, change sets as nested lists.

    The body is decoded and split into lines once; parts and nested parts are ranges of those
    lines, and only each leaf response's payload is joined back into bytes. An answer carrying
    every table's rows (the live read) is tens of megabytes, so each extra copy would show in
    the peak memory of a plan.
    """
    answers: list[Answer] = []
    for headers, content in _parts(content_type, _lines(body)):
        nested = headers.get("Content-Type", "")
        if nested.lower().startswith("multipart/mixed"):
            inner = [_response(h, c) for h, c in _parts(nested, content)]
            answers.append(inner)
        else:
            answers.append(_response(headers, content))
    return answers


def boundary_of(content_type: str) -> str:
    """The `boundary` parameter of a multipart Content-Type, quoted or not."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"')
    raise ProtocolError(f"multipart answer without a boundary: {content_type!r}")


def _lines(data: bytes) -> list[str]:
    return [line.removesuffix("\r") for line in data.decode("utf-8", "replace").split("\n")]


def _parts(content_type: str, lines: list[str]) -> Iterator[tuple[httpx.Headers, list[str]]]:
    """Each part's headers and content lines; the line break before a delimiter belongs to
    the delimiter, so it is not part of the content."""
    delimiter = f"--{boundary_of(content_type)}"
    start: int | None = None
    for index, line in enumerate(lines):
        if not line.startswith(delimiter):
            continue  # content lines can be megabytes long: no stripped copy of them
        marker = line.rstrip()
        if marker not in (delimiter, f"{delimiter}--"):
            continue
        if start is not None:
            yield _split_headers(lines[start:index])
        if marker != delimiter:
            return
        start = index + 1
    raise ProtocolError("multipart answer is truncated (no closing delimiter)")


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _split_headers(lines: list[str]) -> tuple[httpx.Headers, list[str]]:
    """Headers up to the first blank line (leading blank lines tolerated), then the content."""
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    fields: list[tuple[str, str]] = []
    while index < len(lines):
        line = lines[index]
        colon = line.find(":")  # (no partition: the content's line may be megabytes long)
        if colon < 0 or not _HEADER_NAME.fullmatch(name := line[:colon].strip()):
            break
        fields.append((name, line[colon + 1 :].strip()))
        index += 1
    if index < len(lines) and not lines[index].strip():
        index += 1
    return httpx.Headers(fields), lines[index:]


def _response(part_headers: httpx.Headers, lines: list[str]) -> PartResponse:
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines) or not lines[first].startswith("HTTP/"):
        raise ProtocolError("batch answer part is not an HTTP response")
    status_line = lines[first]
    fields = status_line.split(" ", 2)
    try:
        status = int(fields[1])
    except (IndexError, ValueError):
        raise ProtocolError(f"bad status line in batch answer: {status_line!r}") from None
    headers, payload = _split_headers(lines[first + 1 :])
    content_id = headers.get("Content-ID") or part_headers.get("Content-ID")
    return PartResponse(status, headers, "\n".join(payload).encode("utf-8"), content_id)


# --- results --------------------------------------------------------------------------------


def results(items: Sequence[BatchItem], answers: Sequence[Answer]) -> list[OperationResult]:
    """One result per operation of `items`, in order, from the decoded answers."""
    if len(answers) > len(items):
        raise ProtocolError(f"{len(answers)} answers to a batch of {len(items)} requests")
    out: list[OperationResult] = []
    first_id = 1
    for index, item in enumerate(items):
        if index >= len(answers):
            out += [_not_executed(op) for op in _ops(item)]
        elif isinstance(item, ChangeSet):
            out += _change_set_results(item, answers[index], first_id)
            first_id += len(item.operations)
        else:
            answer = answers[index]
            if isinstance(answer, list):
                raise ProtocolError("a change-set answer to a request outside change sets")
            out.append(_result(item, answer))
    return out


def not_executed(items: Sequence[BatchItem]) -> list[OperationResult]:
    """Results for items of a batch that was never sent because an earlier one failed."""
    return [_not_executed(op) for op in operations_of(items)]


def _not_executed(op: Operation) -> OperationResult:
    error = NotExecuted(
        "not executed: an earlier request of the batch failed", request=op.describe()
    )
    return OperationResult(op, None, error=error)


def _change_set_results(
    change_set: ChangeSet, answer: Answer, first_id: int
) -> list[OperationResult]:
    ops = change_set.operations
    if isinstance(answer, PartResponse):
        return _failed_change_set(change_set, answer, first_id)
    if len(answer) != len(ops):
        raise ProtocolError(f"{len(answer)} answers to a change set of {len(ops)} operations")
    done = [_result(op, part) for op, part in zip(ops, answer, strict=True)]
    failed = next((r for r in done if not r.ok), None)
    if failed is None:
        return done
    return [r if not r.ok else _rolled_back(r.operation, failed) for r in done]


def _failed_change_set(
    change_set: ChangeSet, answer: PartResponse, first_id: int
) -> list[OperationResult]:
    """A change set answered by a single response: normally the failure of one operation.

    The failing part is named by its Content-ID (numbered 1..n across the batch by `encode`);
    without one, the error is pinned on the change set's first operation.
    """
    ops = change_set.operations
    content_id = answer.content_id or ""
    position = int(content_id) - first_id if content_id.isdigit() else 0
    culprit = position if 0 <= position < len(ops) else 0
    failure = _result(ops[culprit], answer)
    if failure.ok:
        raise ProtocolError(f"change set of {len(ops)} operations answered by one success")
    return [failure if i == culprit else _rolled_back(op, failure) for i, op in enumerate(ops)]


def _rolled_back(op: Operation, cause: OperationResult) -> OperationResult:
    reason = cause.error.message if cause.error else "another operation failed"
    error = RolledBack(
        f"rolled back with its change set: {cause.operation.describe()} failed: {reason}",
        request=op.describe(),
    )
    return OperationResult(op, None, error=error)


def _result(op: Operation, part: PartResponse) -> OperationResult:
    body = answer_body(part.content)
    error: DataverseError | None = None
    if part.status >= 400:
        error = error_from_response(part.status, part.headers, part.content, request=op.describe())
    return OperationResult(op, part.status, part.headers, body, error)
