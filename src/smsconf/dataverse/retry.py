"""The Dataverse client's names for the shared retry core (`smsconf.http_client`), where the
policy, the deadline and the one retry loop of every client live."""

from smsconf.http_client import (
    GATEWAY_FAILURES,
    NOT_SENT,
    REFUSED_BEFORE_PROCESSING,
    Deadline,
    RetryPolicy,
    Sleep,
    retryable,
)

__all__ = [
    "GATEWAY_FAILURES",
    "NOT_SENT",
    "REFUSED_BEFORE_PROCESSING",
    "Deadline",
    "RetryPolicy",
    "Sleep",
    "retryable",
]
