"""What a served emulator takes from anyone who can reach its socket: bodies up to a bound
(past it, the service's 413), and JSON that may be hostile (100,000 nested arrays are a 400,
never a RecursionError and a 500).

Each emulator answers in its own service's words; this module only decides when.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refusal = tuple[int, dict[str, str], bytes]
"""An HTTP answer: status, headers, body."""


def loads(body: bytes | str) -> Any:
    """`json.loads`, with nesting too deep to parse reported as the ValueError that every
    malformed body already is (Python's parser recurses, and would raise RecursionError)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


async def json_object(request: Request) -> dict[str, Any]:
    """The body of a control request (`/_emulator/...`) as a JSON object, else ValueError."""
    data = loads(await request.body())
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def refusal(response: Response) -> Refusal:
    """A starlette response as the `Refusal` that `BodyLimit` sends."""
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return response.status_code, headers, bytes(response.body)


def bounded_app(
    routes: list[Route], limit: int, too_large: Callable[[int], Refusal], **state: Any
) -> Starlette:
    """A provider emulator's app: its routes behind `BodyLimit`, and `state` (the emulator
    under its service's name) in `app.state` for tests and the CLI to reach."""
    app = Starlette(
        routes=routes, middleware=[Middleware(BodyLimit, limit=limit, too_large=too_large)]
    )
    for name, value in state.items():
        setattr(app.state, name, value)
    return app


class BodyLimit:
    """ASGI wrapper: a request whose body is longer than `limit` bytes is answered with
    `too_large(limit)` before the application sees any of it: at once when its Content-Length
    says so, else as soon as the stream passes the bound (a chunked upload that never ends
    costs at most `limit` bytes of memory)."""

    def __init__(self, app: ASGIApp, limit: int, too_large: Callable[[int], Refusal]) -> None:
        self.app = app
        self.limit = limit
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, send: Send) -> None:
        status, headers, body = self.too_large(self.limit)
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw += [(b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the application the body already read, then the client's own
    later messages (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
