"""`removed:` deletes only what smsconf created or adopted (issue 21).

A `removed:` entry is a request, not a licence: a row smsconf did not create (its id is not
the deterministic one) is deleted only when the entry says smsconf adopted it (`managed:
true`), and an out-of-the-box row never is, whatever the delete limits allow. Each refusal is
a located configuration error (exit 3) and nothing is written.
"""

from __future__ import annotations

import re
import uuid

from tools.testkit.workspace import Workspace

from smsconf.exitcodes import ExitCode

ADMIN_QUEUE = str(uuid.uuid4())
MESSAGING_QUEUE = {
    "name": "Made by hand",
    "msdyn_isomnichannelqueue": True,
    "msdyn_queuetype": 192350000,
}


def without_default_queue(ws: Workspace) -> None:
    ws.edit("  - name: Default messaging queue", "  - name: SMS Overflow\n    managed: true\n#")
    ws.edit("fallback_queue: Default messaging queue", "fallback_queue: SMS Overflow")


def test_the_out_of_the_box_queue_is_never_deleted(applied: Workspace) -> None:
    without_default_queue(applied)
    applied.append(
        "removed:\n  - kind: queue\n    name: Default messaging queue\n    managed: true\n"
        "settings:\n  max_deletes: 5\n"
    )
    result = applied.apply("--allow-deletes")
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert re.search(
        r"channels\.yaml:\d+:\d+: error: queue 'Default messaging queue' is the organisation's "
        r"own \(msdyn_isdefaultqueue\): smsconf never deletes it \(at removed\[0\]\.name\)",
        result.output,
    ), result.output
    assert applied.rows("queue", name="Default messaging queue")


def test_a_row_made_elsewhere_is_deleted_only_when_the_entry_says_smsconf_adopted_it(
    applied: Workspace,
) -> None:
    applied.web(lambda dv: dv.upsert("queues", ADMIN_QUEUE, MESSAGING_QUEUE))
    applied.append("removed:\n  - kind: queue\n    name: made by hand\n")
    result = applied.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert f"queue 'Made by hand' was not created by smsconf (id {ADMIN_QUEUE}" in result.output
    assert "say managed: true on this entry" in result.output
    assert re.search(r"channels\.yaml:\d+:\d+: error: queue 'Made by hand'", result.output)

    applied.append("    managed: true\n")
    result = applied.plan("--detailed-exitcode", "--allow-deletes")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "delete queue 'Made by hand'" in result.output


def test_a_row_smsconf_created_is_deleted_when_removed(applied: Workspace) -> None:
    applied.edit("queues:\n", "queues:\n  - name: Spare\n    managed: true\n")
    assert applied.apply().exit_code == 0
    applied.edit("  - name: Spare\n    managed: true\n", "")
    applied.append("removed:\n  - kind: queue\n    name: SPARE\n")
    result = applied.plan("--detailed-exitcode", "--allow-deletes")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "delete queue 'Spare'" in result.output
