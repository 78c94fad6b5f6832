"""The kinds of object smsconf knows, named once.

A kind's name is what addresses (`queue[SMS Support VIP]`), `removed: kind:` and plan JSON say;
its words are what messages say ("operating hours"); its section is the top-level list it is
declared under, and its key the field that names it there. The validator, the mapping, the
diff and export all read this table, so a kind is never spelt two ways.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    words: str
    section: str | None = None
    """The top-level list it is declared under (None: part of another object)."""
    key: str = "name"
    """The field of its model that names it."""
    removable: bool = False
    """A `removed:` entry may name it."""
    path: str = ""
    """Where it is written in the YAML, from its address's parts (`workstreams[{0}].sms`)."""


_ALL = (
    Kind("account", "account", "accounts", removable=True, path="accounts[{0}]"),
    Kind("account_fingerprint", "secret fingerprint", path="accounts[{0}]"),
    Kind("number", "number", key="number", removable=True, path="accounts[*].numbers[{0}]"),
    Kind("queue", "queue", "queues", removable=True, path="queues[{0}]"),
    Kind(
        "operating_hours",
        "operating hours",
        "operating_hours",
        removable=True,
        path="operating_hours[{0}]",
    ),
    Kind(
        "capacity_profile",
        "capacity profile",
        "capacity_profiles",
        removable=True,
        path="capacity_profiles[{0}]",
    ),
    Kind("survey", "survey", "surveys", path="surveys[{0}]"),
    Kind("bot", "bot", "bots", path="bots[{0}]"),
    Kind("session_template", "session template", "templates", path="templates[{0}]"),
    Kind("notification_template", "notification template", "templates", path="templates[{0}]"),
    Kind(
        "quick_reply",
        "quick reply",
        "quick_replies",
        key="title",
        removable=True,
        path="quick_replies[{0}]",
    ),
    Kind("workstream", "workstream", "workstreams", removable=True, path="workstreams[{0}]"),
    Kind("language", "language"),
    Kind("contract", "decision contract"),
    Kind("routing_contract", "routing contract", path="workstreams[{0}].routing"),
    Kind("capacity_profile_link", "capacity profile link", path="workstreams[{0}].distribution"),
    Kind("sms_channel", "SMS channel", path="workstreams[{0}].sms"),
    Kind(
        "automated_message",
        "automated message",
        key="trigger",
        path="workstreams[{0}].sms.automated_messages[{1}]",
    ),
    Kind(
        "message_translation",
        "message translation",
        path="workstreams[{0}].sms.automated_messages[{1}].translations.{2}",
    ),
    Kind(
        "context_variable",
        "context variable",
        path="workstreams[{0}].advanced.context_variables[{1}]",
    ),
    Kind("routing_configuration", "routing configuration", path="workstreams[{0}].routing"),
    Kind("ruleset", "ruleset", path="workstreams[{0}].routing.{1}[{2}]"),
    Kind("routing_step", "routing step", path="workstreams[{0}].routing.{1}[{2}]"),
    Kind("quick_reply_link", "quick reply", path="workstreams[{0}].advanced.quick_replies"),
    Kind(
        "smart_assist_bot", "smart assist bot", path="workstreams[{0}].advanced.smart_assist_bots"
    ),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in _ALL}
BY_WORDS: dict[str, Kind] = {kind.words: kind for kind in _ALL if kind.section}
"""Declared kinds by the words messages use ("operating hours" → operating_hours)."""


def words(kind: str) -> str:
    """The words a message uses for a kind: `operating_hours` → "operating hours"."""
    return KINDS[kind].words
