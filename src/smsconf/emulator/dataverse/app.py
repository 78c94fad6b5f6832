"""The emulator as a plain ASGI application: auth, faults, then the Web API.

Plain ASGI rather than a framework router because requests must also be replayed from `$batch`
bodies and dropped mid-flight on demand; the routing lives in `service.py` on `Call` values.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from smsconf.emulator.dataverse import batch, fieldsecurity, telesign_callback, twilio_webhook
from smsconf.emulator.dataverse.actions import Identity
from smsconf.emulator.dataverse.errors import (
    NOT_AUTHENTICATED,
    PAYLOAD_ERROR,
    DataverseError,
    bad_query,
)
from smsconf.emulator.dataverse.faults import ConnectionDropped, FaultConfig, FaultInjector
from smsconf.emulator.dataverse.organisation import Organisation
from smsconf.emulator.dataverse.protocol import Call, Reply, error_reply, json_reply
from smsconf.emulator.dataverse.schema import Schema, default_schema
from smsconf.emulator.dataverse.seed import seed, seed_id
from smsconf.emulator.dataverse.service import Service
from smsconf.emulator.dataverse.store import Store
from smsconf.emulator.limits import BodyLimit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_ORG_ID = seed_id("organization", "local")
ORG_ID_META = "organization_id"
TENANT_ID = seed_id("tenant", "local")
MAX_REQUEST_BYTES = 64 * 2**20
"""Far above any `$batch` smsconf sends (its chunks of 1,000 writes stay under a few MB)."""
_API = re.compile(r"^/api/data/(v9\.[0-2])/(.*)$", re.DOTALL | re.IGNORECASE)


class DataverseEmulator:
    """An emulated Dataverse organisation speaking the Web API over ASGI."""

    def __init__(
        self,
        db: str | Path = ":memory:",
        *,
        token: str | None = None,
        faults: FaultConfig | None = None,
        org_id: str | None = None,
        base_url: str | None = None,
        organisation: Organisation | None = None,
        schema: Schema | None = None,
    ) -> None:
        """An emulated org stored in `db` (seeded on first use), ready to mount as an ASGI app.

        `org_id` is a new database's organisation id (default: a fixed one); a database keeps
        the id it was created with.

        `organisation` makes it a particular organisation (e.g. `Organisation.older()`),
        recorded in `db`; without it, the organisation `db` recorded, or a current one.
        `schema` is the tables it serves (`schema.load(path)`); without it, the committed
        snapshot's."""
        self.store = Store(db)
        self.schema = schema or default_schema()
        self.token = token
        self.faults = FaultInjector(faults)
        self.base_url = base_url.rstrip("/") if base_url else None
        with self.store.transaction():
            self.org_id = _organisation_id(self.store, org_id)
            self.organisation = Organisation.opened(self.store, organisation)
        user_id = seed_id("systemuser", "application")
        identity = Identity(user_id, seed_id("businessunit", "root"), self.org_id)
        self.service = Service(self.store, identity, self.organisation, self.schema)
        seed(self.service.records)
        fieldsecurity.seed_administrator(self.service.records)
        self._bounded = BodyLimit(self._handle, MAX_REQUEST_BYTES, _too_large)

    def close(self) -> None:
        """Release the database."""
        self.store.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._bounded(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            # A repeated header (two `Prefer` lines, as Microsoft's examples send) is one list.
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        query = dict(
            parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True)
        )
        path: str = scope["path"]
        base = (
            self.base_url or f"{scope.get('scheme', 'http')}://{headers.get('host', 'localhost')}"
        )
        if path.rstrip("/") == "/telesign/incoming" and scope["method"] == "POST":
            await _send(send, self._telesign(query, headers, body))
            return
        if path.rstrip("/") == "/twilio/incoming" and scope["method"] == "POST":
            raw_query = scope["query_string"].decode("utf-8", "replace")
            called = f"{base}{path}" + (f"?{raw_query}" if raw_query else "")
            await _send(send, self._twilio(called, query, headers, body))
            return
        match = _API.match(path)
        if match is None:
            missing = bad_query(f"Resource not found for the segment '{path}'.")
            await _send(send, error_reply(DataverseError(404, missing.code, missing.message)))
            return
        refusal = self._authenticate(headers, base)
        if refusal is not None:
            await _send(send, refusal)
            return
        call = Call(scope["method"], match[2], query, headers, body, f"{base}/api/data/{match[1]}")
        await self._serve(call, send)

    async def _serve(self, call: Call, send: Send) -> None:
        refusal = self.faults.admit()
        if refusal is not None:
            await _send(send, error_reply(refusal))
            return
        try:
            await self._serve_admitted(call, send)
        finally:
            self.faults.release()

    async def _serve_admitted(self, call: Call, send: Send) -> None:
        decision = self.faults.decide()
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.error is not None:
            await _send(send, error_reply(decision.error))
            return
        if decision.drop_before:
            await _drop(send, "before")
        if call.path.strip("/") == "$batch" and call.method == "POST":
            reply = batch.execute(self.service, call)
        else:
            reply = self.service.handle(call)
        if decision.drop_after:
            await _drop(send, "after")
        await _send(send, reply)

    def _authenticate(self, headers: dict[str, str], base: str) -> Reply | None:
        """None for an acceptable bearer token; else the 401 naming the authority to ask."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token and self.token in (None, token):
            return None
        authority = f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/authorize"
        challenge = f"Bearer authorization_uri={authority}, resource_id={base}/"
        return error_reply(
            DataverseError(
                401,
                NOT_AUTHENTICATED,
                "Bearer token is missing or not valid.",
                {"WWW-Authenticate": challenge},
            )
        )

    def _telesign(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> Reply:
        try:
            telesign_callback.receive(
                self.store, query.get("orgId"), headers.get("authorization", ""), body
            )
        except DataverseError as error:
            return error_reply(error)
        return json_reply(200, {"status": "received", "id": str(uuid.uuid4())})

    def _twilio(
        self, url: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        signed = headers.get(twilio_webhook.signature.HEADER.lower(), "")
        try:
            return twilio_webhook.receive(self.store, url, query.get("orgId"), signed, body)
        except DataverseError as error:
            return error_reply(error)

    def inbound_messages(self) -> list[dict[str, Any]]:
        """Telesign callbacks and Twilio webhooks received so far, oldest first (a Twilio
        one's `customer_id` is its AccountSid, its body the form as posted)."""
        with self.store.transaction():
            return self.store.inbound()


def _too_large(limit: int) -> tuple[int, dict[str, str], bytes]:
    """The Web API's 413 (a status its error doc lists; no bound is documented, so the
    emulator's own is `MAX_REQUEST_BYTES` [inferred])."""
    reply = error_reply(
        DataverseError(
            413, PAYLOAD_ERROR, f"The request body is larger than {limit} bytes, the most accepted."
        )
    )
    return reply.status, reply.headers, reply.body


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


def _organisation_id(store: Store, chosen: str | None) -> str:
    """The organisation's id, as `WhoAmI` answers it: recorded in the database when it is
    created (`chosen`, else the fixed default), so every org keeps its own across restarts."""
    recorded = store.meta(ORG_ID_META)
    if recorded is None:
        recorded = chosen or DEFAULT_ORG_ID
        store.set_meta(ORG_ID_META, recorded)
    elif chosen is not None and chosen != recorded:
        raise ValueError(f"the database is organisation {recorded}, not {chosen}")
    return recorded


async def _drop(send: Send, when: str) -> None:
    """Start a response that promises a body, then fail: uvicorn closes the socket mid-reply,
    and an in-process httpx client gets the transport error directly."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1048576")]}
    )
    raise ConnectionDropped(when)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


# Every emulator package builds its app with `create_app`; this one's app is the emulator itself.
create_app = DataverseEmulator
