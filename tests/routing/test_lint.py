"""Routing lint on a crafted configuration: each problem located (file:line:col) at the line
that causes it, by `validate` and by `plan` alike.

The product accepts some of these and they never act (warnings: validate and plan succeed);
the others it refuses (errors: a split not totalling 100, a number on two channels, a context
variable nobody declared), so validate and plan fail with all of them at once.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.testkit.workspace import Workspace

from smsconf.exitcodes import ExitCode
from smsconf.platform.vocabulary import WEEKDAY

LOCATED = re.compile(
    r"^(?P<file>[^:\n]+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<level>\w+): (?P<msg>.*)$", re.M
)

WARNINGS = {
    # message fragment → the text of the line it must point at
    "'Never reached' never applies: the earlier rule 'Everything to sales'": "name: Never reached",
    "'Gold and Silver' never matches: account.msdyn_tier cannot be 'Gold' and 'Silver'": "when:",
    "'Many open cases' reads context.OpenCases, which no earlier classification rule sets": "when:",
}
ERRORS = {
    "split percentages must add up to 100": "split:",
    "number 14255550100 already serves the SMS channel of workstream 'SMS Support'": "number:",
    "context variable 'Missing' is not declared on this workstream": "attribute: context.Missing",
}


def craft_warnings(ws: Workspace) -> None:
    """Rules the product accepts that never act, and a queue with shorter hours than its
    channel's."""
    ws.edit(
        "        - name: Everything to sales\n          queue: SMS Sales\n",
        "        - name: Everything to sales\n          queue: SMS Sales\n"
        "        - name: Never reached\n          when:\n"
        "            - {attribute: conversation.msdyn_title, op: contains, value: refund}\n"
        "          queue: SMS Sales\n",
    )
    ws.edit(
        "          split:\n            - queue: SMS Support Tier 1\n",
        "          queue: SMS Support Tier 1\n"
        "        - name: Gold and Silver\n          when:\n"
        "            - {attribute: account.msdyn_tier, op: eq, value: Gold}\n"
        "            - {attribute: account.msdyn_tier, op: eq, value: Silver}\n"
        "          queue: SMS Support Tier 1\n"
        "        - name: Many open cases\n          when:\n"
        "            - {attribute: context.OpenCases, op: gt, value: 3}\n"
        "          split:\n            - queue: SMS Support Tier 1\n",
    )


def craft_errors(ws: Workspace) -> None:
    ws.edit("              percent: 80\n", "              percent: 70\n")
    ws.edit('      number: "447700900123"\n', '      number: "14255550100"\n')
    read = "            - attribute: context.{}\n              op: eq\n              value: VIP\n"
    ws.edit(read.format("CustomerTier"), read.format("Missing"))


def located(output: str, level: str) -> dict[str, str]:
    """Each located problem of `level`: its message → the text of the line it points at,
    from the column it names (the file read back, so the location is checked, not trusted)."""
    found = {}
    for m in LOCATED.finditer(output):
        if m["level"] != level:
            continue
        line = Path(m["file"]).read_text(encoding="utf-8").splitlines()[int(m["line"]) - 1]
        found[m["msg"]] = line[int(m["col"]) - 1 :]
    return found


def assert_each_located(output: str, level: str, expected: dict[str, str]) -> None:
    problems = located(output, level)
    for fragment, line in expected.items():
        at = [where for message, where in problems.items() if fragment in message]
        assert at, f"no located {level} says {fragment!r} in:\n{output}"
        assert at[0].startswith(line), (fragment, at[0])


def test_validate_and_plan_locate_each_routing_warning(ws: Workspace) -> None:
    craft_warnings(ws)
    checked = ws.smsconf("validate", "examples/")
    assert checked.exit_code == ExitCode.OK, checked.output
    assert_each_located(checked.output, "warning", WARNINGS)
    planned = ws.plan("--skip-credentials")
    assert planned.exit_code in (ExitCode.OK, ExitCode.CHANGES), planned.output
    assert_each_located(planned.output, "warning", WARNINGS)
    assert located(checked.output, "warning") == located(planned.output, "warning")


def test_validate_and_plan_locate_each_routing_error_at_once(ws: Workspace) -> None:
    craft_errors(ws)
    for result in (ws.smsconf("validate", "examples/"), ws.plan("--skip-credentials")):
        assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
        assert_each_located(result.output, "error", ERRORS)


def test_the_example_has_no_routing_warning(ws: Workspace) -> None:
    """The lint is quiet on a configuration that means what it says."""
    checked = ws.smsconf("validate", "examples/")
    assert checked.exit_code == ExitCode.OK and not located(checked.output, "warning"), (
        checked.output
    )


def test_plan_locates_a_route_to_a_queue_closed_while_its_channel_is_open(ws: Workspace) -> None:
    """Operating hours are named in the configuration, their schedules kept in the
    organisation: validate cannot know them, plan reads them and warns in the plan itself."""
    ws.edit(
        "    assignment: longest_idle\n",
        "    assignment: longest_idle\n    operating_hours: Business hours\n",
    )
    checked = ws.smsconf("validate", "examples/")
    assert checked.exit_code == ExitCode.OK and "closed" not in checked.output, checked.output
    before = ws.plan("--skip-credentials")  # opens the local organisation: its hours exist
    assert "closed at times" not in before.output  # schedules not read yet: unknown, no warning
    weekdays = ",".join(str(WEEKDAY[d]) for d in ("mon", "tue", "wed", "thu", "fri"))
    for name, schedule in (
        ("Business hours", {"msdyn_oc_daysofweek": weekdays, "msdyn_enablealldays": False}),
        ("Always open", {"msdyn_enablealldays": True}),
    ):
        (row,) = ws.rows("msdyn_operatinghour", msdyn_name=name)
        times = {"msdyn_starttimestring": "08:00", "msdyn_endtimestring": "18:00"}
        ws.update("msdyn_operatinghour", row["msdyn_operatinghourid"], {**schedule, **times})
    planned = ws.plan("--skip-credentials")
    assert planned.exit_code in (ExitCode.OK, ExitCode.CHANGES), planned.output
    notes = re.findall(
        r"! routing \((.+?):(\d+):(\d+)\): warning: (rule '[^']+') routes to queue "
        r"'SMS Sales', which is closed at times the channel is open",
        planned.output,
    )
    assert {n[3] for n in notes} == {"rule 'Order questions'", "rule 'Everything to sales'"}, (
        planned.output
    )
    for file, line, col, rule in notes:
        text = Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1][int(col) - 1 :]
        assert text == f"name: {rule[6:-1]}"
