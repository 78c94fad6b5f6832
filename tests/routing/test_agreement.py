"""One evaluator, two inputs, one answer: on generated rules and conversations, the routing the
configuration describes and the routing read back from the rows and ruleset XML smsconf writes
for it (`mapping.desired` → `mapping.routing_xml` → `routing.sources.from_live`) route alike.

So the YAML ↔ XML codec cannot lose a condition, a group, an operator, a value's meaning, an
output, a queue or a share without this failing: `smsconf route --live` explains what the
organisation does exactly as `smsconf route` explains what the configuration will do.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tools.testkit.workspace import EXAMPLES, make_workspace

from smsconf.config.loader import Loaded, load
from smsconf.config.model import (
    ClassificationRule,
    ClassificationRuleset,
    Condition,
    QueueRule,
    QueueShare,
    Routing,
)
from smsconf.connect import open_target
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.live import LiveState
from smsconf.reconcile.live import read_live
from smsconf.routing.evaluate import Outcome, conversation, evaluate, typed
from smsconf.routing.model import WorkstreamRouting
from smsconf.routing.sources import from_config, from_live

WORKSTREAM = "SMS Support"
QUEUES = ("SMS Support Tier 1", "SMS Support VIP", "SMS Sales", "Default messaging queue")
VALUES: dict[str, list[Any]] = {
    "account.msdyn_tier": ["Gold", "gold", "Silver", "7"],
    "sms.locale": ["fr-FR", "en-US", "FR"],
    "contact.msdyn_age": [1, 5, "5", 10, 2.5],
    "conversation.msdyn_createdon": ["2026-12-05T19:00:00"],
    "context.CustomerTier": ["VIP", "Standard"],
    "context.OpenCases": [0, 3, 7],
}
OUTPUTS: dict[str, list[Any]] = {
    "context.CustomerTier": ["VIP", "Standard", "7"],
    "context.OpenCases": [0, 3, 7, "3"],
    "priority": [1, 5, 10],
}
AT = datetime(2026, 12, 5, 19, 0)


@st.composite
def comparison(draw: st.DrawFn) -> Condition:
    attribute = draw(st.sampled_from(sorted(VALUES)))
    op = draw(st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "in", "contains", "null"]))
    if op == "null":
        op = draw(st.sampled_from(["null", "not_null"]))
        return Condition(attribute=attribute, op=op)
    pool = VALUES[attribute]
    if op == "in":
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        return Condition(attribute=attribute, op="in", value=values)
    return Condition(attribute=attribute, op=op, value=draw(st.sampled_from(pool)))


conditions = st.recursive(
    comparison(),
    lambda inner: st.builds(
        lambda group, parts: Condition(**{group: parts}),
        st.sampled_from(["all", "any"]),
        st.lists(inner, min_size=1, max_size=3),
    ),
    max_leaves=6,
)
whens = st.lists(conditions, max_size=3)


@st.composite
def routing(draw: st.DrawFn) -> Routing:
    rulesets = [
        ClassificationRuleset(
            name=f"Ruleset {i}",
            rules=[
                ClassificationRule(
                    name=f"Rule {i}.{j}",
                    when=draw(whens),
                    set={
                        name: draw(st.sampled_from(OUTPUTS[name]))
                        for name in draw(
                            st.lists(st.sampled_from(sorted(OUTPUTS)), min_size=1, unique=True)
                        )
                    },
                )
                for j in range(draw(st.integers(1, 4)))
            ],
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    routes = []
    for j in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            target: dict[str, Any] = {"queue": draw(st.sampled_from(QUEUES))}
        else:
            first, second = draw(st.permutations(QUEUES))[:2]
            share = draw(st.integers(1, 99))
            target = {
                "split": [
                    QueueShare(queue=first, percent=share),
                    QueueShare(queue=second, percent=100 - share),
                ]
            }
        routes.append(QueueRule(name=f"Route {j}", when=draw(whens), **target))
    return Routing(classification=rulesets, route_to_queue=routes)


inputs = st.dictionaries(
    st.sampled_from(sorted(VALUES)), st.sampled_from([v for pool in VALUES.values() for v in pool])
)
"""A conversation's attributes: any value on any attribute (a number where text is compared)."""


class Base:
    """The example and the organisation, shown in one line when an example fails (hypothesis
    prints a dataclass member by member: every row)."""

    def __init__(self, loaded: Loaded, live: LiveState) -> None:
        self.loaded, self.live = loaded, live

    def __repr__(self) -> str:  # a failing example prints its arguments: not every row
        return "Base(the example, an empty local organisation)"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    """The example and what an empty local organisation holds (looked-up queues, hours)."""
    with pytest.MonkeyPatch.context() as mp:
        make_workspace(tmp_path_factory.mktemp("agreement"), mp)
        loaded = load([str(Path(EXAMPLES))])

        async def read() -> LiveState:
            async with open_target("local") as target:
                return await read_live(target.dataverse, loaded.config)

        return Base(loaded, asyncio.run(read()))


def written(config: Any, live: LiveState) -> dict[str, list[dict[str, Any]]]:
    """The organisation's rows once `config` is applied: what smsconf writes (lookups as
    `_x_value`, as the Web API reads them back) over what the organisation already had."""
    rows = {table: list(table_rows) for table, table_rows in live.rows.items()}
    desired, _ = desired_rows(config, live)
    for row in desired:
        stored = {f"{row.table}id": row.id, **row.columns}
        stored |= {f"_{column}_value": target for column, target in row.links.items()}
        rows.setdefault(row.table, []).append(stored)
    return rows


def answer(routing: WorkstreamRouting, values: dict[str, Any]) -> tuple[Any, ...]:
    outcome: Outcome = evaluate(routing, conversation(routing, AT, "33612345678", values), AT)
    applied = tuple(r.applied.rule.name if r.applied else None for r in outcome.classification)
    # values as the engine compares them: rule documents carry no types ("7" is 7)
    after = {
        k: typed(v) for k, v in outcome.attributes.items() if k.startswith(("context.", "conv"))
    }
    return (applied, outcome.queue, outcome.split, outcome.fallback, outcome.reason, after)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(routing(), st.lists(inputs, min_size=1, max_size=4))
def test_the_configuration_and_the_xml_it_writes_route_alike(
    base: Base, generated: Routing, conversations: list[dict[str, Any]]
) -> None:
    loaded, live = base.loaded, base.live
    workstreams = [
        ws.model_copy(update={"routing": generated}) if ws.name == WORKSTREAM else ws
        for ws in loaded.config.workstreams
    ]
    config = loaded.config.model_copy(update={"workstreams": workstreams})
    (from_yaml,) = [r for r in from_config(config) if r.name == WORKSTREAM]
    read_back, problems = from_live(written(config, live))
    assert problems == []
    (from_xml,) = [r for r in read_back if r.name == WORKSTREAM]
    messages = {r.name: r.outside_hours_message for r in from_config(config)}
    assert {r.name: r.outside_hours_message for r in read_back} == messages
    assert [len(r.rules) for r in from_xml.classification] == [
        len(r.rules) for r in from_yaml.classification
    ]
    for values in conversations:
        assert answer(from_xml, values) == answer(from_yaml, values), values
