"""Shared helpers for the configuration-language tests (imported by name; see conftest.py).

Most tests start from one small but complete configuration (`base_config`) that exercises every
kind of object and reference, validate it once to prove it is clean, then break exactly one
thing. That way each failing assertion can only come from the mutation under test.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from smsconf.config.loader import validate_paths
from smsconf.config.problems import ConfigError, Problem, format_path

BASE: dict[str, Any] = {
    "accounts": [
        {
            "name": "acme",
            "customer_id": "C-1",
            "api_key": "${env:ACME_TELESIGN_KEY}",
            "numbers": [
                {"number": "14255550100", "type": "geo"},
                {"number": "18005550199", "type": "toll_free"},
                {"number": "55123", "type": "short_code"},
            ],
        }
    ],
    "operating_hours": [{"name": "Hours"}],
    "queues": [
        {"name": "Support", "managed": True, "operating_hours": "Hours", "priority": 1},
        {"name": "Sales"},
    ],
    "capacity_profiles": [{"name": "Profile"}],
    "surveys": [{"name": "Survey"}],
    "bots": [{"name": "Bot"}],
    "templates": [
        {"name": "Session", "kind": "session"},
        {"name": "Notify", "kind": "notification"},
    ],
    "quick_replies": [{"title": "Hello", "managed": True, "message": "Hi there"}],
    "workstreams": [
        {
            "name": "Main",
            "fallback_queue": "Support",
            "bot": "Bot",
            "distribution": {"mode": "push", "keep_same_agent": True},
            "sms": {
                "number": "14255550100",
                "operating_hours": "Hours",
                "automated_messages": [
                    {"trigger": "greeting", "text": "Hi", "translations": {"fr-FR": "Salut"}}
                ],
                "survey": {
                    "enabled": True,
                    "survey": "Survey",
                    "message": "Rate us",
                    "bot_survey": {"survey": "Survey"},
                },
            },
            "routing": {
                "classification": [
                    {
                        "name": "Tier",
                        "rules": [
                            {
                                "name": "VIP",
                                "when": [{"attribute": "account.tier", "value": "Gold"}],
                                "set": {"context.Tier": "VIP", "priority": 1},
                            }
                        ],
                    }
                ],
                "route_to_queue": [
                    {
                        "name": "vip",
                        "when": [{"attribute": "context.Tier", "value": "VIP"}],
                        "queue": "Support",
                    },
                    {
                        "name": "rest",
                        "split": [
                            {"queue": "Support", "percent": 50},
                            {"queue": "Sales", "percent": 50},
                        ],
                    },
                ],
            },
            "advanced": {
                "session_template": "Session",
                "notification_templates": {"consult": "Notify"},
                "context_variables": [{"name": "Tier"}],
                "smart_assist_bots": ["Bot"],
                "quick_replies": ["Hello"],
            },
        },
        {
            "name": "Picker",
            "distribution": {"mode": "pick", "capacity": {"profile": "Profile"}},
            "sms": {"number": "18005550199"},
        },
    ],
}


def base_config() -> dict[str, Any]:
    """A fresh deep copy of the clean configuration, safe to mutate."""
    return copy.deepcopy(BASE)


def second_account(name: str, number: str, kind: str = "geo") -> dict[str, Any]:
    """Another Telesign account, holding one number: for the tests that need two accounts."""
    return {
        "name": name,
        "customer_id": f"C-{name}",
        "api_key": f"${{env:{name.upper()}}}",
        "numbers": [{"number": number, "type": kind}],
    }


def parse_path(spec: str) -> tuple[str | int, ...]:
    """`workstreams/0/sms/number` → ("workstreams", 0, "sms", "number")."""
    return tuple(int(p) if p.isdigit() else p for p in spec.split("/"))


DELETE = object()  # a sentinel value for `set_in`: remove the key instead of setting it


def set_in(data: dict[str, Any], spec: str, value: Any) -> dict[str, Any]:
    """Set the value at a `/` path and return `data`.

    DELETE removes the key instead; an index one past a list's end appends; missing mappings on
    the way are created, so a case can set a key the base configuration leaves to its default.
    """
    *parents, last = parse_path(spec)
    node: Any = data
    for part in parents:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def collect(paths: Sequence[Path | str]) -> list[Problem]:
    """Every problem `validate_paths` reports, or [] when the configuration is valid."""
    try:
        validate_paths(paths)
    except ConfigError as exc:
        return exc.problems
    return []


def find(problems: Sequence[Problem], fragment: str, at: str | None = None) -> Problem:
    """The one problem whose message holds `fragment` (and sits at dotted path `at`)."""
    hits = [
        p for p in problems if fragment in p.message and (at is None or format_path(p.path) == at)
    ]
    assert len(hits) == 1, f"expected one '{fragment}' at {at}, got:\n" + "\n".join(
        p.render() for p in problems
    )
    return hits[0]


Writer = Callable[[str, str], Path]  # the `write` fixture: (relative name, YAML text) → path
Checker = Callable[[dict[str, Any]], list[Problem]]  # the `check` fixture: data → problems
