"""The Event Grid check and its apply writer against the ACS emulator's ARM slice: missing
wiring reported, created when managed and then found right; a wrong subscription a person's
step, never edited; the handshake retried for a bounded time; no credentials, not checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from smsconf.acs import arm as az
from smsconf.acs.eventgrid import SMS_DELIVERY_REPORT, SMS_RECEIVED
from smsconf.config.loader import Loaded, load
from smsconf.dataverse.auth import ClientSecretCredential, StaticToken
from smsconf.dataverse.retry import RetryPolicy
from smsconf.emulator.acs import (
    DEMO_EVENT_GRID_APP_ID,
    DEMO_EVENT_GRID_TENANT_ID,
    DEMO_RESOURCE,
    DEMO_SUBSCRIPTION,
    create_app,
)
from smsconf.reconcile.eventgrid import (
    EventGridFindings,
    EventGridWriter,
    OrgAcs,
    carriers,
    check_event_grid,
)

ENDPOINT = "https://sms-webhook.example/acs/events?code=org-webhook-code"
ORG = OrgAcs(DEMO_RESOURCE.immutable_id, DEMO_EVENT_GRID_APP_ID, DEMO_EVENT_GRID_TENANT_ID)
TOPIC = az.system_topic_id(DEMO_SUBSCRIPTION, DEMO_RESOURCE.resource_group, "contoso-acs-events")


def config(tmp_path: Path, event_grid: str) -> Loaded:
    path = tmp_path / "acs.yaml"
    path.write_text(
        f"""accounts:
  - name: Contoso ACS
    provider: acs
    resource_name: contoso-acs
    resource_id: {DEMO_RESOURCE.id}
    connection_string: ${{env:CONTOSO_ACS_CONNECTION_STRING}}
{event_grid}    numbers:
      - number: "+18005550100"
        type: toll_free
""",
        encoding="utf-8",
    )
    return load([path])


MANAGED = f"""    event_grid:
      mode: managed
      endpoint: {ENDPOINT}
"""
CHECKED = MANAGED.replace("managed", "checked")


def access(app: Any) -> az.ArmAccess:
    return az.ArmAccess(
        StaticToken("arm-test-token"), "test", "http://arm.test", httpx.ASGITransport(app=app)
    )


async def check(loaded: Loaded, app: Any, org: OrgAcs = ORG) -> EventGridFindings:
    return await check_event_grid(loaded.config, org, access(app), loaded.locate)


def texts(found: EventGridFindings, level: str) -> list[str]:
    return [f"{n.subject}: {n.text}" for n in found.notes if n.level == level]


async def existing(app: Any, name: str, **changes: Any) -> None:
    """An event subscription someone made by hand: D-EG's, with `changes` to its parts."""
    parts = {
        "endpoint": ENDPOINT,
        "types": (SMS_RECEIVED, SMS_DELIVERY_REPORT),
        "tenant": DEMO_EVENT_GRID_TENANT_ID,
        "app_id": DEMO_EVENT_GRID_APP_ID,
        **changes,
    }
    body = az.webhook_subscription(
        parts["endpoint"], parts["types"], parts["tenant"], parts["app_id"]
    )
    if "schema" in parts:
        body["properties"]["eventDeliverySchema"] = parts["schema"]
    async with access(app).client() as arm:
        if await arm.get_system_topic(TOPIC) is None:
            await arm.put_system_topic(TOPIC, az.system_topic(DEMO_RESOURCE.id, "global"))
        await arm.put_event_subscription(f"{TOPIC}/eventSubscriptions/{name}", body)


async def apply(
    found: EventGridFindings, loaded: Loaded, writer: EventGridWriter
) -> list[tuple[str, str]]:
    return [await writer.write(c, loaded.config) for c in found.changes]


async def test_missing_wiring_is_reported_then_created_when_managed_and_found_right(
    tmp_path: Path,
) -> None:
    app = create_app()
    checked = await check(config(tmp_path, CHECKED), app)
    assert not checked.changes
    [todo] = texts(checked, "todo")
    assert "acs.yaml:7:" in todo  # located at the account's event_grid:
    assert "no Event Grid system topic" in todo and "event_grid.mode: managed" in todo
    assert not checked.wiring[0].right

    loaded = config(tmp_path, MANAGED)
    planned = await check(loaded, app)
    assert [c.table for c in planned.changes] == [
        "eventgrid.SystemTopic",
        "eventgrid.EventSubscription",
    ]
    subscription = planned.changes[1].body["properties"]
    assert subscription["filter"]["includedEventTypes"] == [SMS_RECEIVED, SMS_DELIVERY_REPORT]
    assert subscription["eventDeliverySchema"] == "EventGridSchema"
    assert subscription["destination"]["properties"] == {
        "endpointUrl": ENDPOINT,
        "azureActiveDirectoryTenantId": DEMO_EVENT_GRID_TENANT_ID,
        "azureActiveDirectoryApplicationIdOrUri": DEMO_EVENT_GRID_APP_ID,
    }
    assert not texts(planned, "todo")
    writer = EventGridWriter(access(app))
    assert await apply(planned, loaded, writer) == [("done", ""), ("done", "")]
    assert await apply(planned, loaded, writer) == [("done", "already in place")] * 2

    again = await check(loaded, app)
    assert not again.changes and not texts(again, "todo")
    assert again.wiring[0].right and again.wiring[0].subscriptions == "dynamics365-sms"
    [fact] = texts(again, "fact")
    assert fact.endswith(
        "system topic 'contoso-acs-events': subscription 'dynamics365-sms' delivers SMS Received "
        f"and SMS Delivery Report Received to {ENDPOINT}"
    )


def test_the_delivering_subscriptions_are_the_subject_of_one_sentence() -> None:
    assert carriers(["dynamics365-sms"]) == "subscription 'dynamics365-sms' delivers"
    assert carriers(["a", "b"]) == "subscriptions 'a', 'b' deliver"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"endpoint": "https://old-webhook.example/sms"},
            "its endpoint is https://old-webhook.example/sms",
        ),
        (
            {"tenant": "00000000-0000-4000-8000-000000000001"},
            "its Microsoft Entra Tenant ID is 00000000",
        ),
        (
            {"app_id": "00000000-0000-4000-8000-000000000002"},
            "its Microsoft Entra Application ID or URI",
        ),
        ({"schema": "CloudEventSchemaV1_0"}, "its event schema is CloudEventSchemaV1_0"),
    ],
)
async def test_a_wrong_subscription_is_a_step_for_a_person_never_edited(
    tmp_path: Path, change: dict[str, str], words: str
) -> None:
    app = create_app()
    await existing(app, "dynamics365-sms", **change)
    before = [dict(vars(s)) for s in app.state.acs.state.arm.event_subscriptions]
    found = await check(config(tmp_path, MANAGED), app)
    todos = texts(found, "todo")
    assert any(words in t and "does not edit an existing subscription" in t for t in todos), todos
    assert all(c.action == "create" for c in found.changes)  # nothing of it is updated
    assert not any(c.id.endswith("/dynamics365-sms") for c in found.changes)
    assert not found.wiring[0].right and words in found.wiring[0].detail
    assert [dict(vars(s)) for s in app.state.acs.state.arm.event_subscriptions] == before


async def test_a_missing_event_type_gets_a_new_subscription_not_an_edit(tmp_path: Path) -> None:
    """D-EG: "create a new event subscription for each event type. Don't update an existing
    event subscription by changing the event type"."""
    app = create_app()
    await existing(app, "dynamics365-sms", types=(SMS_RECEIVED,))
    checked = await check(config(tmp_path, CHECKED), app)
    [todo] = texts(checked, "todo")
    assert "delivers SMS Delivery Report Received to" in todo and not checked.changes

    loaded = config(tmp_path, MANAGED)
    planned = await check(loaded, app)
    [change] = planned.changes
    assert change.id == f"{TOPIC}/eventSubscriptions/dynamics365-sms-delivery-reports"
    assert change.body["properties"]["filter"]["includedEventTypes"] == [SMS_DELIVERY_REPORT]
    assert await apply(planned, loaded, EventGridWriter(access(app))) == [("done", "")]
    again = await check(loaded, app)
    assert not again.changes and again.wiring[0].right


async def test_the_immutable_id_is_compared_with_the_organisations_connection(
    tmp_path: Path,
) -> None:
    app = create_app()
    await existing(app, "dynamics365-sms")
    other = OrgAcs(
        "7e1f9a6e-0000-4f0a-8e5c-6b4d2a1f0e9c", DEMO_EVENT_GRID_APP_ID, DEMO_EVENT_GRID_TENANT_ID
    )
    found = await check(config(tmp_path, CHECKED), app, other)
    [todo] = texts(found, "todo")
    assert "msdyn_occommunicationproviderimmutableid is 7e1f9a6e" in todo
    assert DEMO_RESOURCE.immutable_id in todo and "acs.yaml:5:" in todo
    assert not found.wiring[0].right
    assert (await check(config(tmp_path, CHECKED), app)).wiring[0].right


def handshakes(failures: int) -> tuple[httpx.MockTransport, list[int]]:
    """The organisation's endpoint answering Event Grid's handshake after `failures` refusals
    (D-EG: it may take up to 15 minutes after connecting)."""
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) <= failures:
            return httpx.Response(404)
        code = httpx.Response(200, content=request.content).json()[0]["data"]["validationCode"]
        return httpx.Response(200, json={"validationResponse": code})

    return httpx.MockTransport(answer), seen


def recorded() -> tuple[RetryPolicy, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(
        max_attempts=1000, base_delay=20.0, max_delay=120.0, seed=7, sleep=sleep
    ), waits


async def test_a_failed_handshake_is_retried_with_backoff_until_it_passes(tmp_path: Path) -> None:
    transport, seen = handshakes(failures=3)
    app = create_app(handshake=transport)
    loaded = config(tmp_path, MANAGED)
    planned = await check(loaded, app)
    policy, waits = recorded()
    results = await apply(planned, loaded, EventGridWriter(access(app), policy))
    assert results == [("done", ""), ("done", "after 4 handshake attempts")]
    assert len(seen) == 4 and len(waits) == 3 and waits[0] < waits[-1]
    assert (await check(loaded, app)).wiring[0].right


async def test_a_handshake_that_keeps_failing_is_reported_with_the_docs_advice(
    tmp_path: Path,
) -> None:
    transport, seen = handshakes(failures=10**6)
    app = create_app(handshake=transport)
    loaded = config(tmp_path, MANAGED)
    planned = await check(loaded, app)
    policy, waits = recorded()
    topic, subscription = await apply(planned, loaded, EventGridWriter(access(app), policy))
    assert topic == ("done", "")
    status, detail = subscription
    assert status == "failed" and "Webhook validation handshake failed" in detail
    assert "retry this step after a few minutes" in detail and "owner" in detail
    assert sum(waits) <= 15 * 60 and sum(waits) > 10 * 60  # bounded, as D-EG's 15 minutes
    assert len(seen) == len(waits) + 1


async def test_without_azure_credentials_the_wiring_is_not_checked_and_the_plan_says_how(
    tmp_path: Path,
) -> None:
    app = create_app()
    none = az.ArmAccess(None, "no Azure credential in the environment: set AZURE_TENANT_ID")
    for grid in ("", CHECKED):
        loaded = config(tmp_path, grid)
        found = await check_event_grid(loaded.config, ORG, none, loaded.locate)
        [warning] = texts(found, "warning")
        assert "was not checked: no Azure credentials" in warning
        assert "AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE" in warning
        assert not found.changes and not found.wiring[0].checked
    assert app.state.acs.arm.journal == []
    ignored = config(tmp_path, MANAGED.replace("managed", "ignored"))
    found = await check_event_grid(ignored.config, ORG, access(app), ignored.locate)
    assert texts(found, "fact") and app.state.acs.arm.journal == []


async def test_managed_without_the_organisations_entra_entries_cannot_create(
    tmp_path: Path,
) -> None:
    """(managed without an endpoint is refused by the configuration's rules already.)"""
    app = create_app()
    lacking = OrgAcs(DEMO_RESOURCE.immutable_id, None, None)
    found = await check(config(tmp_path, MANAGED), app, lacking)
    assert not found.changes
    [todo] = texts(found, "todo")
    assert "apply cannot create it without the organisation's EventGridAppID entry" in todo
    assert any("no EventGripAppTenantID entry" in t for t in texts(found, "warning"))


async def test_arm_refusing_the_token_or_the_read_leaves_the_wiring_unchecked_and_says_why(
    tmp_path: Path,
) -> None:
    loaded = config(tmp_path, CHECKED)
    guarded = create_app(token="the-only-token-arm-takes")
    found = await check(loaded, guarded)  # access() presents another token: ARM's 401
    [warning] = texts(found, "warning")
    assert "was not checked" in warning and "HTTP 401" in warning and "needs Reader" in warning
    assert not found.changes and not found.wiring[0].checked

    def entra_refuses(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client", "error_description": "bad"})

    credential = ClientSecretCredential(
        "contoso.onmicrosoft.com",
        "client",
        "a-client-secret",
        transport=httpx.MockTransport(entra_refuses),
    )
    access_ = az.ArmAccess(
        credential, "test", "http://arm.test", httpx.ASGITransport(app=create_app())
    )
    found = await check_event_grid(loaded.config, ORG, access_, loaded.locate)
    [warning] = texts(found, "warning")
    assert (
        "no ARM token" in warning
        and "invalid_client" in warning
        and "a-client-secret" not in warning
    )
