"""A handset texts an ACS number: Event Grid delivers SMSReceived to each webhook subscription
of the resource's system topic that takes it, with the Entra bearer token; a number without
inbound SMS never receives (providers.md §4.6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from smsconf.emulator.acs import (
    DEMO_OUTBOUND_ONLY,
    DEMO_RESOURCE,
    DEMO_TWO_WAY,
    SMS_DELIVERY_REPORT,
    SMS_RECEIVED,
    TOPIC_TYPE,
    create_app,
)

APP = "8d6f3c2e-5a4b-4e1d-9c7f-1a2b3c4d5e6f"
TOPIC = (
    f"/subscriptions/{DEMO_RESOURCE.subscription}/resourceGroups/{DEMO_RESOURCE.resource_group}"
    "/providers/Microsoft.EventGrid/systemTopics/events"
)
V = {"api-version": "2025-02-15"}


def organisation() -> Starlette:
    """Answers the handshake and records every notification."""
    received: list[tuple[dict[str, str], list[dict[str, Any]]]] = []

    async def endpoint(request: Request) -> JSONResponse:
        events = await request.json()
        if request.headers["aeg-event-type"] == "SubscriptionValidation":
            return JSONResponse({"validationResponse": events[0]["data"]["validationCode"]})
        received.append((dict(request.headers), events))
        return JSONResponse({})

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])])
    app.state.received = received
    return app


@pytest.fixture
async def wired() -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    org = organisation()
    to_org = httpx.ASGITransport(app=org)
    acs = create_app(handshake=to_org, delivery=to_org, lro=False)
    transport = httpx.ASGITransport(app=acs)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://acs", headers={"Authorization": "Bearer t"}
    ) as http:
        topic = {
            "location": "global",
            "properties": {"source": DEMO_RESOURCE.id, "topicType": TOPIC_TYPE},
        }
        assert (await http.put(TOPIC, params=V, json=topic)).status_code == 201
        for name, types, schema, app in (
            ("sms", [SMS_RECEIVED, SMS_DELIVERY_REPORT], "EventGridSchema", APP),
            ("reports", [SMS_DELIVERY_REPORT], "EventGridSchema", None),
            ("cloud", [SMS_RECEIVED], "CloudEventSchemaV1_0", None),
        ):
            target: dict[str, Any] = {"endpointUrl": f"https://org.example/{name}"}
            if app:
                target |= {
                    "azureActiveDirectoryTenantId": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                    "azureActiveDirectoryApplicationIdOrUri": app,
                }
            body = {
                "properties": {
                    "destination": {"endpointType": "WebHook", "properties": target},
                    "filter": {"includedEventTypes": types},
                    "eventDeliverySchema": schema,
                }
            }
            made = await http.put(f"{TOPIC}/eventSubscriptions/{name}", params=V, json=body)
            assert made.status_code == 201, made.text
        yield http, org


async def test_sms_received_reaches_the_subscriptions_that_take_it(
    wired: tuple[httpx.AsyncClient, Starlette],
) -> None:
    http, org = wired
    sent = await http.post(
        "/_emulator/inbound", json={"from": "+15550001111", "to": DEMO_TWO_WAY, "message": "hi"}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["deliveries"] == [{"subscription": "sms", "status": 200}]
    ((headers, (event,)),) = org.state.received
    assert headers["aeg-event-type"] == "Notification"
    assert headers["authorization"] == f"Bearer emulated-event-grid-token-for-{APP}"
    assert event["eventType"] == SMS_RECEIVED
    assert event["topic"] == DEMO_RESOURCE.id.lower()
    assert (event["data"]["from"], event["data"]["to"], event["data"]["message"]) == (
        "15550001111",
        DEMO_TWO_WAY.lstrip("+"),
        "hi",
    )


async def test_a_number_without_inbound_sms_never_receives(
    wired: tuple[httpx.AsyncClient, Starlette],
) -> None:
    http, org = wired
    sent = await http.post(
        "/_emulator/inbound",
        json={"from": "+15550001111", "to": DEMO_OUTBOUND_ONLY, "message": "x"},
    )
    assert (sent.status_code, sent.json()["deliveries"]) == (202, [])
    assert org.state.received == []
    unknown = await http.post(
        "/_emulator/inbound", json={"from": "+15550001111", "to": "+19995550000", "message": "x"}
    )
    assert unknown.status_code == 404
    bad = await http.post("/_emulator/inbound", json={"from": 1, "to": DEMO_TWO_WAY})
    assert bad.status_code == 400
