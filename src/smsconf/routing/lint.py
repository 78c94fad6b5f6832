"""Routing rules that cannot do what they say, as located warnings for `validate` and `plan`.

Errors the product would refuse (a split not totalling 100, a number on two channels, a context
variable that is not declared) are `config.rules`' job; these are rules it accepts that never
act: one behind an earlier rule that always matches, conditions that cannot hold together, a
context variable read before anything sets it; and, with the organisation's schedules (plan
only), a queue closed while the channel is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smsconf.config.loader import Loaded, Source
from smsconf.config.model import Condition, Config
from smsconf.config.problems import Path_, Problem
from smsconf.routing.evaluate import CREATED_ON, typed
from smsconf.routing.model import WEEKDAYS, Hours, Rule, WorkstreamRouting
from smsconf.routing.sources import from_config

DAY_MINUTES = 24 * 60
STEP = 5  # minutes; the schema takes HH:MM


def lint(config: Config) -> list[Problem]:
    problems: list[Problem] = []
    for routing in from_config(config):
        problems += _workstream(routing)
    return problems


def located(config: Config, source: Source) -> list[Problem]:
    return [source.locate(p) for p in lint(config)]


def warnings(loaded: Loaded) -> list[str]:
    """The rendered warnings of one loaded configuration (for `plan`)."""
    return [p.render() for p in located(loaded.config, loaded.source)]


def _warn(message: str, path: Path_ | None, hint: str | None = None) -> Problem:
    return Problem(message, path or (), hint=hint, severity="warning")


def _workstream(routing: WorkstreamRouting) -> list[Problem]:
    problems: list[Problem] = []
    set_before: set[str] = set()
    for ruleset in routing.classification:
        problems += _shadowed(ruleset.rules, "classification", lambda _r: True)
        for rule in ruleset.rules:
            problems += _impossible(rule)
            problems += _unset_reads(rule, set_before)
        set_before |= {name for rule in ruleset.rules for name, _ in rule.sets}
    routes = routing.route_to_queue
    problems += _shadowed(routes, "route-to-queue", lambda r: _always_open(r, routing))
    for rule in routes:
        problems += _impossible(rule)
        problems += _unset_reads(rule, set_before)
    return problems


def closed_queues(config: Config, schedules: Mapping[str, Hours]) -> list[Problem]:
    """Routes to a queue closed at times its channel is open. Operating hours are only named
    in the configuration (the product keeps their schedules in calendars), so only `plan`,
    with the organisation's schedules (`sources.live_hours`), can say it."""
    return [
        problem
        for routing in from_config(config, schedules)
        for rule in routing.route_to_queue
        for problem in _closed_queues(rule, routing)
    ]


def always(rule: Rule) -> bool:
    """True when a rule matches every conversation: no conditions, or only the designer's
    `conversation.msdyn_createdon not_null` (the creation time is always set)."""
    return all(c.attribute == CREATED_ON and c.op == "not_null" for c in rule.when)


def _always_open(rule: Rule, routing: WorkstreamRouting) -> bool:
    return all(_open_hours(routing.queue_hours.get(q)) for q in rule.queues)


def _open_hours(hours: Hours | None) -> bool:
    return hours is None or (hours.known and hours.all_days)


def _shadowed(rules: Iterable[Rule], what: str, catches: Any) -> list[Problem]:
    """Rules after one that always matches (and, for route to queue, whose queue is always
    open) never act: classification stops at the first match, route to queue applies it."""
    problems = []
    catcher: Rule | None = None
    for rule in rules:
        if catcher is not None:
            problems.append(
                _warn(
                    f"{what} rule '{rule.name}' never applies: the earlier rule "
                    f"'{catcher.name}' matches every conversation",
                    rule.path,
                    hint=f"move '{rule.name}' above '{catcher.name}', or give "
                    f"'{catcher.name}' a condition",
                )
            )
        elif always(rule) and catches(rule):
            catcher = rule
    return problems


def _flat(conditions: Iterable[Condition]) -> list[Condition]:
    """The comparisons that must all hold (nested `all:` groups flattened; `any:` kept out)."""
    flat: list[Condition] = []
    for c in conditions:
        if c.all is not None:
            flat += _flat(c.all)
        elif c.attribute is not None:
            flat.append(c)
    return flat


def _impossible(rule: Rule) -> list[Problem]:
    by_attribute: dict[str, list[Condition]] = {}
    for c in _flat(rule.when):
        by_attribute.setdefault(str(c.attribute), []).append(c)
    problems = []
    for attribute, conditions in by_attribute.items():
        reason = _contradiction(conditions)
        if reason:
            problems.append(
                _warn(
                    f"rule '{rule.name}' never matches: {attribute} cannot be {reason}",
                    (*(rule.path or ()), "when"),
                )
            )
    return problems


def _contradiction(conditions: list[Condition]) -> str | None:
    """Why these comparisons of one attribute cannot all hold, or None."""
    ops = {c.op for c in conditions}
    if "null" in ops and ops - {"null"}:
        return "empty and " + ", ".join(sorted(ops - {"null"}))
    equal = {repr(typed(c.value)): c.value for c in conditions if c.op == "eq"}
    if len(equal) > 1:
        return " and ".join(repr(v) for v in equal.values()) + " at once"
    allowed: set[str] | None = None
    for c in conditions:
        if c.op == "in":
            values = {repr(typed(v)) for v in c.value or []}  # type: ignore[union-attr]
            allowed = values if allowed is None else allowed & values
    if equal:
        allowed = set(equal) if allowed is None else allowed & set(equal)
    excluded = {repr(typed(c.value)) for c in conditions if c.op == "ne"}
    if allowed is not None and not allowed - excluded:
        return "in every list and outside the excluded values at once"
    return _empty_range(conditions)


def _empty_range(conditions: list[Condition]) -> str | None:
    low: tuple[Any, bool] | None = None  # (bound, inclusive)
    high: tuple[Any, bool] | None = None
    for c in conditions:
        value = typed(c.value)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        if c.op in ("gt", "ge") and (low is None or value > low[0]):
            low = (value, c.op == "ge")
        if c.op in ("lt", "le") and (high is None or value < high[0]):
            high = (value, c.op == "le")
    if low and high and (low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1]))):
        return f"above {low[0]} and below {high[0]} at once"
    return None


def _reads(conditions: Iterable[Condition]) -> list[str]:
    names: list[str] = []
    for c in conditions:
        if c.attribute is not None:
            names.append(c.attribute)
        names += _reads(c.all or c.any or [])
    return names


def _unset_reads(rule: Rule, set_before: set[str]) -> list[Problem]:
    """A context variable read where no earlier classification ruleset sets it is empty unless
    a bot or the API sets it (rules of the same ruleset never run after a match)."""
    return [
        _warn(
            f"rule '{rule.name}' reads {name}, which no earlier classification rule sets",
            (*(rule.path or ()), "when"),
            hint="set it in an earlier classification ruleset; a bot or the API may set it, "
            "otherwise it is always empty here",
        )
        for name in dict.fromkeys(_reads(rule.when))
        if name.startswith("context.") and name not in set_before
    ]


def _closed_queues(rule: Rule, routing: WorkstreamRouting) -> list[Problem]:
    channel = _minutes(routing.channel_hours)
    if channel is None:
        return []
    problems = []
    for queue in rule.queues:
        hours = routing.queue_hours.get(queue)
        opened = _minutes(hours)
        if opened is None or channel <= opened:
            continue
        problems.append(
            _warn(
                f"rule '{rule.name}' routes to queue '{queue}', which is closed at times the "
                "channel is open",
                rule.path,
                hint=f"queue hours {hours.describe() if hours else ''}; channel hours "
                f"{routing.channel_hours.describe() if routing.channel_hours else 'always open'}"
                "; outside its hours the queue overflows",
            )
        )
    return problems


def _minutes(hours: Hours | None) -> frozenset[int] | None:
    """The open minutes of a week, in STEP-minute steps (None: the schedule is unknown)."""
    if hours is None or (hours.known and hours.all_days):
        return frozenset(range(0, 7 * DAY_MINUTES, STEP))
    if not hours.known:
        return None
    start, end = _minute(hours.start), _minute(hours.end)
    return frozenset(
        day * DAY_MINUTES + m
        for day, name in enumerate(WEEKDAYS)
        if name in hours.days
        for m in range(0, DAY_MINUTES, STEP)
        if start <= m < end
    )


def _minute(text: str | None) -> int:
    if not text:
        return 0
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
