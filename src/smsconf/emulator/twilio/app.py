"""The emulated Twilio REST API as an ASGI app (providers.md §3, checklist §3.10).

Served: the 2010 API under `/2010-04-01/Accounts/...` (Accounts, IncomingPhoneNumbers,
Applications, Messages) and the Messaging API under `/v1/Services/...` (Twilio serves it from
messaging.twilio.com; here one server answers both, so a client redirects both hosts to it).
Every route meets the same gate, in a real request's order: outage, authentication, throttle.
Errors carry Twilio's legacy body `{code, message, more_info, status}` (§3.4). Admin routes
under `/_emulator` steer it: simulate a handset texting a number (the webhook is signed with
`X-Twilio-Signature`, §3.6), set faults, change an account, read the state.

Where no source settles a behaviour it is marked [inferred]: a Standard API key on `/Accounts`
gets 401 20003 (§10 q.15), a purchase (POST to the number list) gets 403 unless allowed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import math
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smsconf.emulator.limits import Refusal, bounded_app, json_object, refusal
from smsconf.emulator.telesign.faults import FaultInjector, Faults, parse_faults
from smsconf.emulator.twilio import resources
from smsconf.emulator.twilio.state import Account, Message, Number, State, demo_accounts, sid
from smsconf.emulator.twilio.webhooks import WebhookSender, inbound_params

API = "/2010-04-01"
BODY_LIMIT = 1600  # characters (§3.8, error 21617)
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
DELIVERY = ("queued", "sent", "delivered")


def error(status: int, code: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
        headers=headers or None,
    )


def _not_found(request: Request) -> JSONResponse:
    return error(404, 20404, f"The requested resource {request.url.path} was not found")


def _gated(
    handler: Callable[[TwilioEmulator, Request, Account], Awaitable[Response]],
) -> Callable[[TwilioEmulator, Request], Awaitable[Response]]:
    """The endpoint of a handler that only a request past the gate reaches (outage,
    authentication, throttle), given the account it authenticated as."""

    @functools.wraps(handler)
    async def endpoint(emulator: TwilioEmulator, request: Request) -> Response:
        account = await emulator._gate(request)
        if isinstance(account, Response):
            return account
        return await handler(emulator, request, account)

    return endpoint


class TwilioEmulator:
    """The state behind the app, a fault injector, the webhook sender and a request journal
    (method, path, query) that tests and benchmarks count round trips with."""

    def __init__(
        self,
        state: State,
        *,
        faults: Faults | None = None,
        seed: int = 0,
        allow_purchase: bool = False,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.state = state
        self.injector = FaultInjector(faults or Faults(), seed)
        self.allow_purchase = allow_purchase
        self.webhooks = WebhookSender(transport=webhook_transport)
        self.journal: list[tuple[str, str, str]] = []
        self.concurrent = 0

    # --- the gate ---------------------------------------------------------------------------

    async def _gate(self, request: Request, account_resource: bool = False) -> Account | Response:
        self.journal.append((request.method, request.url.path, request.url.query))
        if self.injector.faults.delay:
            await asyncio.sleep(self.injector.faults.delay)
        if self.injector.draw("outage"):
            return error(503, 20500, "Service Unavailable")
        account = self._authenticate(request, account_resource)
        if isinstance(account, Response):
            return account
        if self.injector.draw("throttle"):
            return error(429, 20429, "Too Many Requests", **{"Twilio-Concurrent-Requests": "101"})
        return account

    def _authenticate(self, request: Request, account_resource: bool) -> Account | Response:
        """Basic auth by Account SID + Auth Token, or a Standard API key (not on /Accounts).
        A suspended or closed account's credentials are refused like wrong ones (§3.2)."""
        header = request.headers.get("authorization", "")
        refused = error(
            401, 20003, "Authenticate", **{"WWW-Authenticate": 'Basic realm="Twilio API"'}
        )
        if not header.startswith("Basic "):
            return refused
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return refused
        path_sid = request.path_params.get("account_sid")
        service_sid = request.path_params.get("service_sid")
        owner = self.state.accounts.get(path_sid or "") if path_sid else None
        if owner is None and path_sid is None:  # Messaging API: the account is the user's
            owner = self.state.accounts.get(user) or next(
                (a for a in self.state.accounts.values() if user in a.api_keys), None
            )
        by_token = owner is not None and user == owner.sid and password == owner.auth_token
        by_key = owner is not None and owner.api_keys.get(user) == password
        # [inferred] a Standard key on /Accounts gets the same 401 (§10 q.15)
        if owner is None or not (by_token or (by_key and not account_resource)):
            return refused
        if owner.status != "active":
            return refused
        if service_sid is not None and owner.service(service_sid) is None:
            return _not_found(request)
        return owner

    # --- Accounts ---------------------------------------------------------------------------

    async def fetch_account(self, request: Request) -> Response:
        account = await self._gate(request, account_resource=True)
        if isinstance(account, Response):
            return account
        return JSONResponse(resources.account(account))

    # --- IncomingPhoneNumbers ---------------------------------------------------------------

    @_gated
    async def list_numbers(self, request: Request, account: Account) -> Response:
        if request.method == "POST" and not request.url.path.endswith("/SMS/ShortCodes.json"):
            return await self._purchase(request, account)
        # Short codes are their own list (`/SMS/ShortCodes.json`, filter `ShortCode`).
        short = request.url.path.endswith("/SMS/ShortCodes.json")
        wanted = request.query_params.get("ShortCode" if short else "PhoneNumber")
        numbers = [
            n
            for n in account.numbers
            if n.short_code == short and (wanted is None or _matches(n.phone_number, wanted))
        ]
        key = "short_codes" if short else "incoming_phone_numbers"
        return self._page(request, account, key, numbers, resources.number)

    async def _purchase(self, request: Request, account: Account) -> Response:
        """POST to the list buys a number (§3.3): refused unless the emulator allows it."""
        if not self.allow_purchase:
            return error(
                403,
                20403,
                "Provisioning numbers is disabled in this emulator (start it with "
                "--allow-purchase); a reconciler must never buy a number",
            )
        form = await _form(request)
        phone = form.get("PhoneNumber", "")
        if not phone.startswith("+") or account.number_by_phone(phone):
            return error(400, 21421, "PhoneNumber is invalid")
        number = account.add_number(phone, friendly_name=form.get("FriendlyName", phone))
        self.state.save()
        return JSONResponse(resources.number(account, number), status_code=201)

    @_gated
    async def number(self, request: Request, account: Account) -> Response:
        number = account.number(request.path_params["number_sid"])
        short = "/SMS/ShortCodes/" in request.url.path
        if number is None or number.short_code != short:
            return _not_found(request)
        if request.method == "DELETE":
            account.numbers.remove(number)  # a release: served, never called by smsconf
            self.state.save()
            return Response(status_code=204)
        if request.method == "POST":
            problem = _update_number(number, await _form(request), account)
            if problem is not None:
                return problem
            self.state.save()
        return JSONResponse(resources.number(account, number))

    # --- Applications -----------------------------------------------------------------------

    @_gated
    async def list_applications(self, request: Request, account: Account) -> Response:
        return self._page(
            request, account, "applications", account.applications, resources.application
        )

    @_gated
    async def application(self, request: Request, account: Account) -> Response:
        app = account.application(request.path_params["application_sid"])
        if app is None:
            return _not_found(request)
        if request.method == "POST":
            form = await _form(request)
            app.sms_url = form.get("SmsUrl", app.sms_url)
            app.sms_method = form.get("SmsMethod", app.sms_method)
            app.friendly_name = form.get("FriendlyName", app.friendly_name)
            self.state.save()
        return JSONResponse(resources.application(account, app))

    # --- Messages ---------------------------------------------------------------------------

    @_gated
    async def messages(self, request: Request, account: Account) -> Response:
        if request.method == "GET":
            return self._page(request, account, "messages", account.messages, resources.message)
        form = await _form(request)
        problem = _send_problem(account, form)
        if problem is not None:
            return problem
        message = Message(
            sid=sid("SM", account.sid, str(len(account.messages)), form["To"]),
            from_=form.get("From", ""),
            to=form["To"],
            body=form["Body"],
            status="queued",
            messaging_service_sid=form.get("MessagingServiceSid"),
            status_callback=form.get("StatusCallback"),
            num_segments=_segments(form["Body"]),
        )
        account.messages.append(message)
        self.state.save()
        return JSONResponse(resources.message(account, message), status_code=201)

    @_gated
    async def message(self, request: Request, account: Account) -> Response:
        """A status read moves the message one step along queued → sent → delivered, and each
        change after the first is posted to its StatusCallback (§3.8: not the initial one)."""
        message = next(
            (m for m in account.messages if m.sid == request.path_params["message_sid"]), None
        )
        if message is None:
            return _not_found(request)
        if message.status in DELIVERY[:-1]:
            message.status = DELIVERY[DELIVERY.index(message.status) + 1]
            if message.status_callback:
                params = {
                    "MessageSid": message.sid,
                    "MessageStatus": message.status,
                    "AccountSid": account.sid,
                    "From": message.from_,
                    "To": message.to,
                }
                self.webhooks.post(message.status_callback, "POST", account.auth_token, params)
            self.state.save()
        return JSONResponse(resources.message(account, message))

    # --- Messaging Services -----------------------------------------------------------------

    @_gated
    async def services(self, request: Request, account: Account) -> Response:
        return self._meta_page(
            request,
            "services",
            [resources.service(account, s, _base(request)) for s in account.services],
        )

    @_gated
    async def service(self, request: Request, account: Account) -> Response:
        service = account.service(request.path_params["service_sid"])
        assert service is not None  # the gate answered 404 otherwise
        return JSONResponse(resources.service(account, service, _base(request)))

    @_gated
    async def service_numbers(self, request: Request, account: Account) -> Response:
        service = account.service(request.path_params["service_sid"])
        assert service is not None
        members = [n for n in account.numbers if n.sid in service.numbers]
        return self._meta_page(
            request,
            "phone_numbers",
            [resources.service_number(account, service, n, _base(request)) for n in members],
        )

    # --- paging -----------------------------------------------------------------------------

    def _page(
        self,
        request: Request,
        account: Account,
        key: str,
        items: list[Any],
        shape: Callable[[Account, Any], dict[str, Any]],
    ) -> Response:
        """A 2010-API page: `PageSize` (default 50, at most 1000), `Page`, and `PageToken`
        = "PA" + the SID of the last item of the previous page; relative `*_page_uri`s."""
        size, page = _int(request, "PageSize", 50, 1, 1000), _int(request, "Page", 0, 0, 10**6)
        token = request.query_params.get("PageToken")
        start = page * size
        if token:
            after = next((i for i, item in enumerate(items) if "PA" + item.sid == token), None)
            if after is None:
                return error(400, 20001, "Invalid PageToken")
            start = after + 1
        chunk = items[start : start + size]
        keep = {
            k: v
            for k, v in request.query_params.items()
            if k not in ("Page", "PageToken", "PageSize")
        }
        path = request.url.path

        def uri(number: int, page_token: str | None = None) -> str:
            query = {**keep, "PageSize": str(size), "Page": str(number)}
            if page_token:
                query["PageToken"] = page_token
            return f"{path}?{urlencode(query)}"

        more = start + size < len(items)
        body = {
            key: [shape(account, item) for item in chunk],
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + max(len(chunk) - 1, 0),
            "uri": uri(page, token),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1, "PA" + chunk[-1].sid) if more and chunk else None,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
        }
        return JSONResponse(body)

    def _meta_page(self, request: Request, key: str, items: list[dict[str, Any]]) -> Response:
        """A v1-API page: `meta` with absolute URLs (the SDK follows `next_page_url` as is)."""
        size, page = _int(request, "PageSize", 50, 1, 1000), _int(request, "Page", 0, 0, 10**6)
        chunk = items[page * size : (page + 1) * size]
        url = f"{_base(request)}{request.url.path}"

        def at(number: int) -> str:
            return f"{url}?PageSize={size}&Page={number}"

        more = (page + 1) * size < len(items)
        return JSONResponse(
            {
                key: chunk,
                "meta": {
                    "page": page,
                    "page_size": size,
                    "first_page_url": at(0),
                    "previous_page_url": at(page - 1) if page > 0 else None,
                    "url": at(page),
                    "next_page_url": at(page + 1) if more else None,
                    "key": key,
                },
            }
        )

    # --- admin ------------------------------------------------------------------------------

    async def inbound(self, request: Request) -> Response:
        """A handset texts one of the numbers: Twilio applies STOP/START to its block list and
        posts the signed webhook to the URL in effect for that number (§3.3, §3.7)."""
        try:
            payload = await json_object(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        to, sender, text = payload.get("to", ""), payload.get("from", ""), payload.get("body", "")
        found = self.state.owner_of(to)
        if found is None:
            return JSONResponse({"error": f"no account owns {to!r}"}, status_code=404)
        account, number = found
        word = text.strip().upper()
        if word in STOP_WORDS and sender not in account.opted_out:
            account.opted_out.append(sender)
        elif word in START_WORDS and sender in account.opted_out:
            account.opted_out.remove(sender)
        url, method, service = effective_webhook(account, number)
        message_sid = sid("SM", account.sid, "in", str(len(account.messages)), sender)
        account.messages.append(
            Message(message_sid, sender, to, text, "received", direction="inbound")
        )
        self.state.save()
        if not url:
            return JSONResponse({"sid": message_sid, "webhook": None}, status_code=202)
        params = inbound_params(account.sid, message_sid, sender, to, text, service)
        delivery = await self.webhooks.deliver(url, method, account.auth_token, params)
        return JSONResponse(
            {"sid": message_sid, "webhook": url, "status": delivery}, status_code=202
        )

    async def set_faults(self, request: Request) -> Response:
        try:
            self.injector.faults = parse_faults((await request.body()).decode())
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(vars(self.injector.faults))

    async def patch_account(self, request: Request) -> Response:
        """Change an account as the Console would: status, type, auth token (a rotation),
        Messaging Services (added, or edited when one has the same friendly name) and
        applications."""
        account = self.state.accounts.get(request.path_params["account_sid"])
        if account is None:
            return JSONResponse({"error": "unknown account"}, status_code=404)
        try:
            changes = await json_object(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        for name in ("status", "type", "auth_token", "friendly_name"):
            if name in changes:
                setattr(account, name, changes[name])
        for service in changes.get("services", ()):
            made = resources.service_from(account, service)
            # a service of the same name is edited in place (its SID follows from the name)
            account.services = [s for s in account.services if s.sid != made.sid] + [made]
        for app in changes.get("applications", ()):
            account.applications.append(resources.application_from(account, app))
        self.state.save()
        return JSONResponse(resources.account(account))

    async def dump(self, request: Request) -> Response:
        return JSONResponse(
            {
                sid_: {
                    "numbers": [vars(n) for n in a.numbers],
                    "messages": [vars(m) for m in a.messages],
                    "opted_out": a.opted_out,
                }
                for sid_, a in self.state.accounts.items()
            }
        )


def effective_webhook(account: Account, number: Number) -> tuple[str, str, str | None]:
    """(url, method, messaging service SID) Twilio calls for an inbound message to `number`:
    a Messaging Service's inbound URL unless it defers to the number, else an attached
    application's, else the number's own (§3.3)."""
    service = account.service_of(number.sid)
    if service is not None and not service.use_inbound_webhook_on_number:
        return service.inbound_request_url or "", service.inbound_method, service.sid
    if number.sms_application_sid:
        app = account.application(number.sms_application_sid)
        return (app.sms_url, app.sms_method, None) if app else ("", "POST", None)
    return number.sms_url, number.sms_method, service.sid if service else None


_WRITABLE = {
    "SmsUrl": "sms_url",
    "SmsMethod": "sms_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsFallbackMethod": "sms_fallback_method",
    "SmsApplicationSid": "sms_application_sid",
    "FriendlyName": "friendly_name",
    "StatusCallback": "status_callback",
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
}


def _update_number(number: Number, form: dict[str, str], account: Account) -> Response | None:
    for name in ("SmsMethod", "SmsFallbackMethod", "VoiceMethod"):
        if name in form and form[name].upper() not in ("GET", "POST"):
            return error(400, 21200, f"{name} must be GET or POST")
    app_sid = form.get("SmsApplicationSid")
    if app_sid and account.application(app_sid) is None:
        return error(400, 21606, "SmsApplicationSid is not an application of this account")
    for name, attribute in _WRITABLE.items():
        if name in form:
            value = form[name].upper() if name.endswith("Method") else form[name]
            setattr(number, attribute, value)
    return None


def _send_problem(account: Account, form: dict[str, str]) -> Response | None:
    to, sender, body = form.get("To", ""), form.get("From"), form.get("Body")
    if not to.startswith("+") or not to[1:].isdigit():
        return error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if body is None:
        return error(400, 21602, "Message body is required.")
    if len(body) > BODY_LIMIT:
        return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    service = form.get("MessagingServiceSid")
    if service is None:
        number = account.number_by_phone(sender or "")
        if number is None:
            return error(
                400,
                21606,
                f"The From phone number {sender} is not a valid, SMS-capable inbound "
                "phone number or short code for your account.",
            )
        if not number.sms:
            return error(400, 21606, f"The From phone number {sender} is not SMS-capable.")
    elif account.service(service) is None:
        return error(400, 21701, "The Messaging Service Sid is invalid.")
    if to in account.opted_out:
        return error(400, 21610, "Attempt to send to unsubscribed recipient")
    return None


def _segments(body: str) -> int:
    """GSM-7 text: 160 alone, 153 per part; anything else (UCS-2): 70 / 67 (§3.8)."""
    gsm = all(ord(c) < 128 for c in body)
    single, part = (160, 153) if gsm else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / part)


def _matches(phone: str, pattern: str) -> bool:
    """`PhoneNumber` filter: partial numbers match as substrings, `*` stands for any digit."""
    pattern = pattern.strip()
    for start in range(len(phone) - len(pattern) + 1):
        window = phone[start : start + len(pattern)]
        if all(p in ("*", c) for p, c in zip(pattern, window, strict=True)):
            return True
    return False


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)


def _base(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _form(request: Request) -> dict[str, str]:
    text = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(text, keep_blank_values=True))


MAX_REQUEST_BYTES = 64 * 1024
"""Far above any form the 2010 API takes (a message body is at most 1,600 characters);
past it, 413 in the API's error shape. Twilio documents neither the bound nor a code for
it [inferred], so the body's `code` is null."""


def _too_large(limit: int) -> Refusal:
    body = {
        "code": None,
        "message": f"The request body is larger than {limit} bytes",
        "more_info": "https://www.twilio.com/docs/errors",
        "status": 413,
    }
    return refusal(JSONResponse(body, status_code=413))


def create_app(
    accounts: Iterable[Account] | None = None,
    *,
    state_file: Path | None = None,
    faults: Faults | None = None,
    seed: int = 0,
    allow_purchase: bool = False,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """An ASGI app emulating Twilio for `accounts` (default: the demo account), its state in
    `state_file` when given (loaded if it exists); the emulator is `app.state.twilio`."""
    state = State(list(accounts) if accounts is not None else demo_accounts(), state_file)
    emulator = TwilioEmulator(
        state,
        faults=faults,
        seed=seed,
        allow_purchase=allow_purchase,
        webhook_transport=webhook_transport,
    )
    account = f"{API}/Accounts/{{account_sid}}"
    return bounded_app(
        [
            Route(f"{account}.json", emulator.fetch_account, methods=["GET"]),
            Route(
                f"{account}/IncomingPhoneNumbers.json",
                emulator.list_numbers,
                methods=["GET", "POST"],
            ),
            Route(
                f"{account}/IncomingPhoneNumbers/{{number_sid}}.json",
                emulator.number,
                methods=["GET", "POST", "DELETE"],
            ),
            Route(f"{account}/SMS/ShortCodes.json", emulator.list_numbers, methods=["GET"]),
            Route(
                f"{account}/SMS/ShortCodes/{{number_sid}}.json",
                emulator.number,
                methods=["GET", "POST"],
            ),
            Route(f"{account}/Applications.json", emulator.list_applications, methods=["GET"]),
            Route(
                f"{account}/Applications/{{application_sid}}.json",
                emulator.application,
                methods=["GET", "POST"],
            ),
            Route(f"{account}/Messages.json", emulator.messages, methods=["GET", "POST"]),
            Route(f"{account}/Messages/{{message_sid}}.json", emulator.message, methods=["GET"]),
            Route("/v1/Services", emulator.services, methods=["GET"]),
            Route("/v1/Services/{service_sid}", emulator.service, methods=["GET"]),
            Route(
                "/v1/Services/{service_sid}/PhoneNumbers",
                emulator.service_numbers,
                methods=["GET"],
            ),
            Route("/_emulator/inbound", emulator.inbound, methods=["POST"]),
            Route("/_emulator/faults", emulator.set_faults, methods=["PUT"]),
            Route("/_emulator/accounts/{account_sid}", emulator.patch_account, methods=["PATCH"]),
            Route("/_emulator/state", emulator.dump, methods=["GET"]),
        ],
        MAX_REQUEST_BYTES,
        _too_large,
        twilio=emulator,
    )
