"""Test peers: a scripted HTTP server for protocol edge cases, socket servers, a sleep log.

The main behaviour tests drive the client against the real emulator; `ScriptedPeer` covers what
an emulator cannot be asked to do on cue (a 502 from a gateway, a nextLink to another host, an
HTML error page), over the same HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from tools.testkit.allowance import allowing

from smsconf.dataverse import DataverseClient, StaticToken

ORG = "https://org.example.test"
"""Base URL of scripted peers: an https org, as a real one."""
LOCAL = "http://dataverse.local"
"""Base URL of the in-process emulator."""


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        if isinstance(self.body, bytes):
            content = self.body
            headers = {**self.headers}
        elif self.body is None:
            content, headers = b"", {**self.headers}
        else:
            content = json.dumps(self.body).encode()
            headers = {"content-type": "application/json; odata.metadata=minimal", **self.headers}
        return content, [(k.lower().encode(), v.encode()) for k, v in headers.items()]


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class ScriptedPeer:
    """An ASGI app answering each request with the next scripted `Reply` (the last repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.seen: list[Seen] = []

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = scope["query_string"].decode()
        self.seen.append(Seen(scope["method"], scope["path"], query, headers, body))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        content, raw_headers = reply.encoded()
        await send({"type": "http.response.start", "status": reply.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": content})

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)


class SleepLog:
    """A `RetryPolicy.sleep` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@contextmanager
def served(app: Any, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port in a thread; yield its base URL.

    With `tls` (certificate, key) it serves HTTPS.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    certfile, keyfile = tls or (None, None)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ssl_certfile=certfile, ssl_keyfile=keyfile
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started, "uvicorn did not start"
        with allowing(f"{'https' if tls else 'http'}://127.0.0.1:{port}") as url:
            yield url
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


@contextmanager
def dropping_server() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP server that reads a request's head and closes the connection without answering.

    The request reached the server, so a client cannot know whether it was processed: the case
    where only idempotent requests may be retried.
    """
    received: list[bytes] = []
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            received.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        state["port"] = server.sockets[0].getsockname()[1]
        state["loop"] = asyncio.get_running_loop()
        state["stop"] = state["loop"].create_future()
        ready.set()
        async with server:
            await state["stop"]

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(5), "dropping server did not start"
    try:
        with allowing(f"http://127.0.0.1:{state['port']}") as url:
            yield url, received
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set_result, None)
        thread.join(timeout=5)


def in_process(app: Any, token: str = "test", **options: Any) -> DataverseClient:
    """A client talking to an ASGI app through httpx's in-process transport."""
    transport = httpx.ASGITransport(app=app)
    return DataverseClient(LOCAL, StaticToken(token), transport=transport, **options)


@dataclass
class BatchUnanswered:
    """An ASGI app in front of `app` whose `nth` `$batch` request gets no answer at all: the
    connection drops before the app sees it (`batches` counts the ones that came)."""

    app: Any
    nth: int
    batches: int = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("$batch"):
            self.batches += 1
            if self.batches == self.nth:
                raise httpx.ReadError("connection dropped")
        await self.app(scope, receive, send)
