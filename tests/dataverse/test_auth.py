"""Credentials against a scripted Entra ID token endpoint, and end to end with the emulator."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from tests.dataverse.peers import LOCAL, Reply, ScriptedPeer, dropping_server
from tools.testkit.allowance import allow

from smsconf.dataverse import (
    AccessToken,
    ClientSecretCredential,
    CredentialError,
    DataverseClient,
    StaticToken,
    WorkloadIdentityCredential,
    credential_from_environment,
)
from smsconf.dataverse.auth import JWT_BEARER
from smsconf.emulator.dataverse import create_app

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SCOPE = "https://org.crm.dynamics.com/.default"
SECRET = "s3cr3t~value"


def token_reply(token: str = "tok-1", expires_in: int | str = 3600) -> Reply:
    return Reply(200, {"token_type": "Bearer", "expires_in": expires_in, "access_token": token})


def form(peer: ScriptedPeer, index: int = 0) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(peer.seen[index].body.decode()).items()}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_client_secret_grant_posts_the_documented_form() -> None:
    peer = ScriptedPeer(token_reply())
    credential = ClientSecretCredential(TENANT, "app-id", SECRET, transport=peer.transport())
    token = await credential.get_token(SCOPE)
    assert token.token == "tok-1"
    (seen,) = peer.seen
    assert seen.method == "POST" and seen.path == f"/{TENANT}/oauth2/v2.0/token"
    assert seen.headers["host"] == "login.microsoftonline.com"
    assert form(peer) == {
        "grant_type": "client_credentials",
        "client_id": "app-id",
        "client_secret": SECRET,
        "scope": SCOPE,
    }


async def test_tokens_are_cached_and_refreshed_five_minutes_before_expiry() -> None:
    clock = Clock()
    peer = ScriptedPeer(token_reply("first"), token_reply("second"))
    credential = ClientSecretCredential(
        TENANT, "app", SECRET, transport=peer.transport(), clock=clock
    )
    assert (await credential.get_token(SCOPE)).token == "first"
    assert (await credential.get_token(SCOPE)).expires_on == int(clock.now) + 3600
    clock.now += 3600 - 301
    assert (await credential.get_token(SCOPE)).token == "first"
    clock.now += 2
    assert (await credential.get_token(SCOPE)).token == "second"
    assert len(peer.seen) == 2


async def test_a_short_lived_token_is_refreshed_at_half_its_life() -> None:
    clock = Clock()
    peer = ScriptedPeer(token_reply("a", expires_in="60"), token_reply("b", expires_in=60))
    credential = ClientSecretCredential(
        TENANT, "app", SECRET, transport=peer.transport(), clock=clock
    )
    await credential.get_token(SCOPE)
    clock.now += 29
    assert (await credential.get_token(SCOPE)).token == "a"
    clock.now += 2
    assert (await credential.get_token(SCOPE)).token == "b"


async def test_tokens_are_cached_per_scope() -> None:
    peer = ScriptedPeer(token_reply("one"), token_reply("two"))
    credential = ClientSecretCredential(TENANT, "app", SECRET, transport=peer.transport())
    assert (await credential.get_token(SCOPE)).token == "one"
    assert (await credential.get_token("https://other.crm.dynamics.com/.default")).token == "two"
    assert (await credential.get_token(SCOPE)).token == "one"


async def test_workload_identity_sends_the_federated_token_read_fresh_each_time(
    tmp_path: Path,
) -> None:
    clock = Clock()
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text("eyJ.first.jwt\n")
    peer = ScriptedPeer(token_reply("a"), token_reply("b"))
    credential = WorkloadIdentityCredential(
        TENANT, "app", str(token_file), transport=peer.transport(), clock=clock
    )
    await credential.get_token(SCOPE)
    token_file.write_text("eyJ.rotated.jwt")
    clock.now += 4000
    await credential.get_token(SCOPE)
    assert form(peer, 0)["client_assertion"] == "eyJ.first.jwt"
    assert form(peer, 0)["client_assertion_type"] == JWT_BEARER
    assert "client_secret" not in form(peer, 0)
    assert form(peer, 1)["client_assertion"] == "eyJ.rotated.jwt"


async def test_an_unreadable_or_empty_federated_token_file_is_a_clear_error(
    tmp_path: Path,
) -> None:
    missing = WorkloadIdentityCredential(TENANT, "app", str(tmp_path / "nope"))
    with pytest.raises(CredentialError, match="cannot read federated token file"):
        await missing.get_token(SCOPE)
    (tmp_path / "empty").write_text(" \n")
    empty = WorkloadIdentityCredential(TENANT, "app", str(tmp_path / "empty"))
    with pytest.raises(CredentialError, match="is empty"):
        await empty.get_token(SCOPE)


async def test_a_refusal_is_reported_without_the_secret() -> None:
    peer = ScriptedPeer(
        Reply(
            401,
            {
                "error": "invalid_client",
                "error_description": f"AADSTS7000215: Invalid client secret provided: {SECRET}",
            },
        )
    )
    credential = ClientSecretCredential(TENANT, "app", SECRET, transport=peer.transport())
    with pytest.raises(CredentialError) as caught:
        await credential.get_token(SCOPE)
    assert caught.value.status == 401
    assert "invalid_client" in str(caught.value) and "AADSTS7000215" in str(caught.value)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, b"<html>oops</html>"),
        Reply(200, {"token_type": "Bearer"}),
        Reply(200, [1, 2]),
        Reply(200, {"access_token": "x", "expires_in": "soon"}),
    ],
)
async def test_unusable_token_answers_are_credential_errors(reply: Reply) -> None:
    credential = ClientSecretCredential(
        TENANT, "app", SECRET, transport=ScriptedPeer(reply).transport()
    )
    with pytest.raises(CredentialError):
        await credential.get_token(SCOPE)


async def test_an_unreachable_authority_is_a_credential_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with dropping_server() as (url, _):
        pass  # closed: connections are refused
    allow(monkeypatch, url)  # the workflow's allowance: a loopback authority is no login host
    credential = ClientSecretCredential(TENANT, "app", SECRET, authority=url)
    with pytest.raises(CredentialError, match="token request") as caught:
        await credential.get_token(SCOPE)
    assert SECRET not in str(caught.value)


def test_nothing_secret_shows_in_a_repr() -> None:
    assert "tok" not in repr(AccessToken("tok", 1))
    assert "tok" not in repr(StaticToken("tok"))
    credential = ClientSecretCredential(TENANT, "app", SECRET)
    assert SECRET not in repr(credential) and "app" in repr(credential)


@pytest.mark.parametrize(
    "make",
    [
        lambda: StaticToken(""),
        lambda: ClientSecretCredential(TENANT, "app", ""),
        lambda: ClientSecretCredential(TENANT, "", SECRET),
        lambda: ClientSecretCredential("contoso.onmicrosoft.com/../x", "app", SECRET),
    ],
)
def test_incomplete_credentials_are_refused(make: object) -> None:
    with pytest.raises(CredentialError):
        make()  # type: ignore[operator]


def test_the_environment_picks_workload_identity_first() -> None:
    env = {
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": "app",
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/token",
        "AZURE_AUTHORITY_HOST": "login.microsoftonline.us",
    }
    credential = credential_from_environment(env)
    assert isinstance(credential, WorkloadIdentityCredential)
    assert credential.token_url == f"https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token"
    del env["AZURE_FEDERATED_TOKEN_FILE"], env["AZURE_AUTHORITY_HOST"]
    credential = credential_from_environment(env)
    assert isinstance(credential, ClientSecretCredential)
    assert credential.token_url.startswith("https://login.microsoftonline.com/")


def test_missing_environment_names_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CredentialError) as caught:
        credential_from_environment({"AZURE_CLIENT_ID": "app"})
    message = str(caught.value)
    assert "AZURE_TENANT_ID" in message and "AZURE_CLIENT_SECRET" in message
    assert "AZURE_CLIENT_ID" not in message
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", "app")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    assert isinstance(credential_from_environment(), ClientSecretCredential)


async def test_the_client_authenticates_with_a_fetched_token_once() -> None:
    peer = ScriptedPeer(token_reply("issued-token"))
    credential = ClientSecretCredential(TENANT, "app", SECRET, transport=peer.transport())
    app = create_app(token="issued-token")
    transport = httpx.ASGITransport(app=app)
    async with DataverseClient(LOCAL, credential, transport=transport) as dv:
        for _ in range(3):
            assert (await dv.whoami())["UserId"]
    assert len(peer.seen) == 1
    assert form(peer)["scope"] == f"{LOCAL}/.default"
