"""The ARM client against the ACS emulator's ARM slice: the calls azure-mgmt-eventgrid makes
(paths, api-versions, bodies, the long-running PUT), retries, the host policy, credentials."""

from __future__ import annotations

import httpx
import pytest

from smsconf import hosts
from smsconf.acs import arm as az
from smsconf.dataverse.auth import ClientSecretCredential, StaticToken
from smsconf.dataverse.retry import RetryPolicy
from smsconf.emulator.acs import DEMO_RESOURCE, DEMO_SUBSCRIPTION, create_app
from smsconf.emulator.telesign.faults import Faults

BASE = "http://arm.test"
TOPIC = az.system_topic_id(DEMO_SUBSCRIPTION, DEMO_RESOURCE.resource_group, "contoso-acs-events")
ENDPOINT = "https://sms-webhook.example/events?code=s3cret-query"
TENANT, APP = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "8d6f3c2e-5a4b-4e1d-9c7f-1a2b3c4d5e6f"


def client(app: object, sleeps: list[float] | None = None) -> az.ArmClient:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, seed=1, sleep=sleep)
    return az.ArmClient(
        StaticToken("arm-test-token"), BASE, httpx.ASGITransport(app=app), policy=policy
    )


def subscription_body(types: tuple[str, ...] = ("Microsoft.Communication.SMSReceived",)) -> dict:
    return az.webhook_subscription(ENDPOINT, types, TENANT, APP)


async def test_the_resource_and_its_immutable_id_are_read_as_the_sdk_reads_them() -> None:
    app = create_app()
    async with client(app) as arm:
        resource = await arm.resource(DEMO_RESOURCE.id)
    assert resource["properties"]["immutableResourceId"] == DEMO_RESOURCE.immutable_id
    method, path, query = app.state.acs.arm.journal[-1]
    assert (method, path.lower()) == ("GET", DEMO_RESOURCE.id.lower())
    assert query == f"api-version={az.COMMUNICATION_API_VERSION}"


async def test_a_topic_and_a_subscription_created_are_found_and_the_full_url_read() -> None:
    app = create_app()
    async with client(app) as arm:
        assert await arm.topic_of(DEMO_SUBSCRIPTION, DEMO_RESOURCE.id) is None
        made = await arm.put_system_topic(TOPIC, az.system_topic(DEMO_RESOURCE.id, "global"))
        assert made.topic_type == az.ACS_TOPIC_TYPE
        found = await arm.topic_of(DEMO_SUBSCRIPTION, DEMO_RESOURCE.id.upper())  # ids: any case
        assert found is not None and found.name == "contoso-acs-events"
        created = await arm.put_event_subscription(
            f"{TOPIC}/eventSubscriptions/sms", subscription_body()
        )
        assert created.provisioning_state == "Succeeded"
        [listed] = await arm.event_subscriptions(TOPIC)
        assert listed.included_event_types == ("Microsoft.Communication.SMSReceived",)
        assert (listed.tenant_id, listed.app_id, listed.schema) == (TENANT, APP, "EventGridSchema")
        assert listed.full_url is None and "s3cret" not in listed.endpoint_base_url  # reads hide it
        assert await arm.full_url(listed.id) == ENDPOINT
    calls = app.state.acs.arm.journal
    assert any(p.endswith("/getFullUrl") and m == "POST" for m, p, _ in calls)
    assert any("operationsStatus" in p for _, p, _ in calls)  # the PUT polled as an LRO
    eventgrid = [
        q for _, p, q in calls if "Microsoft.EventGrid" in p and "operationsStatus" not in p
    ]
    assert eventgrid and all(q == f"api-version={az.EVENTGRID_API_VERSION}" for q in eventgrid)


async def test_a_failed_handshake_is_an_error_saying_so() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403)

    app = create_app(handshake=httpx.MockTransport(refuse))
    async with client(app) as arm:
        await arm.put_system_topic(TOPIC, az.system_topic(DEMO_RESOURCE.id, "global"))
        with pytest.raises(az.ArmError) as caught:
            await arm.put_event_subscription(f"{TOPIC}/eventSubscriptions/sms", subscription_body())
    assert caught.value.handshake_failed
    assert "Webhook validation handshake failed" in str(caught.value)


async def test_throttling_is_retried_after_retry_after_and_outages_with_backoff() -> None:
    app = create_app(faults=Faults(throttle_next=2, outage_next=1))
    sleeps: list[float] = []
    async with client(app, sleeps) as arm:
        resource = await arm.resource(DEMO_RESOURCE.id)
    assert resource["name"] == DEMO_RESOURCE.name
    assert len(app.state.acs.arm.journal) == 4
    # the outage first (backoff), then the two 429s after the emulator's Retry-After: 1
    assert sleeps[0] <= 0.02 and sleeps[1:] == [1.0, 1.0]


async def test_a_refusal_names_the_request_and_arms_words() -> None:
    app = create_app()
    async with client(app) as arm:
        with pytest.raises(az.ArmError) as caught:
            await arm.resource(DEMO_RESOURCE.id.replace("contoso-acs", "nobody-acs"))
    assert caught.value.status == 404
    assert "GET /subscriptions/" in str(caught.value) and "HTTP 404" in str(caught.value)


def test_arm_on_the_network_is_trusted_only_at_its_documented_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(hosts.ALLOW_ENV, raising=False)
    with pytest.raises(hosts.UntrustedHost) as caught:
        az.ArmClient(StaticToken("token-of-some-length"), "https://management.evil.example")
    assert "arm host management.evil.example:443 is not trusted" in str(caught.value)
    az.ArmClient(StaticToken("token-of-some-length"))  # management.azure.com: documented


def test_the_arm_credential_follows_azure_identitys_environment() -> None:
    static, source = az.arm_credential({az.TOKEN_ENV: "an-arm-token-from-az"})
    assert isinstance(static, StaticToken) and source == "${env:SMSCONF_ARM_TOKEN}"
    env = {
        "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
        "AZURE_CLIENT_ID": "c",
        "AZURE_CLIENT_SECRET": "s",
    }
    secret, source = az.arm_credential(env)
    assert isinstance(secret, ClientSecretCredential) and source == "${env:AZURE_CLIENT_SECRET}"
    none, why = az.arm_credential({})
    assert none is None and "AZURE_TENANT_ID" in why
