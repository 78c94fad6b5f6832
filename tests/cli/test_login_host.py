"""The login host: where a URL target's Azure credential buys the organisation's bearer token.

The client secret (or the CI's federated token) is sent to the Entra ID authority, which is
`login.microsoftonline.com` unless `AZURE_AUTHORITY_HOST` says otherwise. So the plan lists it
among the hosts it contacts, and the host policy holds it like any other host: a job whose
AZURE_AUTHORITY_HOST points elsewhere is refused (exit 10) before the secret is read. With
`SMSCONF_TOKEN` or the local organisation no token is bought and no login host is listed.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from click.testing import CliRunner, Result
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.dataverse.peers import served
from tools.testkit.echo import echo_server

from smsconf.cli import main
from smsconf.dataverse.auth import AUTHORITY_ENV, ClientSecretCredential
from smsconf.emulator.dataverse import create_app
from smsconf.exitcodes import ExitCode
from smsconf.hosts import ALLOW_ENV, UntrustedHost, authority
from smsconf.reconcile.trust import named_route

SECRET = "client-secret-of-the-ci-job-0123456789"
CONFIG = """\
    environments:
      ci:
        target: https://contoso.crm.dynamics.com
    queues:
      - name: Q
        managed: true
    """


@pytest.fixture(autouse=True)
def _azure_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A job signing in with a client secret: no static token, no allowance."""
    monkeypatch.delenv("SMSCONF_TOKEN", raising=False)
    monkeypatch.delenv(AUTHORITY_ENV, raising=False)
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-0000000000c1")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_the_default_login_host_is_documented_and_listed() -> None:
    route = named_route("https://contoso.crm.dynamics.com", "--target")
    assert route.login is not None
    assert route.login.authority == "login.microsoftonline.com:443"
    assert route.login.where == "the default Entra ID authority"


def test_no_login_host_for_a_static_token_or_the_local_organisation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert named_route("local", "--target").login is None
    monkeypatch.setenv("SMSCONF_TOKEN", "static")
    assert named_route("https://contoso.crm.dynamics.com", "--target").login is None


@pytest.mark.parametrize("where", ["loopback", "https://login.evil.example"])
def test_an_authority_nobody_allowed_is_refused_before_the_secret_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    with echo_server() as listener:
        host = listener.url if where == "loopback" else where
        monkeypatch.setenv(AUTHORITY_ENV, host)
        result = run("plan", str(config(tmp_path)), "--env", "ci")
        received = listener.received
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert f"${AUTHORITY_ENV}: error: entra host {authority(host)} is not trusted" in (
        result.output
    )
    assert "login.microsoftonline.com" in result.output  # the documented ones are named
    assert received == [] and SECRET not in result.output


def entra(seen: list[dict[str, str]]) -> Starlette:
    """An Entra ID stand-in: any client-credentials request gets a token."""

    async def token(request: Request) -> JSONResponse:
        seen.append(dict(parse_qsl((await request.body()).decode())))
        return JSONResponse({"access_token": "t0ken", "token_type": "Bearer", "expires_in": 3600})

    return Starlette(routes=[Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"])])


def test_an_allowed_authority_gets_the_secret_and_the_plan_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a vacuous refusal: allowed by the workflow, the token is bought there, and the plan
    lists the login host beside the organisation's, flagged as not documented."""
    seen: list[dict[str, str]] = []
    org = create_app(tmp_path / "served.sqlite")
    try:
        with served(entra(seen)) as login, served(org) as target:
            monkeypatch.setenv(AUTHORITY_ENV, login)
            out = tmp_path / "plan.json"
            result = run(
                "plan", str(config(tmp_path)), "--env", "ci", "--target", target,
                "--allow-host", login, "--allow-host", target, "--out", str(out),
            )  # fmt: skip
    finally:
        org.close()
    assert result.exit_code == ExitCode.OK, result.output
    assert [form["client_secret"] for form in seen] == [SECRET]
    assert f"entra {authority(login)} (allowed, not documented)" in result.output
    assert f"entra host {authority(login)} is not a documented host" in result.output
    hosts = json.loads(out.read_text(encoding="utf-8"))["trust"]["hosts"]
    assert {(h["service"], h["host"], h["named_by"]) for h in hosts} >= {
        ("entra", authority(login), f"${AUTHORITY_ENV}")
    }
    assert SECRET not in out.read_text(encoding="utf-8")


def test_the_credential_itself_refuses_an_authority_nobody_allowed() -> None:
    """A library caller's credential, which no command checked, still sends nothing."""
    credential = ClientSecretCredential(
        "contoso.onmicrosoft.com", "client", SECRET, authority="login.evil.example"
    )
    with pytest.raises(UntrustedHost, match=r"entra host login\.evil\.example:443"):
        asyncio.run(credential.get_token("https://contoso.crm.dynamics.com/.default"))
