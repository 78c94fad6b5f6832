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


_ALL = (
    Kind("account", "account", "accounts", removable=True),
    Kind("account_fingerprint", "secret fingerprint"),
    Kind("number", "number", key="number", removable=True),
    Kind("queue", "queue", "queues", removable=True),
    Kind("operating_hours", "operating hours", "operating_hours", removable=True),
    Kind("capacity_profile", "capacity profile", "capacity_profiles", removable=True),
    Kind("survey", "survey", "surveys"),
    Kind("bot", "bot", "bots"),
    Kind("session_template", "session template", "templates"),
    Kind("notification_template", "notification template", "templates"),
    Kind("quick_reply", "quick reply", "quick_replies", key="title", removable=True),
    Kind("workstream", "workstream", "workstreams", removable=True),
    Kind("language", "language"),
    Kind("contract", "decision contract"),
    Kind("routing_contract", "routing contract"),
    Kind("capacity_profile_link", "capacity profile link"),
    Kind("sms_channel", "SMS channel"),
    Kind("automated_message", "automated message", key="trigger"),
    Kind("message_translation", "message translation"),
    Kind("context_variable", "context variable"),
    Kind("routing_configuration", "routing configuration"),
    Kind("ruleset", "ruleset"),
    Kind("routing_step", "routing step"),
    Kind("quick_reply_link", "quick reply"),
    Kind("smart_assist_bot", "smart assist bot"),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in _ALL}
BY_WORDS: dict[str, Kind] = {kind.words: kind for kind in _ALL if kind.section}
"""Declared kinds by the words messages use ("operating hours" → operating_hours)."""


def words(kind: str) -> str:
    """The words a message uses for a kind: `operating_hours` → "operating hours"."""
    return KINDS[kind].words
