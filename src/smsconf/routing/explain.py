"""An `Outcome` in words (for a person) or as JSON (for a script), and route inputs parsed.

The text says, in evaluation order, everything `smsconf route` promises: the workstream, the
channel's hours, each classification rule with the condition that decided it and what it set,
each route-to-queue rule and why it did or did not match, the queue or split, and the fallback.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from smsconf.platform.routing import SEMANTICS
from smsconf.routing.evaluate import Check, Outcome, RuleResult

NUMBER = re.compile(r"[\s().+-]")


def digits(number: str) -> str:
    """`+1 (425) 555-0100` → `14255550100`, the way the configuration writes numbers."""
    return NUMBER.sub("", number)


def parse_at(text: str | None) -> datetime:
    """`--at`: an ISO 8601 time (`2026-12-05T19:00`, with or without an offset); default now."""
    if text is None:
        return datetime.now().replace(second=0, microsecond=0)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_sets(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--set account.tier=Gold` pairs; raises ValueError naming the first malformed one."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or "." not in name:
            raise ValueError(f"--set {item!r}: write ATTRIBUTE=VALUE, e.g. account.tier=Gold")
        values[name.strip()] = value
    return values


def _checks(checks: tuple[Check, ...], failed_only: bool) -> str:
    shown = [c for c in checks if not c.holds] if failed_only else list(checks)
    if not shown:
        return "always"
    parts = []
    for c in shown:
        actual = "" if c.parts else f" (is {c.actual!r})"
        parts.append(f"{c.text}{actual}")
    return "; ".join(parts)


def _rule_line(result: RuleResult) -> str:
    if result.matched:
        return f"matched: {_checks(result.checks, failed_only=False)}"
    return f"no match: {_checks(result.checks, failed_only=True)} does not hold"


def text(outcome: Outcome) -> str:
    lines = [f"workstream '{outcome.workstream}' at {outcome.at.isoformat()}"]
    if outcome.channel_hours is None:
        lines.append("  channel hours: none set (open around the clock)")
    else:
        state = {True: "open", False: "closed", None: "unknown"}[outcome.channel_open]
        lines.append(f"  channel hours {outcome.channel_hours.describe()}: {state}")
        if outcome.channel_open is False:
            message = (
                "the customer gets the outside_operating_hours message"
                if outcome.outside_hours_message
                else "no outside_operating_hours message is configured"
            )
            lines.append(
                f"    outside the channel's hours: {message}; routing continues [inferred]"
            )
    for result in outcome.classification:
        lines.append(f"  classification '{result.ruleset.name}':")
        for rule in result.results:
            lines.append(f"    rule '{rule.rule.name}' {_rule_line(rule)}")
        if result.applied is None:
            lines.append("    no rule matched: nothing set")
        else:
            sets = ", ".join(f"{k} = {v!r}" for k, v in result.applied.rule.sets)
            lines.append(f"    set {sets}")
    if outcome.routes:
        lines.append("  route to queue (every rule is evaluated):")
    for rule in outcome.routes:
        target = " / ".join(f"{q} {p}%" for q, p in rule.rule.split or ()) or rule.rule.queue
        lines.append(f"    rule '{rule.rule.name}' → {target}: {_rule_line(rule)}")
    if outcome.fallback:
        lines.append(f"  {outcome.reason}: fallback queue {outcome.queue or '(not set)'}")
    else:
        kind = "split" if outcome.split else "queue"
        lines.append(f"  {outcome.reason}: {kind} {outcome.target}")
        if outcome.split:
            lines.append("    the queue is picked by these shares, then its overflow applies")
    return "\n".join(lines)


def _check_json(c: Check) -> dict[str, Any]:
    data: dict[str, Any] = {"condition": c.text, "holds": c.holds}
    if c.parts:
        data["parts"] = [_check_json(p) for p in c.parts]
    else:
        data["actual"] = c.actual
    return data


def _rule_json(result: RuleResult) -> dict[str, Any]:
    rule = result.rule
    data: dict[str, Any] = {
        "rule": rule.name,
        "matched": result.matched,
        "conditions": [_check_json(c) for c in result.checks],
    }
    if rule.sets:
        data["sets"] = dict(rule.sets)
    if rule.queue is not None:
        data["queue"] = rule.queue
    if rule.split is not None:
        data["split"] = [{"queue": q, "percent": p} for q, p in rule.split]
    return data


def as_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "workstream": outcome.workstream,
        "at": outcome.at.isoformat(),
        "channel": {
            "operating_hours": outcome.channel_hours.name if outcome.channel_hours else None,
            "open": outcome.channel_open,
            "outside_hours_message": outcome.outside_hours_message,
        },
        "classification": [
            {
                "ruleset": r.ruleset.name,
                "rules": [_rule_json(x) for x in r.results],
                "applied": r.applied.rule.name if r.applied else None,
            }
            for r in outcome.classification
        ],
        "route_to_queue": [_rule_json(r) for r in outcome.routes],
        "applied": outcome.applied.result.rule.name if outcome.applied else None,
        "queue": outcome.queue,
        "split": [{"queue": q, "percent": p} for q, p in outcome.split] if outcome.split else None,
        "fallback": outcome.fallback,
        "reason": outcome.reason,
        "inferred": [s.rule for s in SEMANTICS if s.inferred],
    }


def dumps(outcome: Outcome) -> str:
    return json.dumps(as_json(outcome), indent=2, ensure_ascii=False, default=str)
