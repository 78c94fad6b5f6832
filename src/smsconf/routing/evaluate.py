"""Unified routing's evaluation of one conversation (the rules in `platform/routing.py`).

Pure: a `WorkstreamRouting`, the conversation's attributes and a time in, an `Outcome` out,
recording for every rule which conditions held, so `smsconf route` can say why, and a test can
compare the answers of the configuration and of the organisation's XML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smsconf.config.model import Condition
from smsconf.routing.model import Hours, Rule, Ruleset, WorkstreamRouting

PRIORITY = "conversation.msdyn_priorityscore"
CREATED_ON = "conversation.msdyn_createdon"
ORG_NUMBER = "sms.msdyn_orgphonenumber"
CUSTOMER_NUMBER = "sms.msdyn_customerphonenumber"
PROVIDER = "sms.msdyn_smsprovider"
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d+\.\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?")


@dataclass(frozen=True)
class Check:
    """One condition (or group) and whether it held on the conversation."""

    text: str
    holds: bool
    actual: Any = None
    parts: tuple[Check, ...] = ()


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    matched: bool
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.holds)


@dataclass(frozen=True)
class RulesetResult:
    ruleset: Ruleset
    results: tuple[RuleResult, ...]  # up to and including the first match (hit policy first)
    applied: RuleResult | None


@dataclass(frozen=True)
class Candidate:
    """A matched route-to-queue rule and whether its queue(s) take work at that time."""

    result: RuleResult
    open: bool | None  # None: the queue's schedule is only in the organisation
    opens_at: datetime | None


@dataclass
class Outcome:
    workstream: str
    at: datetime
    attributes: dict[str, Any]
    channel_hours: Hours | None
    channel_open: bool | None
    outside_hours_message: bool
    classification: list[RulesetResult] = field(default_factory=list)
    routes: list[RuleResult] = field(default_factory=list)
    applied: Candidate | None = None
    reason: str = ""
    queue: str | None = None
    split: tuple[tuple[str, int], ...] | None = None
    fallback: bool = False

    @property
    def target(self) -> str:
        """The queue, a split as `A 80% / B 20%`, or `(none)`: the word a case compares."""
        if self.split is not None:
            return " / ".join(f"{q} {p}%" for q, p in self.split)
        return self.queue or "(none)"


def conversation(
    routing: WorkstreamRouting,
    at: datetime,
    sender: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The attributes a conversation texted to `routing`'s number has before any rule runs."""
    attributes: dict[str, Any] = {CREATED_ON: at.isoformat()}
    if routing.number:
        attributes[ORG_NUMBER] = routing.number
    if sender:
        attributes[CUSTOMER_NUMBER] = sender
    if routing.provider:
        attributes[PROVIDER] = routing.provider
    attributes.update(values or {})
    return attributes


def evaluate(routing: WorkstreamRouting, attributes: Mapping[str, Any], at: datetime) -> Outcome:
    values = dict(attributes)
    channel_open = routing.channel_hours.open_at(at) if routing.channel_hours else True
    outcome = Outcome(
        routing.name,
        at,
        values,
        routing.channel_hours,
        channel_open,
        routing.outside_hours_message,
    )
    for ruleset in routing.classification:
        outcome.classification.append(_classify(ruleset, values))
    outcome.routes = [_rule(rule, values) for rule in routing.route_to_queue]
    matched = [r for r in outcome.routes if r.matched]
    if not matched:
        outcome.fallback = True
        outcome.queue = routing.fallback
        outcome.reason = (
            "no route-to-queue rule matched"
            if routing.route_to_queue
            else "no route-to-queue rules"
        )
        return outcome
    candidates = [_candidate(r, routing.queue_hours, at) for r in matched]
    chosen = next((c for c in candidates if c.open is not False), None)
    if chosen is not None:
        later = " (an earlier match's queue is closed)" if chosen is not candidates[0] else ""
        outcome.reason = f"rule '{chosen.result.rule.name}' is the first match open{later}"
    else:
        opening = [c for c in candidates if c.opens_at is not None]
        chosen = min(opening, key=lambda c: c.opens_at) if opening else candidates[0]  # type: ignore[arg-type, return-value]
        outcome.reason = (
            f"every matched queue is closed; rule '{chosen.result.rule.name}' has the queue "
            "that opens first"
        )
    outcome.applied = chosen
    outcome.queue = chosen.result.rule.queue
    outcome.split = chosen.result.rule.split
    return outcome


def _classify(ruleset: Ruleset, values: dict[str, Any]) -> RulesetResult:
    """Hit policy `first`: the first rule that matches sets its outputs; the rest do not run."""
    results: list[RuleResult] = []
    for rule in ruleset.rules:
        result = _rule(rule, values)
        results.append(result)
        if result.matched:
            for name, value in rule.sets:
                values[output_attribute(name)] = value
            return RulesetResult(ruleset, tuple(results), result)
    return RulesetResult(ruleset, tuple(results), None)


def output_attribute(name: str) -> str:
    """A classification output as the attribute later rules read (`priority` is a column)."""
    return PRIORITY if name == "priority" else name


def _rule(rule: Rule, values: Mapping[str, Any]) -> RuleResult:
    checks = tuple(check(c, values) for c in rule.when)
    return RuleResult(rule, all(c.holds for c in checks), checks)


def _candidate(result: RuleResult, hours: Mapping[str, Hours | None], at: datetime) -> Candidate:
    states = [_queue_open(hours.get(q), at) for q in result.rule.queues]
    if any(s is True for s in states):
        return Candidate(result, True, at)
    if any(s is None for s in states):
        return Candidate(result, None, None)
    openings = [h.next_open(at) for q in result.rule.queues if (h := hours.get(q)) is not None]
    known = [o for o in openings if o is not None]
    return Candidate(result, False, min(known) if known else None)


def _queue_open(hours: Hours | None, at: datetime) -> bool | None:
    """A queue without operating hours is open around the clock."""
    return True if hours is None else hours.open_at(at)


def check(condition: Condition, values: Mapping[str, Any]) -> Check:
    if condition.attribute is None:
        group = condition.all if condition.all is not None else condition.any or []
        parts = tuple(check(c, values) for c in group)
        holds = (
            all(p.holds for p in parts)
            if condition.all is not None
            else any(p.holds for p in parts)
        )
        return Check(describe(condition), holds, parts=parts)
    actual = values.get(condition.attribute)
    return Check(describe(condition), compare(condition.op, actual, condition.value), actual)


def compare(op: str, actual: Any, expected: Any) -> bool:
    """One comparison: an empty attribute satisfies only `null` [inferred]."""
    if op == "null":
        return actual is None or actual == ""
    if actual is None or actual == "":
        return False
    if op == "not_null":
        return True
    left = typed(actual)
    if op == "in":
        return any(_equal(left, typed(v)) for v in expected or [])
    right = typed(expected)
    if op == "eq":
        return _equal(left, right)
    if op == "ne":
        return not _equal(left, right)
    if op == "contains":
        return str(right) in str(left)
    try:
        return {
            "gt": left > right,
            "ge": left >= right,
            "lt": left < right,
            "le": left <= right,
        }[op]
    except TypeError:  # a number against text, a date against a number: never true
        return False


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return bool(left == right)


def typed(value: Any) -> Any:
    """A value as the rule engine compares it. Rule documents carry no types, so `"1"` and `1`
    are one value; text is compared without regard to case [inferred]."""
    if isinstance(value, bool | int | float | datetime):
        return _utc(value) if isinstance(value, datetime) else value
    text = str(value)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _DATE.fullmatch(text):
        try:
            return _utc(datetime.fromisoformat(text))
        except ValueError:
            pass
    return text.casefold()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def describe(condition: Condition) -> str:
    """A condition as the configuration writes it: `account.tier eq 'Gold'`, `any(...)`."""
    if condition.attribute is None:
        group = "all" if condition.all is not None else "any"
        inner = condition.all if condition.all is not None else condition.any or []
        return f"{group}({', '.join(describe(c) for c in inner)})"
    if condition.op in ("null", "not_null"):
        return f"{condition.attribute} {condition.op}"
    return f"{condition.attribute} {condition.op} {condition.value!r}"
