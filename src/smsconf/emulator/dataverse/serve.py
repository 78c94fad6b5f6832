"""`smsconf emulator serve`: the Dataverse emulator over HTTP(S) until interrupted.

The background form tests use is `smsconf.emulator.serving.running`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import uvicorn

from smsconf.emulator.dataverse.app import create_app
from smsconf.emulator.dataverse.faults import FaultConfig
from smsconf.emulator.dataverse.schema import Schema
from smsconf.emulator.dataverse.tls import self_signed_certificate
from smsconf.emulator.serving import bind, server_config, url_of


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
    schema: Schema | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Run the emulator until interrupted, announcing its URL (and certificate) first;
    `schema` is the organisation's tables (the committed snapshot's by default)."""
    if self_signed:
        tls_cert, tls_key = self_signed_certificate(
            Path(tempfile.mkdtemp(prefix="smsconf-emulator-")), [host]
        )
    app = create_app(db, token=token, faults=faults, schema=schema)
    sock = bind(host, port)
    url = url_of(sock, host, tls_cert is not None)
    announce(f"Dataverse emulator: {url}  (Web API root {url}/api/data/v9.2/)")
    if self_signed:
        announce(
            f"Self-signed certificate: {tls_cert}  (export REQUESTS_CA_BUNDLE / SSL_CERT_FILE)"
        )
    try:
        uvicorn.Server(server_config(app, tls_cert, tls_key)).run(sockets=[sock])
    finally:
        app.close()
        sock.close()
