"""Request accounting for one client (one run).

"Few round trips" is a design promise the benchmark measures, so the client counts what it puts
on the wire: HTTP requests (each attempt, retries included), retries, throttling answers, logical
operations (a $batch of 500 changes is one request but 500 operations), and body bytes each way.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class RequestStats:
    """Counters of one `DataverseClient`; read them after a run (`client.stats`)."""

    requests: int = 0
    """HTTP requests sent to Dataverse, every attempt counted (token requests are not)."""
    retries: int = 0
    """Attempts that repeated an earlier one after a retryable failure."""
    throttled: int = 0
    """429 answers received (service protection)."""
    operations: int = 0
    """Logical operations carried: 1 per plain request, one per part of a $batch."""
    bytes_sent: int = 0
    """Request body bytes."""
    bytes_received: int = 0
    """Response body bytes."""

    def __sub__(self, earlier: RequestStats) -> RequestStats:
        """What was counted since `earlier` (a copy of these counters taken then): one phase of
        a run, such as apply's writes after its plan's reads."""
        return RequestStats(
            **{f.name: getattr(self, f.name) - getattr(earlier, f.name) for f in fields(self)}
        )

    def __str__(self) -> str:
        return (
            f"{self.requests} requests ({self.retries} retries, {self.throttled} throttled), "
            f"{self.operations} operations, {self.bytes_sent} B sent, "
            f"{self.bytes_received} B received"
        )
