"""Untrusted input stays harmless: the attacks a pull request can make, played through the CLI.

The plan job of the CI design runs every pull request's configuration with the job's secrets in
its environment, before anyone has read the change. Each test here is one such change: an
account sending its key to a host of the author's choosing (the four-line exfiltration), a
target that would receive the bearer token, a `${file:}` that reads outside the repository or
never ends, an `${env:}` naming a variable the workflow did not hand out. Each must be refused
(located, before any secret is read) and no byte may reach a listener nobody allowed; what the
workflow allows still works, and whatever an allowed host echoes back is redacted everywhere.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.dataverse.peers import served
from tools.testkit.echo import Echo, echo_server
from tools.testkit.pull_request import GATEWAY_ELSEWHERE, account
from tools.testkit.workspace import CONTOSO_DEMO_KEY

from smsconf.cli import main
from smsconf.config.secrets import MAX_FILE_BYTES, SECRET_ENV
from smsconf.emulator.dataverse import create_app
from smsconf.exitcodes import ExitCode
from smsconf.hosts import ALLOW_ENV, authority
from smsconf.reconcile.journal import Entry, Journal
from smsconf.redact import forget_all, register

STOLEN = "stolen-Secret/value+with=odd&chars"
TOKEN = "bearer-token-of-the-ci-job-0123456789"
CUSTOMER = "DEMO-CUSTOMER-0001"
DOCUMENTED = "https://rest-api.telesign.com"


def forms(secret: str, user: str = CUSTOMER) -> list[str]:
    """The secret as written and as a request or an echo of one carries it."""
    b64 = base64.b64encode(secret.encode()).decode()
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return [secret, b64, quote(secret, safe=""), basic]


def leaks(text: str | bytes) -> list[str]:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return [f for s in (STOLEN, TOKEN) for f in forms(s) if f in text]


@pytest.fixture(autouse=True)
def _ci_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A CI job's environment: secrets present, no allowance, state in the test directory."""
    monkeypatch.setenv("STOLEN", STOLEN)
    monkeypatch.setenv("SMSCONF_TOKEN", TOKEN)
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def listener() -> Iterator[Echo]:
    with echo_server() as echo:
        yield echo


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def exfiltration(
    root: Path, endpoint: str, target: str = "https://contoso.crm.dynamics.com"
) -> Path:
    """The pull request: an account whose check sends `Basic base64(id:$STOLEN)` to `endpoint`."""
    return write(root / "accounts.yaml", account(endpoint, target=target))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [["plan"], ["apply", "--auto-approve"], ["check-credentials"]])
@pytest.mark.parametrize("where", ["loopback", "anything.example"])
def test_the_four_line_exfiltration_is_refused_before_the_secret_is_read(
    tmp_path: Path, listener: Echo, command: list[str], where: str
) -> None:
    endpoint = listener.url if where == "loopback" else "https://anything.example"
    config = exfiltration(tmp_path, endpoint)
    result = run(command[0], str(config), "--env", "ci", *command[1:])
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert f"{config}:7:" in result.output  # the `endpoint:` line, located
    assert f"--allow-host {authority(endpoint)}" in result.output
    assert "no secret was read" in result.output
    assert listener.received == [] and not leaks(result.output)


@pytest.mark.parametrize(
    "command",
    [["plan"], ["apply", "--auto-approve"], ["drift"], ["callback-urls"]],
)
def test_a_target_nobody_allowed_never_gets_the_bearer_token(
    tmp_path: Path, listener: Echo, command: list[str]
) -> None:
    config = exfiltration(tmp_path, DOCUMENTED)
    result = run(command[0], str(config), "--env", "ci", "--target", listener.url, *command[1:])
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert "--target: error: dataverse host" in result.output
    assert listener.received == [] and not leaks(result.output)


def test_export_to_a_target_nobody_allowed_sends_nothing(tmp_path: Path, listener: Echo) -> None:
    result = run("export", "--target", listener.url, "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert listener.received == [] and not leaks(result.output)


def test_the_target_of_the_yaml_is_located_and_refused(tmp_path: Path, listener: Echo) -> None:
    """An environment's target must be https: an http host is refused by validation; an https
    host that is not an organisation's is refused by the host policy, at its line."""
    config = exfiltration(tmp_path, DOCUMENTED, target="https://evil.example")
    result = run("plan", str(config), "--env", "ci")
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert f"{config}:3:" in result.output and "evil.example:443" in result.output


@pytest.mark.parametrize("command", ["plan", "callback-urls", "apply"])
def test_a_gateway_elsewhere_would_redirect_inbound_sms_and_is_refused(
    tmp_path: Path, command: str
) -> None:
    """The gateway is where providers are told to deliver inbound SMS (the callback URL admins
    send Telesign support, each Twilio number's webhook): a pull request moving it to its own
    host is refused at its line, before anything is read or printed."""
    config = write(tmp_path / "gateway.yaml", GATEWAY_ELSEWHERE)
    result = run(command, str(config), "--env", "ci", *(["--auto-approve"] * (command == "apply")))
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert f"{config}:4:" in result.output and "omnichannel host inbound.evil.example:443" in (
        result.output
    )
    assert "evil.example/telesign" not in result.output  # no callback URL was printed


def test_the_allowance_is_what_lets_the_request_out(tmp_path: Path, listener: Echo) -> None:
    """Not a vacuous refusal: with `--allow-host` the request goes out (with the key, which is
    what the workflow asked for), and the host's echo of it is redacted from the output."""
    config = exfiltration(tmp_path, listener.url)
    result = run("check-credentials", str(config), "--env", "ci", "--allow-host", listener.url)
    assert result.exit_code == ExitCode.CREDENTIALS, result.output
    assert forms(STOLEN)[3] in listener.raw.decode()  # the Basic header did arrive
    assert "you sent" in result.output and not leaks(result.output)


def test_test_sms_to_an_endpoint_nobody_allowed_sends_nothing(listener: Echo) -> None:
    """`test-sms` takes its endpoint from the command line: the workflow's, but still checked,
    before the key variable is read."""
    args = ["--customer-id", CUSTOMER, "--api-key-env", "STOLEN", "--from", "1", "--to", "2"]
    result = run("test-sms", *args, "--endpoint", listener.url, "--auth", "basic")
    assert result.exit_code == ExitCode.UNTRUSTED_HOST, result.output
    assert "--endpoint: error: telesign host" in result.output
    assert listener.received == [] and not leaks(result.output)


def test_a_subprocess_run_sends_no_byte_to_a_loopback_listener(
    tmp_path: Path, listener: Echo
) -> None:
    """The real executable, as CI runs it."""
    config = exfiltration(tmp_path, listener.url)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("smsconf")), "plan", str(config), "--env", "ci"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert done.returncode == ExitCode.UNTRUSTED_HOST, done.stderr
    assert listener.received == [] and not leaks(done.stdout + done.stderr)


# --- what an allowed host echoes is redacted everywhere ---------------------------------------


def test_an_echoing_telesign_host_leaks_nothing_into_plan_output_or_plan_file(
    tmp_path: Path, listener: Echo
) -> None:
    app = create_app(tmp_path / "served.sqlite")
    try:
        with served(app) as org:
            config = exfiltration(tmp_path, listener.url, target="https://contoso.crm.dynamics.com")
            out = tmp_path / "plan.json"
            result = run(
                "plan", str(config), "--env", "ci", "--target", org, "--allow-host",
                listener.url, "--out", str(out), "--format", "markdown",
            )  # fmt: skip
    finally:
        app.close()
    assert result.exit_code == ExitCode.CREDENTIALS, result.output
    assert forms(STOLEN)[3] in listener.raw.decode()
    saved = out.read_text(encoding="utf-8")
    assert "you sent" in saved and "<redacted>" in saved
    assert not leaks(result.output) and not leaks(saved)
    assert "allowed, not documented" in result.output and "Host not documented" in result.output
    trust = json.loads(saved)["trust"]
    assert [h["verdict"] for h in trust["hosts"]] == ["allowed", "allowed"]
    assert [s["reference"] for s in trust["secrets"]] == ["${env:STOLEN}", "${env:SMSCONF_TOKEN}"]


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--skip-credentials"],
        ["apply", "--auto-approve"],
        ["drift"],
        ["callback-urls"],
        ["export", "--out", "exported"],
    ],
)
def test_an_echoing_organisation_leaks_no_bearer_token(
    tmp_path: Path, listener: Echo, command: list[str]
) -> None:
    config = exfiltration(tmp_path, DOCUMENTED)
    where = [] if command[0] == "export" else [str(config), "--env", "ci"]
    allowed = ["--target", listener.url, "--allow-host", listener.url]
    result = run(command[0], *where, *allowed, *command[1:])
    assert result.exit_code not in (ExitCode.OK, ExitCode.CHANGES), result.output
    assert f"Bearer {TOKEN}" in listener.raw.decode()  # it was sent, and echoed back
    assert not leaks(result.output)
    journals = list((tmp_path / "state").rglob("*.jsonl"))
    assert not any(leaks(j.read_bytes()) for j in journals)


WRITE_PART = re.compile(rb"^(POST|PATCH|PUT|DELETE) ", re.MULTILINE)


def echoing_writes(app: ASGIApp) -> ASGIApp:
    """The organisation, but every write (a POST, PATCH or DELETE, or a `$batch` holding one)
    is answered with an error echoing the request's Authorization header; reads pass, so apply
    gets as far as its journal."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            return await app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        if scope["path"].endswith("$batch") and not WRITE_PART.search(body):

            async def replay() -> dict[str, object]:
                return {"type": "http.request", "body": body, "more_body": False}

            return await app(scope, replay, send)
        auth = dict(scope["headers"]).get(b"authorization", b"").decode()
        error = {"error": {"code": "0x80040220", "message": f"you sent: {auth}"}}
        data = json.dumps(error).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return wrapped


def test_an_echoed_token_never_reaches_the_journal(tmp_path: Path) -> None:
    app = create_app(tmp_path / "served.sqlite", token=TOKEN)
    try:
        with served(echoing_writes(app)) as org:
            config = exfiltration(tmp_path, DOCUMENTED)
            result = run(
                "apply", str(config), "--env", "ci", "--target", org, "--allow-host", org,
                "--auto-approve", "--ignore-credentials", "--continue-on-error",
            )  # fmt: skip
    finally:
        app.close()
    journals = list((tmp_path / "state").rglob("*.jsonl"))
    assert journals, result.output
    written = "".join(j.read_text(encoding="utf-8") for j in journals)
    assert "you sent: Bearer <redacted>" in written, written[:500]
    assert not leaks(written) and not leaks(result.output)


def test_the_journal_is_written_through_the_redactor(tmp_path: Path) -> None:
    forget_all()
    register(STOLEN)
    journal = Journal(tmp_path, "sha256:0")
    detail = f"server said: Authorization: Basic {forms(STOLEN)[3]} ({quote(STOLEN, safe='')})"
    journal.record(Entry(1, "update", "a", "label", "t", "id", "failed", detail))
    journal.close()
    written = journal.path.read_text(encoding="utf-8")
    forget_all()
    assert "<redacted>" in written and not leaks(written)


# --- ${file:} reads only inside the repository ------------------------------------------------


def account_with(key: str) -> str:
    return f"""\
    accounts:
      - name: contoso
        customer_id: {CUSTOMER}
        api_key: "{key}"
    """


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree (what makes it one here: its `.git`), and a secret outside it."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path / "outside" / "key.txt", "the job's other secret\n")
    return tmp_path / "repo"


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("${file:/dev/zero}", "is an absolute path"),
        ("${file:/etc/hostname}", "is an absolute path"),
        ("${file:~/.ssh/id_rsa}", "is an absolute path"),
        ("${file:../../outside/key.txt}", "is outside the configuration's repository"),
        ("${file:link-out.txt}", "symbolic link that leads outside"),
        ("${file:link-zero.txt}", "symbolic link that leads outside"),
    ],
)
def test_file_references_out_of_the_repository_are_refused_located(
    repo: Path, reference: str, why: str
) -> None:
    (repo / "conf" / "link-out.txt").parent.mkdir(parents=True)
    (repo / "conf" / "link-out.txt").symlink_to(repo.parent / "outside" / "key.txt")
    (repo / "conf" / "link-zero.txt").symlink_to("/dev/zero")
    config = write(repo / "conf" / "accounts.yaml", account_with(reference))
    for command in ("validate", "plan"):
        result = run(command, str(config))
        assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
        assert f"{config}:4:" in result.output and why in result.output
        assert "the job's other secret" not in result.output


def test_a_file_elsewhere_in_the_repository_is_read(repo: Path) -> None:
    write(repo / "keys" / "contoso.txt", CONTOSO_DEMO_KEY + "\n")
    config = write(repo / "conf" / "accounts.yaml", account_with("${file:../keys/contoso.txt}"))
    result = run("check-credentials", str(config))
    assert result.exit_code == ExitCode.OK, result.output
    assert "credentials accepted" in result.output and CONTOSO_DEMO_KEY not in result.output


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\xff\xfe\x00k\x00e\x00y", "is not UTF-8 text"),
        (b"key\x00with a NUL", "is binary"),
        (b"k" * (MAX_FILE_BYTES + 1), "is longer than 64 KiB"),
        (None, "is not a regular file"),  # a FIFO: opening it would wait for a writer
    ],
)
def test_endless_binary_and_huge_files_are_refused_quickly(
    repo: Path, content: bytes | None, why: str
) -> None:
    path = repo / "conf" / "key.bin"
    path.parent.mkdir(parents=True)
    if content is None:
        os.mkfifo(path)
    else:
        path.write_bytes(content)
    config = write(repo / "conf" / "accounts.yaml", account_with("${file:key.bin}"))
    result = run("plan", str(config))
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert f"{config}:4:" in result.output and why in result.output


# --- ${env:} names the workflow handed out ----------------------------------------------------


def test_an_env_reference_outside_the_workflows_list_is_refused_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "CONTOSO_*,FABRIKAM_*")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_the_value_itself")
    config = write(tmp_path / "accounts.yaml", account_with("${env:GITHUB_TOKEN}"))
    for command in ("validate", "plan", "check-credentials"):
        result = run(command, str(config))
        assert result.exit_code == ExitCode.INVALID_CONFIG, (command, result.output)
        assert f"{config}:4:" in result.output and "GITHUB_TOKEN" in result.output
        assert "ghp_the_value_itself" not in result.output


def test_an_env_reference_the_workflow_lists_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "CONTOSO_*,FABRIKAM_*")
    monkeypatch.setenv("CONTOSO_KEY", CONTOSO_DEMO_KEY)
    config = write(tmp_path / "accounts.yaml", account_with("${env:CONTOSO_KEY}"))
    result = run("check-credentials", str(config))
    assert result.exit_code == ExitCode.OK, result.output
