"""Served for real: uvicorn on a loopback port, dropped sockets, and `smsconf emulator serve`."""

from __future__ import annotations

import ssl
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.emulator.dataverse.conftest import AUTH

from smsconf.cli import main
from smsconf.emulator.dataverse import FaultConfig, create_app, running

ACCOUNTS = "msdyn_occommunicationprovidersettings"


def test_crud_over_a_socket(server: str) -> None:
    with httpx.Client(base_url=f"{server}/api/data/v9.2/", headers=AUTH) as http:
        created = http.post(ACCOUNTS, json={"msdyn_name": "socket"})
        assert created.status_code == 204
        assert created.headers["OData-EntityId"].startswith(f"{server}/api/data/v9.2/")
        assert http.get(created.headers["OData-EntityId"]).json()["msdyn_name"] == "socket"


def test_https_with_self_signed_certificate(
    tls_server: str, certificate: tuple[Path, Path]
) -> None:
    assert tls_server.startswith("https://127.0.0.1:")
    context = ssl.create_default_context(cafile=str(certificate[0]))
    with httpx.Client(verify=context, headers=AUTH) as http:
        assert http.get(f"{tls_server}/api/data/v9.2/WhoAmI").status_code == 200


@pytest.mark.parametrize(
    ("fault", "committed"), [("drop_before_commit", 0), ("drop_after_commit", 1)]
)
def test_dropped_connection_closes_the_socket(fault: str, committed: int) -> None:
    app = create_app(faults=FaultConfig(**{fault: 1.0}))
    with (
        running(app) as url,
        httpx.Client(base_url=f"{url}/api/data/v9.2/", headers=AUTH) as http,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        http.post(ACCOUNTS, json={"msdyn_name": "x"})
    assert len(app.store.rows("msdyn_occommunicationprovidersetting")) == committed
    assert app.faults.counts[fault] == 1
    app.close()


@pytest.mark.parametrize("tls", [False, True])
def test_cli_serves_and_prints_its_url(tmp_path: Path, tls: bool) -> None:
    db = tmp_path / "org.sqlite"
    args = ["--port", "0", "--db", str(db), "--token", "secret", "--faults", "slow=0"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from smsconf.cli import main; main()",
            "emulator",
            "serve",
            *args,
            *(["--tls-self-signed"] if tls else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        scheme = "https" if tls else "http"
        assert line.startswith(f"Dataverse emulator: {scheme}://127.0.0.1:")
        url = line.split()[2]
        verify: ssl.SSLContext | bool = True
        if tls:
            cert = process.stdout.readline().split()[2]
            verify = ssl.create_default_context(cafile=cert)
        response = httpx.get(
            f"{url}/api/data/v9.2/WhoAmI",
            verify=verify,
            headers={"Authorization": "Bearer secret"},
            timeout=10,
        )
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--tls-self-signed", "--tls-cert", __file__, "--tls-key", __file__],
        ["--tls-cert", __file__],
        ["--faults", "explode=1"],
    ],
)
def test_cli_rejects_bad_options(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["emulator", "serve", *args])
    assert result.exit_code == 2


def test_concurrent_clients_over_a_socket(server: str) -> None:
    def create_one(index: int) -> int:
        with httpx.Client(base_url=f"{server}/api/data/v9.2/", headers=AUTH) as http:
            return http.post(ACCOUNTS, json={"msdyn_name": f"t{index}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create_one, range(32)))
    assert statuses == [204] * 32
    with httpx.Client(base_url=f"{server}/api/data/v9.2/", headers=AUTH) as http:
        listed = http.get(ACCOUNTS, params={"$count": "true", "$top": "0"}).json()
    assert listed["@odata.count"] == 32
