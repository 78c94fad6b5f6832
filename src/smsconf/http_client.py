"""The HTTP core every smsconf client shares (Dataverse, Telesign, Twilio, ACS): how it meets
a service on the network, when it tries a request again, and how it closes.

On the network, TLS is verified against the system's trust store (smsconf.tls); in-process
(an ASGI transport to an emulator) there is nothing to verify. Every request names smsconf and
httpx in its User-Agent. The client is closed when its `async with` ends.

Retries: one loop (`with_retries`, tenacity's `AsyncRetrying`) for every client, bounded by a
run's `Deadline`. When to try again depends on two facts tenacity's predicates do not see
together: whether the request may have reached the server, and whether repeating it is safe.
A 429 (service protection) or a 503 is refused before any work, and a connect error means
nothing was sent (`NOT_SENT`), so those are retried for every request. A dropped connection
after sending, or a 502/504 from a gateway, may hide a write that committed: those are retried
only for idempotent requests, so a lost response can never turn one create into two. The waits
are Retry-After when the server gives one (Dataverse's service protection), otherwise
exponential backoff with jitter from the policy's own seeded `random.Random`, so a test (or a
reliability run) replays the same waits; tenacity's wait helpers draw from the global
generator. What differs between services (Dataverse's first-contact limit and `$batch`
replays, Telesign's per-attempt timeout, the providers' success statuses) is each client's
`decide`: a parameter of the one loop, never a second loop.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, stop_never

from smsconf import __version__
from smsconf.tls import verifying_context

USER_AGENT = f"smsconf/{__version__} httpx/{httpx.__version__}"
T = TypeVar("T")
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before any byte of the request left: always safe to retry."""

Sleep = Callable[[float], Awaitable[None]]

REFUSED_BEFORE_PROCESSING = frozenset({429, 503})
"""Statuses the service answers before doing any work: safe to retry any request."""
GATEWAY_FAILURES = frozenset({502, 504})
"""Statuses that may hide a processed request: retried only when repeating is harmless."""


@dataclass
class RetryPolicy:
    """Bounded retries with backoff; `seed` makes the jitter reproducible."""

    max_attempts: int = 6
    """Attempts in total, the first included."""
    base_delay: float = 0.5
    """Backoff before the second attempt; doubles each time up to `max_delay`."""
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    """Longest server-requested wait honoured; Dataverse asks for seconds to a few minutes."""
    seed: int | None = None
    sleep: Sleep = asyncio.sleep
    """How waits happen; tests pass a recorder to run instantly and see the delays."""
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("need 0 <= base_delay <= max_delay")
        self._rng = random.Random(self.seed)

    def delay(
        self,
        attempt: int,
        *,
        status: int | None,
        retry_after: float | None = None,
        sent: bool = True,
        idempotent: bool,
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None if the failure is final.

        `status` is the HTTP status, or None for a transport error; `sent` says whether that
        transport error happened after the request may have reached the server.
        """
        if attempt >= self.max_attempts or not retryable(status, sent=sent, idempotent=idempotent):
            return None
        if retry_after is not None and status in REFUSED_BEFORE_PROCESSING:
            return min(retry_after, self.max_retry_after)
        return self.backoff(attempt)

    def backoff(self, attempt: int) -> float:
        """Equal-jitter exponential backoff: half the ceiling fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


def retryable(status: int | None, *, sent: bool, idempotent: bool) -> bool:
    """Whether a failure may be retried at all, whatever the attempt count."""
    if status is None:
        return idempotent or not sent
    if status in REFUSED_BEFORE_PROCESSING:
        return True
    return status in GATEWAY_FAILURES and idempotent


class Deadline:
    """A total time budget for a run, counted from its first request."""

    def __init__(self, seconds: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError("deadline must be positive")
        self._seconds = seconds
        self._clock = clock
        self._started: float | None = None

    def remaining(self) -> float | None:
        """Seconds left (starting the clock on first call), or None when unbounded."""
        if self._seconds is None:
            return None
        now = self._clock()
        if self._started is None:
            self._started = now
        return self._seconds - (now - self._started)


Decide = Callable[[int, object], "float | None"]
"""Given the attempt just made (1 for the first) and its outcome (the answer, or the exception
it raised), the seconds to wait before trying again, or None: that outcome is final."""
Announce = Callable[[int, float, object], None]
"""Called before each wait with the attempt, the wait and the outcome being retried."""


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    decide: Decide,
    *,
    sleep: Sleep,
    deadline: Deadline | None = None,
    announce: Announce | None = None,
) -> T:
    """Run `attempt` until `decide` says an outcome is final: return that answer, or raise
    that exception. A wait that would reach past the `deadline` is not taken (the outcome in
    hand is final then)."""
    waits: list[float] = []

    def again(state: RetryCallState) -> bool:
        outcome = state.outcome
        assert outcome is not None
        seen = outcome.exception() if outcome.failed else outcome.result()
        delay = decide(state.attempt_number, seen)
        remaining = deadline.remaining() if deadline is not None else None
        if delay is None or (remaining is not None and delay >= remaining):
            return False
        if announce is not None:
            announce(state.attempt_number, delay, seen)
        waits.append(delay)
        return True

    retrying = AsyncRetrying(
        retry=again,
        wait=lambda _: waits[-1],
        stop=stop_never,
        sleep=sleep,
        reraise=True,
    )
    return await retrying(attempt)


def provider_http(
    transport: httpx.AsyncBaseTransport | None,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """An httpx client for one provider account (`transport` None: the network)."""
    return httpx.AsyncClient(
        transport=transport,
        verify=verifying_context() if transport is None else True,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )


class ClosingClient:
    """`async with client:` closes the client's connections (`_http`) at the end."""

    _http: httpx.AsyncClient

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()


def provider_retry_policy() -> RetryPolicy:
    """A provider's retries (Twilio, ACS): fewer and shorter waits than Dataverse's, which may
    ask for minutes; Twilio's 2010 API sends no Retry-After at all (providers.md §3.5)."""
    return RetryPolicy(max_attempts=6, base_delay=0.25, max_delay=8.0)


@dataclass(frozen=True)
class ProviderResponse:
    """A provider's final answer: its status, its JSON body (never in a repr: it may echo
    what was sent) and the attempts it took."""

    status: int
    body: Mapping[str, Any] = field(repr=False)
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @classmethod
    def received(cls, reply: httpx.Response, attempts: int) -> Self:
        """The answer as a client keeps it: its JSON object ({} when it sent none)."""
        return cls(reply.status_code, json_body(reply), attempts)


class ProviderRejected(Exception):
    """A provider answered with an error: the HTTP `status`, the provider's own `code` and
    `message`, and what smsconf was doing (`where`); nothing that was sent, so it is safe to
    print and log. Each provider's subclass names it (`provider`) and types its code."""

    provider: ClassVar[str]
    code: int | str | None

    def __init__(self, status: int, code: int | str | None, message: str, where: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{self.provider} refused {where}: HTTP {status}, code {code}: {message}")


class RetryingClient(ClosingClient):
    """A provider client (Twilio, ACS) that sends through the one retry core by the project's
    one rule: a 429 or 503 retried for any request (after its Retry-After when it has one), a
    502/504 or a dropped connection only for a request that is harmless to repeat; it counts
    requests and retries."""

    policy: RetryPolicy
    requests: int = 0
    retries: int = 0

    def unreachable(self, exc: httpx.TransportError) -> Exception:
        """The exception raised when no answer came after the retries."""
        raise NotImplementedError

    def on_retry(self, method: str, reply: httpx.Response) -> None:
        """Heard for each answer that is retried (to log it)."""

    async def _request(
        self, method: str, url: str, *, idempotent: bool = True, **kwargs: Any
    ) -> tuple[httpx.Response, int]:
        """The final answer and the attempts it took; `unreachable()` raised without one."""
        attempts = 0

        async def once() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            self.requests += 1
            return await self._http.request(method, url, **kwargs)

        def decide(attempt: int, outcome: object) -> float | None:
            if isinstance(outcome, httpx.TransportError):
                sent = not isinstance(outcome, NOT_SENT)
                return self.policy.delay(attempt, status=None, sent=sent, idempotent=idempotent)
            if not isinstance(outcome, httpx.Response) or outcome.is_success:
                return None
            return self.policy.delay(
                attempt,
                status=outcome.status_code,
                retry_after=retry_after(outcome),
                idempotent=idempotent,
            )

        def counted(attempt: int, delay: float, outcome: object) -> None:
            self.retries += 1
            if isinstance(outcome, httpx.Response):
                self.on_retry(method, outcome)

        try:
            reply = await with_retries(once, decide, sleep=self.policy.sleep, announce=counted)
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from None
        return reply, attempts


def retry_after(reply: httpx.Response) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), else None."""
    value = reply.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    date = reply.headers.get("Date")
    try:
        now = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        now = None
    return max(0.0, (when - now).total_seconds()) if now else None


def json_body(reply: httpx.Response) -> Mapping[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        parsed = reply.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, Mapping) else {}
