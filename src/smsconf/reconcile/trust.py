"""What a run trusts: the hosts it sends requests to and the secrets it reads.

Computed from the configuration and the target before anything is read, so the host policy can
refuse a pull request's `endpoint:` or `target:` before its secrets are (`require`); and kept in
the plan, so a reviewer sees every host and every secret reference the run used, and a host
that is not a provider's or Microsoft's documented one stands out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smsconf.acs.arm import ARM
from smsconf.config.loader import Loaded
from smsconf.config.secrets import SecretRef
from smsconf.hosts import Endpoint, HostPolicy
from smsconf.platform.hosts import Service
from smsconf.reconcile.plan import SecretUse, Trust, TrustedHost
from smsconf.target import (
    LOCAL,
    LOCAL_ARM_URL,
    LOCAL_TELESIGN_URL,
    LOCAL_TWILIO_URL,
    LOCAL_URL,
    Target,
)
from smsconf.telesign.account import base_url
from smsconf.twilio.account import API_BASE, MESSAGING_BASE


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


def named_route(target: str, named_by: str, telesign: str | None = None) -> Route:
    """The route of a target named `target` before it is opened: the local organisation and its
    emulators are in-process; `telesign` is `--endpoint-override`."""
    override = Endpoint("telesign", telesign, "--endpoint-override") if telesign else None
    if target != LOCAL:
        return Route(Endpoint("dataverse", target, named_by), override)
    return Route(
        Endpoint("dataverse", LOCAL_URL, named_by, in_process=True),
        override or Endpoint("telesign", LOCAL_TELESIGN_URL, named_by, in_process=True),
        Endpoint("twilio", LOCAL_TWILIO_URL, named_by, in_process=True),
        Endpoint("arm", LOCAL_ARM_URL, named_by, in_process=True),
    )


def target_route(target: Target) -> Route:
    """The route of an opened target (a library caller's, which no command checked)."""

    def provider(service: Service, url: str | None, in_process: bool) -> Endpoint | None:
        return Endpoint(service, url, target.name, in_process) if url else None

    return Route(
        Endpoint("dataverse", target.url, target.name, target.dataverse.in_process),
        provider("telesign", target.telesign_endpoint, target.telesign_transport is not None),
        provider("twilio", target.twilio_endpoint, target.twilio_transport is not None),
        provider("arm", target.arm_endpoint, target.arm_transport is not None),
    )


def endpoints(loaded: Loaded, route: Route, *, providers: bool = True) -> list[Endpoint]:
    """Every base URL the run may send a request to, each with who named it; `providers=False`:
    no provider is called (no credential check)."""
    found = [route.dataverse, *_gateway(loaded)]
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
    for account in accounts:  # the Event Grid wiring of an ACS resource (reconcile.eventgrid)
        grid = account.event_grid
        if (
            account.provider == "acs"
            and account.resource_id
            and not (grid and grid.mode == "ignored")
        ):
            found.append(route.arm or Endpoint("arm", ARM, "Azure Resource Manager"))
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
    """Each account's secret reference, where it is written (a file as written in the
    repository, relative to the working directory when inside it, not the runner's path); then
    the one the organisation's bearer token comes from."""
    uses = [
        SecretUse(
            f"account '{account.name}'",
            _shown(account.secret),
            loaded.locate(("accounts", i, account.secret_name)) or "",
        )
        for i, account in enumerate(loaded.config.accounts)
    ]
    if target.credential_source:
        uses.append(
            SecretUse("the organisation's bearer token", target.credential_source, target.name)
        )
    return tuple(uses)


def _shown(ref: SecretRef) -> str:
    if ref.kind != "file":
        return ref.reference
    path = Path(ref.name)
    if path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return SecretRef("file", str(path), ref.default).reference
