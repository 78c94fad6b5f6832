"""What the data plane and the ARM slice answer alike: the `{"error": {"code", "message"}}`
body both services use, the injected outage and throttle around authentication, and the
api-version check (each with its own codes)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from smsconf.emulator.telesign.faults import FaultInjector

RETRY_AFTER = "1"


def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers=headers or None,
    )


async def outage(injector: FaultInjector) -> JSONResponse | None:
    """The configured delay, then a 503 when an outage is drawn (before authentication)."""
    if injector.faults.delay:
        await asyncio.sleep(injector.faults.delay)
    if injector.draw("outage"):
        return error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
    return None


def throttled(injector: FaultInjector) -> JSONResponse | None:
    """A 429 with Retry-After when a throttle is drawn (after authentication)."""
    if injector.draw("throttle"):
        return error(
            429,
            "TooManyRequests",
            "The request rate is too high; retry after the Retry-After interval.",
            **{"Retry-After": RETRY_AFTER},
        )
    return None


def version_problem(
    request: Request, versions: frozenset[str], unsupported: str, message: str
) -> JSONResponse | None:
    """400 for a missing api-version, or `unsupported` with `message` for an unknown one."""
    version = request.query_params.get("api-version")
    if not version:
        return error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version not in versions:
        return error(
            400, unsupported, message.format(version=version, supported=", ".join(sorted(versions)))
        )
    return None
