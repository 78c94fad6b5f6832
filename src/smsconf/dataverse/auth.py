"""Bearer tokens for Dataverse, with azure-identity's conventions but not its dependency.

A credential is anything with `async get_token(*scopes)` returning an object with `.token` and
`.expires_on` (epoch seconds): the shape of azure-core's `AsyncTokenCredential`, so an
`azure.identity.aio` credential can be passed to the client as is when a user has it. The two
grants smsconf needs itself (client secret, and workload identity federation in CI) are a single
form POST each, done here with httpx: azure-identity is an optional extra, and its async
credentials need aiohttp, a second HTTP stack we would ship only for this. Using httpx also lets
tests point the token request at an in-process Entra ID stand-in through the same `transport`
hook the Dataverse client has.

Secrets and tokens never appear in a repr, a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypedDict, Unpack

import httpx

from smsconf import hosts
from smsconf.dataverse.errors import DataverseError
from smsconf.http_client import json_body
from smsconf.redact import register

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
AUTHORITY_ENV = "AZURE_AUTHORITY_HOST"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REFRESH_MARGIN = 300.0
"""Renew a cached token this many seconds before it expires (at most half its lifetime)."""


class CredentialError(DataverseError):
    """No token could be obtained: missing configuration, or Entra ID refused the request."""


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and its expiry (epoch seconds), as azure-core's AccessToken."""

    token: str = field(repr=False)
    expires_on: int


class TokenLike(Protocol):
    @property
    def token(self) -> str: ...

    @property
    def expires_on(self) -> int: ...


class Credential(Protocol):
    """What the client needs: azure-core's AsyncTokenCredential shape."""

    async def get_token(self, *scopes: str) -> TokenLike: ...


class StaticToken:
    """A fixed token: for the local emulator, or a token obtained elsewhere (e.g. `az`)."""

    def __init__(self, token: str, source: str = "a static token") -> None:
        if not token:
            raise CredentialError("empty token")
        self._token = token
        self.source = source
        """Where the token came from, by name (shown in the plan, never the token)."""

    def __repr__(self) -> str:
        return "StaticToken(<redacted>)"

    async def get_token(self, *scopes: str) -> AccessToken:
        """The same token for every scope; it never expires as far as the client knows."""
        return AccessToken(self._token, expires_on=2**62)


class GrantOptions(TypedDict, total=False):
    """Keyword options shared by the Entra ID credentials."""

    authority: str | None
    """AZURE_AUTHORITY_HOST: another cloud's login host (default the public cloud)."""
    transport: httpx.AsyncBaseTransport | None
    """Where token requests go; tests pass an in-process Entra ID stand-in."""
    clock: Callable[[], float]
    """Epoch-seconds clock deciding when a cached token is refreshed."""


class _ClientCredentialsGrant(ABC):
    """OAuth 2.0 client credentials against Entra ID v2, with a per-scope token cache.

    Subclasses only say how the client proves its identity (`_client_auth`).
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        authority: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", tenant_id or ""):
            raise CredentialError(f"not a tenant id or domain: {tenant_id!r}")
        if not client_id:
            raise CredentialError("empty client id")
        self.authority = authority_url(authority)
        self.token_url = f"{self.authority}/{tenant_id}/oauth2/v2.0/token"
        self.client_id = client_id
        self._transport = transport
        self._clock = clock
        self._cache: dict[str, tuple[AccessToken, float]] = {}
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.client_id!r}, token_url={self.token_url!r})"

    @abstractmethod
    def _client_auth(self) -> dict[str, str]:
        """Form fields proving the client's identity (a secret or a signed assertion)."""

    async def get_token(self, *scopes: str) -> AccessToken:
        """A cached token for `scopes`, fetched again once it is within the refresh margin."""
        scope = " ".join(scopes)
        async with self._lock:
            cached = self._cache.get(scope)
            if cached and self._clock() < cached[1]:
                return cached[0]
            token, refresh_at = await self._request(scope)
            self._cache[scope] = (token, refresh_at)
            return token

    async def _request(self, scope: str) -> tuple[AccessToken, float]:
        if self._transport is None:  # the network: the secret goes only to a trusted authority
            hosts.require(self.authority, "entra", f"${AUTHORITY_ENV}")
        proof = self._client_auth()
        for secret in proof.values():
            register(secret)
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "scope": scope}
        started = self._clock()
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=30.0) as http:
                response = await http.post(self.token_url, data={**form, **proof})
        except httpx.HTTPError as exc:
            raise CredentialError(f"token request to {self.token_url} failed: {exc!r}") from None
        payload = json_body(response)
        if response.status_code != 200 or "access_token" not in payload:
            detail = f"{payload.get('error', '')}: {payload.get('error_description', '')}"
            for secret in proof.values():
                detail = detail.replace(secret, "<redacted>")
            raise CredentialError(
                f"Entra ID refused the token request ({detail.strip(': ') or 'no detail'})",
                status=response.status_code,
                request=f"POST {self.token_url}",
            )
        try:
            lifetime = float(payload.get("expires_in", 3600))
        except (TypeError, ValueError):
            raise CredentialError("token response has a non-numeric expires_in") from None
        register(str(payload["access_token"]))
        token = AccessToken(str(payload["access_token"]), expires_on=int(started + lifetime))
        return token, started + lifetime - min(REFRESH_MARGIN, lifetime / 2)


def authority_url(authority: str | None) -> str:
    """The Entra ID authority's URL: `authority` (AZURE_AUTHORITY_HOST, a host or a URL, as
    azure-identity takes it), else the public cloud's."""
    host = (authority or DEFAULT_AUTHORITY).rstrip("/")
    return host if "://" in host else f"https://{host}"


def authority_from_environment(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The authority an Azure credential of the environment would buy its token from, and who
    named it (the variable, or the default): the host the plan lists and the policy checks."""
    env = os.environ if environ is None else environ
    named = env.get(AUTHORITY_ENV) or None
    where = f"${AUTHORITY_ENV}" if named else "the default Entra ID authority"
    return authority_url(named), where


class ClientSecretCredential(_ClientCredentialsGrant):
    """An app registration's client secret (AZURE_CLIENT_SECRET)."""

    source = "${env:AZURE_CLIENT_SECRET}"

    def __init__(
        self, tenant_id: str, client_id: str, client_secret: str, **options: Unpack[GrantOptions]
    ) -> None:
        if not client_secret:
            raise CredentialError("empty client secret")
        super().__init__(tenant_id, client_id, **options)
        self._secret = client_secret

    def _client_auth(self) -> dict[str, str]:
        return {"client_secret": self._secret}


class WorkloadIdentityCredential(_ClientCredentialsGrant):
    """Workload identity federation: a CI-issued JWT (AZURE_FEDERATED_TOKEN_FILE) as assertion.

    The file is read on every token request because the CI system rotates it.
    """

    source = "${env:AZURE_FEDERATED_TOKEN_FILE}"

    def __init__(
        self, tenant_id: str, client_id: str, token_file: str, **options: Unpack[GrantOptions]
    ) -> None:
        super().__init__(tenant_id, client_id, **options)
        self.token_file = Path(token_file)

    def _client_auth(self) -> dict[str, str]:
        try:
            assertion = self.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialError(
                f"cannot read federated token file {self.token_file}: {exc.strerror}"
            ) from None
        if not assertion:
            raise CredentialError(f"federated token file {self.token_file} is empty")
        return {"client_assertion_type": JWT_BEARER, "client_assertion": assertion}


def credential_from_environment(
    environ: Mapping[str, str] | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ClientSecretCredential | WorkloadIdentityCredential:
    """The credential azure-identity's EnvironmentCredential would pick, for the two grants.

    Workload identity wins when AZURE_FEDERATED_TOKEN_FILE is set (CI), else a client secret.
    """
    env = os.environ if environ is None else environ
    missing = [name for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID") if not env.get(name)]
    token_file, secret = env.get("AZURE_FEDERATED_TOKEN_FILE"), env.get("AZURE_CLIENT_SECRET")
    if not (token_file or secret):
        missing.append("AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE")
    if missing:
        raise CredentialError(f"no Azure credential in the environment: set {', '.join(missing)}")
    tenant, client = env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"]
    options: GrantOptions = {
        "authority": env.get(AUTHORITY_ENV) or None,
        "transport": transport,
    }
    if token_file:
        return WorkloadIdentityCredential(tenant, client, token_file, **options)
    return ClientSecretCredential(tenant, client, secret or "", **options)
