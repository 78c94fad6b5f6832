"""`DataverseClient`: the one way smsconf talks to a Dataverse Web API, real or emulated.

Everything goes through `_send`, which owns the cross-cutting rules: bearer token on every
attempt, at most `max_concurrency` requests in flight (Dataverse allows 52 per user), retries as
`RetryPolicy` decides, the run's total deadline, and request accounting. The public methods only
describe requests (`operations`, `batch`) and interpret answers, so the reconciler and the
benchmark see a small surface: reads that page, single writes that raise, and `$batch`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypedDict, Unpack

import httpx

from smsconf import hosts
from smsconf.dataverse import batch as batches
from smsconf.dataverse import odata
from smsconf.dataverse import operations as ops
from smsconf.dataverse.auth import Credential
from smsconf.dataverse.errors import (
    DataverseError,
    DeadlineExceeded,
    ProtocolError,
    TransportFailure,
    error_from_response,
    parse_retry_after,
)
from smsconf.dataverse.odata import Filter, Key
from smsconf.dataverse.operations import Operation, OperationResult
from smsconf.dataverse.stats import RequestStats
from smsconf.http_client import (
    GATEWAY_FAILURES,
    NOT_SENT,
    REFUSED_BEFORE_PROCESSING,
    USER_AGENT,
    ClosingClient,
    Deadline,
    RetryPolicy,
    with_retries,
)
from smsconf.tls import verifying_context

Row = dict[str, Any]
P = ParamSpec("P")
MAX_PAGE_SIZE = 5000
SERVICE_CONCURRENCY_LIMIT = 52
CONNECT_TIMEOUT = 10.0
"""Seconds to open a connection: an organisation answers in well under one; an address that
drops packets would otherwise hold the run for the whole request timeout."""
FIRST_CONTACT_ATTEMPTS = 2
"""Attempts to connect before the organisation has answered once: a wrong or unreachable URL
is reported within seconds, not after the backoff meant for an organisation that answered."""
WEB_API_PATH = re.compile(r"/api/data/v\d+(?:\.\d+)?/?$", re.IGNORECASE)
log = logging.getLogger("smsconf.dataverse")


def organisation_url(text: str) -> str:
    """The organisation URL of `text`, which may also be its Web API root (what `emulator
    serve` prints, or `…/api/data/v9.2/` copied from a browser); ValueError says what is wrong."""
    url = httpx.URL(text.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"{text!r} is not an organisation URL: give https://<org>.crm.dynamics.com (or its "
            "Web API root, https://<org>.crm.dynamics.com/api/data/v9.2/), or 'local'"
        )
    path = WEB_API_PATH.sub("", url.path).rstrip("/")
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


@dataclass(frozen=True)
class Query:
    """A collection query: what `pages` sends on its own and `read_many` sends in a $batch.

    `page_size` is `Prefer: odata.maxpagesize` (1..5000; Dataverse caps it at 5000).
    """

    entity_set: str
    select: Sequence[str] | None = None
    filter: Filter | str | None = None
    orderby: Sequence[str] | None = None
    expand: Sequence[str] | None = None
    top: int | None = None
    page_size: int = MAX_PAGE_SIZE
    annotations: str | None = None
    if_none_match: str | None = None
    """`null` asks for an uncached answer: a collection-valued `$expand` may otherwise come
    from a cache (Learn, "Join tables using the Web API")."""

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")

    def operation(self) -> Operation:
        """The request for the first page."""
        query = ops.query_string(
            select=self.select,
            filter=self.filter,
            orderby=self.orderby,
            expand=self.expand,
            top=self.top,
        )
        headers = ops.prefer(
            f"odata.maxpagesize={self.page_size}", ops.annotations_preference(self.annotations)
        )
        if self.if_none_match:
            headers["If-None-Match"] = self.if_none_match
        return Operation(
            "GET", odata.entity_set_name(self.entity_set) + query, headers=headers, idempotent=True
        )


class QueryOptions(TypedDict, total=False):
    """The options of `pages` and `get_all`, as keywords: `Query`'s fields after the entity set.

    One declaration for both methods, so a new query option cannot reach one and not the other.
    """

    select: Sequence[str] | None
    filter: Filter | str | None
    orderby: Sequence[str] | None
    expand: Sequence[str] | None
    top: int | None
    page_size: int
    annotations: str | None
    if_none_match: str | None


def _tls(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """`verify` as httpx takes it: a CA bundle path read into a context of its own, default
    verification through the context the run's other clients share."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verifying_context() if verify is True else verify


def _executes(
    build: Callable[P, Operation],
) -> Callable[Concatenate[DataverseClient, P], Coroutine[Any, Any, OperationResult]]:
    """A single-row write of `DataverseClient`: the builder of `operations` it is, executed
    (`execute` raises the write's `DataverseError`; a created row's id is the result's
    `entity_id`). Its keywords are the builder's own, so the two cannot drift apart."""

    async def write(self: DataverseClient, *args: P.args, **kwargs: P.kwargs) -> OperationResult:
        return await self.execute(build(*args, **kwargs))

    write.__name__ = build.__name__
    write.__qualname__ = f"DataverseClient.{build.__name__}"
    write.__doc__ = build.__doc__
    return write


class DataverseClient(ClosingClient):
    """Async Dataverse Web API client; use as `async with DataverseClient(...) as dv:`.

    `base_url` is the organisation URL (`https://contoso.crm.dynamics.com`, or the emulator's);
    the token scope is `<base_url origin>/.default`. `transport` replaces the network (tests pass
    `httpx.ASGITransport(app)` for the in-process emulator). `deadline` bounds the whole run in
    seconds, counted from the first request. `verify` is TLS verification: a bool, a CA bundle
    path (e.g. the emulator's self-signed certificate) or an `ssl.SSLContext`. `batch_size` is
    the most operations `batch` puts in one `$batch` request: the service's limit, 1,000.
    """

    def __init__(
        self,
        base_url: str,
        credential: Credential,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        api_version: str = "v9.2",
        max_concurrency: int = 16,
        timeout: float = 120.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        verify: bool | str | ssl.SSLContext = True,
    ) -> None:
        url = httpx.URL(organisation_url(base_url))
        if not 1 <= max_concurrency < SERVICE_CONCURRENCY_LIMIT:
            raise ValueError(f"max_concurrency must be 1..{SERVICE_CONCURRENCY_LIMIT - 1}")
        self.in_process = transport is not None
        """Requests stay in this process (an injected transport: the local organisation)."""
        if transport is None:  # the network: the bearer token goes only where it is trusted
            hosts.require(base_url, "dataverse")
        self.service_root = f"{str(url).rstrip('/')}/api/data/{api_version}/"
        self.scope = f"{url.scheme}://{url.netloc.decode()}/.default"
        self.stats = RequestStats()
        self._origin = (url.scheme, url.host, url.port)
        self._credential = credential
        self._retry = retry or RetryPolicy()
        self._deadline = Deadline(deadline)
        self._timeout = timeout
        self._answered = False  # until the organisation has answered once: see FIRST_CONTACT
        self._started = time.monotonic()
        self._slots = asyncio.Semaphore(max_concurrency)
        self.batch_size = batches.MAX_OPERATIONS
        self._http = httpx.AsyncClient(
            transport=transport,
            verify=_tls(verify),
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_concurrency),
            follow_redirects=False,  # a redirect would carry the bearer token elsewhere
            headers={
                "Accept": "application/json",
                "OData-MaxVersion": "4.0",
                "OData-Version": "4.0",
                "User-Agent": USER_AGENT,
            },
        )

    def __repr__(self) -> str:
        return f"DataverseClient({self.service_root!r})"

    # --- reads ----------------------------------------------------------------------------

    async def get(
        self, entity_set: str, key: Key, **options: Unpack[ops.ReadOptions]
    ) -> Row | None:
        """One row with its `@odata.etag`; None only when `if_none_match` matched (304).

        `options` are `operations.get`'s: `select`, `expand`, `if_none_match`, `annotations`.
        Raises `NotFound` when the row does not exist.
        """
        result = await self.execute(ops.get(entity_set, key, **options))
        return None if result.status == 304 else result.body

    async def pages(
        self, entity_set: str, **options: Unpack[QueryOptions]
    ) -> AsyncIterator[list[Row]]:
        """Pages of a query, following `@odata.nextLink` unchanged with the same Prefer header.

        `options` are `Query`'s: `select`, `filter` (a `Filter`, or a raw OData string),
        `orderby`, `expand`, `top`, `page_size`, `annotations`.
        `page_size` is `Prefer: odata.maxpagesize` (1..5000; Dataverse caps it at 5000).
        `annotations` asks for `odata.include-annotations` (e.g. `"*"` for formatted values and
        lookup navigation names). A nextLink to another origin is refused (`ProtocolError`):
        following it would hand the bearer token to that host.
        """
        query = Query(entity_set, **options)
        first = query.operation()
        url = first.url(self.service_root)
        async for rows in self._pages_from(query, url, await self._get_json(url, first.headers)):
            yield rows

    async def read_many(self, queries: Sequence[Query]) -> list[list[Row]]:
        """All rows of several queries (each row with its `@odata.etag`), in one round trip.

        The first page of every query travels in a single `$batch` request (GETs are allowed
        in a batch outside change sets), so reading twenty tables costs one request, not twenty;
        only a query with more rows than its page size costs more, its next pages followed as
        in `pages`. A failed query raises its own error.
        """
        results = await self.batch([query.operation() for query in queries])
        failed = next((r for r in results if r.error is not None), None)
        if failed is not None and failed.error is not None:
            raise failed.error

        async def collect(query: Query, first: OperationResult) -> list[Row]:
            url = first.operation.url(self.service_root)
            return [row async for page in self._pages_from(query, url, first.body) for row in page]

        return list(await asyncio.gather(*map(collect, queries, results)))

    async def _pages_from(self, query: Query, url: str, payload: Any) -> AsyncIterator[list[Row]]:
        """The rows of an answer in hand (`payload`, answering `url`), then of every next page."""
        headers = query.operation().headers
        left = query.top
        followed: set[str] = set()
        while True:
            request = f"GET {url.removeprefix(self.service_root)}"
            rows = payload.get("value") if isinstance(payload, dict) else None
            if not isinstance(rows, list):
                raise ProtocolError("collection answer without a 'value' array", request=request)
            if left is not None:
                rows = rows[:left]
                left -= len(rows)
            yield rows
            next_link = payload.get("@odata.nextLink")
            if not next_link or (left is not None and left <= 0):
                return
            url = self._same_origin(url, str(next_link))
            if url in followed:  # a server paging in a circle would be followed forever
                raise ProtocolError("@odata.nextLink repeats a page already read", request=request)
            followed.add(url)
            payload = await self._get_json(url, headers)

    async def _get_json(self, url: str, headers: Mapping[str, str]) -> Any:
        response, _ = await self._send("GET", url, headers=headers, idempotent=True)
        return _checked_json(response, f"GET {url.removeprefix(self.service_root)}")

    async def get_all(self, entity_set: str, **options: Unpack[QueryOptions]) -> list[Row]:
        """All rows of a query (every page), each with its `@odata.etag`; see `pages`."""
        return [row async for page in self.pages(entity_set, **options) for row in page]

    async def whoami(self) -> Row:
        """`WhoAmI`: UserId, BusinessUnitId, OrganizationId; the cheapest auth check."""
        result = await self.execute(Operation("GET", "WhoAmI", idempotent=True))
        if not isinstance(result.body, dict):
            raise ProtocolError("WhoAmI answered without a JSON object", request="GET WhoAmI")
        return result.body

    # --- writes ---------------------------------------------------------------------------

    create = _executes(ops.create)
    update = _executes(ops.update)
    upsert = _executes(ops.upsert)
    delete = _executes(ops.delete)
    associate = _executes(ops.associate)
    disassociate = _executes(ops.disassociate)

    async def execute(self, op: Operation) -> OperationResult:
        """Send one operation on its own; raise its `DataverseError` if it failed.

        When an attempt was lost after it may have reached the server, the repeat can find the
        first attempt's effect: a create-only answered 412, a delete answered 404. Those are
        successes, marked `replayed`, so a lost response never turns into a false failure.
        """
        response, replayed = await self._send(
            op.method,
            op.url(self.service_root),
            headers=op.headers,
            content=op.content(self.service_root),
            idempotent=op.idempotent,
        )
        status = response.status_code
        if status >= 400 and not (replayed and op.settled_by(status)):
            raise error_from_response(
                status, response.headers, response.content, request=op.describe()
            )
        body = ops.answer_body(response.content) if status < 400 else None
        return OperationResult(op, status, response.headers, body, replayed=replayed)

    async def batch(
        self,
        items: Sequence[batches.BatchItem],
        *,
        continue_on_error: bool = False,
        on_chunk: Callable[[list[OperationResult]], None] | None = None,
    ) -> list[OperationResult]:
        """Send operations and change sets as `$batch` requests of at most `batch_size`
        operations.

        Returns one result per operation, in order, and raises only when a whole $batch request
        fails. Change sets are atomic. Without `continue_on_error` the service stops at the first
        failure, and later $batch requests are not sent (their results are `NotExecuted`).
        Results marked `replayed` answer a repeat of a $batch whose first answer was lost: a
        412 or 404 there may be the first attempt's own effect, so re-read before concluding.

        `on_chunk` hears each request's results as they come, so a caller keeps what earlier
        requests did when a later one raises (and can report progress); a request without an
        answer is heard as its operations failing with the error, which is then raised.
        """
        results: list[OperationResult] = []
        for chunk in batches.split(items, self.batch_size):
            if results and not continue_on_error and not all(r.ok for r in results):
                answered = batches.not_executed(chunk)
            else:
                try:
                    answered = await self._send_batch(chunk, continue_on_error=continue_on_error)
                except DataverseError as error:
                    if on_chunk is not None:
                        ops_ = batches.operations_of(chunk)
                        on_chunk([OperationResult(op, None, error=error) for op in ops_])
                    raise
            if on_chunk is not None:
                on_chunk(answered)
            results += answered
        return results

    async def _send_batch(
        self, chunk: Sequence[batches.BatchItem], *, continue_on_error: bool
    ) -> list[OperationResult]:
        content_type, body = batches.encode(chunk, self.service_root)
        carried = batches.operations_of(chunk)
        headers = {
            "Content-Type": content_type,
            **ops.prefer("odata.continue-on-error" if continue_on_error else None),
        }
        response, replayed = await self._send(
            "POST",
            self.service_root + "$batch",
            headers=headers,
            content=body,
            idempotent=all(op.idempotent for op in carried),
            operations=len(carried),
        )
        answer_type = response.headers.get("Content-Type", "")
        if not answer_type.lower().startswith("multipart/mixed"):
            raise error_from_response(
                response.status_code, response.headers, response.content, request="POST $batch"
            )
        results = batches.results(chunk, batches.decode(answer_type, response.content))
        return [dataclasses.replace(r, replayed=True) for r in results] if replayed else results

    # --- transport ------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None = None,
        idempotent: bool,
        operations: int = 1,
    ) -> tuple[httpx.Response, bool]:
        """The response after retries (any status), and whether an earlier attempt may have
        been processed (its answer lost); raises a `DataverseError` when no answer came.

        The loop is the shared core's (`http_client.with_retries`); what is Dataverse's own
        is `decide`: Retry-After on 429/503, the first-contact limit, and what may replay."""
        request_line = f"{method} {url.removeprefix(self.service_root)}"
        self.stats.operations += operations
        attempts = 0
        replayed = False
        never_connected = False

        async def once() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            remaining = self._deadline.remaining()
            if remaining is not None and remaining <= 0:
                raise DeadlineExceeded("the run's deadline passed", request=request_line)
            token = await self._credential.get_token(self.scope)
            request = self._http.build_request(
                method,
                url,
                headers={**headers, "Authorization": f"Bearer {token.token}"},
                content=content,
                timeout=_timeouts(
                    self._timeout if remaining is None else min(self._timeout, remaining)
                ),
            )
            try:
                # The deadline bounds the wait for a slot and the answer itself: the request
                # timeout above is set before queueing, and the in-process transport has none.
                async with asyncio.timeout(remaining), self._slots:
                    self.stats.requests += 1
                    self.stats.retries += attempts > 1
                    self.stats.bytes_sent += len(content or b"")
                    response = await self._http.send(request)
            except TimeoutError:
                raise DeadlineExceeded(
                    "the run's deadline passed before the answer came", request=request_line
                ) from None
            self._answered = True
            self.stats.bytes_received += len(response.content)
            self.stats.throttled += response.status_code == 429
            return response

        def limit(outcome: object) -> int:
            sent = not isinstance(outcome, NOT_SENT)
            never = not (self._answered or sent)
            return FIRST_CONTACT_ATTEMPTS if never else self._retry.max_attempts

        def decide(attempt: int, outcome: object) -> float | None:
            nonlocal never_connected
            if isinstance(outcome, httpx.TransportError):
                sent = not isinstance(outcome, NOT_SENT)
                never_connected = not (self._answered or sent)
                if attempt >= limit(outcome):
                    return None
                return self._retry.delay(attempt, status=None, sent=sent, idempotent=idempotent)
            if not isinstance(outcome, httpx.Response):
                return None  # the deadline's, or a credential's: final
            status = outcome.status_code
            if status not in REFUSED_BEFORE_PROCESSING and status not in GATEWAY_FAILURES:
                return None
            retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
            return self._retry.delay(
                attempt, status=status, retry_after=retry_after, idempotent=idempotent
            )

        def announce(attempt: int, delay: float, outcome: object) -> None:
            nonlocal replayed
            if isinstance(outcome, httpx.Response):
                reason, of = f"HTTP {outcome.status_code}", self._retry.max_attempts
                replayed = replayed or outcome.status_code in GATEWAY_FAILURES
            else:
                reason = f"{type(outcome).__name__}: {outcome}".rstrip(": ")
                of = limit(outcome)
                replayed = replayed or not isinstance(outcome, NOT_SENT)
            log.warning(
                "retrying %s in %.1f s (attempt %s): %s",
                request_line,
                delay,
                f"{attempt + 1} of {of}",
                reason,
            )

        try:
            response = await with_retries(
                once, decide, sleep=self._retry.sleep, deadline=self._deadline, announce=announce
            )
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            failure = self._unreached(reason, attempts) if never_connected else reason
            raise self._final(TransportFailure(failure, request=request_line)) from exc
        return response, replayed

    def _unreached(self, reason: str, attempts: int) -> str:
        """Why no connection was ever made, with where it was tried and what to check."""
        origin = self.service_root.rsplit("/api/data/", 1)[0]
        return (
            f"cannot reach the organisation at {origin} ({reason}; {attempts} attempt(s), "
            f"{time.monotonic() - self._started:.1f} s): check the URL (--target, or the "
            "environment's target), DNS, and any proxy (HTTPS_PROXY)"
        )

    def _final(self, failure: DataverseError) -> DataverseError:
        """The error to raise when retries stop: the deadline's, once it has passed."""
        remaining = self._deadline.remaining()
        if remaining is not None and remaining <= 0:
            return DeadlineExceeded(
                f"the run's deadline passed: {failure.message}", request=failure.request
            )
        return failure

    def _same_origin(self, current: str, link: str) -> str:
        target = httpx.URL(current).join(link)
        if (target.scheme, target.host, target.port) != self._origin:
            raise ProtocolError(
                f"refusing to follow @odata.nextLink to {target.scheme}://{target.host}: "
                f"it is not the organisation's origin, and the bearer token must stay there"
            )
        return str(target)


def _timeouts(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT))


def _checked_json(response: httpx.Response, request: str) -> Any:
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code, response.headers, response.content, request=request
        )
    try:
        return json.loads(response.content)
    except ValueError:
        raise ProtocolError("answer is not JSON", request=request) from None
