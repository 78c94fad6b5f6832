"""The routing picture's model: what a change adds, removes and alters, splits and the fallback
on the edges, large rulesets capped, and the picture read back from a saved plan."""

from __future__ import annotations

import pytest

from smsconf.config.model import Condition
from smsconf.routing.graph import (
    MAX_RULES,
    Graph,
    GraphError,
    build,
    changed_workstreams,
    from_dict,
    pictures,
)
from smsconf.routing.model import Rule, Ruleset, WorkstreamRouting

GOLD = Condition(attribute="account.tier", op="eq", value="Gold")
FRENCH = Condition(attribute="sms.locale", op="eq", value="fr-FR")


def routing(
    routes: tuple[Rule, ...],
    rules: tuple[Rule, ...] = (),
    number: str = "14255550100",
    fallback: str = "General",
) -> WorkstreamRouting:
    return WorkstreamRouting(
        name="Support",
        number=number,
        fallback=fallback,
        classification=(Ruleset("Tier", rules),) if rules else (),
        route_to_queue=routes,
    )


def by_label(graph: Graph) -> dict[str, str]:
    """States by label (a queue's label in brackets: a rule and a queue may share a name)."""
    return {f"[{n.label}]" if n.kind == "queue" else n.label: n.state for n in graph.nodes}


def edges(graph: Graph) -> set[tuple[str, str, str, str]]:
    """(source label, target label, edge label, state), ids resolved to labels."""
    names = {n.id: n.label for n in graph.nodes} | {g.id: g.label for g in graph.groups}
    return {(names[e.source], names[e.target], e.label, e.state) for e in graph.edges}


BEFORE = routing(
    (
        Rule("VIP", (GOLD,), queue="VIP"),
        Rule("French", (FRENCH,), split=(("Paris", 50), ("VIP", 50))),
        Rule("Old", (), queue="Legacy"),
    ),
    (Rule("Gold tier", (GOLD,), (("context.Tier", "Gold"),)),),
)
AFTER = routing(
    (
        Rule("VIP", (GOLD,), queue="Priority"),
        Rule("French", (FRENCH,), split=(("Paris", 50), ("VIP", 50))),
        Rule("New", (FRENCH,), queue="Paris"),
    ),
    (Rule("Gold tier", (GOLD,), (("context.Tier", "Gold"),)),),
    number="18005550199",
    fallback="Triage",
)


def test_a_change_is_marked_rule_by_rule_queue_by_queue_edge_by_edge() -> None:
    graph = build(BEFORE, AFTER)
    states = by_label(graph)
    assert graph.state == "altered" and states["Support"] == "altered"
    assert states["VIP"] == "altered"  # its queue moved
    assert states["French"] == "same" and states["Gold tier"] == "same"
    assert states["New"] == "added" and states["Old"] == "removed"
    assert states["[Priority]"] == "added" and states["[Legacy]"] == "removed"
    assert states["[Triage]"] == "added" and states["[General]"] == "removed"
    assert states["[VIP]"] == "same" and states["[Paris]"] == "same"
    assert states["14255550100"] == "removed" and states["18005550199"] == "added"
    drawn = edges(graph)
    assert ("VIP", "VIP", "", "removed") in drawn and ("VIP", "Priority", "", "added") in drawn
    assert {("French", "Paris", "50%", "same"), ("French", "VIP", "50%", "same")} <= drawn
    assert ("route to queue", "Triage", "no match", "added") in drawn
    assert ("route to queue", "General", "no match", "removed") in drawn
    assert ("classification 'Tier'", "route to queue", "", "same") in drawn
    assert graph.counts() == {"added": 1, "removed": 1, "altered": 1}
    order = [n.label for n in graph.nodes if n.kind == "rule" and n.group == "r"]
    assert order == ["VIP", "French", "Old", "New"]  # the removed rule where it stood


def test_a_rule_whose_values_only_differ_in_spelling_is_unchanged() -> None:
    """The organisation's XML carries no types: `"10"` read back is the configuration's 10."""
    before = routing((Rule("Big", (Condition(attribute="x.n", op="gt", value="10"),), queue="Q"),))
    after = routing((Rule("Big", (Condition(attribute="x.n", op="gt", value=10),), queue="Q"),))
    assert build(before, after).state == "same"
    assert pictures([before], [after], {"Support"}) == []


def test_a_new_workstream_is_all_added_and_a_removed_one_all_removed() -> None:
    added, removed = build(None, AFTER), build(BEFORE, None)
    assert added.state == "added" and {n.state for n in added.nodes} == {"added"}
    assert removed.state == "removed" and {n.state for n in removed.nodes} == {"removed"}
    assert {e.state for e in removed.edges} == {"removed"}


def test_only_changed_workstreams_with_a_routing_difference_get_a_picture() -> None:
    other = WorkstreamRouting(name="Sales", number="1")
    assert [g.workstream for g in pictures([BEFORE], [AFTER, other], {"Support"})] == ["Support"]
    assert pictures([BEFORE], [AFTER], {"Sales"}) == []
    assert changed_workstreams(["workstreams[Support].routing.route_to_queue", "queues[X]"]) == {
        "Support"
    }


def test_a_large_ruleset_stays_readable() -> None:
    rules = tuple(Rule(f"rule {i}", (GOLD,), queue=f"Q{i % 7}") for i in range(100))
    changed = tuple(
        Rule(r.name, (FRENCH,), queue=r.queue) if i in (40, 80) else r for i, r in enumerate(rules)
    )
    graph = build(routing(rules), routing(changed))
    drawn = [n for n in graph.nodes if n.kind == "rule"]
    assert len(drawn) == MAX_RULES
    assert {n.label for n in drawn if n.state == "altered"} == {"rule 40", "rule 80"}
    grouped = [n.label for n in graph.nodes if n.kind == "more"]
    assert grouped == ["… 30 unchanged rule(s)", "… 39 unchanged rule(s)", "… 19 unchanged rule(s)"]
    assert graph.notes == ("route to queue: 88 of 100 rules are not drawn",)


def test_a_saved_picture_reads_back_and_a_forged_one_is_refused() -> None:
    graph = build(BEFORE, AFTER)
    assert from_dict(graph.to_dict(), "routing[0]") == graph
    forged = graph.to_dict()
    forged["nodes"][0]["state"] = "exploded"
    with pytest.raises(GraphError, match=r"routing\[0\]\.nodes\[0\]\.state"):
        from_dict(forged, "routing[0]")
    forged = graph.to_dict()
    forged["edges"][0]["extra"] = 1
    with pytest.raises(GraphError, match=r"routing\[0\]\.edges\[0\]"):
        from_dict(forged, "routing[0]")
