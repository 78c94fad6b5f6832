"""`smsconf export` through the command line, against the local organisation.

Issue 6's proof for export: apply the example to a fresh organisation, export it, and a plan of
the exported files exits 0 with --detailed-exitcode (no changes). Edits made outside smsconf
that the language cannot express show up on stderr and in the files, never silently dropped.
"""

from __future__ import annotations

import yaml
from click.testing import CliRunner
from tools.testkit.workspace import (  # the fixtures: applied (and ws, applied_db)
    DEMO_SECRETS,
    Workspace,
    applied,
    applied_db,
    ws,
)

from smsconf.cli import main
from smsconf.emulator.acs import DEMO_OUTBOUND_ONLY
from smsconf.exitcodes import ExitCode
from smsconf.mapping.yaml_out import NOT_EXPORTED, NOT_STORED, SHARED_FILE

__all__ = ["applied", "applied_db", "ws"]  # the fixtures, used by name

# The example's demo keys, under the variable names export writes for its accounts.
KEYS = DEMO_SECRETS


def test_the_exported_example_plans_to_no_changes(applied: Workspace) -> None:
    result = applied.smsconf("export", "--out", "exported")
    assert result.exit_code == ExitCode.OK, result.output
    # the local org's ACS connection is exported by reference, with both its numbers
    assert "Wrote 6 file(s) to exported (0 not exported, 15 field(s) not stored" in result.stdout
    assert applied.smsconf("validate", "exported").exit_code == ExitCode.OK
    plan = applied.smsconf("plan", "exported", "--detailed-exitcode", env=KEYS)
    assert plan.exit_code == ExitCode.OK, plan.output
    assert "No changes." in plan.stdout
    assert "credentials of account 'fabrikam-telesign' (DEMO-CUSTOMER-0002): ok" in plan.stdout
    assert (
        "credentials of account 'contoso-twilio' (ACc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0): ok"
        in plan.stdout
    )


def test_fields_the_organisation_does_not_store_are_listed_per_object(applied: Workspace) -> None:
    """The example's `auth: basic` (Fabrikam) and its numbers' descriptions have no column:
    each such field of each exported object is named by path, on stderr and in the files."""
    result = applied.smsconf("export", "--out", "exported")
    assert result.exit_code == ExitCode.OK, result.output
    shared = (applied.root / "exported" / SHARED_FILE).read_text("utf-8")
    example = yaml.safe_load(applied.config.read_text("utf-8"))
    paths = ["environments[*].gateway", "environments[*].variables"]
    for account in example["accounts"]:
        base = f"accounts[{account['name']}]"
        if account["provider"] == "telesign":
            paths += [f"{base}.auth", f"{base}.endpoint"]
        if account["provider"] == "acs":
            paths += [f"{base}.resource_id", f"{base}.event_grid"]
        paths += [f"{base}.numbers[{n['number']}].description" for n in account["numbers"]]
    # The organisation's ACS connection has one number the example does not list.
    paths.append(f"accounts[contoso-acs].numbers[{DEMO_OUTBOUND_ONLY}].description")
    listed = [
        line.removeprefix("not stored in the organisation: ").split(": ")[0]
        for line in result.stderr.splitlines()
        if line.startswith("not stored in the organisation: ")
    ]
    assert sorted(listed) == sorted(paths)
    auth = "accounts[fabrikam-telesign].auth: exported as the default, tsa"
    assert f"not stored in the organisation: {auth}" in result.stderr
    assert f"{NOT_STORED}\n" in shared
    assert all(f"#   - {path}: " in shared for path in paths)


def test_a_plan_of_the_export_sees_a_later_edit(applied: Workspace) -> None:
    """The round trip is not vacuous: the same plan exits 2 once the organisation moves."""
    assert applied.smsconf("export", "--out", "exported").exit_code == ExitCode.OK
    (queue,) = applied.rows("queue", name="SMS Support VIP")
    applied.update("queue", queue["queueid"], {"msdyn_priority": 7})
    plan = applied.smsconf("plan", "exported", "--detailed-exitcode", env=KEYS)
    assert plan.exit_code == ExitCode.CHANGES, plan.output
    assert "msdyn_priority" in plan.stdout


def test_env_names_the_environment_in_the_files(applied: Workspace) -> None:
    result = applied.smsconf("export", "--out", "exported", "--env", "staging")
    assert result.exit_code == ExitCode.OK, result.output
    shared = yaml.safe_load((applied.root / "exported" / SHARED_FILE).read_text("utf-8"))
    assert shared["environments"] == {"staging": {"target": "local"}}
    plan = applied.smsconf("plan", "exported", "--env", "staging", "--detailed-exitcode", env=KEYS)
    assert plan.exit_code == ExitCode.OK, plan.output


def test_what_cannot_be_expressed_is_listed_on_stderr_and_in_the_files(
    applied: Workspace,
) -> None:
    (uk,) = applied.rows("msdyn_liveworkstream", msdyn_name="UK Support")
    applied.update("msdyn_liveworkstream", uk["msdyn_liveworkstreamid"], {"msdyn_mode": 717210000})
    result = applied.smsconf("export", "--out", "exported")
    assert result.exit_code == ExitCode.OK, result.output
    reason = (
        "workstream 'UK Support': not exported: msdyn_mode 717210000 is not the unified routing "
        "model smsconf writes (a legacy-model workstream)"
    )
    assert f"not exported: {reason}" in result.stderr
    assert "(1 not exported, " in result.stdout
    shared = (applied.root / "exported" / SHARED_FILE).read_text("utf-8")
    assert f"{NOT_EXPORTED}\n" in shared and f"\n#   - {reason}\n" in shared
    assert not (applied.root / "exported" / "workstreams" / "uk-support.yaml").exists()
    plan = applied.smsconf("plan", "exported", "--detailed-exitcode", env=KEYS)
    assert plan.exit_code == ExitCode.OK, plan.output  # left out, so left alone: unmanaged
    assert "workstream 'UK Support'" in plan.stdout


def test_an_export_never_mixes_with_yaml_already_there(applied: Workspace) -> None:
    (applied.root / "exported").mkdir()
    (applied.root / "exported" / "mine.yaml").write_text("accounts: []\n", encoding="utf-8")
    result = applied.smsconf("export", "--out", "exported")
    assert result.exit_code == ExitCode.ERROR
    assert "already holds YAML files" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (applied.root / "exported").iterdir()) == ["mine.yaml"]


def test_export_lives_in_the_help() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert "--target" in result.output and "--out" in result.output and "--env" in result.output
