"""A ruleset change as a reviewer reads it: rule by rule, queues by name, in the YAML's words.

Two ruleset documents are parsed back into rules (routing_xml.parse_ruleset) and compared by
rule name: a rule added or removed, its condition changed (`rule 'VIP accounts':
account.msdyn_tier eq 'Gold' → 'Platinum'`), its queue changed (`route 'French speakers' → queue
'SMS Support VIP' (was 'SMS Support Tier 1')`), its outputs changed, or the rules reordered
(route-to-queue order decides which of several matching rules applies). A document smsconf did
not write falls back to the element-by-element difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smsconf.config.model import Condition
from smsconf.mapping.routing_xml import Rule, RulesetError, attribute_word, explain, parse_ruleset
from smsconf.platform import vocabulary as vocab

QueueName = Callable[[str], str]


def rule_changes(before: str | None, after: str | None, queue: QueueName) -> tuple[str, ...]:
    """What differs between two rulesets, one line per rule-level change."""
    try:
        old = parse_ruleset(before) if before else []
        new = parse_ruleset(after) if after else []
    except RulesetError:
        return explain(before, after)
    old_by = {r.name: r for r in old}
    new_by = {r.name: r for r in new}
    lines = [f"rule '{r.name}' added: {_rule(r, queue)}" for r in new if r.name not in old_by]
    lines += [
        f"rule '{r.name}' removed (was {_rule(r, queue)})" for r in old if r.name not in new_by
    ]
    for rule in new:
        was = old_by.get(rule.name)
        if was is not None:
            lines += _changed(was, rule, queue)
    kept_old = [r.name for r in old if r.name in new_by]
    kept_new = [r.name for r in new if r.name in old_by]
    if kept_old != kept_new:
        lines.append(f"rule order: {', '.join(kept_old)} → {', '.join(kept_new)}")
    return tuple(lines)


def _changed(was: Rule, now: Rule, queue: QueueName) -> list[str]:
    lines = []
    if was.when != now.when:
        lines.append(f"rule '{now.name}': {_condition_change(was.when, now.when)}")
    if (was.queue, was.split) != (now.queue, now.split):
        lines.append(f"route '{now.name}' → {_target(now, queue)} (was {_target(was, queue)})")
    if was.outputs != now.outputs:
        lines.append(f"rule '{now.name}': set {_outputs(was)} → {_outputs(now)}")
    return lines


def _condition_change(was: list[Condition], now: list[Condition]) -> str:
    """`account.msdyn_tier eq 'Gold' → 'Platinum'` when only the compared value moved."""
    if len(was) == len(now) == 1:
        a, b = was[0], now[0]
        if a.attribute and a.attribute == b.attribute and a.op == b.op:
            return f"{a.attribute} {a.op} {_value(a.value)} → {_value(b.value)}"
    return f"when {_when(was)} → when {_when(now)}"


def _rule(rule: Rule, queue: QueueName) -> str:
    what = _target(rule, queue) if rule.queue or rule.split else f"set {_outputs(rule)}"
    return f"when {_when(rule.when)} → {what}"


def _when(conditions: list[Condition]) -> str:
    return " and ".join(_condition(c) for c in conditions) if conditions else "always"


def _condition(condition: Condition) -> str:
    if condition.all is not None:
        return "(" + " and ".join(_condition(c) for c in condition.all) + ")"
    if condition.any is not None:
        return "(" + " or ".join(_condition(c) for c in condition.any) + ")"
    if condition.op in ("null", "not_null"):
        return f"{condition.attribute} {condition.op}"
    return f"{condition.attribute} {condition.op} {_value(condition.value)}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _target(rule: Rule, queue: QueueName) -> str:
    if rule.split:
        return "split " + ", ".join(f"'{queue(q)}' {p}%" for q, p in rule.split)
    return f"queue '{queue(rule.queue)}'" if rule.queue else "no queue"


def _outputs(rule: Rule) -> str:
    def name(path: str) -> str:
        if path == vocab.CLASSIFICATION_OUTPUT_PRIORITY:
            return "priority"
        try:
            return attribute_word(path)
        except RulesetError:
            return path

    return ", ".join(f"{name(p)} = {_value(v)}" for p, v in rule.outputs) or "nothing"
