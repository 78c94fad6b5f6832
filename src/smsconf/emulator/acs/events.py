"""Event Grid delivering an inbound SMS (providers.md §4.6, checklist §4.10 item 5): a handset
texts one of a resource's numbers, and each webhook subscription of the resource's system topic
that takes `Microsoft.Communication.SMSReceived` gets the Event Grid schema array, with a bearer
token for the subscription's Entra application when it has one.

[inferred] the token is a placeholder naming the application (Event Grid's is an Entra token
for it); numbers are written without `+`, as the event reference's example writes them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from smsconf.emulator.acs.state import SMS_RECEIVED, AcsResource, State
from smsconf.emulator.limits import json_object


def sms_received(resource: AcsResource, sender: str, to: str, text: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    message_id = f"Incoming_{now:%Y%m%d%H%M%S}{uuid.uuid4().hex[:24]}"
    return {
        "id": message_id,
        "topic": resource.id.lower(),
        "subject": f"/phonenumber/{to.lstrip('+')}",
        "data": {
            "messageId": message_id,
            "from": sender.lstrip("+"),
            "to": to.lstrip("+"),
            "message": text,
            "receivedTimestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "segmentCount": 1,
        },
        "eventType": SMS_RECEIVED,
        "dataVersion": "1.0",
        "metadataVersion": "1",
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def takes(properties: dict[str, Any], event_type: str) -> bool:
    """Whether a subscription's filter and schema let the event through to a webhook."""
    destination = properties.get("destination") or {}
    types = (properties.get("filter") or {}).get("includedEventTypes")
    return (
        destination.get("endpointType") == "WebHook"
        and properties.get("eventDeliverySchema", "EventGridSchema") == "EventGridSchema"
        and (types is None or event_type in types)
    )


def delivery_headers(kind: str, target: dict[str, Any]) -> dict[str, str]:
    """`aeg-event-type` (Notification, SubscriptionValidation) and, for a subscription with
    Entra delivery, the bearer token for its application."""
    headers = {"aeg-event-type": kind}
    app = target.get("azureActiveDirectoryApplicationIdOrUri")
    if app:
        headers["Authorization"] = f"Bearer emulated-event-grid-token-for-{app}"
    return headers


class Inbound:
    def __init__(self, state: State, transport: httpx.AsyncBaseTransport | None) -> None:
        self.state = state
        self.transport = transport

    async def receive(self, request: Request) -> Response:
        """`POST /_emulator/inbound {"from", "to", "message"}`: the deliveries made."""
        try:
            payload = await json_object(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        sender, to, text = (payload.get(k) for k in ("from", "to", "message"))
        if not all(isinstance(v, str) for v in (sender, to, text)):
            return JSONResponse({"error": "from, to and message are strings"}, status_code=400)
        assert isinstance(sender, str) and isinstance(to, str) and isinstance(text, str)
        owner = next((r for r in self.state.resources if r.number(to)), None)
        if owner is None:
            return JSONResponse({"error": f"no resource owns {to!r}"}, status_code=404)
        number = owner.number(to)
        assert number is not None
        event = sms_received(owner, sender, to, text)
        if "inbound" not in number.sms:  # the carrier never hands it to ACS
            return JSONResponse({"event": None, "deliveries": []}, status_code=202)
        deliveries = [await self._deliver(s.properties, s.name, event) for s in self._subs(owner)]
        return JSONResponse({"event": event, "deliveries": deliveries}, status_code=202)

    def _subs(self, resource: AcsResource) -> list[Any]:
        topics = {
            (t.subscription.lower(), t.resource_group.lower(), t.name.lower())
            for t in self.state.arm.topics
            if t.source.lower() == resource.id.lower()
        }
        return [
            s
            for s in self.state.arm.event_subscriptions
            if (s.subscription.lower(), s.resource_group.lower(), s.topic.lower()) in topics
            and takes(s.properties, SMS_RECEIVED)
        ]

    async def _deliver(
        self, properties: dict[str, Any], name: str, event: dict[str, Any]
    ) -> dict[str, Any]:
        target = properties["destination"]["properties"]
        headers = {
            **delivery_headers("Notification", target),
            "aeg-subscription-name": name.upper(),
        }
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=30) as client:
                answer = await client.post(target["endpointUrl"], json=[event], headers=headers)
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        return {"subscription": name, "status": status}
