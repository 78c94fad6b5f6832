"""Served for real: uvicorn on a loopback port, dropped sockets, and `smsconf emulator serve`."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.emulator.dataverse.conftest import AUTH

from smsconf.cli import main
from smsconf.connect import open_target
from smsconf.emulator.dataverse import FaultConfig, create_app, running
from smsconf.exitcodes import ExitCode
from smsconf.target import LOCAL

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


@contextmanager
def served_by_cli(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[str, ssl.SSLContext | bool]]:
    """`smsconf emulator serve` in a child process: (its base URL, how to verify its TLS)."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from smsconf.cli import main; main()", "emulator", "serve", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Dataverse emulator: http"), line
        url = line.split()[2]
        verify: ssl.SSLContext | bool = True
        if url.startswith("https://"):
            cert = process.stdout.readline().split()[2]
            verify = ssl.create_default_context(cafile=cert)
        yield url, verify
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("tls", [False, True])
def test_cli_serves_and_prints_its_url(tmp_path: Path, tls: bool) -> None:
    db = tmp_path / "org.sqlite"
    args = ["--port", "0", "--db", str(db), "--token", "secret", "--faults", "slow=0"]
    with served_by_cli([*args, *(["--tls-self-signed"] if tls else [])]) as (url, verify):
        assert url.startswith(f"{'https' if tls else 'http'}://127.0.0.1:")
        response = httpx.get(
            f"{url}/api/data/v9.2/WhoAmI",
            verify=verify,
            headers={"Authorization": "Bearer secret"},
            timeout=10,
        )
        assert response.status_code == 200
    assert db.exists()


def test_a_new_db_is_an_org_the_example_plans_against(tmp_path: Path) -> None:
    """`--db NEW` starts with the demo rows (bots, surveys, operating hours) the example looks
    up by name, so the example plans against the served org with no error."""
    examples = Path(__file__).resolve().parents[3] / "examples"
    db = tmp_path / "new.sqlite"
    with served_by_cli(["--port", "0", "--db", str(db), "--token", "t"]) as (url, _):
        result = CliRunner().invoke(
            main,
            ["plan", str(examples), "--target", url, "--skip-credentials", "--allow-host", url],
            env={"SMSCONF_TOKEN": "t", "SMSCONF_HOME": str(tmp_path / "state")},
        )
    assert result.exit_code == ExitCode.OK, result.output
    assert "not found" not in result.output and "to create" in result.stdout


async def test_cli_serves_the_local_target_by_default(tmp_path: Path) -> None:
    """Without --db the server is the CLI's `local` org (under $SMSCONF_HOME), demo rows and
    all, and what its clients write is there for the next in-process command."""
    home = tmp_path / "state"
    served = served_by_cli(["--port", "0"], cwd=tmp_path, env={"SMSCONF_HOME": str(home)})
    with served as (url, _), httpx.Client(base_url=f"{url}/api/data/v9.2/", headers=AUTH) as http:
        users = http.get("systemusers", params={"$select": "fullname"}).json()["value"]
        assert "Contoso SMS bot (local)" in {u["fullname"] for u in users}
        assert http.post(ACCOUNTS, json={"msdyn_name": "served"}).status_code == 204
    assert not (tmp_path / ".smsconf").exists()
    os.environ["SMSCONF_HOME"] = str(home)
    try:
        async with open_target(LOCAL) as local:
            rows = await local.dataverse.get_all(ACCOUNTS, select=["msdyn_name"])
    finally:
        del os.environ["SMSCONF_HOME"]
    assert "served" in {r["msdyn_name"] for r in rows}


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
    assert result.exit_code == ExitCode.USAGE


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


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_listening_beyond_loopback_without_a_token_is_warned(host: str, warned: bool) -> None:
    serve = ["emulator", "serve", "--host", host, "--port", "0", "--db", ":memory:"]
    process = subprocess.Popen(
        [sys.executable, "-c", "from smsconf.cli import main; main()", *serve],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and "http://" in process.stdout.readline()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert ("without --token: anyone who reaches this port" in err) is warned, err
