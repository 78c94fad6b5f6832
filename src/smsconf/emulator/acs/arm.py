"""The slice of Azure Resource Manager the Event Grid checks use (providers.md §4.8).

Served under `/subscriptions/...`, paths matched case-insensitively as ARM matches them:
- `GET …/providers/Microsoft.Communication/communicationServices[/{name}]` (by group or by
  subscription): hostName, dataLocation, immutableResourceId, provisioningState;
- Event Grid system topics of a group or subscription: list, get, PUT (source = an ACS
  resource id, topicType `Microsoft.Communication.CommunicationServices`, location global, one
  topic per source), DELETE;
- their event subscriptions: list, get, PUT/PATCH (201 with `Azure-AsyncOperation`, polled at
  `…/locations/global/operationsStatus/{id}`, as Event Grid answers; or a direct 201 when the
  emulator is made with `lro=False`), DELETE, `POST …/getFullUrl`. A GET shows a webhook's
  `endpointBaseUrl` and a null `endpointUrl`, as Event Grid hides the full URL (it may hold a
  secret) behind getFullUrl.

A bearer token is required (any non-empty one, or exactly the configured one). Errors are ARM's
`{"error": {"code", "message"}}`. With a handshake transport, a new or changed webhook
subscription first gets Event Grid's validation handshake (§4.6): a
`SubscriptionValidationEvent` POST that must be answered 200 with the validation code.

[inferred] where no source shows it: the api-versions other than the SDKs' defaults, the
codes and texts of validation errors (one topic per source, location global, unknown event
types), the ACS event-type list beyond the two SMS ones.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from smsconf.emulator.acs.common import error, outage, throttled, version_problem
from smsconf.emulator.acs.events import delivery_headers
from smsconf.emulator.acs.state import (
    RESOURCE_TYPE,
    SMS_DELIVERY_REPORT,
    SMS_RECEIVED,
    TOPIC_TYPE,
    AcsResource,
    EventSubscription,
    State,
    SystemTopic,
)
from smsconf.emulator.limits import loads
from smsconf.emulator.telesign.faults import FaultInjector

EVENT_GRID_VERSION = "2025-02-15"
EVENT_GRID_VERSIONS = frozenset(
    {
        "2020-06-01",
        "2021-12-01",
        "2022-06-15",
        "2023-12-15-preview",
        "2024-06-01-preview",
        "2024-12-15-preview",
        EVENT_GRID_VERSION,  # azure-mgmt-eventgrid 10.4.0's default; getFullUrl's (§4.8)
        "2025-04-01-preview",
    }
)
COMMUNICATION_VERSIONS = frozenset(
    {
        "2020-08-20",
        "2023-03-31",
        "2023-04-01",
        "2023-06-01-preview",
        "2024-09-01-preview",
        "2025-05-01",
        "2025-09-01",  # azure-mgmt-communication 3.0.0's default
    }
)
ACS_EVENT_TYPES = frozenset(
    {
        SMS_RECEIVED,
        SMS_DELIVERY_REPORT,
        "Microsoft.Communication.IncomingCall",
        "Microsoft.Communication.RecordingFileStatusUpdated",
        "Microsoft.Communication.ChatMessageReceived",
        "Microsoft.Communication.ChatMessageReceivedInThread",
        "Microsoft.Communication.CallStarted",
        "Microsoft.Communication.CallEnded",
        "Microsoft.Communication.AdvancedMessageReceived",
        "Microsoft.Communication.AdvancedMessageDeliveryStatusUpdated",
    }
)
SCHEMAS = frozenset({"EventGridSchema", "CloudEventSchemaV1_0", "CustomInputSchema"})
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,62}")
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
EVENT_GRID = "microsoft.eventgrid"
COMMUNICATION = "microsoft.communication"
TOPIC_RESOURCE = "Microsoft.EventGrid/systemTopics"
SUBSCRIPTION_RESOURCE = "Microsoft.EventGrid/eventSubscriptions"

Handler = Callable[[Request, list[str]], Awaitable[Response]]


def _match(pattern: tuple[str | None, ...], parts: list[str]) -> list[str] | None:
    """The variable segments of `parts` if it fits `pattern` (None = a variable; literals
    compare case-insensitively), else None."""
    if len(pattern) != len(parts):
        return None
    found = []
    for want, part in zip(pattern, parts, strict=True):
        if want is None:
            found.append(part)
        elif want != part.lower():
            return None
    return found


_RG = (None, "resourcegroups", None, "providers")
_TOPICS_RG = (*_RG, EVENT_GRID, "systemtopics")
_SERVICES_RG = (*_RG, COMMUNICATION, "communicationservices")


class Arm:
    def __init__(
        self,
        state: State,
        injector: FaultInjector,
        *,
        token: str | None = None,
        handshake: httpx.AsyncBaseTransport | None = None,
        lro: bool = True,
    ) -> None:
        self.state = state
        self.injector = injector
        self.token = token
        self.handshake = handshake
        self.lro = lro
        self.journal: list[tuple[str, str, str]] = []
        self.operations: dict[str, dict[str, Any]] = {}
        self.validations: list[dict[str, Any]] = []
        """The handshakes sent: url, validation code, status answered."""
        self.routes: list[tuple[tuple[str | None, ...], str, frozenset[str], Handler]] = [
            ((None, "providers", EVENT_GRID, "systemtopics"), EVENT_GRID, _GET, self.list_topics),
            (_TOPICS_RG, EVENT_GRID, _GET, self.list_topics),
            ((*_TOPICS_RG, None), EVENT_GRID, _ONE, self.topic),
            ((*_TOPICS_RG, None, "eventsubscriptions"), EVENT_GRID, _GET, self.list_subs),
            ((*_TOPICS_RG, None, "eventsubscriptions", None), EVENT_GRID, _SUB, self.sub),
            (
                (*_TOPICS_RG, None, "eventsubscriptions", None, "getfullurl"),
                EVENT_GRID,
                frozenset({"POST"}),
                self.full_url,
            ),
            (
                (None, "providers", EVENT_GRID, "locations", None, "operationsstatus", None),
                EVENT_GRID,
                _GET,
                self.operation,
            ),
            (
                (None, "providers", COMMUNICATION, "communicationservices"),
                COMMUNICATION,
                _GET,
                self.list_services,
            ),
            (_SERVICES_RG, COMMUNICATION, _GET, self.list_services),
            ((*_SERVICES_RG, None), COMMUNICATION, _GET, self.service),
        ]

    # --- the gate ---------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        self.journal.append((request.method, request.url.path, request.url.query))
        down = await outage(self.injector)
        if down is not None:
            return down
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        throttle = throttled(self.injector)
        if throttle is not None:
            return throttle
        parts = request.path_params["rest"].strip("/").split("/")
        for pattern, namespace, methods, handler in self.routes:
            found = _match(pattern, parts)
            if found is None:
                continue
            if request.method not in methods:
                return error(
                    405, "MethodNotAllowed", f"The method {request.method} is not allowed here."
                )
            problem = self._scope(found, namespace, request)
            return problem if problem is not None else await handler(request, found)
        return error(
            404,
            "InvalidResourceType",
            f"The resource type could not be found for the path {request.url.path}.",
        )

    def _authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return error(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            )
        if scheme.lower() != "bearer" or not token.strip():
            return error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid: the 'Authorization' header must be 'Bearer TOKEN'.",
            )
        if self.token is not None and token.strip() != self.token:
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.")
        return None

    def _scope(self, found: list[str], namespace: str, request: Request) -> Response | None:
        """Subscription, then resource group (when the path has one), then api-version."""
        subscription = found[0]
        if subscription.lower() not in self.state.subscriptions():
            return error(
                404,
                "SubscriptionNotFound",
                f"The subscription '{subscription}' could not be found.",
            )
        group = _group(request)
        if group is not None and (subscription.lower(), group.lower()) not in (
            self.state.resource_groups
        ):
            return error(
                404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found."
            )
        versions = EVENT_GRID_VERSIONS if namespace == EVENT_GRID else COMMUNICATION_VERSIONS
        return version_problem(
            request,
            versions,
            "NoRegisteredProviderFound",
            "No registered resource provider found for API version '{version}'. The supported "
            "api-versions are '{supported}'.",
        )

    # --- Microsoft.Communication ------------------------------------------------------------

    def _resources(self, subscription: str, group: str | None) -> list[AcsResource]:
        return [
            r
            for r in self.state.resources
            if r.subscription.lower() == subscription.lower()
            and (group is None or r.resource_group.lower() == group.lower())
        ]

    async def list_services(self, request: Request, found: list[str]) -> Response:
        group = found[1] if len(found) > 1 else None
        return JSONResponse({"value": [_service(r) for r in self._resources(found[0], group)]})

    async def service(self, request: Request, found: list[str]) -> Response:
        subscription, group, name = found
        resource = next(
            (r for r in self._resources(subscription, group) if r.name.lower() == name.lower()),
            None,
        )
        if resource is None:
            return _not_found(f"{RESOURCE_TYPE}/{name}", group)
        return JSONResponse(_service(resource))

    # --- system topics ----------------------------------------------------------------------

    def _topic(self, subscription: str, group: str, name: str) -> SystemTopic | None:
        return next(
            (
                t
                for t in self.state.arm.topics
                if (t.subscription.lower(), t.resource_group.lower(), t.name.lower())
                == (subscription.lower(), group.lower(), name.lower())
            ),
            None,
        )

    async def list_topics(self, request: Request, found: list[str]) -> Response:
        subscription = found[0].lower()
        group = found[1].lower() if len(found) > 1 else None
        topics = [
            _topic(t)
            for t in self.state.arm.topics
            if t.subscription.lower() == subscription
            and (group is None or t.resource_group.lower() == group)
        ]
        return JSONResponse({"value": topics})

    async def topic(self, request: Request, found: list[str]) -> Response:
        subscription, group, name = found
        topic = self._topic(subscription, group, name)
        if request.method == "PUT":
            return await self._put_topic(request, found, topic)
        if topic is None:
            if request.method == "DELETE":
                return Response(status_code=204)
            return _not_found(f"{TOPIC_RESOURCE}/{name}", group)
        if request.method == "DELETE":
            self.state.arm.topics.remove(topic)
            self.state.arm.event_subscriptions = [
                e for e in self.state.arm.event_subscriptions if not _under(e, topic)
            ]
            self.state.save()
            return Response(status_code=200)
        return JSONResponse(_topic(topic))

    async def _put_topic(
        self, request: Request, found: list[str], topic: SystemTopic | None
    ) -> Response:
        subscription, group, name = found
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        if not NAME.fullmatch(name):
            return _invalid(f"The system topic name '{name}' is invalid: 3-64 letters, digits, -.")
        properties = body.get("properties")
        if not isinstance(properties, dict):
            return _invalid("The request body has no 'properties' object.")
        source, topic_type = properties.get("source"), properties.get("topicType")
        if not isinstance(source, str) or not isinstance(topic_type, str):
            return _invalid("properties.source and properties.topicType are required strings.")
        resource = next((r for r in self.state.resources if r.id.lower() == source.lower()), None)
        if resource is None:
            return _invalid(f"The source resource '{source}' does not exist.")
        if topic_type.lower() != TOPIC_TYPE.lower():
            return _invalid(
                f"The topic type '{topic_type}' does not match the source's resource type; "
                f"expected '{TOPIC_TYPE}'."
            )
        location = body.get("location")
        if not isinstance(location, str) or location.lower() != "global":
            return _invalid(
                f"The location '{location}' is invalid: a system topic of an Azure "
                "Communication Services resource is in location 'global'."
            )
        other = next(
            (
                t
                for t in self.state.arm.topics
                if t.source.lower() == source.lower() and t is not topic
            ),
            None,
        )
        if other is not None:
            return _invalid(
                f"Only one system topic is allowed per source: '{other.name}' already exists "
                f"for '{source}'."
            )
        if topic is not None and topic.source.lower() != source.lower():
            return _invalid("The source of an existing system topic cannot be changed.")
        tags = body.get("tags") if isinstance(body.get("tags"), dict) else {}
        created = topic is None
        if topic is None:
            topic = SystemTopic(
                name=name,
                subscription=subscription,
                resource_group=group,
                source=resource.id,
                topic_type=TOPIC_TYPE,
                metric_resource_id=str(uuid.uuid4()),
            )
            self.state.arm.topics.append(topic)
        topic.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.state.save()
        return JSONResponse(_topic(topic), status_code=201 if created else 200)

    # --- event subscriptions ----------------------------------------------------------------

    def _sub(self, topic: SystemTopic, name: str) -> EventSubscription | None:
        return next(
            (
                e
                for e in self.state.arm.event_subscriptions
                if _under(e, topic) and e.name.lower() == name.lower()
            ),
            None,
        )

    def _topic_or_404(self, found: list[str]) -> SystemTopic | Response:
        subscription, group, name = found[:3]
        topic = self._topic(subscription, group, name)
        return topic if topic is not None else _not_found(f"{TOPIC_RESOURCE}/{name}", group)

    async def list_subs(self, request: Request, found: list[str]) -> Response:
        topic = self._topic_or_404(found)
        if isinstance(topic, Response):
            return topic
        subs = [e for e in self.state.arm.event_subscriptions if _under(e, topic)]
        return JSONResponse({"value": [_subscription(topic, e) for e in subs]})

    async def sub(self, request: Request, found: list[str]) -> Response:
        topic = self._topic_or_404(found)
        if isinstance(topic, Response):
            return topic
        name = found[3]
        existing = self._sub(topic, name)
        if request.method in ("PUT", "PATCH"):
            return await self._put_sub(request, topic, name, existing)
        if existing is None:
            if request.method == "DELETE":
                return Response(status_code=204)
            return _not_found(f"{TOPIC_RESOURCE}/{topic.name}/eventSubscriptions/{name}", found[1])
        if request.method == "DELETE":
            self.state.arm.event_subscriptions.remove(existing)
            self.state.save()
            return Response(status_code=200)
        return JSONResponse(_subscription(topic, existing))

    async def _put_sub(
        self, request: Request, topic: SystemTopic, name: str, existing: EventSubscription | None
    ) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        if not NAME.fullmatch(name):
            return _invalid(f"The event subscription name '{name}' is invalid.")
        if request.method == "PATCH":  # EventSubscriptionUpdateParameters: a flat merge
            if existing is None:
                return _not_found(f"{TOPIC_RESOURCE}/{topic.name}/eventSubscriptions/{name}", None)
            properties = {**existing.properties, **body}
        else:
            properties = body.get("properties")
            if not isinstance(properties, dict):
                return _invalid("The request body has no 'properties' object.")
        properties = {k: v for k, v in properties.items() if k != "provisioningState"}
        problem = _check_subscription(properties)
        if problem is not None:
            return _invalid(problem)
        failure = None
        if existing is None or _endpoint(existing.properties) != _endpoint(properties):
            failure = await self._validate(topic, properties)  # on a new or moved endpoint
        if failure is None:
            if existing is None:
                existing = EventSubscription(
                    name, topic.name, topic.subscription, topic.resource_group, properties
                )
                self.state.arm.event_subscriptions.append(existing)
            else:
                existing.properties = properties
            self.state.save()
        elif not self.lro:
            return error(400, "Url validation", failure)
        shown = EventSubscription(
            name, topic.name, topic.subscription, topic.resource_group, properties
        )
        answer = _subscription(topic, shown, "Creating" if self.lro else "Succeeded")
        if not self.lro:
            return JSONResponse(answer, status_code=201)
        operation = str(uuid.uuid4()).upper()
        self.operations[operation] = {
            "id": f"/subscriptions/{topic.subscription}/providers/Microsoft.EventGrid/locations/"
            f"global/operationsStatus/{operation}",
            "name": operation,
            "status": "Succeeded" if failure is None else "Failed",
            "startTime": _now(),
            "endTime": _now(),
            **({"error": {"code": "Url validation", "message": failure}} if failure else {}),
        }
        status_url = (
            f"{request.url.scheme}://{request.url.netloc}{self.operations[operation]['id']}"
            f"?api-version={request.query_params['api-version']}"
        )
        return JSONResponse(answer, status_code=201, headers={"Azure-AsyncOperation": status_url})

    async def operation(self, request: Request, found: list[str]) -> Response:
        status = self.operations.get(found[2].upper())
        if status is None:
            return _not_found(f"Microsoft.EventGrid/operationsStatus/{found[2]}", None)
        return JSONResponse(status)

    async def full_url(self, request: Request, found: list[str]) -> Response:
        topic = self._topic_or_404(found)
        if isinstance(topic, Response):
            return topic
        existing = self._sub(topic, found[3])
        if existing is None:
            return _not_found(
                f"{TOPIC_RESOURCE}/{topic.name}/eventSubscriptions/{found[3]}", found[1]
            )
        destination = existing.properties.get("destination") or {}
        if destination.get("endpointType") != "WebHook":
            return _invalid("getFullUrl is only supported for WebHook destinations.")
        return JSONResponse({"endpointUrl": destination["properties"]["endpointUrl"]})

    async def _validate(self, topic: SystemTopic, properties: dict[str, Any]) -> str | None:
        """Event Grid's validation handshake for a webhook (§4.6), when a transport to send it
        on was given: the failure message, or None when it passed (or was not sent)."""
        destination = properties["destination"]
        if self.handshake is None or destination["endpointType"] != "WebHook":
            return None
        url = destination["properties"]["endpointUrl"]
        code = str(uuid.uuid4()).upper()
        event = {
            "id": str(uuid.uuid4()),
            "topic": topic.source.lower(),
            "subject": "",
            "data": {"validationCode": code, "validationUrl": None},
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
            "eventTime": _now(),
            "metadataVersion": "1",
            "dataVersion": "2",
        }
        headers = delivery_headers("SubscriptionValidation", destination["properties"])
        base = _base_url(url)
        try:
            async with httpx.AsyncClient(transport=self.handshake, timeout=30) as client:
                answer = await client.post(url, json=[event], headers=headers)
            status = answer.status_code
            echoed = answer.json().get("validationResponse") if status == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError):
            status, echoed = 0, None
        self.validations.append({"url": url, "code": code, "status": status})
        if status == 200 and echoed == code:
            return None
        answered = f"HTTP {status}" if status else "no answer"
        return (
            f"Webhook validation handshake failed for {base}: the validation request got "
            f"{answered} (200 with the validation code expected)."
        )


_GET = frozenset({"GET"})
_ONE = frozenset({"GET", "PUT", "DELETE"})
_SUB = frozenset({"GET", "PUT", "PATCH", "DELETE"})


def _group(request: Request) -> str | None:
    parts = request.path_params["rest"].strip("/").split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "resourcegroups" else None


def _under(sub: EventSubscription, topic: SystemTopic) -> bool:
    return (sub.subscription.lower(), sub.resource_group.lower(), sub.topic.lower()) == (
        topic.subscription.lower(),
        topic.resource_group.lower(),
        topic.name.lower(),
    )


def _not_found(what: str, group: str | None) -> JSONResponse:
    where = f" under resource group '{group}'" if group else ""
    return error(
        404,
        "ResourceNotFound",
        f"The Resource '{what}'{where} was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix",
    )


def _invalid(message: str) -> JSONResponse:
    return error(400, "InvalidRequest", message)


async def _json_body(request: Request) -> dict[str, Any] | Response:
    try:
        body = loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        return error(400, "InvalidRequestContent", f"The request content is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return error(400, "InvalidRequestContent", "The request content must be a JSON object.")
    return body


def _check_subscription(properties: dict[str, Any]) -> str | None:
    """What Event Grid would refuse in an event subscription's properties, or None."""
    destination = properties.get("destination")
    if not isinstance(destination, dict) or not isinstance(destination.get("endpointType"), str):
        return "properties.destination with an endpointType is required."
    target = destination.get("properties")
    if not isinstance(target, dict):
        destination["properties"] = target = {}
    if destination["endpointType"] == "WebHook":
        problem = _url_problem(target.get("endpointUrl"))
        if problem is not None:
            return problem
        tenant = target.get("azureActiveDirectoryTenantId")
        app = target.get("azureActiveDirectoryApplicationIdOrUri")
        if bool(tenant) != bool(app):
            return (
                "azureActiveDirectoryTenantId and azureActiveDirectoryApplicationIdOrUri are "
                "given together or not at all."
            )
        if tenant and (not isinstance(tenant, str) or not GUID.fullmatch(tenant)):
            return f"azureActiveDirectoryTenantId '{tenant}' is not a GUID."
        if app is not None and not isinstance(app, str):
            return "azureActiveDirectoryApplicationIdOrUri must be a string."
    schema = properties.setdefault("eventDeliverySchema", "EventGridSchema")
    if schema not in SCHEMAS:
        return f"eventDeliverySchema '{schema}' is not one of {', '.join(sorted(SCHEMAS))}."
    event_filter = properties.get("filter")
    if event_filter is None:
        properties["filter"] = event_filter = {}
    if not isinstance(event_filter, dict):
        return "properties.filter must be an object."
    types = event_filter.get("includedEventTypes")
    if types is not None:
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            return "filter.includedEventTypes must be a list of strings."
        unknown = [t for t in types if t not in ACS_EVENT_TYPES]
        if unknown:
            return f"'{unknown[0]}' is not a supported event type for topic type '{TOPIC_TYPE}'."
    return None


def _url_problem(url: object) -> str | None:
    """Why `url` is no webhook endpoint URL, or None."""
    wanted = "A WebHook destination needs properties.endpointUrl, an absolute https URL."
    if not isinstance(url, str):
        return wanted
    try:
        parsed = httpx.URL(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port out of range)
    except (httpx.InvalidURL, ValueError):
        return wanted
    if parsed.scheme not in ("https", "http"):
        return wanted
    if not parsed.host or any(c.isspace() for c in url):
        return "The endpoint URL has no host, or has spaces in it."
    return None


def _endpoint(properties: dict[str, Any]) -> object:
    destination = properties.get("destination") or {}
    return (destination.get("properties") or {}).get("endpointUrl")


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _service(resource: AcsResource) -> dict[str, Any]:
    return {
        "id": resource.id,
        "name": resource.name,
        "type": RESOURCE_TYPE,
        "location": "global",
        "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            "hostName": resource.host_name,
            "dataLocation": resource.data_location,
            "immutableResourceId": resource.immutable_id,
            "linkedDomains": [],
        },
    }


def _topic_id(topic: SystemTopic) -> str:
    return (
        f"/subscriptions/{topic.subscription}/resourceGroups/{topic.resource_group}"
        f"/providers/{TOPIC_RESOURCE}/{topic.name}"
    )


def _topic(topic: SystemTopic) -> dict[str, Any]:
    return {
        "id": _topic_id(topic),
        "name": topic.name,
        "type": TOPIC_RESOURCE,
        "location": topic.location,
        "tags": topic.tags,
        "properties": {
            "source": topic.source,
            "topicType": topic.topic_type,
            "metricResourceId": topic.metric_resource_id,
            "provisioningState": "Succeeded",
        },
    }


def _subscription(
    topic: SystemTopic, sub: EventSubscription, state: str = "Succeeded"
) -> dict[str, Any]:
    properties = {**sub.properties, "topic": _topic_id(topic), "provisioningState": state}
    destination = dict(properties["destination"])
    if destination.get("endpointType") == "WebHook":
        target = dict(destination["properties"])
        target["endpointBaseUrl"] = _base_url(target["endpointUrl"])
        target["endpointUrl"] = None
        target.setdefault("maxEventsPerBatch", 1)
        target.setdefault("preferredBatchSizeInKilobytes", 64)
        destination["properties"] = target
    properties["destination"] = destination
    properties.setdefault("labels", [])
    properties.setdefault(
        "retryPolicy", {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 1440}
    )
    return {
        "id": f"{_topic_id(topic)}/eventSubscriptions/{sub.name}",
        "name": sub.name,
        "type": SUBSCRIPTION_RESOURCE,
        "properties": properties,
    }
