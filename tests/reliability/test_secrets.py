"""Secrets never leave the process: no Telesign API key, Azure secret or bearer token in any
output, log, saved plan, journal or export, in clear or in base64.

The whole user journey runs against an org served over loopback with known, random secrets in
the environment: validate, plan (text, Markdown, JSON, saved), apply, a key rotation, drift,
export and check-credentials; then every captured stream and every file the runs left behind
(except the organisation's own database, which stores the key as Dataverse does) is scanned.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from tests.reliability.conftest import ServedOrg, ServeOrg
from tests.reliability.convergence import TOKEN

from smsconf.emulator.telesign import DEMO_ACCOUNTS
from smsconf.exitcodes import ExitCode


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


def test_scanner_finds_every_form() -> None:
    """The scanner itself: each secret is found in clear, in base64 and in a Basic header."""
    for secret in SECRETS:
        for text in (
            f"key={secret}\n",
            base64.b64encode(secret.encode()).decode(),
            "Authorization: Basic "
            + base64.b64encode(f"{DEMO_ACCOUNTS[1].customer_id}:{secret}".encode()).decode(),
        ):
            assert leaks(text), text
    assert leaks("nothing secret here, DEMO-CUSTOMER-0001") == []


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Every smsconf log record, DEBUG and up, written to a file as a CI job would keep it."""
    path = tmp_path / "smsconf-debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("smsconf")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield path
    logger.removeHandler(handler)
    logger.setLevel(level)
    handler.close()


@pytest.fixture
def org(serve_org: ServeOrg) -> ServedOrg:
    """The example against a served org and a Telesign that knows this test's random keys."""
    first, second = DEMO_ACCOUNTS
    served = serve_org(
        (
            first.model_copy(update={"api_key": CONTOSO_KEY}),
            second.model_copy(update={"api_key": FABRIKAM_KEY}),
        )
    )
    served.env.update(ENVIRONMENT)
    return served


def streams(result: Result) -> str:
    return result.stdout + result.stderr + (repr(result.exception) if result.exception else "")


def test_no_secret_in_any_output_or_file(org: ServedOrg, log_file: Path) -> None:
    ran: list[tuple[str, Result]] = []

    def run(*args: str, expect: set[int], env: dict[str, str] | None = None) -> Result:
        result = org.smsconf(*args, env=env)
        assert result.exit_code in expect, (args, result.output)
        ran.append((" ".join(args), result))
        return result

    target = ("--target", org.url)
    run("validate", "examples/", expect={0})
    run("plan", "examples/", *target, "-v", expect={0})
    run("plan", "examples/", *target, "--format", "markdown", expect={0})
    run("plan", "examples/", *target, "--format", "json", "--out", "plan.json", expect={0})
    run("apply", "examples/", *target, "--plan", "plan.json", "--auto-approve", expect={0})
    run("plan", "examples/", *target, "--detailed-exitcode", expect={0})
    rotated = {"CONTOSO_TELESIGN_API_KEY": ROTATED_KEY}
    changed = run(
        "plan",
        "examples/",
        *target,
        "--format",
        "json",
        "--out",
        "rotated.json",
        env=rotated,
        expect={ExitCode.CREDENTIALS},
    )
    assert "msdyn_occommunicationprovidersetting" in changed.stdout  # the key change is shown
    run(
        "apply",
        "examples/",
        *target,
        "--plan",
        "rotated.json",
        "--auto-approve",
        "--ignore-credentials",
        env=rotated,
        expect={0},
    )
    run("drift", "examples/", *target, env=rotated, expect={0, 2})
    run("export", "--target", org.url, "--out", "exported", expect={0})
    run("check-credentials", "examples/", "--endpoint-override", org.telesign_url, expect={0})
    run(
        "check-credentials",
        "examples/",
        "--endpoint-override",
        org.telesign_url,
        env=rotated,
        expect={ExitCode.CREDENTIALS},
    )

    found = [f"{args}: {leak}" for args, result in ran for leak in leaks(streams(result))]
    files = [
        path for path in org.ws.root.rglob("*") if path.is_file() and ".sqlite" not in path.name
    ]
    names = {p.name for p in files}
    assert {"plan.json", "rotated.json", log_file.name} <= names, names
    assert list((org.ws.home / "journal").glob("*.jsonl")), "apply wrote no journal"
    assert list((org.ws.root / "exported").glob("*.yaml")), "export wrote nothing"
    found += [
        f"{path}: {leak}" for path in files for leak in leaks(path.read_text("utf-8", "replace"))
    ]
    assert found == []


def test_broken_secret_is_reported_by_account_never_by_value(org: ServedOrg) -> None:
    """A key that is not even base64 fails by the account's name; its value is never shown."""
    env = {"CONTOSO_TELESIGN_API_KEY": BROKEN_KEY}
    outputs = []
    for args in (
        ("plan", "examples/", "--target", org.url, "--format", "json"),
        ("plan", "examples/", "--target", org.url, "--format", "markdown"),
        ("apply", "examples/", "--target", org.url, "--auto-approve"),
        ("check-credentials", "examples/", "--endpoint-override", org.telesign_url),
    ):
        result = org.smsconf(*args, env=env)
        assert result.exit_code == ExitCode.CREDENTIALS, (args, result.output)
        assert "contoso-telesign" in result.output, (args, result.output)
        outputs.append(streams(result))
    assert leaks("".join(outputs)) == []
    assert org.rows("msdyn_liveworkstream", msdyn_name="SMS Support") == []
