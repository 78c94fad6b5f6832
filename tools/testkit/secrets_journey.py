"""The secrets journey: every command a user runs, with known random secrets in the
environment, and the scan of everything it printed or left behind.

Shared by tests/reliability/test_secrets.py and `bench/reliability.py`.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from tools.testkit.convergence import TOKEN
from tools.testkit.served import ServedOrg

from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount
from smsconf.exitcodes import ExitCode

LOG_NAME = "smsconf-debug.log"


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


CONTOSO_KEY, FABRIKAM_KEY, ROTATED_KEY = new_key(), new_key(), new_key()
AZURE_SECRET = "azure~" + secrets.token_urlsafe(24)
BROKEN_KEY = "this-key-is-not-base64-" + secrets.token_hex(8) + "!!"
ENVIRONMENT = {
    "CONTOSO_TELESIGN_API_KEY": CONTOSO_KEY,
    "FABRIKAM_TELESIGN_API_KEY": FABRIKAM_KEY,
    "AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000001",
    "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000002",
    "AZURE_CLIENT_SECRET": AZURE_SECRET,
}
SECRETS = (CONTOSO_KEY, FABRIKAM_KEY, ROTATED_KEY, AZURE_SECRET, BROKEN_KEY, TOKEN)


def forms(secret: str) -> set[str]:
    """The secret as it could leak: clear, base64 (standard and URL-safe, with and without
    padding), and inside the Basic authorization header Telesign's basic auth sends."""
    encoded = {
        base64.b64encode(secret.encode()).decode(),
        base64.urlsafe_b64encode(secret.encode()).decode(),
    }
    basic = {
        base64.b64encode(f"{account.customer_id}:{secret}".encode()).decode()
        for account in DEMO_ACCOUNTS
    }
    return {secret} | encoded | {e.rstrip("=") for e in encoded} | basic


NEEDLES = {needle: secret for secret in SECRETS for needle in forms(secret)}


def leaks(text: str) -> list[str]:
    """Which secrets `text` holds, named by their first characters only."""
    return [f"{s[:6]}… as {needle[:10]}…" for needle, s in NEEDLES.items() if needle in text]


def keyed_accounts() -> tuple[EmulatedAccount, ...]:
    """The example's Telesign customers, with this run's random keys."""
    first, second = DEMO_ACCOUNTS
    return (
        first.model_copy(update={"api_key": CONTOSO_KEY}),
        second.model_copy(update={"api_key": FABRIKAM_KEY}),
    )


@contextmanager
def debug_log(path: Path) -> Iterator[Path]:
    """Every smsconf log record, DEBUG and up, written to a file as a CI job would keep it."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("smsconf")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def streams(result: Result) -> str:
    return result.stdout + result.stderr + (repr(result.exception) if result.exception else "")


@dataclass
class Step:
    args: str
    result: Result
    expect: frozenset[int]

    @property
    def as_expected(self) -> bool:
        return self.result.exit_code in self.expect

    @property
    def traceback(self) -> bool:
        crashed = self.result.exception is not None and not isinstance(
            self.result.exception, SystemExit
        )
        return crashed or "Traceback" in streams(self.result)


def journey(org: ServedOrg) -> list[Step]:
    """validate, plan (text -v, Markdown, JSON saved), apply, a key rotation planned and
    applied, drift, export, check-credentials (good and rotated keys)."""
    org.env.update(ENVIRONMENT)
    steps: list[Step] = []

    def run(*args: str, expect: set[int], env: dict[str, str] | None = None) -> Result:
        result = org.smsconf(*args, env=env)
        steps.append(Step(" ".join(args), result, frozenset(expect)))
        return result

    target = ("--target", org.url)
    rotated = {"CONTOSO_TELESIGN_API_KEY": ROTATED_KEY}
    run("validate", "examples/", expect={0})
    run("plan", "examples/", *target, "-v", expect={0})
    run("plan", "examples/", *target, "--format", "markdown", expect={0})
    run("plan", "examples/", *target, "--format", "json", "--out", "plan.json", expect={0})
    run("apply", "examples/", *target, "--plan", "plan.json", "--auto-approve", expect={0})
    run("plan", "examples/", *target, "--detailed-exitcode", expect={0})
    run(
        "plan", "examples/", *target, "--format", "json", "--out", "rotated.json",
        env=rotated, expect={ExitCode.CREDENTIALS},
    )  # fmt: skip
    run(
        "apply", "examples/", *target, "--plan", "rotated.json", "--auto-approve",
        "--ignore-credentials", env=rotated, expect={0},
    )  # fmt: skip
    run("drift", "examples/", *target, env=rotated, expect={0, 2})
    run("export", "--target", org.url, "--out", "exported", expect={0})
    run("check-credentials", "examples/", "--endpoint-override", org.telesign_url, expect={0})
    run(
        "check-credentials", "examples/", "--endpoint-override", org.telesign_url,
        env=rotated, expect={ExitCode.CREDENTIALS},
    )  # fmt: skip
    return steps


def logged_journey(org: ServedOrg) -> list[Step]:
    """The journey with smsconf's debug log kept at LOG_NAME in the workspace, where
    `left_behind` finds it for the scan."""
    with debug_log(org.ws.root / LOG_NAME):
        return journey(org)


def with_broken_key(org: ServedOrg, *plan_formats: str) -> list[Step]:
    """plan (once per format), apply and check-credentials with a Contoso key that is not even
    base64: each is expected to fail on the credentials (and to say the account's name)."""
    target = ("--target", org.url)
    commands = [
        *(("plan", "examples/", *target, "--format", f) for f in plan_formats),
        ("apply", "examples/", *target, "--auto-approve"),
        ("check-credentials", "examples/", "--endpoint-override", org.telesign_url),
    ]
    env = {"CONTOSO_TELESIGN_API_KEY": BROKEN_KEY}
    expect = frozenset({ExitCode.CREDENTIALS})
    return [Step(" ".join(args), org.smsconf(*args, env=env), expect) for args in commands]


def left_behind(org: ServedOrg) -> list[Path]:
    """Every file the journey left in the workspace but the org's database (which stores the
    key, as Dataverse does): plans, journal, export, log, the configuration."""
    return [p for p in org.ws.root.rglob("*") if p.is_file() and ".sqlite" not in p.name]


def scan(steps: list[Step], files: list[Path]) -> list[str]:
    """Every leak: in a command's output, or in a file."""
    found = [f"{step.args}: {leak}" for step in steps for leak in leaks(streams(step.result))]
    found += [f"{p}: {leak}" for p in files for leak in leaks(p.read_text("utf-8", "replace"))]
    return found
