"""Serving the emulator over a real socket (HTTP or HTTPS) with uvicorn.

`running()` binds the socket before the server starts, so the caller knows the real URL
(port 0 = any free port) before anyone connects; `serve()` is the blocking form the CLI uses.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from smsconf.emulator.dataverse.app import DataverseEmulator, create_app
from smsconf.emulator.dataverse.faults import FaultConfig
from smsconf.emulator.dataverse.tls import self_signed_certificate

STARTUP_TIMEOUT = 10.0
LISTEN_BACKLOG = 2048


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(LISTEN_BACKLOG)  # connections made before uvicorn is up wait instead of failing
    return sock


def _url(sock: socket.socket, host: str, tls: bool) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def _config(app: DataverseEmulator, cert: Path | None, key: Path | None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
    )


@contextmanager
def running(
    app: DataverseEmulator,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> Iterator[str]:
    """Serve `app` from a background thread until the block ends; yields the org URL."""
    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, tls_cert, tls_key))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start on {host}:{port}")
            time.sleep(0.01)
        yield _url(sock, host, tls_cert is not None)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    db: str | Path = ":memory:",
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    self_signed: bool = False,
    token: str | None = None,
    faults: FaultConfig | None = None,
    *,
    announce: Callable[[str], None] = print,
) -> None:
    """Run the emulator until interrupted, announcing its URL (and certificate) first."""
    if self_signed:
        tls_cert, tls_key = self_signed_certificate(
            Path(tempfile.mkdtemp(prefix="smsconf-emulator-")), [host]
        )
    app = create_app(db, token=token, faults=faults)
    sock = _bind(host, port)
    url = _url(sock, host, tls_cert is not None)
    announce(f"Dataverse emulator: {url}  (Web API root {url}/api/data/v9.2/)")
    if self_signed:
        announce(
            f"Self-signed certificate: {tls_cert}  (export REQUESTS_CA_BUNDLE / SSL_CERT_FILE)"
        )
    try:
        uvicorn.Server(_config(app, tls_cert, tls_key)).run(sockets=[sock])
    finally:
        app.close()
        sock.close()
