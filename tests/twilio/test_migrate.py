"""`smsconf migrate telesign --to TWILIO_ACCOUNT`: the example's Telesign account moved to a
Twilio account, then planned, applied to the organisation that ran it on Telesign, and
re-planned to zero; and the rewrite itself (comments kept, what stays and why)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from tools.testkit.workspace import Workspace, applied, applied_db, ws

from smsconf.cli import main
from smsconf.config.loader import load
from smsconf.config.migrate import migrate_telesign
from smsconf.config.problems import ConfigError
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
from smsconf.exitcodes import ExitCode

__all__ = ["applied", "applied_db", "ws"]  # fixtures, used by name

TWILIO_ACCOUNT = f"""\
accounts:
  - name: contoso-twilio   # the ported numbers land here
    provider: twilio
    account_sid: {DEMO_ACCOUNT_SID}
    auth_token: ${{env:CONTOSO_TWILIO_AUTH_TOKEN:-{DEMO_AUTH_TOKEN}}}
    numbers:
      - number: "14255550142"
        type: long_code
"""
MOVED = ("14255550100", "18005550199", "55123")


def migrate(ws: Workspace, *args: str) -> tuple[int, str]:
    result = ws.smsconf("migrate", "telesign", "--to", "contoso-twilio", *args, "examples/")
    return result.exit_code, result.output


def test_the_examples_telesign_account_moves_to_twilio_and_converges(applied: Workspace) -> None:
    warned = applied.plan()
    assert (
        "Declare a `provider: twilio` or `provider: acs` account (this configuration has "
        "'contoso-twilio', 'contoso-acs') and run `smsconf migrate telesign --to ACCOUNT PATH...`"
    ) in " ".join(warned.output.split())
    code, output = migrate(applied)
    assert code == ExitCode.OK, output
    for number in MOVED:
        assert f"moved: number {number} from 'contoso-telesign' to 'contoso-twilio'" in output
        assert f"[ ] number {number}: port it from Telesign to Twilio" in output
    assert "kept on Telesign: number 447700900123 of 'fabrikam-telesign'" in output
    assert "[ ] account 'contoso-telesign': once the ports complete, ask Telesign support" in output

    text = applied.config.read_text(encoding="utf-8")
    assert "# inbound URL (SmsUrl) in Twilio to the organisation's." in text
    assert "# Contoso's SMS contact centre, as code." in text  # the prelude
    config = load([applied.config_dir]).config
    twilio = next(a for a in config.accounts if a.name == "contoso-twilio")
    assert [(n.number, n.type) for n in twilio.numbers][1:] == [
        ("14255550100", "long_code"),
        ("18005550199", "toll_free"),
        ("55123", "short_code"),
    ]
    assert "contoso-telesign" not in [a.name for a in config.accounts]
    assert [(r.kind, r.name) for r in config.removed] == [("account", "contoso-telesign")]

    planned = applied.plan()  # unsafe until the delete is allowed
    assert planned.exit_code == ExitCode.UNSAFE_PLAN, planned.output
    for number in MOVED:
        assert f"update number {number}" in planned.output
        assert f"update Twilio inbound URL of number {number}" in planned.output
        assert f"number {number} moving to 'contoso-twilio': todo" in planned.output
    assert "delete account 'contoso-telesign'" in planned.output
    refused = applied.apply()
    assert refused.exit_code == ExitCode.UNSAFE_PLAN, refused.output
    done = applied.apply("--allow-delete", "account[contoso-telesign]")
    assert done.exit_code == ExitCode.OK, done.output

    again = applied.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    (channel,) = applied.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS Support")
    (number,) = applied.rows("msdyn_ocphonenumber", msdyn_phonenumber="14255550100")
    assert channel["_msdyn_phonenumberid_value"] == number["msdyn_ocphonenumberid"]
    (twilio_row,) = applied.rows(
        "msdyn_occommunicationprovidersetting", msdyn_name="contoso-twilio"
    )
    assert (
        number["_msdyn_occommunicationprovidersettingid_value"]
        == twilio_row["msdyn_occommunicationprovidersettingid"]
    )
    assert applied.rows("msdyn_occommunicationprovidersetting", msdyn_name="contoso-telesign") == []
    # Migrated once, nothing is left to move but the number Twilio cannot carry.
    code, output = migrate(applied, "--check")
    assert code == ExitCode.OK, output
    assert "moved:" not in output and "kept on Telesign: number 447700900123" in output


def test_check_and_diff_write_nothing(ws: Workspace) -> None:
    before = ws.config.read_text(encoding="utf-8")
    code, output = migrate(ws, "--check", "--diff")
    assert code == ExitCode.INVALID_CONFIG, output
    assert "examples/channels.yaml (migrated)" in output
    assert '+      - number: "14255550100"\n+        type: long_code\n' in output
    assert "         description: Billing line (Twilio)\n+      - number" in output
    # The comment above the next key still comes after every number.
    assert (
        "+        description: Marketing short code\n \n   # Azure Communication Services" in output
    )
    assert "+removed:\n+  - kind: account\n+    name: contoso-telesign" in output
    assert ws.config.read_text(encoding="utf-8") == before


def test_the_twilio_account_must_be_declared(ws: Workspace) -> None:
    result = ws.smsconf("migrate", "telesign", "--to", "contoso-twillio", "examples/")
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert "'contoso-twillio' is not an account of the configuration" in result.output
    assert "did you mean 'contoso-twilio'?" in result.output
    result = ws.smsconf("migrate", "telesign", "--to", "fabrikam-telesign", "examples/")
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert "'fabrikam-telesign' is not a Twilio or ACS account" in result.output
    result = ws.smsconf("migrate", "telesign", "examples/")
    assert result.exit_code == ExitCode.USAGE


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_across_files_a_number_already_declared_is_not_duplicated(tmp_path: Path) -> None:
    """The Twilio account in one file already declares a Telesign number of another: the
    Telesign entry goes, the Twilio one stays as written; comments stay in both files."""
    write(
        tmp_path,
        "twilio.yaml",
        TWILIO_ACCOUNT + '      - number: "14255550100"  # ported\n        type: long_code\n',
    )
    write(
        tmp_path,
        "telesign.yaml",
        "# Telesign, until the port\naccounts:\n  - name: old\n    provider: telesign\n"
        "    customer_id: C-1\n    api_key: ${env:K:-a2V5}\n    numbers:\n"
        '      - number: "14255550100"\n        type: geo\n',
    )
    migration = migrate_telesign([tmp_path], "contoso-twilio")
    assert [(m.number, m.already_declared) for m in migration.moved] == [("14255550100", True)]
    assert migration.removed == ["old"]
    texts = {f.path.name: f.after for f in migration.files}
    assert texts["twilio.yaml"].count("14255550100") == 1 and "# ported" in texts["twilio.yaml"]
    assert texts["telesign.yaml"].startswith("# Telesign, until the port\n")
    assert yaml.safe_load(texts["telesign.yaml"]) == {
        "accounts": [],
        "removed": [{"kind": "account", "name": "old"}],
    }


def test_a_comment_inside_a_removed_account_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        "all.yaml",
        TWILIO_ACCOUNT + "  - name: old\n    provider: telesign   # bye\n    customer_id: C-1\n"
        '    api_key: ${env:K:-a2V5}\n    numbers:\n      - number: "14255550100"\n'
        "        type: geo\n",
    )
    migration = migrate_telesign([tmp_path], "contoso-twilio")
    assert migration.dropped_comments == ["# bye"]
    result = CliRunner().invoke(
        main, ["migrate", "telesign", "--to", "contoso-twilio", str(tmp_path)]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "dropped with its account: # bye" in result.output


def test_a_file_that_cannot_be_read_is_located(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "accounts: [\n")
    with pytest.raises(ConfigError) as caught:
        migrate_telesign([tmp_path], "contoso-twilio")
    assert caught.value.problems[0].position is not None
