"""The ACS emulator served on loopback, met as anyone on the network would: a body declared
or streamed past the bound is its 413 before the body is read, deep JSON its 400, and no JSON
of any shape in a signed send or an ARM PUT is a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.emulator.test_served_hostile import chunked, raw_exchange

from smsconf.acs.signing import HmacAuth, decode_key
from smsconf.emulator.acs import AcsResource, PhoneNumber, create_app
from smsconf.emulator.acs.app import MAX_REQUEST_BYTES
from smsconf.emulator.serving import running

KEY = base64.b64encode(b"h" * 32).decode()
TOPIC = (
    "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-communication/"
    "providers/Microsoft.EventGrid/systemTopics/t1"
)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    app = create_app([AcsResource("hostile", KEY, numbers=[PhoneNumber("+18005550100")])])
    with running(app) as url:
        yield url


def test_a_body_declared_past_the_bound_is_a_413_before_it_is_sent(served: str) -> None:
    head = (
        f"POST /sms?api-version=2021-03-07 HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\nContent-Type: application/json\r\n\r\n"
    )
    status, body = raw_exchange(served, head)
    assert status == 413 and json.loads(body)["error"]["code"] == "RequestEntityTooLarge"


def test_a_streamed_body_past_the_bound_is_cut_at_the_bound(served: str) -> None:
    head = (
        f"PUT {TOPIC}?api-version=2025-02-15 HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer t\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    status, _ = raw_exchange(served, head, chunked(MAX_REQUEST_BYTES * 4))
    assert status == 413


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
SEND_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "from": st.sampled_from(["+18005550100", "+1", ""]) | JSON,
        "message": st.text(max_size=30) | JSON,
        "smsRecipients": st.lists(
            st.fixed_dictionaries(
                {}, optional={"to": st.text(max_size=16) | JSON, "repeatabilityRequestId": JSON}
            )
            | JSON,
            max_size=3,
        )
        | JSON,
        "smsSendOptions": JSON,
    },
)


WEBHOOK = st.fixed_dictionaries(
    {
        "endpointType": st.just("WebHook"),
        "properties": st.fixed_dictionaries(
            {},
            optional={
                "endpointUrl": st.sampled_from(["http://[", "https://a:99999/", "https://"])
                | st.text(max_size=20).map(lambda t: f"https://{t}")
                | JSON,
                "azureActiveDirectoryTenantId": JSON,
                "azureActiveDirectoryApplicationIdOrUri": JSON,
            },
        )
        | JSON,
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=SEND_FIELDS | JSON)
def test_no_send_body_is_a_500(served: str, body: Any) -> None:
    with httpx.Client(base_url=served, auth=HmacAuth(decode_key(KEY))) as http:
        answer = http.post("/sms?api-version=2021-03-07", json=body)
    assert answer.status_code in (202, 400, 401), answer.text
    assert "error" in answer.json() or "value" in answer.json()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries(
        {
            "properties": st.fixed_dictionaries(
                {}, optional={"destination": WEBHOOK | JSON, "filter": JSON}
            )
        }
    )
    | JSON
)
def test_no_event_subscription_body_is_a_500(served: str, body: Any) -> None:
    with httpx.Client(base_url=served, headers={"Authorization": "Bearer t"}) as http:
        topic = {
            "location": "global",
            "properties": {
                "source": AcsResource("hostile", KEY).id,
                "topicType": "Microsoft.Communication.CommunicationServices",
            },
        }
        assert http.put(f"{TOPIC}?api-version=2025-02-15", json=topic).status_code in (200, 201)
        answer = http.put(f"{TOPIC}/eventSubscriptions/s1?api-version=2025-02-15", json=body)
    assert answer.status_code in (201, 400), answer.text
