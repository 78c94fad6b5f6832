"""An ACS-backed workstream through the CLI, against the local organisation, its seeded ACS
connection (what the admin center's connect flow and Sync from Azure made) and its in-process
ACS emulator (the demo resource of `emulator/acs/state.py`).

Each test runs in its own directory (the `ws` workspace, its example replaced by the ACS
configuration below); what apply did is read through a second Web API client, never through
the reconciler's view of it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.acs.local import acs_config, plan_json
from tools.testkit.workspace import Workspace, ws

from smsconf.emulator.acs import (
    DEMO_ACCESS_KEY,
    DEMO_NOT_SYNCED,
    DEMO_OUTBOUND_ONLY,
    DEMO_RESOURCE,
    DEMO_SHORT_CODE,
    DEMO_TWO_WAY,
)
from smsconf.exitcodes import ExitCode
from smsconf.platform import vocabulary as vocab

__all__ = ["ws"]  # the fixture, used by name

VAR = "SMSCONF_TEST_ACS_CONNECTION_STRING"
CONNECTION = f"endpoint=https://contoso-acs.communication.azure.com/;accesskey={DEMO_ACCESS_KEY}"
WRONG_KEY = base64.b64encode(b"not-the-demo-resource-access-key").decode()
WRONG = {VAR: CONNECTION.replace(DEMO_ACCESS_KEY, WRONG_KEY)}
SECRETS = (CONNECTION, DEMO_ACCESS_KEY, base64.b64decode(DEMO_ACCESS_KEY).decode(), WRONG_KEY)


ACCOUNT = f"""\
  - name: Contoso ACS
    provider: acs
    resource_name: {DEMO_RESOURCE.name}
    resource_id: {DEMO_RESOURCE.id}
    connection_string: ${{env:{VAR}:-{CONNECTION}}}
    event_grid:
      mode: ignored
"""
GREETING = """\
      language: en-US
      automated_messages:
        - trigger: greeting
          text: Thanks for texting Contoso through ACS.
"""


def acs_workspace(ws: Workspace, number: str = DEMO_TWO_WAY, extra: str = "") -> Workspace:
    ws.config.write_text(acs_config(ACCOUNT, number, GREETING + extra), encoding="utf-8")
    return ws


def acs_rows(ws: Workspace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    settings = ws.rows(
        "msdyn_occommunicationprovidersetting",
        msdyn_occommunicationprovider=vocab.PROVIDER["acs"],
    )
    return settings, ws.rows("msdyn_ocphonenumber")


def test_acs_workstream_applied_bound_to_the_synced_number_and_replanned_to_zero(
    ws: Workspace,
) -> None:
    acs_workspace(ws)
    plan = plan_json(ws)
    (credential,) = plan["credentials"]
    assert (credential["provider"], credential["status"]) == ("acs", "ok")
    (check,) = plan["number_checks"]
    assert (check["number"], check["verdict"]) == (DEMO_TWO_WAY, "consistent")
    tables = {c["table"] for c in plan["resource_changes"]}
    # The admin center's rows are found, never written.
    assert not tables & {"msdyn_occommunicationprovidersetting", "msdyn_ocphonenumber"}
    assert not tables & {"msdyn_occommunicationprovidersettingentry"}
    before = acs_rows(ws)

    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    (number,) = ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=DEMO_TWO_WAY)
    (channel,) = ws.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS via ACS")
    assert channel["_msdyn_phonenumberid_value"] == number["msdyn_ocphonenumberid"]
    assert channel["msdyn_enablefileattachmentforcustomers"] is False
    assert channel["msdyn_enablefileattachmentforagents"] is False
    (message,) = ws.rows("msdyn_ocsystemmessage", msdyn_name="SMS via ACS - greeting")
    assert message["msdyn_instanceid"] == channel["msdyn_ocsmschannelsettingid"]
    assert acs_rows(ws) == before  # not one column of the connection or its numbers moved

    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes" in again.output


def test_a_number_missing_from_the_organisation_is_the_admins_step(ws: Workspace) -> None:
    acs_workspace(ws, DEMO_NOT_SYNCED)
    plan = plan_json(ws)
    (check,) = plan["number_checks"]
    assert check["verdict"] == "consistent"  # ACS has it: only the organisation lacks it
    (todo,) = [n for n in plan["notes"] if n["subject"].startswith(f"number {DEMO_NOT_SYNCED}")]
    assert todo["level"] == "todo"
    assert (
        "run Sync from Azure in the admin center: Channels > Phone numbers > Manage > Advanced > "
        "Manage Azure Communication Services > Sync from Azure" in todo["text"]
    )
    assert "channels.yaml:10:" in todo["subject"]  # located at the number
    assert "SMS via ACS" in todo["text"]
    kinds = {c["kind"] for c in plan["resource_changes"]}
    assert "sms_channel" not in kinds and "automated_message" not in kinds
    assert "workstream" in kinds  # the rest is planned
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=DEMO_NOT_SYNCED) == []
    assert ws.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS via ACS") == []


def test_an_outbound_only_number_is_warned(ws: Workspace) -> None:
    acs_workspace(ws, DEMO_OUTBOUND_ONLY)
    plan = plan_json(ws)
    (check,) = plan["number_checks"]
    assert (check["number"], check["verdict"]) == (DEMO_OUTBOUND_ONLY, "outbound_only")
    warnings = [
        n["text"]
        for n in plan["notes"]
        if n["level"] == "warning" and n["subject"].startswith(f"number {DEMO_OUTBOUND_ONLY}")
    ]
    assert any("customers' replies will never arrive" in text for text in warnings), warnings
    assert plan["unsafe"] == []  # a warning, not a refusal: it can send
    assert "outbound_only" in ws.plan().output


def test_file_attachments_on_an_acs_channel_are_refused_located(ws: Workspace) -> None:
    acs_workspace(ws)
    ws.edit("      language: en-US\n", "      language: en-US\n      file_attachments:\n")
    ws.edit("      file_attachments:\n", "      file_attachments:\n        customers: true\n")
    for command in (ws.plan(), ws.smsconf("validate", "examples/")):
        assert command.exit_code == ExitCode.INVALID_CONFIG, command.output
        assert "channels.yaml:21:7: error: number +18005550100 is an ACS number" in command.output
        assert "File attachments aren't supported in the SMS channel using ACS" in command.output
    assert ws.rows("msdyn_liveworkstream", msdyn_name="SMS via ACS") == []


def test_a_bad_access_key_fails_plan_apply_and_check_credentials_with_exit_4(
    ws: Workspace,
) -> None:
    acs_workspace(ws)
    planned = ws.plan(env=WRONG)
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    assert "credentials of account 'Contoso ACS' (contoso-acs): invalid_credentials" in (
        planned.output
    )
    assert "HTTP 401" in planned.output and "connection_string at" in planned.output
    applied = ws.apply(env=WRONG)
    assert applied.exit_code == ExitCode.CREDENTIALS, applied.output
    assert ws.rows("msdyn_liveworkstream", msdyn_name="SMS via ACS") == []
    assert ws.rows("queue", name="ACS queue") == []
    checked = ws.smsconf("check-credentials", "examples/", env=WRONG)
    assert checked.exit_code == ExitCode.CREDENTIALS, checked.output
    assert "invalid_credentials" in checked.output
    for output in (planned.output, applied.output, checked.output):
        assert not [s for s in SECRETS if s in output]
    good = ws.smsconf("check-credentials", "examples/")
    assert good.exit_code == ExitCode.OK, good.output
    assert "access key accepted" in good.output


def test_no_byte_of_the_connection_string_in_outputs_plan_files_or_journal(
    ws: Workspace, tmp_path: Path
) -> None:
    acs_workspace(ws)
    env = {VAR: CONNECTION}
    outputs = [
        ws.plan("--out", "plan.json", env=env),
        ws.plan("--format", "json", env=env),
        ws.plan("--format", "markdown", env=env),
        ws.smsconf("apply", "--plan", "plan.json", "--auto-approve", env=env),
        ws.plan(env=WRONG),
        ws.smsconf("check-credentials", "examples/", env=env),
        ws.smsconf("export", "--target", "local", "--out", str(tmp_path / "out"), env=env),
    ]
    assert outputs[3].exit_code == ExitCode.OK, outputs[3].output
    texts = [r.output for r in outputs] + [Path("plan.json").read_text(encoding="utf-8")]
    journals = sorted((ws.home / "journal").glob("*.jsonl"))
    assert journals
    texts += [j.read_text(encoding="utf-8") for j in journals]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.yaml")]
    for text in texts:
        assert not [s for s in SECRETS if s in text]
    exported = (tmp_path / "out" / "smsconf.yaml").read_text(encoding="utf-8")
    assert "connection_string: ${env:CONTOSO_ACS_CONNECTION_STRING}" in exported
    assert f"number: '{DEMO_TWO_WAY}'" in exported


def test_a_short_code_is_found_through_the_short_codes_api(ws: Workspace) -> None:
    acs_workspace(ws)
    ws.edit(
        "        type: toll_free\n",
        f'        type: toll_free\n      - number: "{DEMO_SHORT_CODE}"\n        type: short_code\n'
        '      - number: "55199"\n        type: short_code\n',
    )
    result = ws.plan("--format", "json")
    assert result.exit_code == ExitCode.UNSAFE_PLAN, result.output  # a number ACS lacks
    plan = json.loads(result.stdout)
    verdicts = {c["number"]: c["verdict"] for c in plan["number_checks"]}
    assert verdicts == {
        DEMO_TWO_WAY: "consistent",
        DEMO_SHORT_CODE: "consistent",
        "55199": "not_in_resource",
    }
    assert [u for u in plan["unsafe"] if "55199" in u and "GET /shortCodes" in u]
