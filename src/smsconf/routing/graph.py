"""The routing of one workstream as a graph, with what a plan changes marked: one model for the
Markdown plan's Mermaid flowchart and the HTML report's SVG (`render.routing_graph`).

number → workstream → each classification ruleset (its rules) → the route-to-queue rules →
queues, the splits' shares and the fallback on the edges. Built from the routing the
organisation has now (`sources.from_live`) and the one the configuration makes
(`sources.from_config`), so a rule, queue or edge is `added`, `removed`, `altered` or `same`.
Computed when planning and saved in the plan (`Plan.routing`): a saved plan draws the picture
of the organisation it was made against. Ids are generated (`w`, `g1r3`, `q2`), never a name, so
no name can be Mermaid or SVG syntax; a large ruleset is capped, what is left out is counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from smsconf.config.model import Condition, Config
from smsconf.routing.evaluate import describe, typed
from smsconf.routing.model import Rule, Ruleset, WorkstreamRouting
from smsconf.routing.sources import from_config, from_live

State = Literal["added", "removed", "altered", "same"]
STATES: tuple[State, ...] = ("added", "removed", "altered", "same")
KINDS = ("number", "workstream", "rule", "more", "queue")
MAX_RULES = 12
"""Rules drawn per ruleset: beyond it unchanged rules are grouped into one node, then the rest
counted, so a 100-rule ruleset stays readable (and under Mermaid's size limits)."""
DETAIL_CHARS = 44
WORKSTREAM = re.compile(r"^workstreams\[([^\]]+)\]")


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    label: str
    state: State = "same"
    detail: tuple[str, ...] = ()
    """Up to two short lines under the label: a rule's conditions, what it sets."""
    group: str = ""
    """The ruleset (a `Group` id) the node is drawn in, or empty."""
    layer: int = 0
    """Its column, left to right: number, workstream, each ruleset, route to queue, queues."""


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    state: State = "same"
    layer: int = 0


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    state: State = "same"


@dataclass(frozen=True)
class Graph:
    workstream: str
    state: State
    nodes: tuple[Node, ...] = ()
    groups: tuple[Group, ...] = ()
    edges: tuple[Edge, ...] = ()
    notes: tuple[str, ...] = ()
    """What the picture leaves out or cannot show, one sentence each."""

    def counts(self) -> dict[str, int]:
        """How many rules the change adds, removes and alters (the picture's caption)."""
        rules = [n for n in self.nodes if n.kind == "rule"]
        return {s: sum(n.state == s for n in rules) for s in STATES if s != "same"}

    def to_dict(self) -> dict[str, Any]:
        """As the plan file holds it (JSON's lists, not tuples: a file read back compares)."""
        return {
            "workstream": self.workstream,
            "state": self.state,
            "nodes": [{**asdict(n), "detail": list(n.detail)} for n in self.nodes],
            "groups": [asdict(g) for g in self.groups],
            "edges": [asdict(e) for e in self.edges],
            "notes": list(self.notes),
        }


class GraphError(ValueError):
    """A saved plan's routing picture is not what `Graph.to_dict` writes."""


def _merged(before: Sequence[Rule], after: Sequence[Rule]) -> list[tuple[Rule, State]]:
    """The rules of both sides in the configuration's order, a removed rule where it stood."""
    new = {r.name: r for r in after}
    old = {r.name: r for r in before}
    merged: list[tuple[Rule, State]] = [
        (r, "added" if r.name not in old else _compare(old[r.name], r)) for r in after
    ]
    for i, rule in enumerate(before):
        if rule.name in new:
            continue
        previous = next((b.name for b in reversed(before[:i]) if b.name in new), None)
        at = next((j + 1 for j, (r, _) in enumerate(merged) if r.name == previous), 0)
        merged.insert(at, (rule, "removed"))
    return merged


def signature(rule: Rule) -> tuple[Any, ...]:
    """What a rule does, with values as the engine compares them (`"1"` is `1`)."""
    return (
        tuple(_condition_key(c) for c in rule.when),
        tuple((k, repr(typed(v))) for k, v in rule.sets),
        rule.queue,
        rule.split,
    )


def _condition_key(condition: Condition) -> tuple[Any, ...]:
    if condition.attribute is None:
        group = "all" if condition.all is not None else "any"
        return (group, tuple(_condition_key(c) for c in condition.all or condition.any or []))
    value = condition.value
    values = tuple(repr(typed(v)) for v in value) if isinstance(value, list) else repr(typed(value))
    return (condition.attribute, condition.op, values)


def _compare(before: Rule, after: Rule) -> State:
    return "same" if signature(before) == signature(after) else "altered"


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _detail(rule: Rule) -> tuple[str, ...]:
    when = " and ".join(describe(c) for c in rule.when)
    lines = [_cut(f"when {when}" if when else "always")]
    if rule.sets:
        lines.append(_cut("sets " + ", ".join(f"{k} = {v}" for k, v in rule.sets)))
    return tuple(lines)


def _targets(rule: Rule) -> list[tuple[str, str]]:
    """(queue, edge label) of a route-to-queue rule: a split's shares on its edges."""
    if rule.split:
        return [(q, f"{p}%") for q, p in rule.split]
    return [(rule.queue, "")] if rule.queue else []


@dataclass
class _Builder:
    nodes: list[Node] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    edges: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    queue_sides: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def edge(self, source: str, target: str, label: str, side: str) -> None:
        self.edges.setdefault((source, target, label), set()).add(side)

    def queue(self, name: str, side: str) -> str:
        if name not in self.queues:
            self.queues[name] = f"q{len(self.queues)}"
        self.queue_sides.setdefault(name, set()).add(side)
        return self.queues[name]

    def rules(
        self,
        gid: str,
        layer: int,
        merged: list[tuple[Rule, State]],
        link: Callable[[str, Rule, State], None],
        title: str,
    ) -> None:
        """Draw up to MAX_RULES rules; runs of unchanged rules beyond that become one node."""
        changed = sum(state != "same" for _, state in merged)
        room_for_same = max(0, MAX_RULES - changed)
        drawn, hidden = 0, 0
        run: list[Rule] = []

        def flush() -> None:
            nonlocal hidden
            if run:
                count = len(run)
                hidden += count
                self.nodes.append(
                    Node(
                        f"{gid}m{len(self.nodes)}",
                        "more",
                        f"… {count} unchanged rule(s)",
                        group=gid,
                        layer=layer,
                    )
                )
                run.clear()

        for i, (rule, state) in enumerate(merged):
            keep = state != "same" or room_for_same > 0
            if keep and drawn < MAX_RULES:
                flush()
                if state == "same":
                    room_for_same -= 1
                rid = f"{gid}r{i}"
                self.nodes.append(Node(rid, "rule", rule.name, state, _detail(rule), gid, layer))
                link(rid, rule, state)
                drawn += 1
            else:
                run.append(rule)
        flush()
        if hidden:
            self.notes.append(f"{title}: {hidden} of {len(merged)} rules are not drawn")


def _sides(state: State) -> tuple[str, ...]:
    return {"added": ("after",), "removed": ("before",)}.get(state, ("before", "after"))


def _state(sides: set[str]) -> State:
    if sides == {"after"}:
        return "added"
    if sides == {"before"}:
        return "removed"
    return "same"


def _group_state(
    present: set[str],
    merged: list[tuple[Rule, State]],
    before: Sequence[Rule],
    after: Sequence[Rule],
) -> State:
    """A ruleset is altered when a rule of it is, or its rules' order changes."""
    state = _state(present)
    moved = [r.name for r in before] != [r.name for r in after]
    if state == "same" and (moved or any(s != "same" for _, s in merged)):
        return "altered"
    return state


def build(before: WorkstreamRouting | None, after: WorkstreamRouting | None) -> Graph:
    """The picture of a workstream's routing going from `before` (the organisation; None: not
    there yet) to `after` (the configuration; None: the change removes it)."""
    either = after or before
    assert either is not None
    b = _Builder()
    sides = {"before": before, "after": after}
    numbers = {side: r.number for side, r in sides.items() if r is not None and r.number}
    for i, number in enumerate(dict.fromkeys(numbers.values())):
        present = {side for side, n in numbers.items() if n == number}
        b.nodes.append(Node(f"n{i}", "number", number, _state(present), layer=0))
        for side in present:
            b.edge(f"n{i}", "w", "", side)
    b.nodes.append(Node("w", "workstream", either.name, "same", layer=1))
    previous = {side: "w" for side, r in sides.items() if r is not None}
    layer = 2
    names = dict.fromkeys(
        [r.name for r in (before.classification if before else ())]
        + [r.name for r in (after.classification if after else ())]
    )
    old_sets = {r.name: r for r in (before.classification if before else ())}
    new_sets = {r.name: r for r in (after.classification if after else ())}
    order = [r.name for r in (after.classification if after else ())]
    order += [n for n in names if n not in order]
    for g, name in enumerate(order):
        gid = f"g{g}"
        old, new = old_sets.get(name), new_sets.get(name)
        merged = _merged(_rules(old), _rules(new))
        b.rules(gid, layer, merged, lambda *_: None, f"classification '{name}'")
        present = {side for side, rs in (("before", old), ("after", new)) if rs is not None}
        state = _group_state(present, merged, _rules(old), _rules(new))
        b.groups.append(Group(gid, f"classification '{name}'", state, layer))
        for side in present:
            b.edge(previous[side], gid, "", side)
            previous[side] = gid
        layer += 1
    routes = _merged(before.route_to_queue if before else (), after.route_to_queue if after else ())
    queue_layer = layer + 1 if routes else layer

    def link(rid: str, rule: Rule, state: State) -> None:
        for side in _sides(state):
            routing = sides[side]
            assert routing is not None
            match = next((r for r in routing.route_to_queue if r.name == rule.name), rule)
            for queue, label in _targets(match):
                b.edge(rid, b.queue(queue, side), label, side)

    if routes:
        b.rules("r", layer, routes, link, "route to queue")
        present = {side for side, r in sides.items() if r is not None and r.route_to_queue}
        old_routes = before.route_to_queue if before else ()
        new_routes = after.route_to_queue if after else ()
        state = _group_state(present, routes, old_routes, new_routes)
        b.groups.append(Group("r", "route to queue", state, layer))
        for side in present:
            b.edge(previous[side], "r", "", side)
            previous[side] = "r"
    for side, routing in sides.items():
        if routing is not None and routing.fallback:
            b.edge(previous[side], b.queue(routing.fallback, side), "no match", side)
    for name, qid in b.queues.items():
        b.nodes.append(Node(qid, "queue", name, _state(b.queue_sides[name]), layer=queue_layer))
    edges = tuple(Edge(s, t, label, _state(present)) for (s, t, label), present in b.edges.items())
    whole: State = "added" if before is None else "removed" if after is None else "same"
    if whole == "same" and (
        any(n.state != "same" for n in b.nodes)
        or any(g.state != "same" for g in b.groups)
        or any(e.state != "same" for e in edges)
    ):
        whole = "altered"
    nodes = tuple(replace(n, state=whole) if n.id == "w" else n for n in b.nodes)
    return Graph(either.name, whole, nodes, tuple(b.groups), edges, tuple(b.notes))


def _rules(ruleset: Ruleset | None) -> tuple[Rule, ...]:
    return ruleset.rules if ruleset is not None else ()


def changed_workstreams(paths: Iterable[str]) -> set[str]:
    """The workstreams a plan's changes are written under (their YAML paths)."""
    return {m[1] for p in paths if (m := WORKSTREAM.match(p))}


def of_plan(
    config: Config, rows: dict[str, list[dict[str, Any]]], paths: Iterable[str]
) -> list[Graph]:
    """The pictures of a plan: the organisation's rows before, the configuration after (only
    the workstreams the plan changes are read: a plan of 1,000 touching ten reads ten)."""
    changed = changed_workstreams(paths)
    # A workstream renamed by `renamed_from:` is the same workstream: before, it is the
    # organisation's under its old name.
    renamed = {ws.renamed_from: ws.name for ws in config.workstreams if ws.renamed_from}
    olds = {old for old, new in renamed.items() if new in changed}
    before, unreadable = from_live(rows, changed | olds)
    before = [replace(r, name=renamed[r.name]) if r.name in olds else r for r in before]
    return pictures(before, from_config(config, only=changed), changed, unreadable)


def pictures(
    before: Sequence[WorkstreamRouting],
    after: Sequence[WorkstreamRouting],
    changed: set[str],
    unreadable: Sequence[str] = (),
) -> list[Graph]:
    """A picture for each workstream among `changed` whose routing differs, in the
    configuration's order (removed workstreams last)."""
    old = {r.name: r for r in before}
    new = {r.name: r for r in after}
    names = [r.name for r in after] + [r.name for r in before if r.name not in new]
    graphs = []
    for name in names:
        if name not in changed:
            continue
        graph = build(old.get(name), new.get(name))
        if graph.state == "same":
            continue
        notes = tuple(u for u in unreadable if u.startswith(f"workstream '{name}'"))
        graphs.append(replace(graph, notes=graph.notes + notes))
    return graphs


# --- a saved plan's pictures, read back ----------------------------------------------------------


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if type(value) is not list or any(type(v) is not str for v in value):
        raise GraphError(f"{where} is not a list of strings")
    return tuple(value)


def _record(cls: Any, value: Any, where: str) -> Any:
    names = list(cls.__dataclass_fields__)
    if type(value) is not dict or set(value) != set(names):
        raise GraphError(f"{where} is not a {cls.__name__.lower()} with members {names}")
    data = dict(value)
    for name in names:
        item = data[name]
        if name == "detail":
            data[name] = _strings(item, f"{where}.detail")
        elif name == "layer":
            if type(item) is not int:
                raise GraphError(f"{where}.layer is not an integer")
        elif type(item) is not str:
            raise GraphError(f"{where}.{name} is not a string")
    if "kind" in data and data["kind"] not in KINDS:
        raise GraphError(f"{where}.kind {data['kind']!r} is not one of {list(KINDS)}")
    if "state" in data and data["state"] not in STATES:
        raise GraphError(f"{where}.state {data['state']!r} is not one of {list(STATES)}")
    return cls(**data)


def from_dict(value: Any, where: str) -> Graph:
    """A picture as `to_dict` writes it, or GraphError naming the member that is not."""
    members = ("workstream", "state", "nodes", "groups", "edges", "notes")
    if type(value) is not dict or set(value) != set(members):
        raise GraphError(f"{where} is not a routing picture with members {list(members)}")
    lists = {}
    for name, cls in (("nodes", Node), ("groups", Group), ("edges", Edge)):
        items = value[name]
        if type(items) is not list:
            raise GraphError(f"{where}.{name} is not a list")
        lists[name] = tuple(_record(cls, v, f"{where}.{name}[{i}]") for i, v in enumerate(items))
    if type(value["workstream"]) is not str or value["state"] not in STATES:
        raise GraphError(f"{where}: workstream is not a string or state not one of {STATES}")
    return Graph(
        value["workstream"],
        value["state"],
        lists["nodes"],
        lists["groups"],
        lists["edges"],
        _strings(value["notes"], f"{where}.notes"),
    )
