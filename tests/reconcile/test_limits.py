"""Values the product cannot store are configuration errors before apply (issue 21): at
validate for routing documents (a 1 MB condition), at plan for every text column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace

from smsconf.config.loader import load
from smsconf.config.model import Routing
from smsconf.exitcodes import ExitCode
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.limits import (
    OFFLINE_ORG,
    ROUTING_GROWTH,
    RULESET_MAX,
    _Offline,
    stored_length,
)

MEGABYTE_CONDITION = "value: Gold", f'value: "{"G" * (RULESET_MAX + 1)}"'


def test_a_one_megabyte_condition_is_refused_at_validate_where_it_is(ws: Workspace) -> None:
    ws.edit(*MEGABYTE_CONDITION)
    result = ws.smsconf("validate", "examples/")
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output[:2000]
    assert re.search(
        r"channels\.yaml:\d+:\d+: error: classification ruleset 'Customer tier' of workstream "
        r"'SMS Support' would write [\d,]+ characters to msdyn_decisionruleset\."
        r"msdyn_rulesetdefinition, which holds at most 1,048,576 \(at workstreams\[0\]\.routing"
        r"\.classification\[0\]\)",
        result.output,
    ), result.output[:2000]
    assert result.output.count("would write") == 1  # once, not once per environment


def test_a_composed_name_past_its_column_is_refused_before_apply_writes(ws: Workspace) -> None:
    """The routing configuration is named '<workstream> routing' (100 characters at most): a
    97-character workstream name passes the schema but cannot be stored."""
    long_name = "S" * 97
    ws.edit("  - name: SMS Sales\n    fallback_queue", f"  - name: {long_name}\n    fallback_queue")
    result = ws.apply()
    assert result.exit_code == ExitCode.INVALID_CONFIG, result.output
    assert (
        f"routing configuration of workstream '{long_name}' would write 105 characters to "
        "msdyn_routingconfiguration.msdyn_name, which holds at most 100"
    ) in result.output
    assert not ws.rows("msdyn_liveworkstream")  # nothing was written


def test_lengths_count_utf16_units_as_dataverse_does() -> None:
    assert stored_length("abc") == 3
    assert stored_length("é") == 1
    assert stored_length("😀😀") == 4


@pytest.mark.parametrize(
    "when",
    [
        [{"attribute": "sms.a", "op": "not_null"}] * 200,  # the most nodes per character
        [{"attribute": "contact.x", "value": "\"<&>'" * 50}] * 20,  # the most escaping
        [{"attribute": "account.y", "op": "in", "value": ["a"] * 300}],
        [{"any": [{"attribute": "context.V", "value": 1}] * 50}] * 5,
    ],
)
def test_a_ruleset_document_is_within_its_bound_of_the_routing_json(
    tmp_path: Path, when: list
) -> None:
    """What lets validate map only heavy routing: the document never outgrows the bound."""
    config = load([Path("examples")]).config
    ws = config.workstreams[0]
    routing = Routing.model_validate(
        {
            "classification": [
                {"name": "r", "rules": [{"name": "x", "when": when, "set": {"priority": 1}}]}
            ],
            "route_to_queue": [{"name": "q", "when": when, "queue": "SMS Sales"}],
        }
    )
    part = config.model_copy(update={"workstreams": [ws.model_copy(update={"routing": routing})]})
    rows, _ = desired_rows(part, _Offline(OFFLINE_ORG, {}))
    documents = [
        r.columns["msdyn_rulesetdefinition"] for r in rows if r.table == "msdyn_decisionruleset"
    ]
    assert len(documents) == 2
    budget = len(routing.model_dump_json()) * ROUTING_GROWTH
    assert all(len(d) <= budget for d in documents), [len(d) for d in documents]
