"""A hostile Dataverse: the client answers with a clear `DataverseError`, the CLI with exit 1
and one line, never a traceback; and no bearer token is ever handed to another host.

Two hostile servers, both in this file and served over loopback: `Hostile`, a bare ASGI app for
the client's own calls, and `Corrupting`, middleware that spoils the real emulator's answers
so that `smsconf plan --target URL` meets them wherever they come (a `$batch` included).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.types import ASGIApp
from tests.reliability.conftest import ServeOrg
from tools.testkit.allowance import allow
from tools.testkit.convergence import TOKEN

from smsconf.dataverse import DataverseClient, RetryPolicy, StaticToken
from smsconf.dataverse.errors import DataverseError
from smsconf.emulator.serving import running
from smsconf.exitcodes import ExitCode

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SECRET_TOKEN = "hostile-test-bearer-token"
HUGE_ROWS = 200_000
SECONDS = 30.0


@dataclass
class Recorder:
    """A bystander server on another host: records every request and its Authorization."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.seen.append((scope["path"], headers.get("authorization", "")))
        await _reply(send, 200, b'{"value": []}', "application/json")


async def _reply(send: Send, status: int, body: bytes, content_type: str, length: int = -1) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body) if length < 0 else length).encode()),
        (b"odata-version", b"4.0"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Hostile:
    """Answers every request the same hostile way (`mode`)."""

    mode: str
    elsewhere: str = ""
    requests: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        own = f"http://{scope['server'][0]}:{scope['server'][1]}/api/data/v9.2"
        if self.mode == "malformed json":
            await _reply(send, 200, b'{"value": [{"name": "Q"', "application/json")
        elif self.mode == "wrong content type":
            await _reply(send, 200, b"<html><body>Sign in</body></html>", "text/html")
        elif self.mode == "truncated body":
            await _reply(send, 200, b'{"value": [', "application/json", length=4096)
        elif self.mode == "json that is not an object":
            await _reply(send, 200, b"[1, 2, 3]", "application/json")
        elif self.mode == "error body that is not json":
            await _reply(send, 500, b"\x00\xff garbage", "application/json")
        elif self.mode == "huge page":
            row = b'{"queueid": "00000000-0000-0000-0000-000000000001", "name": "' + b"x" * 80
            body = b'{"value": [' + b",".join([row + b'"}'] * HUGE_ROWS) + b"]}"
            await _reply(send, 200, body, "application/json")
        elif self.mode == "next link elsewhere":
            body = {"value": [], "@odata.nextLink": f"{self.elsewhere}/api/data/v9.2/queues?p=2"}
            await _reply(send, 200, json.dumps(body).encode(), "application/json")
        elif self.mode == "next link to itself":
            body = {"value": [{"name": "again"}], "@odata.nextLink": f"{own}/queues?p=2"}
            await _reply(send, 200, json.dumps(body).encode(), "application/json")
        else:
            raise AssertionError(self.mode)


MODES = [
    "malformed json",
    "wrong content type",
    "truncated body",
    "json that is not an object",
    "error body that is not json",
    "next link elsewhere",
    "next link to itself",
]


@pytest.fixture
def hostile(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[str], tuple[Hostile, Recorder, str]]]:
    """Factory: serve a hostile org in `mode` (allowed, as the target a workflow names) and a
    recorder on another host name (not allowed: only a next link points there)."""
    with ExitStack() as stack:

        def start(mode: str) -> tuple[Hostile, Recorder, str]:
            recorder = Recorder()
            elsewhere = stack.enter_context(running(recorder))  # type: ignore[arg-type]
            app = Hostile(mode, elsewhere.replace("127.0.0.1", "localhost"))
            url = stack.enter_context(running(app))  # type: ignore[arg-type]
            allow(monkeypatch, url)
            return app, recorder, url

        yield start


def client_for(url: str) -> DataverseClient:
    async def no_wait(_: float) -> None:
        return None

    return DataverseClient(
        url,
        StaticToken(SECRET_TOKEN),
        timeout=5.0,
        deadline=SECONDS,
        retry=RetryPolicy(max_attempts=3, seed=0, sleep=no_wait),
    )


@pytest.mark.parametrize("mode", MODES)
async def test_client_raises_a_clear_dataverse_error(
    mode: str, hostile: Callable[[str], tuple[Hostile, Recorder, str]]
) -> None:
    app, recorder, url = hostile(mode)
    started = time.monotonic()
    async with client_for(url) as client:
        with pytest.raises(DataverseError) as caught:
            await client.get_all("queues")
    assert time.monotonic() - started < SECONDS
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert SECRET_TOKEN not in message
    assert recorder.seen == [], "a request went to another host"
    assert app.requests <= 1000


async def test_nextlink_elsewhere_is_refused_before_any_request(
    hostile: Callable[[str], tuple[Hostile, Recorder, str]],
) -> None:
    """The bearer token must not reach the other host: not one request is made there."""
    _, recorder, url = hostile("next link elsewhere")
    async with client_for(url) as client:
        with pytest.raises(DataverseError, match="nextLink"):
            await client.get_all("queues")
    assert recorder.seen == []


async def test_huge_page_is_read_in_bounded_time(
    hostile: Callable[[str], tuple[Hostile, Recorder, str]],
) -> None:
    """A 20 MB page of 200,000 rows: read (or refused) within the deadline, never a crash."""
    _, _, url = hostile("huge page")
    started = time.monotonic()
    async with client_for(url) as client:
        try:
            rows = await client.get_all("queues")
        except DataverseError as exc:
            assert "\n" not in str(exc)
        else:
            assert len(rows) == HUGE_ROWS
    assert time.monotonic() - started < SECONDS


class Corrupting:
    """Middleware: the real emulator's answers, spoiled in `mode` once `armed`."""

    def __init__(self, app: ASGIApp, mode: str, elsewhere: str) -> None:
        self.app = app
        self.mode = mode
        self.elsewhere = elsewhere
        self.armed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.armed or scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[arg-type]
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)  # type: ignore[arg-type]
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        body, content_type = self.spoil(b"".join(chunks), headers.get("content-type", ""))
        length = len(body) * 2 if self.mode == "truncated body" else -1
        await _reply(send, start["status"], body, content_type, length)

    def spoil(self, body: bytes, content_type: str) -> tuple[bytes, str]:
        if self.mode == "malformed json":
            return body[: len(body) // 2], content_type
        if self.mode == "wrong content type":
            return b"<html><body>Sign in to your account</body></html>", "text/html"
        if self.mode == "truncated body":
            return body[: len(body) // 2], content_type
        if self.mode == "next link elsewhere":
            link = f'"@odata.nextLink": "{self.elsewhere}/api/data/v9.2/queues?p=2", "value": ['
            return re.sub(rb'"value"\s*:\s*\[', link.encode(), body, count=1), content_type
        raise AssertionError(self.mode)


CLI_MODES = [
    "malformed json",
    "wrong content type",
    "next link elsewhere",
    # The CLI retries a dropped read with real backoff (about 10 s): the long run only.
    pytest.param("truncated body", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("mode", CLI_MODES)
def test_cli_prints_one_line_and_exits_1(mode: str, serve_org: ServeOrg) -> None:
    recorder = Recorder()
    with running(recorder) as elsewhere:  # type: ignore[arg-type]
        corrupters: list[Corrupting] = []

        def wrap(app: ASGIApp) -> ASGIApp:
            corrupters.append(Corrupting(app, mode, elsewhere.replace("127.0.0.1", "localhost")))
            return corrupters[0]  # type: ignore[return-value]

        org = serve_org(wrap=wrap)
        corrupters[0].armed = True
        result = org.plan()
    assert result.exit_code == ExitCode.ERROR, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr
    assert recorder.seen == []
