"""Service protection and injected faults, reproducible from a seed.

Reliability tests need the failures a real org and a real network produce (429 with
Retry-After, 503, a connection dropped before or after the write commits, a slow answer) at
chosen rates, and the same sequence on every run with the same seed.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, fields

import httpx

from smsconf.emulator.dataverse.errors import (
    CONCURRENT_REQUESTS,
    THROTTLED_REQUESTS,
    UNEXPECTED,
    DataverseError,
)


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to drop the connection.

    In-process (httpx ASGI transport) the client sees this transport error directly; under
    uvicorn it is raised after the response has started, so the server closes the socket.
    """

    def __init__(self, when: str) -> None:
        super().__init__(f"connection dropped by the emulator {when} commit")


@dataclass(frozen=True)
class FaultConfig:
    """Rates (0..1) of each fault, the service-protection limits, and the seed of the sequence.

    `request_budget` requests per `budget_window_seconds` and `concurrency_limit` in-flight
    requests model the §4.8 limits (real values 6000 / 300 s and 52); None turns a limit off.
    """

    seed: int = 0
    request_budget: int | None = None
    budget_window_seconds: float = 300.0
    throttle: float = 0.0
    retry_after_seconds: int = 1
    unavailable: float = 0.0
    drop_before_commit: float = 0.0
    drop_after_commit: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 0.5
    concurrency_limit: int | None = None

    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> FaultConfig:
        """From `name=value,...` using the field names, e.g. `throttle=0.1,request_budget=50`."""
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {"seed": seed}
        for item in filter(None, (p.strip() for p in spec.split(","))):
            name, _, raw = item.partition("=")
            name = name.strip().replace("-", "_")
            if name not in types or not raw:
                raise ValueError(f"unknown fault setting '{item}'; known: {', '.join(types)}")
            values[name] = float(raw) if "float" in str(types[name]) else int(raw)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Decision:
    """What to do to one request: refuse it, drop it, and how long to stall first."""

    error: DataverseError | None = None
    drop_before: bool = False
    drop_after: bool = False
    delay: float = 0.0


class FaultInjector:
    """Draws faults for each request from one seeded generator and counts what it injected."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._rng = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self.counts: Counter[str] = Counter()
        self._in_flight = 0

    def admit(self) -> DataverseError | None:
        """Count a request in, or refuse it as the service does past its concurrency limit."""
        limit = self.config.concurrency_limit
        with self._lock:
            if limit is not None and self._in_flight >= limit:
                self.counts["concurrency"] += 1
                return DataverseError(
                    429,
                    CONCURRENT_REQUESTS,
                    f"Number of concurrent requests exceeded the limit of {limit}.",
                    {"Retry-After": str(self.config.retry_after_seconds)},
                )
            self._in_flight += 1
            return None

    def release(self) -> None:
        """Count an admitted request out."""
        with self._lock:
            self._in_flight -= 1

    def _over_budget(self, now: float) -> DataverseError | None:
        budget, window = self.config.request_budget, self.config.budget_window_seconds
        if budget is None:
            return None
        while self._recent and self._recent[0] <= now - window:
            self._recent.popleft()
        if len(self._recent) >= budget:
            wait = max(1, math.ceil(self._recent[0] + window - now))
            return _throttled(wait, budget, window)
        self._recent.append(now)
        return None

    def decide(self) -> Decision:
        """The fate of the next request."""
        cfg = self.config
        with self._lock:
            rolls = [self._rng.random() for _ in range(5)]
            error = self._over_budget(time.monotonic())
            if error is not None:
                self.counts["budget"] += 1
                return Decision(error=error)
            delay = cfg.slow_seconds if rolls[0] < cfg.slow else 0.0
            if delay:
                self.counts["slow"] += 1
            if rolls[1] < cfg.throttle:
                self.counts["throttle"] += 1
                return Decision(error=_throttled(cfg.retry_after_seconds, None, None), delay=delay)
            if rolls[2] < cfg.unavailable:
                self.counts["unavailable"] += 1
                return Decision(
                    error=DataverseError(
                        503, UNEXPECTED, "The service is temporarily unavailable."
                    ),
                    delay=delay,
                )
            if rolls[3] < cfg.drop_before_commit:
                self.counts["drop_before_commit"] += 1
                return Decision(drop_before=True, delay=delay)
            if rolls[4] < cfg.drop_after_commit:
                self.counts["drop_after_commit"] += 1
                return Decision(drop_after=True, delay=delay)
            return Decision(delay=delay)


def _throttled(retry_after: int, budget: int | None, window: float | None) -> DataverseError:
    """The §4.8 service-protection error for the number of requests."""
    limit = budget if budget is not None else 6000
    seconds = int(window) if window is not None else 300
    return DataverseError(
        429,
        THROTTLED_REQUESTS,
        f"Number of requests exceeded the limit of {limit} over time window of {seconds} seconds.",
        {"Retry-After": str(retry_after)},
    )
