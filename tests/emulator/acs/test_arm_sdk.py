"""`azure-mgmt-eventgrid` and `azure-mgmt-communication`, unmodified, against the emulator's
Azure Resource Manager slice over HTTPS (their bearer-token policy refuses http), trusting the
test certificate through azure-core's `connection_verify` (providers.md §4.8, §4.9).

The flow is the Event Grid wiring D-EG asks an admin to make: the ACS resource read, a system
topic on it, a webhook subscription to the organisation's SMS endpoint with the two SMS event
types and Entra delivery, listed, read, its full URL fetched, deleted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.mgmt.communication import CommunicationServiceManagementClient
from azure.mgmt.eventgrid import EventGridManagementClient
from azure.mgmt.eventgrid.models import (
    EventSubscription,
    EventSubscriptionFilter,
    EventSubscriptionUpdateParameters,
    SystemTopic,
    WebHookEventSubscriptionDestination,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from smsconf.emulator.acs import (
    DEMO_RESOURCE_GROUP,
    DEMO_SUBSCRIPTION,
    SMS_DELIVERY_REPORT,
    SMS_RECEIVED,
    TOPIC_TYPE,
    AcsEmulator,
    create_app,
    demo_resource,
)
from smsconf.emulator.dataverse.tls import self_signed_certificate
from smsconf.emulator.serving import running

TENANT = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
APP = "8d6f3c2e-5a4b-4e1d-9c7f-1a2b3c4d5e6f"
ENDPOINT = "https://contoso.crm.dynamics.com/acs/sms?code=secret-part"
TOPIC, SUBSCRIPTION = "contoso-acs-events", "dynamics365-sms"


class Token:
    """A TokenCredential handing out a fixed bearer token."""

    def __init__(self, token: str = "arm-token") -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("acs-tls"), ["127.0.0.1"])


def serve(certificate: tuple[Path, Path], **options: Any) -> Iterator[tuple[str, AcsEmulator]]:
    app = create_app([demo_resource()], **options)
    cert, key = certificate
    with running(app, tls_cert=cert, tls_key=key) as url:
        yield url, app.state.acs


@pytest.fixture
def served(certificate: tuple[Path, Path]) -> Iterator[tuple[str, AcsEmulator]]:
    yield from serve(certificate, token="arm-token")


def event_grid(url: str, cert: Path, token: str = "arm-token") -> EventGridManagementClient:
    return EventGridManagementClient(
        Token(token), DEMO_SUBSCRIPTION, base_url=url, connection_verify=str(cert), retry_total=0
    )


def webhook_subscription(endpoint: str = ENDPOINT) -> EventSubscription:
    return EventSubscription(
        destination=WebHookEventSubscriptionDestination(
            endpoint_url=endpoint,
            azure_active_directory_tenant_id=TENANT,
            azure_active_directory_application_id_or_uri=APP,
        ),
        filter=EventSubscriptionFilter(included_event_types=[SMS_RECEIVED, SMS_DELIVERY_REPORT]),
        event_delivery_schema="EventGridSchema",
    )


def make_topic(client: EventGridManagementClient, name: str = TOPIC) -> SystemTopic:
    topic = SystemTopic(location="global", source=demo_resource().id, topic_type=TOPIC_TYPE)
    return client.system_topics.begin_create_or_update(
        DEMO_RESOURCE_GROUP, name, topic, polling_interval=0
    ).result()


def relabel(client: EventGridManagementClient, label: str) -> EventSubscription:
    """PATCH the subscription's labels (the SDK's begin_update), polled to its end."""
    return client.system_topic_event_subscriptions.begin_update(
        DEMO_RESOURCE_GROUP,
        TOPIC,
        SUBSCRIPTION,
        EventSubscriptionUpdateParameters(labels=[label]),
        polling_interval=0,
    ).result()


def test_the_communication_resource_as_arm_shows_it(
    served: tuple[str, AcsEmulator], certificate: tuple[Path, Path]
) -> None:
    url, _ = served
    client = CommunicationServiceManagementClient(
        Token(), DEMO_SUBSCRIPTION, base_url=url, connection_verify=str(certificate[0])
    )
    resource = client.communication_services.get(DEMO_RESOURCE_GROUP, "contoso-acs")
    demo = demo_resource()
    assert resource.id == demo.id
    assert resource.immutable_resource_id == demo.immutable_id
    assert (resource.host_name, resource.data_location) == (demo.host_name, "United States")
    assert resource.provisioning_state == "Succeeded"
    listed = client.communication_services.list_by_resource_group(DEMO_RESOURCE_GROUP)
    assert [r.name for r in listed] == ["contoso-acs"]


def test_system_topic_and_entra_webhook_subscription(
    served: tuple[str, AcsEmulator], certificate: tuple[Path, Path]
) -> None:
    url, emulator = served
    client = event_grid(url, certificate[0])
    topic = make_topic(client)
    assert (topic.source, topic.topic_type, topic.location) == (
        demo_resource().id,
        TOPIC_TYPE,
        "global",
    )
    by_group = [t.name for t in client.system_topics.list_by_resource_group(DEMO_RESOURCE_GROUP)]
    assert by_group == [TOPIC] == [t.name for t in client.system_topics.list_by_subscription()]

    subs = client.system_topic_event_subscriptions
    created = subs.begin_create_or_update(
        DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION, webhook_subscription(), polling_interval=0
    ).result()
    assert created.provisioning_state == "Succeeded"
    polled = [p for _, p, _ in emulator.arm.journal if "/operationsStatus/" in p]
    assert len(polled) == 1  # answered 201 with Azure-AsyncOperation, polled once

    got = subs.get(DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION)
    destination = got.destination
    assert isinstance(destination, WebHookEventSubscriptionDestination)
    assert destination.endpoint_url is None  # Event Grid hides it: getFullUrl
    assert destination.endpoint_base_url == "https://contoso.crm.dynamics.com/acs/sms"
    assert destination.azure_active_directory_tenant_id == TENANT
    assert destination.azure_active_directory_application_id_or_uri == APP
    assert got.filter.included_event_types == [SMS_RECEIVED, SMS_DELIVERY_REPORT]
    assert got.event_delivery_schema == "EventGridSchema"
    assert got.topic.endswith(f"/systemTopics/{TOPIC}")
    full = subs.get_full_url(DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION)
    assert full.endpoint_url == ENDPOINT
    assert "api-version=2025-02-15" in next(
        q for _, p, q in emulator.arm.journal if p.endswith("/getFullUrl")
    )
    assert [s.name for s in subs.list_by_system_topic(DEMO_RESOURCE_GROUP, TOPIC)] == [SUBSCRIPTION]

    updated = relabel(client, "smsconf")
    assert updated.labels == ["smsconf"]
    assert updated.filter.included_event_types == [SMS_RECEIVED, SMS_DELIVERY_REPORT]
    assert subs.get_full_url(DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION).endpoint_url == ENDPOINT

    subs.begin_delete(DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION, polling_interval=0).result()
    assert list(subs.list_by_system_topic(DEMO_RESOURCE_GROUP, TOPIC)) == []
    with pytest.raises(ResourceNotFoundError) as caught:
        subs.get(DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION)
    assert caught.value.error is not None and caught.value.error.code == "ResourceNotFound"


@pytest.fixture
def topic_made(
    served: tuple[str, AcsEmulator], certificate: tuple[Path, Path]
) -> EventGridManagementClient:
    """An Event Grid client of the served emulator, the system topic on the demo resource made."""
    url, _ = served
    client = event_grid(url, certificate[0])
    make_topic(client)
    return client


def test_one_system_topic_per_source(topic_made: EventGridManagementClient) -> None:
    make_topic(topic_made)  # the same name again: an update
    with pytest.raises(HttpResponseError) as caught:
        make_topic(topic_made, "second-topic")
    assert caught.value.status_code == 400 and "one system topic" in str(caught.value.message)


def test_unknown_event_types_and_half_entra_settings_are_refused(
    topic_made: EventGridManagementClient,
) -> None:
    wrong_type = webhook_subscription()
    wrong_type.filter.included_event_types = ["Microsoft.Communication.SMSSent"]
    half = webhook_subscription()
    half.destination.azure_active_directory_application_id_or_uri = None
    for body in (wrong_type, half):
        with pytest.raises(HttpResponseError) as caught:
            topic_made.system_topic_event_subscriptions.begin_create_or_update(
                DEMO_RESOURCE_GROUP, TOPIC, SUBSCRIPTION, body, polling_interval=0
            ).result()
        assert caught.value.status_code == 400


def test_a_wrong_bearer_token_is_a_client_authentication_error(
    served: tuple[str, AcsEmulator], certificate: tuple[Path, Path]
) -> None:
    url, _ = served
    with pytest.raises(ClientAuthenticationError) as caught:
        list(event_grid(url, certificate[0], token="other").system_topics.list_by_subscription())
    assert caught.value.error is not None
    assert caught.value.error.code == "InvalidAuthenticationToken"


def org_endpoint(answer: str) -> Starlette:
    """An SMS webhook endpoint answering the validation handshake `answer`s way."""
    seen: list[dict[str, Any]] = []

    async def endpoint(request: Request) -> JSONResponse:
        (event,) = await request.json()
        seen.append({"headers": dict(request.headers), "event": event})
        code = event["data"]["validationCode"]
        if answer == "echo":
            return JSONResponse({"validationResponse": code})
        return JSONResponse({}, status_code=202)  # "HTTP 202 Accepted isn't recognized"

    app = Starlette(routes=[Route("/acs/sms", endpoint, methods=["POST"])])
    app.state.seen = seen
    return app


@pytest.mark.parametrize("answer", ["echo", "accepted"])
def test_the_validation_handshake_decides_the_operation(
    certificate: tuple[Path, Path], answer: str
) -> None:
    org = org_endpoint(answer)
    with running(org) as org_url:
        for url, emulator in serve(certificate, handshake=httpx.AsyncHTTPTransport()):
            client = event_grid(url, certificate[0])
            make_topic(client)
            poller = client.system_topic_event_subscriptions.begin_create_or_update(
                DEMO_RESOURCE_GROUP,
                TOPIC,
                SUBSCRIPTION,
                webhook_subscription(f"{org_url}/acs/sms"),
                polling_interval=0,
            )
            if answer == "echo":
                assert poller.result().provisioning_state == "Succeeded"
                relabel(client, "x")  # the same endpoint: no second handshake
            else:
                with pytest.raises(HttpResponseError) as caught:
                    poller.result()
                assert "Webhook validation handshake failed" in str(caught.value)
                assert emulator.state.arm.event_subscriptions == []
    (seen,) = org.state.seen
    assert seen["headers"]["aeg-event-type"] == "SubscriptionValidation"
    assert seen["headers"]["authorization"] == f"Bearer emulated-event-grid-token-for-{APP}"
    assert seen["event"]["eventType"] == "Microsoft.EventGrid.SubscriptionValidationEvent"
