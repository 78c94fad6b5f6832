"""The Telesign commands end to end: against the local target in-process, a served emulator over
a socket, and the `emulator telesign` command as a real process."""

import base64
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from telesign.messaging import MessagingClient
from tools.testkit.allowance import allow

from smsconf.cli import main
from smsconf.cli.telesign import emulator_app
from smsconf.emulator.serving import running
from smsconf.emulator.telesign import Faults, create_app
from smsconf.exitcodes import ExitCode
from smsconf.hosts import authority

from .conftest import EMULATED, ENTERPRISE_ONLY, GOOD, NO_SMS, SUSPENDED

KEY_VAR = "SMSCONF_TEST_TELESIGN_KEY"
WRONG_KEY = base64.b64encode(b"wrong key for the cli test").decode()
KEY_IN_BAD_FILE = base64.b64encode(b"a key in a broken accounts file").decode()


def config(tmp_path: Path, target: str | None = "local") -> Path:
    """One account; an environment `here` with `target`, or no environments when None."""
    path = tmp_path / "accounts.yaml"
    environments = f"environments:\n  here:\n    target: {target}\n" if target else ""
    path.write_text(
        environments + "accounts:\n"
        "  - name: contoso-telesign\n"
        f"    customer_id: {GOOD.customer_id}\n"
        f"    api_key: ${{env:{KEY_VAR}}}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with running(create_app()) as url:
        allow(monkeypatch, url)
        yield url


def run(*args: str, key: str | None = GOOD.api_key) -> tuple[int, str]:
    """Invoke the CLI with the key in the environment; fail if the output shows the key."""
    result = CliRunner().invoke(main, list(args), env={KEY_VAR: key} if key else {})
    if key:
        forms = [key]
        with contextlib.suppress(ValueError):
            forms.append(base64.b64decode(key).decode("utf-8", errors="replace"))
        assert not [form for form in forms if form in result.output]
    return result.exit_code, result.output


def test_check_credentials_local_target(tmp_path: Path) -> None:
    code, output = run("check-credentials", str(config(tmp_path)))
    assert code == ExitCode.OK, output
    assert "contoso-telesign" in output and GOOD.customer_id in output
    assert "ok" in output and "credentials accepted" in output


def test_check_credentials_wrong_key_exits_4(tmp_path: Path) -> None:
    code, output = run("check-credentials", str(config(tmp_path)), key=WRONG_KEY)
    assert code == ExitCode.CREDENTIALS
    assert "invalid_credentials" in output and "10008" in output


def test_check_credentials_endpoint_override(tmp_path: Path, served: str) -> None:
    path = config(tmp_path, target="https://contoso.crm.dynamics.com")
    code, output = run(
        "check-credentials", str(path), "--env", "here", "--endpoint-override", served
    )
    assert code == ExitCode.OK, output


def test_check_credentials_row_and_exit_code_of_every_result(
    tmp_path: Path, closed_port_url: str
) -> None:
    """One run, one row per account with its verdict and Telesign's code; any failure exits 4.
    (A timeout takes the default 30 s deadline; the client tests cover it with a short one.)"""
    rows = {  # account name -> (customer ID, key reference, endpoint key, verdict, detail)
        "good": (GOOD.customer_id, KEY_VAR, "plain", "ok", "10017"),
        "wrong-key": (
            GOOD.customer_id,
            f"WRONG_UNSET:-{WRONG_KEY}",
            "plain",
            "invalid_credentials",
            "10008",
        ),
        "unknown": ("NOBODY-0001", KEY_VAR, "plain", "invalid_credentials", "10015"),
        "no-sms": (NO_SMS.customer_id, KEY_VAR, "plain", "product_not_enabled", "10011"),
        "wrong-host": (ENTERPRISE_ONLY.customer_id, KEY_VAR, "plain", "wrong_host", "10035"),
        "suspended": (SUSPENDED.customer_id, KEY_VAR, "plain", "account_disabled", "10010"),
        "throttled": (GOOD.customer_id, KEY_VAR, "throttled", "throttled", "10019"),
        "unreachable": (GOOD.customer_id, KEY_VAR, "nowhere", "unreachable", "ConnectError"),
    }
    with (
        running(create_app(EMULATED)) as plain,
        running(create_app(EMULATED, faults=Faults(throttle=1.0))) as throttled,
    ):
        endpoints = {"plain": plain, "throttled": throttled, "nowhere": closed_port_url}
        path = tmp_path / "accounts.yaml"
        path.write_text(
            "environments:\n  here:\n    target: https://contoso.crm.dynamics.com\n"
            "accounts:\n"
            + "".join(
                f"  - name: {name}\n    customer_id: {customer}\n"
                f"    api_key: ${{env:{key}}}\n    endpoint: {endpoints[where]}\n"
                for name, (customer, key, where, _, _) in rows.items()
            )
        )
        allowances = [f"--allow-host={authority(url)}" for url in (plain, throttled)]
        code, output = run("check-credentials", str(path), "--env", "here", *allowances)
    assert code == ExitCode.CREDENTIALS, output
    assert WRONG_KEY not in output
    lines = {
        line.split("│")[1].strip(): line
        for line in output.splitlines()
        if line.count("│") > 2 and line.split("│")[1].strip()
    }
    for name, (customer, _, _, verdict, detail) in rows.items():
        cells = [cell.strip() for cell in lines[name].split("│")[1:-1]]
        assert cells[:4] == [name, "telesign", customer, verdict], lines[name]
        assert detail in cells[4], lines[name]


def test_check_credentials_unreadable_secret_fails_its_row(tmp_path: Path) -> None:
    code, output = run("check-credentials", str(config(tmp_path)), key=None)
    assert code == ExitCode.CREDENTIALS
    assert "secret_unreadable" in output and KEY_VAR in output


def test_check_credentials_without_environments_targets_local(tmp_path: Path) -> None:
    code, output = run("check-credentials", str(config(tmp_path, target=None)))
    assert code == ExitCode.OK, output


def sms_args(endpoint: str, sender: str = GOOD.numbers[0].number) -> list[str]:
    return [
        "test-sms",
        "--customer-id",
        GOOD.customer_id,
        "--api-key-env",
        KEY_VAR,
        "--from",
        sender,
        "--to",
        "15555550123",
        "--endpoint",
        endpoint,
        "--poll-interval",
        "0.01",
        "--timeout",
        "5",
    ]


def test_test_sms_delivered(served: str) -> None:
    code, output = run(*sms_args(served))
    assert code == ExitCode.OK, output
    assert output.splitlines()[:3] == [
        "290 Message in progress",
        "203 Delivered to gateway",
        "200 Delivered to handset",
    ]
    assert "delivered" in output.splitlines()[-1]


def test_test_sms_wrong_key_exits_4(served: str) -> None:
    code, output = run(*sms_args(served), key=WRONG_KEY)
    assert code == ExitCode.CREDENTIALS
    assert "10008" in output


def test_test_sms_refused_sender_exits_1(served: str) -> None:
    code, output = run(*sms_args(served, sender="19999999999"))
    assert code == ExitCode.ERROR
    assert "11013" in output


def test_test_sms_key_that_cannot_sign_exits_4(served: str) -> None:
    code, output = run(*sms_args(served), key="not-base64!")
    assert code == ExitCode.CREDENTIALS
    assert "not base64 text" in output


def test_test_sms_needs_the_key_variable(served: str) -> None:
    code, output = run(*sms_args(served), key=None)
    assert code == ExitCode.INVALID_CONFIG
    assert f"environment variable {KEY_VAR} is not set" in output


def serve_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from smsconf.cli import main; main()",
            "emulator",
            "telesign",
            "--port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def base_url_of(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_emulator_command_serves_over_http(tmp_path: Path) -> None:
    accounts_file = tmp_path / "accounts.json"
    accounts_file.write_text(
        json.dumps(
            {"accounts": [{"customer_id": "FILE-1", "api_key": "a2V5", "sms_enabled": False}]}
        )
    )
    process = serve_process(
        "--account",
        "FLAG-1:a2V5",
        "--accounts-file",
        str(accounts_file),
        "--faults",
        "outage_next=1",
        "--seed",
        "3",
    )
    try:
        url = base_url_of(process)
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "/v1/messaging/" + "0" * 32).status_code == 503
        unsigned = httpx.get(url + "/v1/messaging/" + "0" * 32)
        assert unsigned.json()["status"]["code"] == 10009
        # The flag's key and the file's switches are what the served emulator authenticates by.
        codes = {
            customer: MessagingClient(customer, "a2V5", rest_endpoint=url)
            .status("0" * 32)
            .json["status"]["code"]
            for customer in ("FLAG-1", "FILE-1")
        }
        assert codes == {"FLAG-1": 10017, "FILE-1": 10011}
        wrong = MessagingClient("FLAG-1", WRONG_KEY, rest_endpoint=url).status("0" * 32)
        assert (wrong.status_code, wrong.json["status"]["code"]) == (401, 10008)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "FILE-1, FLAG-1" in err


def test_emulator_app_defaults_to_the_demo_accounts() -> None:
    app = emulator_app((), None, "", 0)
    assert list(app.state.telesign.accounts) == ["DEMO-CUSTOMER-0001", "DEMO-CUSTOMER-0002"]


def test_emulator_app_from_file_and_flags(tmp_path: Path) -> None:
    accounts_file = tmp_path / "accounts.yaml"
    accounts_file.write_text(
        "accounts: [{customer_id: FILE-1, api_key: a2V5}]\n"
        "directory: {'15555550123': {phone_type: VOIP}}\n"
    )
    emulator = emulator_app(["FLAG-1:a2V5"], accounts_file, "throttle=0.5", 9).state.telesign
    assert list(emulator.accounts) == ["FILE-1", "FLAG-1"]
    assert not emulator.accounts["FLAG-1"].reject_unknown_senders
    assert emulator.directory["15555550123"].phone_type == "VOIP"
    assert emulator.faults.throttle == 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faults", "explode=1"], "unknown fault"),
        (["--account", "no-key"], "CUSTOMER_ID:API_KEY"),
        (["--account", "C:not-base64!"], "not base64"),
        (["--accounts-file", "{bad}"], "accounts.yaml:3:14: not valid YAML"),
    ],
)
def test_emulator_command_bad_flags(tmp_path: Path, args: list[str], message: str) -> None:
    """A usage error (exit 64) naming the problem: no traceback, and no key from a bad file."""
    bad = tmp_path / "accounts.yaml"
    bad.write_text(f'accounts:\n  - customer_id: C\n    api_key: "{KEY_IN_BAD_FILE}\n')
    args = [arg.format(bad=bad) for arg in args]
    result = CliRunner().invoke(main, ["emulator", "telesign", *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert result.exc_info is None or result.exc_info[0] is SystemExit
    assert KEY_IN_BAD_FILE not in result.output
