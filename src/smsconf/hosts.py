"""The host policy: which hosts a run may send a request, and so a credential, to.

A documented host (`platform.hosts`: the providers' API hosts, the organisation hosts) is
trusted over HTTPS on port 443. Any other host (a proxy, an emulator on loopback, whatever a
pull request writes into `endpoint:` or `target:`) is trusted only when the workflow allows it:
`SMSCONF_ALLOW_HOSTS=host:port,...` or `--allow-host host:port`. Never a YAML field: the
configuration belongs to whoever opens the pull request, the environment and the command line
to the workflow.

Two places ask. The commands, before any secret is read, about every host the configuration
and the target name (`refusals`: all at once, located); and every HTTP client that opens its own
connections (`require`), so a path that missed the first check still sends nothing. A client
given a transport (the in-process emulators of the local target, tests) sends nothing out of
the process and is not asked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from smsconf.platform.hosts import DOCUMENTED, Service, documented

ALLOW_ENV = "SMSCONF_ALLOW_HOSTS"
FLAG = "--allow-host"
DEFAULT_PORT = {"https": 443, "http": 80}
Verdict = Literal["documented", "allowed", "in_process", "refused"]
_FLAGGED: ContextVar[tuple[str, ...]] = ContextVar("smsconf_allowed_hosts", default=())


def allow(entries: Iterable[str]) -> None:
    """The command line's `--allow-host` values, for the rest of this command."""
    _FLAGGED.set(tuple(entries))


@dataclass(frozen=True)
class Endpoint:
    """A base URL the run sends requests to, and who named it (`file:line:col` or a flag)."""

    service: Service
    url: str
    where: str
    in_process: bool = False

    @property
    def authority(self) -> str:
        return authority(self.url)


def _parts(url: str) -> tuple[str, str, int]:
    split = urlsplit(url)
    try:
        port = split.port
    except ValueError:
        port = -1  # no port a server listens on: never allowed, never documented
    scheme = split.scheme.lower()
    return scheme, (split.hostname or "").rstrip("."), port or DEFAULT_PORT.get(scheme, 0)


def authority(url: str) -> str:
    """`host:port` as an allowance names it (`[::1]:8080` for an IPv6 address)."""
    _, host, port = _parts(url)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _allowance(entry: str) -> str:
    """An allowance as `host:port`: `host` alone means port 443; a URL is taken as its host."""
    entry = entry.strip().lower()
    if "://" in entry:
        return authority(entry)
    return authority(f"https://{entry}")


@dataclass(frozen=True)
class Refusal:
    endpoint: Endpoint
    reason: str

    def render(self) -> str:
        auth = self.endpoint.authority
        return (
            f"{self.endpoint.where}: error: {self.endpoint.service} host {auth} is not trusted: "
            f"{self.reason}; nothing was sent and no secret was read\n"
            f"    hint: the configuration cannot allow a host, the workflow can: "
            f"{FLAG} {auth} or {ALLOW_ENV}={auth}"
        )


class UntrustedHost(Exception):
    """The run would send requests to hosts nobody allowed; every one of them is named."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        super().__init__("\n".join(r.render() for r in self.refusals))


@dataclass(frozen=True)
class HostPolicy:
    allowances: frozenset[str]

    @classmethod
    def current(cls) -> HostPolicy:
        """What the workflow allowed: the environment variable and this command's flags."""
        entries = [*os.environ.get(ALLOW_ENV, "").split(","), *_FLAGGED.get()]
        return cls(frozenset(_allowance(e) for e in entries if e.strip()))

    def verdict(self, endpoint: Endpoint) -> Verdict:
        if endpoint.in_process:
            return "in_process"
        if endpoint.authority in self.allowances:
            return "allowed"
        scheme, host, port = _parts(endpoint.url)
        if scheme == "https" and port == 443 and documented(endpoint.service, host):
            return "documented"
        return "refused"

    def refusals(self, endpoints: Iterable[Endpoint]) -> list[Refusal]:
        found = []
        for endpoint in endpoints:
            if self.verdict(endpoint) != "refused":
                continue
            host = _parts(endpoint.url)[1]
            if documented(endpoint.service, host):
                reason = f"only https on port 443 is trusted for {host}"
            else:
                patterns = ", ".join(p.pattern for p in DOCUMENTED[endpoint.service])
                reason = f"it is not one of {endpoint.service}'s documented hosts ({patterns})"
            found.append(Refusal(endpoint, reason))
        return found

    def check(self, endpoints: Iterable[Endpoint]) -> None:
        refused = self.refusals(endpoints)
        if refused:
            raise UntrustedHost(refused)


def require(url: str, service: Service, where: str | None = None) -> None:
    """A client about to open connections to `url`: refused unless documented or allowed."""
    HostPolicy.current().check([Endpoint(service, url, where or url)])
