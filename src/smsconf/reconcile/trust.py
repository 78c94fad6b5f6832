"""What a run trusts: the hosts it sends requests to and the secrets it reads.

Computed from the configuration and the target before anything is read, so the host policy can
refuse a pull request's `endpoint:` or `target:` before its secrets are (`require`); and kept in
the plan, so a reviewer sees every host and every secret reference the run used, and a host
that is not a provider's or Microsoft's documented one stands out.

A change of either is a risk flag (`compared`): the plan is compared with the pull request's
base branch, its configuration (`plan --base-config PATH`, a checkout of the base commit, read
offline by `configured`: what the Action passes on every pull request) or a saved plan of it
(`plan --base-plan FILE`). That is the previous trust list a reviewer needs: what the base
branch, already reviewed and merged, sends where and reads, under the same workflow's
allowances. smsconf keeps no record of its own for it: Dataverse has no documented place for
one (and inventing a table or column is not an option), and a record in the state directory
lives on whichever machine last applied (a CI runner's is gone with its job), so it would not
be there when a pull request is planned; the base branch is what CI has.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from smsconf.acs.arm import ENDPOINT_ENV, arm_base
from smsconf.config.loader import Loaded
from smsconf.config.secrets import SecretRef, repository_root
from smsconf.dataverse.auth import (
    ClientSecretCredential,
    WorkloadIdentityCredential,
    authority_from_environment,
)
from smsconf.hosts import Endpoint, HostPolicy
from smsconf.platform.hosts import Service
from smsconf.reconcile.plan import Plan, SecretUse, Trust, TrustBase, TrustChange, TrustedHost
from smsconf.target import (
    LOCAL,
    LOCAL_ACS_URL,
    LOCAL_ARM_URL,
    LOCAL_TELESIGN_URL,
    LOCAL_TWILIO_URL,
    LOCAL_URL,
    Target,
)
from smsconf.telesign.account import base_url
from smsconf.twilio.account import API_BASE, MESSAGING_BASE

STATIC_TOKEN_ENV = "SMSCONF_TOKEN"
"""A static bearer token (smsconf.connect): no token is bought, no login host is contacted."""
AZURE_SOURCES = (ClientSecretCredential.source, WorkloadIdentityCredential.source)


def target_named_by(loaded: Loaded, override: str | None) -> str:
    """Where the target came from: the flag, or the environment's `target:` in the YAML."""
    if override:
        return "--target"
    located = loaded.locate(("environments", loaded.environment or "", "target"))
    return located or "the default target (local)"


@dataclass(frozen=True)
class Route:
    """Where each service's requests go: Dataverse, and the providers' overrides (None: each
    account's own endpoint, or the provider's API)."""

    dataverse: Endpoint
    telesign: Endpoint | None = None
    twilio: Endpoint | None = None
    arm: Endpoint | None = None
    login: Endpoint | None = None
    acs: Endpoint | None = None
    """The ACS data plane when the target says where it is (the local organisation's
    in-process resource); None: each account's connection string's endpoint, a secret, so only
    known once it is read (`acs.client.require_trusted` holds it to the policy then)."""
    """The Entra ID authority the organisation's bearer token is bought from (a URL target
    with Azure credentials; none for SMSCONF_TOKEN or the local organisation)."""


def named_route(target: str, named_by: str, telesign: str | None = None) -> Route:
    """The route of a target named `target` before it is opened: the local organisation and its
    emulators are in-process; `telesign` is `--endpoint-override`."""
    override = Endpoint("telesign", telesign, "--endpoint-override") if telesign else None
    if target != LOCAL:
        login = None if os.environ.get(STATIC_TOKEN_ENV) else _login()
        return Route(Endpoint("dataverse", target, named_by), override, login=login)
    return Route(
        Endpoint("dataverse", LOCAL_URL, named_by, in_process=True),
        override or Endpoint("telesign", LOCAL_TELESIGN_URL, named_by, in_process=True),
        Endpoint("twilio", LOCAL_TWILIO_URL, named_by, in_process=True),
        Endpoint("arm", LOCAL_ARM_URL, named_by, in_process=True),
        acs=Endpoint("acs", LOCAL_ACS_URL, named_by, in_process=True),
    )


def target_route(target: Target) -> Route:
    """The route of an opened target (a library caller's, which no command checked)."""

    def provider(service: Service, url: str | None, in_process: bool) -> Endpoint | None:
        return Endpoint(service, url, target.name, in_process) if url else None

    azure = target.credential_source in AZURE_SOURCES and not target.dataverse.in_process
    return Route(
        Endpoint("dataverse", target.url, target.name, target.dataverse.in_process),
        provider("telesign", target.telesign_endpoint, target.telesign_transport is not None),
        provider("twilio", target.twilio_endpoint, target.twilio_transport is not None),
        provider("arm", target.arm_endpoint, target.arm_transport is not None),
        login=_login() if azure else None,
        acs=provider("acs", target.acs_endpoint, target.acs_transport is not None),
    )


def _login() -> Endpoint:
    url, named_by = authority_from_environment()
    return Endpoint("entra", url, named_by)


def endpoints(loaded: Loaded, route: Route, *, providers: bool = True) -> list[Endpoint]:
    """Every base URL the run may send a request to, each with who named it; `providers=False`:
    no provider is called (no credential check)."""
    found = [route.dataverse, *([route.login] if route.login else []), *_gateway(loaded)]
    if not providers:
        return found
    accounts = loaded.config.accounts
    for i, account in enumerate(accounts):
        if account.provider != "telesign":
            continue
        if route.telesign:
            found.append(route.telesign)
        else:
            written = loaded.locate(("accounts", i, "endpoint")) if account.endpoint else None
            named_by = written or route.dataverse.where
            found.append(Endpoint("telesign", base_url(account.endpoint), named_by))
    for i, account in enumerate(accounts):
        if account.provider != "twilio":
            continue
        if route.twilio:
            found.append(route.twilio)
        elif account.endpoint:
            written = loaded.locate(("accounts", i, "endpoint")) or route.dataverse.where
            found.append(Endpoint("twilio", account.endpoint, written))
        else:
            found += [Endpoint("twilio", url, "Twilio's API") for url in (API_BASE, MESSAGING_BASE)]
    if route.acs and any(a.provider == "acs" for a in accounts):
        found.append(route.acs)
    for account in accounts:  # the Event Grid wiring of an ACS resource (reconcile.eventgrid)
        grid = account.event_grid
        if (
            account.provider == "acs"
            and account.resource_id
            and not (grid and grid.mode == "ignored")
        ):
            named = ENDPOINT_ENV if os.environ.get(ENDPOINT_ENV) else "Azure Resource Manager"
            found.append(route.arm or Endpoint("arm", arm_base(), named))
    return _unique(found)


def _gateway(loaded: Loaded) -> list[Endpoint]:
    """The environment's Omnichannel gateway: the host inbound SMS are sent to."""
    env = loaded.config.environments.get(loaded.environment or "")
    if env is None or env.gateway is None:
        return []
    where = loaded.locate(("environments", loaded.environment or "", "gateway")) or "gateway"
    return [Endpoint("omnichannel", env.gateway, where)]


def _unique(found: list[Endpoint]) -> list[Endpoint]:
    seen: dict[tuple[str, str], Endpoint] = {}
    for endpoint in found:
        seen.setdefault((endpoint.service, endpoint.authority), endpoint)
    return list(seen.values())


def require(found: list[Endpoint]) -> Trust:
    """Refuse the run (every untrusted host, located) before any secret is read; else what
    the plan shows of its hosts."""
    policy = HostPolicy.current()
    policy.check(found)
    return Trust(
        hosts=tuple(TrustedHost(e.service, e.authority, policy.verdict(e), e.where) for e in found)
    )


def secret_uses(loaded: Loaded, target: Target) -> tuple[SecretUse, ...]:
    """Each account's secret reference; then the one the organisation's bearer token comes
    from."""
    uses = account_uses(loaded)
    if target.credential_source:
        return (*uses, SecretUse(BEARER_TOKEN, target.credential_source, target.name))
    return uses


BEARER_TOKEN = "the organisation's bearer token"


def account_uses(loaded: Loaded, *, checkout: bool = False) -> tuple[SecretUse, ...]:
    """Each account's secret reference, where it is written (a file as written in the
    repository, relative to the working directory when inside it, not the runner's path; for
    a `checkout` of another commit, relative to that checkout's root, as the working
    directory of a job is its repository's)."""
    return tuple(
        SecretUse(
            f"account '{account.name}'",
            _shown(account.secret, checkout=checkout),
            loaded.locate(("accounts", i, account.secret_name)) or "",
        )
        for i, account in enumerate(loaded.config.accounts)
    )


def _shown(ref: SecretRef, *, checkout: bool = False) -> str:
    if ref.kind != "file":
        return ref.reference
    path = Path(ref.name)
    within = repository_root(path.parent) if checkout else Path.cwd()
    if path.is_relative_to(within):
        path = path.relative_to(within)
    return SecretRef("file", str(path), ref.default).reference


def compared_with_plan(trust: Trust, base: Plan) -> TrustBase:
    """`compared` with a saved plan of the base branch (`plan --base-plan FILE`)."""
    return compared(trust, base.trust, base.git_commit, base.checksum)


def configured(loaded: Loaded, route: Route, fresh: Trust, *, providers: bool = True) -> Trust:
    """The trust list of a configuration (`plan --base-config`: a checkout of the base branch),
    computed as a plan computes its own, without contacting anything or reading a secret:
    its hosts under today's policy (a refused one keeps the verdict `refused`), its accounts'
    secret references. The bearer token's source is the job's, not the configuration's, so it
    is the fresh plan's own."""
    policy = HostPolicy.current()
    found = endpoints(loaded, route, providers=providers)
    hosts = tuple(TrustedHost(e.service, e.authority, policy.verdict(e), e.where) for e in found)
    token = tuple(s for s in fresh.secrets if s.used_for == BEARER_TOKEN)
    return Trust(hosts=hosts, secrets=(*account_uses(loaded, checkout=True), *token))


def compared(trust: Trust, base: Trust, git_commit: str | None, checksum: str | None) -> TrustBase:
    """Every host and secret reference of `trust` that `base` did not trust so, in plan order:
    a host (service and host:port) the base did not contact, or contacted under another
    verdict; a secret reference the base did not read for the same use (a new account's, or
    an account now reading another variable or file)."""
    changes: list[TrustChange] = []
    hosts = {(h.service, h.host): h for h in base.hosts}
    for host in trust.hosts:
        subject = f"{host.service} {host.host}"
        before = hosts.get((host.service, host.host))
        if before is None:
            changes.append(TrustChange("host", "new", subject, host.verdict, None, host.named_by))
        elif before.verdict != host.verdict:
            changes.append(
                TrustChange("host", "changed", subject, host.verdict, before.verdict, host.named_by)
            )
    read = {(s.used_for, s.reference) for s in base.secrets}
    uses = {s.used_for: s.reference for s in base.secrets}
    for use in trust.secrets:
        if (use.used_for, use.reference) in read:
            continue
        was = uses.get(use.used_for)
        change = "new" if was is None else "changed"
        changes.append(
            TrustChange("secret", change, use.used_for, use.reference, was, use.named_by)
        )
    return TrustBase(git_commit, checksum, tuple(changes))
