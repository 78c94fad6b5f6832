"""A loopback HTTP server that answers every request with an error echoing the request back.

What an attacker's host (or a proxy in the way) would do: keep every byte it received, and put
the request's head (the Authorization header included) into an error body shaped like the
service's, so a client that prints server messages prints the credential too. Tests use it to
check both that no byte reaches a host nobody allowed, and that an echo of a secret from an
allowed host is redacted from every output.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Echo:
    url: str
    received: list[bytes] = field(default_factory=list)

    @property
    def raw(self) -> bytes:
        return b"".join(self.received)


@contextmanager
def echo_server() -> Iterator[Echo]:
    """Serve on a free loopback port until the context ends."""
    echo = Echo("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            head = f"{self.requestline}\r\n{self.headers}"
            echo.received.append(head.encode() + body)
            text = f"you sent: {head} {body.decode(errors='replace')}"
            payload = {
                "error": {"code": "0x80040220", "message": text},  # Dataverse's shape
                "status": {"code": 10008, "description": text},  # Telesign's
                "code": 20003,  # Twilio's
                "message": text,
            }
            data = json.dumps(payload).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads `received`."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    echo.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield echo
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
