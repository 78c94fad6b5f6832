"""`smsconf drift` end to end: admin-center edits on managed columns against platform noise.

Each test starts from the applied example, edits the organisation (or the YAML) the way an
admin or a pull request would, and runs the CLI as a scheduled job does.
"""

from __future__ import annotations

from tools.testkit.workspace import Workspace, applied, applied_db, ws

from smsconf.exitcodes import ExitCode

__all__ = ["applied", "applied_db", "ws"]  # fixtures, used by name

TIER1 = "SMS Support Tier 1"


def tier1_id(ws: Workspace) -> str:
    (row,) = ws.rows("queue", name=TIER1)
    return str(row["queueid"])


def test_nothing_to_report_right_after_apply(applied: Workspace) -> None:
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.OK, result.output
    assert "No drift" in result.stdout


def test_an_admin_center_edit_by_another_person_is_drift_with_who_and_when(
    applied: Workspace,
) -> None:
    """Dana edits the queue's priority in the admin center after smsconf wrote it: drift names
    her (the row's modifiedby, read back) and when, and the arrow runs from what smsconf wrote
    to what she set."""
    applied.update_as("Dana Admin", "queue", tier1_id(applied), {"msdyn_priority": 42})
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "Edited in the organisation since smsconf last wrote it: 1" in result.stdout
    (row,) = applied.rows("queue", name=TIER1)
    assert f"queue '{TIER1}'  [queue[{TIER1}]] by Dana Admin on {row['modifiedon']}" in (
        result.stdout
    )
    assert f"queues[{TIER1}].priority: 10 → 42  (queue.msdyn_priority)" in result.stdout
    assert "Changed in the configuration" not in result.stdout


def test_a_change_made_only_in_the_yaml_is_not_an_edit_in_the_organisation(
    applied: Workspace,
) -> None:
    """smsconf wrote the row last, so the difference is the configuration moving ahead: it is
    reported as not applied yet, its arrow from the organisation's value to the new one."""
    applied.edit("    priority: 10\n", "    priority: 11\n")
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "Edited in the organisation" not in result.stdout
    assert "Changed in the configuration, not applied yet: 1" in result.stdout
    assert f"queues[{TIER1}].priority: 10 → 11  (queue.msdyn_priority)" in result.stdout
    planned = applied.plan("--skip-credentials")
    assert "why: changed in the configuration, not applied yet" in planned.stdout


def test_a_save_that_only_moves_server_owned_fields_is_noise(applied: Workspace) -> None:
    """Saving a row unchanged bumps its version, ETag and modified-on: none of it is drift."""
    queue = tier1_id(applied)
    (before,) = applied.rows("queue", name=TIER1)
    applied.update("queue", queue, {"msdyn_priority": 10})
    (after,) = applied.rows("queue", name=TIER1)
    assert after["@odata.etag"] != before["@odata.etag"]  # the server did move something
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.OK, result.output


def test_columns_under_settings_ignore_are_never_drift(applied: Workspace) -> None:
    applied.append("settings:\n  ignore:\n    queue: [msdyn_priority]\n")
    applied.update("queue", tier1_id(applied), {"msdyn_priority": 42})
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.OK, result.output
    planned = applied.plan("--skip-credentials", "--detailed-exitcode")
    assert planned.exit_code == ExitCode.OK, planned.output


def test_a_pending_removed_entry_is_not_reported_as_added_in_the_org(applied: Workspace) -> None:
    """The YAML moved ahead (a `removed:` entry not applied yet): the org differs, but nobody
    added the workstream, its channel or its contract in the admin center."""
    text = applied.config.read_text(encoding="utf-8")
    kept = text[: text.index("  - name: UK Support\n")]  # the example's last workstream
    applied.config.write_text(kept, encoding="utf-8")
    applied.append("removed:\n  - kind: workstream\n    name: UK Support\n")
    result = applied.smsconf("drift", "examples/")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "Added in the organisation" not in result.stdout
    pending = result.stdout.split("Listed under removed: but still in the organisation")[1]
    assert pending.startswith(" (not applied yet): 3\n"), result.stdout
    assert "workstream 'UK Support'" in pending
    assert "sms channel 'UK Support'" in pending
