"""`serving` runs the emulator on a real loopback socket and stops it cleanly."""

import socket

import httpx
import pytest

from smsconf.emulator.serving import running
from smsconf.emulator.telesign import create_app


def test_serves_on_a_free_port_and_stops() -> None:
    with running(create_app()) as url:
        assert url.startswith("http://127.0.0.1:")
        reply = httpx.get(url + "/v1/messaging/" + "0" * 32)
        assert (reply.status_code, reply.json()["status"]["code"]) == (401, 10009)
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_emulator/messages", timeout=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_port_in_use_is_an_error() -> None:
    with running(create_app()) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(OSError), running(create_app(), port=port):
            pass
