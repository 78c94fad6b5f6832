"""Serving an emulator over a real socket (HTTP or HTTPS) from a background thread.

The socket is bound and listening before uvicorn starts, so the caller knows the real URL
(port 0 = any free port) before anyone connects, and a client that connects early waits in the
backlog instead of being refused. Both emulators, the CLI and the socket tests use this.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT = 10.0
LISTEN_BACKLOG = 2048


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(LISTEN_BACKLOG)
    return sock


def url_of(sock: socket.socket, host: str, tls: bool) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def server_config(app: ASGIApp, cert: Path | None, key: Path | None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
    )


@contextmanager
def running(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    sock = bind(host, port)
    server = uvicorn.Server(server_config(app, tls_cert, tls_key))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start on {host}:{port}")
            time.sleep(0.01)
        yield url_of(sock, host, tls_cert is not None)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()
