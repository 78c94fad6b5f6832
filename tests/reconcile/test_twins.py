"""Rows duplicated by natural key in the organisation (issue 21): two queues of one name are
reported as a problem naming both rows, never silently resolved to one of them.
"""

from __future__ import annotations

import re
import uuid

from tools.testkit.workspace import Workspace

from smsconf.exitcodes import ExitCode


def add_queue(ws: Workspace, name: str) -> str:
    """A messaging queue made in the admin center (not by smsconf): its id is random."""
    row_id = str(uuid.uuid4())
    body = {"name": name, "msdyn_isomnichannelqueue": True, "msdyn_queuetype": 192350000}
    ws.web(lambda dv: dv.upsert("queues", row_id, body))
    return row_id


def ids_of(ws: Workspace, name: str) -> list[str]:
    return [str(r["queueid"]).lower() for r in ws.rows("queue", name=name)]


def test_a_managed_queue_with_a_twin_stops_the_plan_naming_both(applied: Workspace) -> None:
    add_queue(applied, "sms sales")  # the same name as the admin center compares names
    both = ids_of(applied, "SMS Sales")
    assert len(both) == 2
    result = applied.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    line = next(x for x in result.output.splitlines() if "rows named" in x)
    assert re.match(r".*channels\.yaml:\d+:\d+: error: the organisation has 2 queue rows", line)
    assert all(row_id in line for row_id in both), line


def test_a_looked_up_queue_with_a_twin_stops_the_plan_naming_both(applied: Workspace) -> None:
    twin = add_queue(applied, "Default messaging queue")
    result = applied.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert "2 queue rows named 'Default messaging queue'" in result.output
    assert twin in result.output and all(
        i in result.output for i in ids_of(applied, "Default messaging queue")
    )


def test_twins_the_configuration_never_names_are_both_listed(applied: Workspace) -> None:
    add_queue(applied, "Made by hand")
    add_queue(applied, "Made by hand")
    result = applied.plan()
    assert result.exit_code == ExitCode.OK, result.output
    assert result.output.count("= queue 'Made by hand'") == 2
