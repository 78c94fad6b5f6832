"""The ACS data plane: phone numbers (§4.3), short codes (§4.4), SMS send (§4.5).

Every route meets the same gate, in a real request's order: outage, authentication (HMAC,
`auth.py`), throttle, then the api-version. Errors carry the CommunicationErrorResponse body
`{"error": {"code", "message"}}`.

Where no source settles a behaviour it is [inferred]: the codes of a missing or unknown
api-version (ARM's words), of a 404 number and of a throttled request (§10 q14), and the text of
the per-recipient failures apart from "Invalid To phone number format." (the SDK's recorded
test). A `from` the resource does not own, or owns without outbound SMS, is a 401 for the
whole request, as the SDK's live tests record the service answering
(`test_send_sms_unauthorized_from_phone_number`).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from smsconf.emulator.acs.auth import Checker, Denied
from smsconf.emulator.acs.common import error, outage, throttled, version_problem
from smsconf.emulator.acs.state import AcsResource, State
from smsconf.emulator.limits import loads
from smsconf.emulator.telesign.faults import FaultInjector

PHONE_NUMBERS_VERSIONS = frozenset(
    {
        "2022-01-11-preview2",
        "2022-12-01",
        "2023-05-01-preview",
        "2024-03-01-preview",
        "2025-02-11",
        "2025-04-01",
        "2025-06-01",
    }
)
"""AZ-PN 1.4.0's `_api_versions.py` (§4.3)."""
SMS_VERSIONS = frozenset({"2021-03-07", "2026-01-23"})
"""The version AZ-SMS 1.1.0 pins and the newest stable spec (§4.5); others exist between."""
SHORT_CODES_VERSIONS = frozenset({"2021-10-25-preview"})
MESSAGE_LIMIT = 2048
MAX_RECIPIENTS = 100
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def path_and_query(request: Request) -> str:
    """The request target exactly as sent, which is what the client signed."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return raw.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


Handler = Callable[["DataPlane", Request, AcsResource, bytes], Awaitable[Response]]
Endpoint = Callable[["DataPlane", Request], Awaitable[Response]]


def _gated(versions: frozenset[str]) -> Callable[[Handler], Endpoint]:
    """The endpoint of a handler served in `versions` that only a request past the gate
    reaches, given the resource its key signed for and the body as it was signed."""

    def decorate(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(plane: DataPlane, request: Request) -> Response:
            gate = await plane._gate(request, versions)
            if isinstance(gate, Response):
                return gate
            return await handler(plane, request, *gate)

        return endpoint

    return decorate


class DataPlane:
    def __init__(self, state: State, checker: Checker, injector: FaultInjector) -> None:
        self.state = state
        self.checker = checker
        self.injector = injector
        self.journal: list[tuple[str, str, str]] = []
        self.messages: list[dict[str, Any]] = []
        self._repeats: dict[tuple[str, str], dict[str, Any]] = {}

    async def _gate(
        self, request: Request, versions: frozenset[str]
    ) -> tuple[AcsResource, bytes] | Response:
        self.journal.append((request.method, request.url.path, request.url.query))
        down = await outage(self.injector)
        if down is not None:
            return down
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            resource = self.checker.resource(request.method, path_and_query(request), headers, body)
        except Denied as exc:
            return error(401, "Denied", f"Denied by the resource provider. {exc}")
        problem = throttled(self.injector) or version_problem(
            request,
            versions,
            "UnsupportedApiVersion",
            "The api-version '{version}' is not supported; supported versions: {supported}.",
        )
        if problem is not None:
            return problem
        return resource, body

    # --- phone numbers ----------------------------------------------------------------------

    @_gated(PHONE_NUMBERS_VERSIONS)
    async def list_numbers(self, request: Request, resource: AcsResource, _raw: bytes) -> Response:
        return self._page(request, "phoneNumbers", [n.body() for n in resource.numbers])

    @_gated(PHONE_NUMBERS_VERSIONS)
    async def get_number(self, request: Request, resource: AcsResource, _raw: bytes) -> Response:
        phone = unquote(request.path_params["number"])
        number = resource.number(phone)
        if number is None:
            return error(404, "PhoneNumberNotFound", f"The phone number {phone} was not found.")
        return JSONResponse(number.body())

    @_gated(SHORT_CODES_VERSIONS)
    async def list_short_codes(
        self, request: Request, resource: AcsResource, _raw: bytes
    ) -> Response:
        return self._page(request, "shortCodes", [s.body() for s in resource.short_codes])

    def _page(self, request: Request, key: str, items: list[dict[str, Any]]) -> Response:
        """`skip`/`top` (default 0/100), `nextLink` relative, as the SDK follows it."""
        try:
            skip = int(request.query_params.get("skip", 0))
            top = int(request.query_params.get("top", 100))
        except ValueError:
            return error(400, "BadRequest", "skip and top must be integers.")
        if skip < 0 or top < 1:
            return error(400, "BadRequest", "skip must be 0 or more and top 1 or more.")
        body: dict[str, Any] = {key: items[skip : skip + top]}
        if skip + top < len(items):
            query = {**request.query_params, "skip": str(skip + top), "top": str(top)}
            body["nextLink"] = f"{request.url.path}?{urlencode(query)}"
        return JSONResponse(body)

    # --- SMS --------------------------------------------------------------------------------

    @_gated(SMS_VERSIONS)
    async def send(self, request: Request, resource: AcsResource, raw: bytes) -> Response:
        try:
            payload = loads(raw)
        except ValueError as exc:
            return error(400, "BadRequest", f"The request body is not valid JSON: {exc}")
        problem = _invalid(payload)
        if problem is not None:
            return error(400, "BadRequest", problem)
        sender = payload["from"]
        number = resource.number(sender)
        if number is None or "outbound" not in number.sms:
            return error(
                401,
                "Unauthorized",
                f"The From phone number {sender} is not an SMS-enabled number of this resource.",
            )
        results = [self._deliver(resource, payload, r) for r in payload["smsRecipients"]]
        return JSONResponse({"value": results}, status_code=202)

    def _deliver(
        self, resource: AcsResource, payload: dict[str, Any], recipient: dict[str, Any]
    ) -> dict[str, Any]:
        to = recipient["to"]
        request_id = recipient.get("repeatabilityRequestId")
        if request_id is not None:
            first = recipient.get("repeatabilityFirstSent")
            if not _rfc1123(first):
                return _result(to, None, 400, "rejected", "Invalid repeatabilityFirstSent.")
            seen = self._repeats.get((resource.name, request_id))
            if seen is not None:  # a repeat: the first answer again, sent once
                return seen
        if not E164.fullmatch(to):
            answer = _result(to, None, 400, "accepted", "Invalid To phone number format.")
        else:
            message_id = f"Outgoing_{uuid.uuid4().hex}_noam"
            options = payload.get("smsSendOptions") or {}
            self.messages.append(
                {
                    "resource": resource.name,
                    "messageId": message_id,
                    "from": payload["from"],
                    "to": to,
                    "message": payload["message"],
                    "enableDeliveryReport": bool(options.get("enableDeliveryReport")),
                    "tag": options.get("tag"),
                }
            )
            answer = _result(to, message_id, 202, "accepted", None)
        if request_id is None:
            answer.pop("repeatabilityResult")
        else:
            self._repeats[(resource.name, request_id)] = answer
        return answer


def _result(
    to: str, message_id: str | None, status: int, repeatability: str, problem: str | None
) -> dict[str, Any]:
    return {
        "to": to,
        "messageId": message_id,
        "httpStatusCode": status,
        "repeatabilityResult": repeatability,
        "successful": problem is None,
        "errorMessage": problem,
    }


def _rfc1123(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return True


def _invalid(payload: object) -> str | None:
    """What is wrong with a send body (SPEC-SMS's schema), or None."""
    if not isinstance(payload, dict):
        return "The request body must be a JSON object."
    for name in ("from", "message"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            return f"The field '{name}' is required and must be a non-empty string."
    if len(payload["message"]) > MESSAGE_LIMIT:
        return f"The field 'message' must be at most {MESSAGE_LIMIT} characters."
    recipients = payload.get("smsRecipients")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
        return f"The field 'smsRecipients' must list 1 to {MAX_RECIPIENTS} recipients."
    for recipient in recipients:
        if not isinstance(recipient, dict) or not isinstance(recipient.get("to"), str):
            return "Each of 'smsRecipients' must be an object with a string 'to'."
        request_id = recipient.get("repeatabilityRequestId")
        if request_id is not None and not isinstance(request_id, str):
            return "'repeatabilityRequestId' must be a string."
    options = payload.get("smsSendOptions")
    if options is not None and not isinstance(options, dict):
        return "The field 'smsSendOptions' must be an object."
    return None
