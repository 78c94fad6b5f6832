"""The emulated ACS as one ASGI app: the data plane of its resources (`dataplane.py`) and the
slice of Azure Resource Manager the Event Grid checks use (`arm.py`) under `/subscriptions/...`,
a prefix no data-plane path has, so one server answers both (a client points its ARM base URL
at the same address). Admin routes under `/_emulator` simulate a handset texting a number (Event
Grid delivers SMSReceived to the resource's webhook subscriptions), set faults and read the
state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypedDict, Unpack

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smsconf.emulator.acs.arm import Arm
from smsconf.emulator.acs.auth import DEFAULT_SKEW, Checker
from smsconf.emulator.acs.common import error
from smsconf.emulator.acs.dataplane import DataPlane
from smsconf.emulator.acs.events import Inbound
from smsconf.emulator.acs.state import AcsResource, State, demo_resource
from smsconf.emulator.limits import Refusal, bounded_app, refusal
from smsconf.emulator.telesign.faults import FaultInjector, Faults, parse_faults

MAX_REQUEST_BYTES = 256 * 1024
"""Far above any body the served APIs take (an SMS send is at most 2,048 characters to 100
recipients, an event subscription a few KiB); past it, 413 [inferred: neither ACS nor ARM
documents the bound or its code]."""


def _too_large(limit: int) -> Refusal:
    return refusal(
        error(413, "RequestEntityTooLarge", f"The request body is larger than {limit} bytes.")
    )


class Options(TypedDict, total=False):
    """How the emulator behaves (`create_app` says what each does)."""

    faults: Faults | None
    seed: int
    skew: float
    clock: Callable[[], float]
    token: str | None
    handshake: httpx.AsyncBaseTransport | None
    lro: bool
    delivery: httpx.AsyncBaseTransport | None


class AcsEmulator:
    """The data plane, the ARM slice, their shared state and fault injector."""

    def __init__(self, state: State, **options: Unpack[Options]) -> None:
        self.state = state
        faults, seed = options.get("faults") or Faults(), options.get("seed", 0)
        self.injector = FaultInjector(faults, seed)
        self.checker = Checker(
            state.resources, options.get("skew", DEFAULT_SKEW), options.get("clock", time.time)
        )
        self.data = DataPlane(state, self.checker, self.injector)
        self.arm = Arm(
            state,
            self.injector,
            token=options.get("token"),
            handshake=options.get("handshake"),
            lro=options.get("lro", True),
        )
        self.inbound = Inbound(state, options.get("delivery"))

    async def set_faults(self, request: Request) -> Response:
        try:
            self.injector.faults = parse_faults((await request.body()).decode())
        except (ValueError, UnicodeDecodeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(vars(self.injector.faults))

    async def dump(self, request: Request) -> Response:
        return JSONResponse(
            {
                "resources": [
                    {"name": r.name, "id": r.id, "numbers": [n.body() for n in r.numbers]}
                    for r in self.state.resources
                ],
                "messages": self.data.messages,
                "system_topics": [vars(t) for t in self.state.arm.topics],
                "event_subscriptions": [vars(e) for e in self.state.arm.event_subscriptions],
            }
        )


def create_app(
    resources: Iterable[AcsResource] | None = None,
    *,
    state_file: Path | None = None,
    resource_groups: Iterable[tuple[str, str]] = (),
    **options: Unpack[Options],
) -> Starlette:
    """An ASGI app emulating ACS for `resources` (default: the demo resource): their data plane
    and the ARM slice. `state_file` keeps the Event Grid objects (loaded if it exists);
    `resource_groups` adds (subscription, group) pairs beside the resources' own. Options:
    `faults` and `seed` the injected failures (the provider emulators' `--faults`); `clock` the
    emulator's time (tests); `skew` the accepted `x-ms-date` offset in seconds; `token` the only
    ARM bearer token accepted (any non-empty one without it); `handshake`, when given, where the
    Event Grid validation handshake of a new webhook subscription is sent (else it is taken as
    passed); `lro=False` answers an event subscription's PUT at once instead of through an async
    operation; `delivery` carries the SMSReceived events `POST /_emulator/inbound` makes
    (default: the network). The emulator is `app.state.acs`."""
    served = list(resources) if resources is not None else [demo_resource()]
    state = State(served, state_file, tuple(resource_groups))
    emulator = AcsEmulator(state, **options)
    data = emulator.data
    return bounded_app(
        [
            Route("/phoneNumbers", data.list_numbers, methods=["GET"]),
            Route("/phoneNumbers/{number}", data.get_number, methods=["GET"]),
            Route("/shortCodes", data.list_short_codes, methods=["GET"]),
            Route("/sms", data.send, methods=["POST"]),
            Route(
                "/subscriptions/{rest:path}",
                emulator.arm.dispatch,
                methods=["GET", "PUT", "POST", "DELETE", "PATCH"],
            ),
            Route("/_emulator/inbound", emulator.inbound.receive, methods=["POST"]),
            Route("/_emulator/faults", emulator.set_faults, methods=["PUT"]),
            Route("/_emulator/state", emulator.dump, methods=["GET"]),
        ],
        MAX_REQUEST_BYTES,
        _too_large,
        acs=emulator,
    )
