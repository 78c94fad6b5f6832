"""Azure Resource Manager: the slice the Event Grid wiring of an ACS resource needs.

The calls are made as the official SDKs make them (providers.md §4.8; read in the wheels
azure-mgmt-eventgrid 10.4.0 and azure-mgmt-communication 3.0.0):

- the ACS resource: `GET {resource id}?api-version=2025-09-01` (`properties.immutableResourceId`,
  `location`);
- system topics: `GET /subscriptions/{s}/providers/Microsoft.EventGrid/systemTopics` (paged by
  `nextLink`), the one whose `properties.source` is the resource id;
- a topic's event subscriptions: `GET {topic id}/eventSubscriptions`, and each webhook's full
  endpoint URL, which only `POST {subscription id}/getFullUrl` returns (reads show the base URL);
- `PUT {topic id}` (a system topic: `location`, `properties.source`, `properties.topicType`) and
  `PUT {subscription id}` (an event subscription; a long-running operation: 201 with an
  `Azure-AsyncOperation` URL to poll until Succeeded or Failed, then the resource read again).

Every Event Grid call carries api-version 2025-02-15 (the SDK's default, the REST version
Pulumi's `getSystemTopicEventSubscriptionFullUrl` names). Bearer tokens come from a credential
of azure-core's shape for the ARM scope, the way the Dataverse client gets its own
(`arm_credential`). A 429 or 503 is retried after its Retry-After (ARM sends one), a 502/504 or
a dropped connection too: every request here is a read or a PUT of a whole resource, harmless
to repeat.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from smsconf import hosts
from smsconf.dataverse.auth import Credential, CredentialError, StaticToken
from smsconf.dataverse.auth import credential_from_environment as _from_environment
from smsconf.http_client import RetryingClient, RetryPolicy, provider_http, retry_after
from smsconf.redact import register

logger = logging.getLogger("smsconf.acs.arm")

ARM = "https://management.azure.com"
SCOPE = "https://management.azure.com/.default"
EVENTGRID_API_VERSION = "2025-02-15"
COMMUNICATION_API_VERSION = "2025-09-01"
ACS_TOPIC_TYPE = "Microsoft.Communication.CommunicationServices"
TOKEN_ENV = "SMSCONF_ARM_TOKEN"
"""A static bearer token for ARM (an emulator's, or one from `az account get-access-token`)."""
ENDPOINT_ENV = "SMSCONF_ARM_ENDPOINT"
"""Another ARM base URL (a sovereign cloud's, an emulator's): the workflow's to set, never the
configuration's, and held to the host policy like every other host."""
REQUEST_TIMEOUT = 30.0
TERMINAL = frozenset({"succeeded", "failed", "canceled"})
LRO_POLLS = 60
"""Polls of a long-running PUT before it is given up (Event Grid answers within seconds)."""


class ArmError(Exception):
    """ARM refused a request, or it could not be reached: the request and ARM's words."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    @property
    def handshake_failed(self) -> bool:
        """Event Grid could not validate the webhook (D-EG: "Webhook validation handshake
        failed"; the endpoint may need up to 15 minutes after connecting)."""
        return "handshake failed" in str(self).lower()


def arm_credential(
    environ: Mapping[str, str] | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[Credential | None, str]:
    """The Azure credential for ARM, and where it comes from (or why there is none):
    `SMSCONF_ARM_TOKEN` as a static token, else what azure-identity's EnvironmentCredential
    would pick (the Dataverse client's grants), else None: Event Grid is then not checked."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_ENV)
    if token:
        register(token)
        return StaticToken(token, f"${{env:{TOKEN_ENV}}}"), f"${{env:{TOKEN_ENV}}}"
    try:
        credential = _from_environment(env, transport=transport)
    except CredentialError as exc:
        return None, str(exc)
    return credential, credential.source


def arm_base(environ: Mapping[str, str] | None = None) -> str:
    """The ARM base URL: `SMSCONF_ARM_ENDPOINT` when the workflow sets it, else the public
    cloud's (azure-mgmt-eventgrid's default)."""
    env = os.environ if environ is None else environ
    return (env.get(ENDPOINT_ENV) or ARM).rstrip("/")


def parse_id(resource_id: str) -> dict[str, str]:
    """An ARM id's segments by (lower-cased) type: `subscriptions`, `resourcegroups`, ..."""
    parts = resource_id.strip("/").split("/")
    return {parts[i].lower(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def same_id(a: str | None, b: str | None) -> bool:
    """ARM ids compare case-insensitively (the service lower-cases some segments)."""
    return a is not None and b is not None and a.strip("/").lower() == b.strip("/").lower()


def system_topic_id(subscription: str, group: str, name: str) -> str:
    return (
        f"/subscriptions/{subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.EventGrid/systemTopics/{name}"
    )


@dataclass(frozen=True)
class SystemTopic:
    id: str
    name: str
    location: str
    source: str
    topic_type: str
    provisioning_state: str

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> SystemTopic:
        props = _object(body.get("properties"))
        return cls(
            str(body.get("id") or ""),
            str(body.get("name") or ""),
            str(body.get("location") or ""),
            str(props.get("source") or ""),
            str(props.get("topicType") or ""),
            str(props.get("provisioningState") or ""),
        )


@dataclass(frozen=True)
class EventSubscription:
    """An event subscription as ARM reads it (a webhook's URL as its base only: `full_url`)."""

    id: str
    name: str
    endpoint_type: str
    endpoint_base_url: str
    included_event_types: tuple[str, ...] | None
    """None: no filter, every event type of the topic is delivered."""
    schema: str
    tenant_id: str
    app_id: str
    provisioning_state: str
    full_url: str | None = None

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> EventSubscription:
        props = _object(body.get("properties"))
        destination = _object(props.get("destination"))
        target = _object(destination.get("properties"))
        types = _object(props.get("filter")).get("includedEventTypes")
        return cls(
            str(body.get("id") or ""),
            str(body.get("name") or ""),
            str(destination.get("endpointType") or ""),
            str(target.get("endpointBaseUrl") or target.get("endpointUrl") or ""),
            tuple(str(t) for t in types) if isinstance(types, list) and types else None,
            str(props.get("eventDeliverySchema") or ""),
            str(target.get("azureActiveDirectoryTenantId") or ""),
            str(target.get("azureActiveDirectoryApplicationIdOrUri") or ""),
            str(props.get("provisioningState") or ""),
        )

    @property
    def is_webhook(self) -> bool:
        return self.endpoint_type.lower() == "webhook"


def webhook_subscription(
    endpoint: str, event_types: tuple[str, ...], tenant_id: str, app_id: str
) -> dict[str, Any]:
    """The body of a new event subscription as D-EG has it made: Event Grid schema, the SMS
    event types, a Web Hook to the endpoint with Microsoft Entra authentication."""
    return {
        "properties": {
            "destination": {
                "endpointType": "WebHook",
                "properties": {
                    "endpointUrl": endpoint,
                    "azureActiveDirectoryTenantId": tenant_id,
                    "azureActiveDirectoryApplicationIdOrUri": app_id,
                },
            },
            "filter": {"includedEventTypes": list(event_types)},
            "eventDeliverySchema": "EventGridSchema",
        }
    }


def system_topic(source: str, location: str) -> dict[str, Any]:
    """The body of a new system topic for an ACS resource (D-EG step 1: Topic Type ACS)."""
    return {"location": location, "properties": {"source": source, "topicType": ACS_TOPIC_TYPE}}


class ArmClient(RetryingClient):
    """An async ARM client; `async with ArmClient(credential) as arm`. `transport`: the local
    organisation's in-process emulator (nothing leaves the process, so no host is asked)."""

    def __init__(
        self,
        credential: Credential,
        base: str = ARM,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        if transport is None:
            hosts.require(self.base, "arm", "Azure Resource Manager")
        self.credential = credential
        self.policy = policy or RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=16.0)
        self._http = provider_http(transport, REQUEST_TIMEOUT, {"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"ArmClient({self.base})"

    # --- reads ---------------------------------------------------------------------------

    async def resource(self, resource_id: str) -> dict[str, Any]:
        """The ACS resource (`Microsoft.Communication/communicationServices`)."""
        return await self._json("GET", resource_id, COMMUNICATION_API_VERSION)

    async def system_topics(self, subscription: str) -> list[SystemTopic]:
        path = f"/subscriptions/{subscription}/providers/Microsoft.EventGrid/systemTopics"
        return [SystemTopic.of(v) for v in await self._pages(path)]

    async def topic_of(self, subscription: str, source: str) -> SystemTopic | None:
        """The system topic whose source is `source` (Event Grid allows one per source)."""
        found = [t for t in await self.system_topics(subscription) if same_id(t.source, source)]
        return found[0] if found else None

    async def event_subscriptions(self, topic_id: str) -> list[EventSubscription]:
        pages = await self._pages(f"{topic_id}/eventSubscriptions")
        return [EventSubscription.of(v) for v in pages]

    async def full_url(self, subscription_id: str) -> str:
        """A webhook's full endpoint URL (`getFullUrl`: reads give only its base)."""
        body = await self._json("POST", f"{subscription_id}/getFullUrl", EVENTGRID_API_VERSION)
        return str(body.get("endpointUrl") or "")

    async def event_subscription(self, subscription_id: str) -> EventSubscription | None:
        try:
            body = await self._json("GET", subscription_id, EVENTGRID_API_VERSION)
        except ArmError as exc:
            if exc.status == 404:
                return None
            raise
        return EventSubscription.of(body)

    async def get_system_topic(self, topic_id: str) -> SystemTopic | None:
        try:
            return SystemTopic.of(await self._json("GET", topic_id, EVENTGRID_API_VERSION))
        except ArmError as exc:
            if exc.status == 404:
                return None
            raise

    # --- writes --------------------------------------------------------------------------

    async def put_system_topic(self, topic_id: str, body: Mapping[str, Any]) -> SystemTopic:
        return SystemTopic.of(await self._put(topic_id, body))

    async def put_event_subscription(
        self, subscription_id: str, body: Mapping[str, Any]
    ) -> EventSubscription:
        """Create an event subscription and wait for Event Grid's verdict (its validation
        handshake with the webhook happens here: a failure is an `ArmError` saying so)."""
        return EventSubscription.of(await self._put(subscription_id, body))

    async def _put(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A PUT as ARM's long-running operations go: polled at its `Azure-AsyncOperation`
        URL when it gives one (the SDK's ARMPolling), else at the resource itself, until its
        state is terminal; then the resource as it now is."""
        reply = await self._send("PUT", path, EVENTGRID_API_VERSION, body)
        poll = reply.headers.get("Azure-AsyncOperation")
        result = _body(reply)
        for _ in range(LRO_POLLS):
            if poll is None:
                state = _state(result)
                if not state or state.lower() in TERMINAL:
                    return _settled(result, path)
                await self.policy.sleep(retry_after(reply) or 1.0)
                reply = await self._send("GET", path, EVENTGRID_API_VERSION)
                result = _body(reply)
                continue
            await self.policy.sleep(retry_after(reply) or 1.0)
            reply = await self._send("GET", poll, None)
            operation = _body(reply)
            state = str(operation.get("status") or "")
            if state.lower() in TERMINAL:
                if state.lower() != "succeeded":
                    raise _operation_error(operation, path)
                return _settled(await self._json("GET", path, EVENTGRID_API_VERSION), path)
        raise ArmError(f"PUT {path}: not finished after {LRO_POLLS} polls")

    # --- the conversation ----------------------------------------------------------------

    async def _pages(self, path: str) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = []
        url: str | None = path
        version: str | None = EVENTGRID_API_VERSION
        while url:
            body = await self._json("GET", url, version)
            values += [v for v in body.get("value") or [] if isinstance(v, dict)]
            url, version = body.get("nextLink") or None, None  # nextLink carries its query
        return values

    async def _json(
        self, method: str, path: str, version: str | None, body: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        return _body(await self._send(method, path, version, body))

    async def _send(
        self, method: str, path: str, version: str | None, body: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        url = path if "://" in path else f"{self.base}{path}"
        if "://" in path and not url.startswith(self.base + "/"):
            raise ArmError(f"{method} {path}: ARM pointed outside {self.base}; not followed")
        params = {"api-version": version} if version else None
        try:
            token = (await self.credential.get_token(SCOPE)).token
        except CredentialError as exc:
            raise ArmError(f"no ARM token: {exc}") from None
        register(token)
        reply, _ = await self._request(
            method, url, params=params, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if reply.status_code >= 400:
            raise _rejected(reply, f"{method} {_shown(url)}")
        return reply

    def unreachable(self, exc: httpx.TransportError) -> Exception:
        return ArmError(f"could not reach {self.base}: {type(exc).__name__}")

    def on_retry(self, method: str, reply: httpx.Response) -> None:
        logger.info("arm %s %s -> %s", method, reply.url.path, reply.status_code)


def _shown(url: str) -> str:
    return httpx.URL(url).path


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _body(reply: httpx.Response) -> dict[str, Any]:
    try:
        return _object(reply.json())
    except ValueError:
        return {}


def _error(body: Mapping[str, Any]) -> tuple[str, str]:
    error = _object(body.get("error"))
    return str(error.get("code") or ""), str(error.get("message") or "")


def _rejected(reply: httpx.Response, request: str) -> ArmError:
    code, message = _error(_body(reply))
    words = f"{code}: {message}" if code and message else code or message or "no detail"
    return ArmError(
        f"{request}: HTTP {reply.status_code} ({words})", status=reply.status_code, code=code
    )


def _operation_error(operation: Mapping[str, Any], path: str) -> ArmError:
    code, message = _error(operation)
    state = str(operation.get("status") or "Failed")
    return ArmError(f"PUT {path}: {state} ({code}: {message})", code=code)


def _state(result: Mapping[str, Any]) -> str:
    return str(_object(result.get("properties")).get("provisioningState") or "")


def _settled(result: dict[str, Any], path: str) -> dict[str, Any]:
    state = _state(result)
    if state.lower() in ("failed", "canceled"):
        raise ArmError(f"PUT {path}: provisioning {state}")
    return result


@dataclass
class ArmAccess:
    """How a run reaches ARM: the credential (None: Event Grid not checked, `why_not` says
    why), the base URL and the transport (the local organisation's in-process emulator)."""

    credential: Credential | None
    source: str
    base: str = ARM
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)

    @property
    def why_not(self) -> str:
        return self.source if self.credential is None else ""

    def client(self) -> ArmClient:
        assert self.credential is not None
        return ArmClient(self.credential, self.base, self.transport)
