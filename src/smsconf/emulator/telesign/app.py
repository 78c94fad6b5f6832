"""The emulated Telesign REST API as an ASGI app (telesign.md §11).

Every Telesign route goes through the same gate, in the order a real request meets it: outage,
authentication, account state, host, product switch, throttling; then the route validates its
input and acts. Admin routes under `/_emulator` let tests and demos inspect and steer it.
"""

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smsconf.emulator.limits import Refusal, bounded_app, json_object, refusal
from smsconf.emulator.telesign import bodies
from smsconf.emulator.telesign.accounts import (
    DEMO_ACCOUNTS,
    EmulatedAccount,
    Handset,
    load_setup,
)
from smsconf.emulator.telesign.auth import Authenticator, AuthFailure
from smsconf.emulator.telesign.callbacks import TELESIGN_RETRY_DELAYS, CallbackSender
from smsconf.emulator.telesign.faults import FaultInjector, Faults, parse_faults
from smsconf.emulator.telesign.messages import (
    STATUS_LIFETIME,
    StoredMessage,
    send_error,
    valid_reference,
)
from smsconf.emulator.telesign.phoneid import describe, phoneid_body

Product = Literal["sms", "phoneid"]
Handler = Callable[["TelesignEmulator", Request, EmulatedAccount, float], Awaitable[Response]]
Endpoint = Callable[["TelesignEmulator", Request], Awaitable[Response]]


def _gated(product: Product) -> Callable[[Handler], Endpoint]:
    """The endpoint of a `product` handler that only a request past the gate reaches, given
    the account it authenticated as and the time it is answered at."""

    def decorate(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(emulator: "TelesignEmulator", request: Request) -> Response:
            account = await emulator._gate(request, product)
            if isinstance(account, Response):
                return account
            return await handler(emulator, request, account, emulator.clock())

        return endpoint

    return decorate


class TelesignEmulator:
    """The state behind the app: accounts, sent messages, faults, callbacks, clock, and a
    journal of requests so that tests and benchmarks can count round trips."""

    def __init__(
        self,
        accounts: Iterable[EmulatedAccount],
        *,
        directory: Mapping[str, Handset] | None = None,
        faults: Faults | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        date_tolerance: float = 900.0,
        callback_transport: httpx.AsyncBaseTransport | None = None,
        callback_retry_delays: Sequence[float] = TELESIGN_RETRY_DELAYS,
    ) -> None:
        self.accounts = {account.customer_id: account for account in accounts}
        self.directory = dict(directory or {})
        self.injector = FaultInjector(faults or Faults(), seed)
        self.clock = clock
        self.messages: dict[str, StoredMessage] = {}
        self.journal: list[tuple[str, str]] = []  # (method, path) of every Telesign request
        self.callbacks = CallbackSender(
            transport=callback_transport, retry_delays=callback_retry_delays
        )
        self._auth = Authenticator(self.accounts, clock=clock, date_tolerance=date_tolerance)

    @property
    def faults(self) -> Faults:
        return self.injector.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.injector.faults = faults

    async def _gate(self, request: Request, product: Product) -> EmulatedAccount | Response:
        """The checks every Telesign request meets before its route runs."""
        now = self.clock()
        self.journal.append((request.method, request.url.path))
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        if self.injector.draw("outage"):
            return bodies.error(503, 10000, now)
        root = request.scope.get("root_path", "")
        path = request.url.path
        resource = path[len(root) :] if root and path.startswith(root) else path
        verdict = self._auth.authenticate(
            request.method, resource, request.headers, await request.body()
        )
        if isinstance(verdict, AuthFailure):
            text = verdict.signature_string
            return bodies.error(
                401, verdict.code, now, **({"signature_string": text} if text is not None else {})
            )
        refusal = _refusal(verdict, (request.url.hostname or "").lower(), product)
        if refusal:
            return bodies.error(401, refusal, now)
        if self.injector.draw("throttle"):
            return bodies.error(429, 10019, now)
        return verdict

    @_gated("sms")
    async def send(self, request: Request, account: EmulatedAccount, now: float) -> Response:
        form = dict(
            parse_qsl(
                (await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True
            )
        )
        problem = send_error(account, form)
        if problem:
            return bodies.error(400, problem, now)
        message = StoredMessage(
            reference_id=bodies.reference_id(),
            customer_id=account.customer_id,
            phone_number=form["phone_number"],
            message=form["message"],
            message_type=form["message_type"],
            sender_id=form.get("sender_id"),
            external_id=form.get("external_id"),
            callback_url=form.get("callback_url") or account.callback_url,
            submitted_at=now,
            script=account.script_for(form["phone_number"]),
        )
        self.messages[message.reference_id] = message
        if message.callback_url:
            self.callbacks.post(
                message.callback_url,
                account.customer_id,
                account.api_key,
                self._delivery_report(message),
            )
        return JSONResponse(self._message_body(message, message.script[0]))

    @_gated("sms")
    async def status(self, request: Request, account: EmulatedAccount, now: float) -> Response:
        reference = request.path_params["reference_id"]
        if not valid_reference(reference):
            return bodies.error(400, 11011, now)
        message = self.messages.get(reference.upper())
        if message is None or message.customer_id != account.customer_id:
            return bodies.error(404, 10017, now)
        if now - message.submitted_at > STATUS_LIFETIME:
            return bodies.error(404, 10036, now)
        message.advance()
        return JSONResponse(self._message_body(message, message.status_code))

    @_gated("phoneid")
    async def phoneid(self, request: Request, account: EmulatedAccount, now: float) -> Response:
        number = request.path_params["phone_number"]
        if not number.isdigit() or not 7 <= len(number) <= 15:
            return bodies.error(400, 11000, now)
        handset = describe(number, self.accounts, self.directory)
        return JSONResponse(
            phoneid_body(number, handset, bodies.reference_id(), bodies.status_block(300, now))
        )

    async def list_messages(self, request: Request) -> Response:
        customer = request.query_params.get("customer_id")
        return JSONResponse(
            [
                {
                    "reference_id": m.reference_id,
                    "customer_id": m.customer_id,
                    "phone_number": m.phone_number,
                    "sender_id": m.sender_id,
                    "message": m.message,
                    "status": m.status_code,
                }
                for m in self.messages.values()
                if customer in (None, m.customer_id)
            ]
        )

    async def set_faults(self, request: Request) -> Response:
        try:
            self.faults = parse_faults((await request.body()).decode())
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(vars(self.faults))

    async def inbound(self, request: Request) -> Response:
        """Simulate a handset texting one of the customers' numbers: posts an mo_sms callback."""
        try:
            payload = await json_object(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        to, sender, text = payload.get("to", ""), payload.get("from", ""), payload.get("text", "")
        owner, number = next(
            ((a, a.owns(to)) for a in self.accounts.values() if a.owns(to)), (None, None)
        )
        if owner is None or number is None or not owner.callback_url:
            return JSONResponse(
                {"error": f"no account with a callback URL owns {to!r}"}, status_code=404
            )
        reference = bodies.reference_id()
        now = self.clock()
        keyword = text.strip().split(" ")[0].lower() if text.strip() else ""
        action = keyword if keyword in ("start", "stop", "help") else "generic"
        self.callbacks.post(
            owner.callback_url,
            owner.customer_id,
            owner.api_key,
            {
                "reference_id": reference,
                "status": bodies.status_block(1500, now),
                "submit_timestamp": bodies.timestamp(now),
                "sub_resource": "mo_sms",
                "errors": {},
                "user_response": {
                    "phone_number": sender,
                    "mo_message": text,
                    "sender_id": to,
                    "iso_country_code": number.country,
                    "action": action,
                    "keyword": keyword,
                },
            },
        )
        return JSONResponse({"reference_id": reference}, status_code=202)

    def _message_body(self, message: StoredMessage, code: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "reference_id": message.reference_id,
            "status": bodies.status_block(code, self.clock()),
            "additional_info": {"message_parts_count": message.parts},
        }
        if message.external_id:
            body["external_id"] = message.external_id
        return body

    def _delivery_report(self, message: StoredMessage) -> dict[str, Any]:
        """The report of the final scripted state, as Telesign posts it once delivery settles."""
        report = self._message_body(message, message.script[-1])
        report["submit_timestamp"] = bodies.timestamp(message.submitted_at)
        report["additional_info"]["sender_id"] = message.sender_id
        return report


def _refusal(account: EmulatedAccount, host: str, product: Product) -> int | None:
    """Why an authenticated customer is still turned away: suspended, host, product switch."""
    if account.suspended:
        return 10010
    if account.allowed_hosts and host not in account.allowed_hosts:
        return 10035
    enabled = account.sms_enabled if product == "sms" else account.phoneid_enabled
    return None if enabled else 10011


MAX_REQUEST_BYTES = 64 * 1024
"""A request's form holds a message of at most 1,600 characters (telesign.md §5); Telesign
documents 413 with status 3116 for its Omnichannel payloads over 10 KB, the emulator answers
the same past this bound [inferred for the SMS and PhoneID APIs]."""


def _too_large(limit: int) -> Refusal:
    return refusal(bodies.error(413, 3116, time.time()))


def create_app(
    accounts: Iterable[EmulatedAccount] | str | Path = DEMO_ACCOUNTS,
    *,
    faults: Faults | None = None,
    seed: int = 0,
    directory: Mapping[str, Handset] | None = None,
    **options: Any,
) -> Starlette:
    """An ASGI app emulating Telesign for `accounts` (or an accounts file, whose `directory`
    the given one extends); state in `app.state.telesign`. `options` go to `TelesignEmulator`
    (clock, date tolerance, callback transport and retry delays)."""
    if isinstance(accounts, str | Path):
        setup = load_setup(accounts)
        accounts, directory = setup.accounts, {**setup.directory, **(directory or {})}
    emulator = TelesignEmulator(accounts, directory=directory, faults=faults, seed=seed, **options)
    return bounded_app(
        [
            Route("/v1/messaging", emulator.send, methods=["POST"]),
            Route("/v1/messaging/{reference_id}", emulator.status, methods=["GET"]),
            Route("/v1/phoneid/{phone_number}", emulator.phoneid, methods=["POST"]),
            Route("/_emulator/messages", emulator.list_messages, methods=["GET"]),
            Route("/_emulator/faults", emulator.set_faults, methods=["PUT"]),
            Route("/_emulator/inbound", emulator.inbound, methods=["POST"]),
        ],
        MAX_REQUEST_BYTES,
        _too_large,
        telesign=emulator,
    )
