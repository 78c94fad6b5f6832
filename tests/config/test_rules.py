"""Every domain rule of rules.py (issue 3, §4 "domain rules"), one mutation of a clean config each.

The base configuration is proven clean first; each case then breaks one thing and expects the
problem at the exact path of the offending value, located in the file.
"""

from __future__ import annotations

from typing import Any

import pytest
from cfgtest import DELETE, Checker, base_config, find, parse_path, second_account, set_in

from smsconf.config import vocabulary as v
from smsconf.config.problems import format_path


def test_base_configuration_is_clean(check: Checker) -> None:
    """Without this the mutation cases below could pass on a pre-existing problem."""
    assert check(base_config()) == []


def _rulesets(n: int) -> list[dict[str, Any]]:
    return [{"name": f"rs{i}", "rules": [{"name": "r", "set": {"priority": 1}}]} for i in range(n)]


def _rules(n: int) -> list[dict[str, Any]]:
    return [{"name": f"r{i}", "set": {"priority": 1}} for i in range(n)]


# (where to change, new value, message fragment, dotted path of the problem; None: `where`)
CASES: list[tuple[str, Any, str, str | None]] = [
    # numbers: digits only with the country code, E.164 length, short-code length
    ("accounts/0/numbers/0/number", "+14255550100", "no plus sign", None),
    ("accounts/0/numbers/0/number", "1 425 555 0100", "no spaces or punctuation", None),
    ("accounts/0/numbers/0/number", "1-425-555-0100", "no spaces or punctuation", None),
    ("accounts/0/numbers/0/number", "1(425)5550100", "no spaces or punctuation", None),
    ("accounts/0/numbers/0/number", "١٤٢٥٥٥٥٠١٠٠", "digits only", None),
    ("accounts/0/numbers/0/number", "142555", "a geo number has 7 to 15 digits", None),
    ("accounts/0/numbers/0/number", "1234567890123456", "a geo number has 7 to 15 digits", None),
    ("accounts/0/numbers/1/number", "180055", "a toll-free number has 7 to 15", None),
    ("accounts/0/numbers/2/number", "12", "a short code has 3 to 8 digits", None),
    ("accounts/0/numbers/2/number", "123456789", "a short code has 3 to 8 digits", None),
    ("accounts/0/numbers/2/number", "55 123", "digits only", None),
    ("accounts/0/numbers/0/number", "04255550100", "must start with the country code", None),
    ("accounts/0/numbers/1/number", "0018005550199", "must start with the country code", None),
    # account endpoint and environments
    ("accounts/0/endpoint", "rest-api.telesign.com", "endpoint must be an http(s):// URL", None),
    (
        "environments",
        {"dev": {"target": "http://org.crm.dynamics.com"}},
        "target must be 'local' or an https://",
        "environments.dev.target",
    ),
    (
        "environments",
        {"dev": {"target": "contoso"}},
        "target must be 'local' or an https://",
        "environments.dev.target",
    ),
    (
        "environments",
        {"dev": {"target": "local", "gateway": "ftp://x"}},
        "gateway must be an https:// URL",
        "environments.dev.gateway",
    ),
    (
        "environments",
        {"": {"target": "local"}},
        "environment name '' must be a word",
        "environments.",
    ),
    (
        "environments",
        {"my prod": {"target": "local"}},
        "environment name 'my prod' must be a word",
        "environments.my prod",
    ),
    # lookup-only objects may not set fields only smsconf can own
    (
        "queues/1/assignment",
        "round_robin",
        "'assignment' can only be set on a managed object",
        None,
    ),
    ("queues/1/priority", 5, "'priority' can only be set on a managed object", None),
    (
        "queues/1/operating_hours",
        "Hours",
        "'operating_hours' can only be set on a managed object",
        None,
    ),
    # operating hours are looked up only: their schedule is a calendar smsconf cannot write
    (
        "operating_hours/0/managed",
        True,
        "'managed' cannot be set: operating hours are looked up by name only",
        "operating_hours[0].managed",
    ),
    (
        "operating_hours/0/days",
        ["mon"],
        "'days' cannot be set: operating hours are looked up by name only: the product keeps "
        "their schedule in a calendar (msdyn_operatinghour.msdyn_calendarid",
        "operating_hours[0].days",
    ),
    (
        "quick_replies/0/managed",
        False,
        "'message' can only be set on a managed object",
        "quick_replies[0].message",
    ),
    # managed objects need their content
    (
        "quick_replies/0/message",
        DELETE,
        "a managed quick reply needs a message",
        "quick_replies[0]",
    ),
    ("quick_replies/0/locale", "fr-fr", "unknown locale 'fr-fr'", None),
    # bots and agent affinity only on push
    (
        "workstreams/0/distribution/mode",
        "pick",
        "a bot can only be added to a push workstream",
        "workstreams[0].bot",
    ),
    (
        "workstreams/0/distribution/mode",
        "pick",
        "keep_same_agent (agent affinity) needs",
        "workstreams[0].distribution.keep_same_agent",
    ),
    # durations in range
    (
        "workstreams/0/distribution/auto_close_after",
        "0m",
        "auto_close_after must be between 1m and 30d",
        None,
    ),
    (
        "workstreams/0/distribution/auto_close_after",
        "30d1m",
        "auto_close_after must be between 1m and 30d",
        None,
    ),
    (
        "workstreams/0/distribution/block_capacity_for_wrap_up",
        "0m",
        "block_capacity_for_wrap_up takes always, never",
        None,
    ),
    (
        "workstreams/0/distribution/block_capacity_for_wrap_up",
        "1h1m",
        "block_capacity_for_wrap_up takes always, never",
        None,
    ),
    (
        "workstreams/0/distribution/allowed_presences",
        ["available", "busy", "available"],
        "duplicate presence 'available'",
        "workstreams[0].distribution.allowed_presences[2]",
    ),
    # the SMS channel
    (
        "workstreams/1/sms/number",
        "14255550100",
        "already serves the SMS channel of workstream 'Main'",
        None,
    ),
    ("workstreams/0/sms/language", "en-us", "unknown locale 'en-us'", None),
    (
        "workstreams/0/sms/automated_messages/0/translations",
        {"xx-XX": "?"},
        "unknown locale 'xx-XX'",
        "workstreams[0].sms.automated_messages[0].translations.xx-XX",
    ),
    (
        "workstreams/0/sms/automated_messages/1",
        {"trigger": "greeting", "text": "again"},
        "duplicate automated message trigger 'greeting'",
        None,
    ),
    (
        "workstreams/0/sms/survey/survey",
        DELETE,
        "an enabled survey needs survey: <name>",
        "workstreams[0].sms.survey",
    ),
    (
        "workstreams/0/sms/survey/enabled",
        False,
        "bot_survey needs the survey enabled",
        "workstreams[0].sms.survey.bot_survey",
    ),
    # advanced settings
    (
        "workstreams/0/advanced/context_variables/1",
        {"name": "tier"},
        "duplicate context variable 'tier'",
        None,
    ),
    (
        "workstreams/0/advanced/context_variables/1",
        {"name": "Acct", "type": "entity_reference"},
        "needs entity: <table>",
        None,
    ),
    (
        "workstreams/0/advanced/context_variables/1",
        {"name": "N", "type": "number", "entity": "account"},
        "entity is only for entity_reference",
        "workstreams[0].advanced.context_variables[1].entity",
    ),
    ("workstreams/0/advanced/quick_replies/1", "Hello", "duplicate quick reply 'Hello'", None),
    # routing limits: 10 rulesets, 100 rules, 5 outputs, split sums to 100
    (
        "workstreams/0/routing/classification",
        _rulesets(10),
        "11 rulesets; a workstream has at most 10",
        None,
    ),
    (
        "workstreams/0/routing/classification/0/rules",
        _rules(101),
        "101 rules; a ruleset has at most 100",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue",
        [{"name": f"q{i}", "queue": "Sales"} for i in range(101)],
        "101 rules; a ruleset has at most 100",
        None,
    ),
    (
        "workstreams/0/routing/classification/0/rules/0/set",
        {"priority": 1, **{f"context.Tier{i}": i for i in range(5)}},
        "a rule sets at most 5 outputs",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue/1/split",
        [{"queue": "Sales", "percent": p} for p in (20, 20, 20, 20, 10, 10)],
        "a split has at most 5 queues",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue/1/split/0/percent",
        40,
        "split percentages must add up to 100",
        "workstreams[0].routing.route_to_queue[1].split",
    ),
    (
        "workstreams/0/routing/route_to_queue/1/split/0/percent",
        60,
        "split percentages must add up to 100",
        "workstreams[0].routing.route_to_queue[1].split",
    ),
    (
        "workstreams/0/routing/classification/1",
        {"name": "tier", "rules": _rules(1)},
        "duplicate ruleset 'tier'",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue/1/name",
        "VIP",
        "duplicate rule 'VIP'",
        "workstreams[0].routing.route_to_queue[1]",
    ),
    (
        "workstreams/0/routing/classification/0/rules/0/set",
        {"queue": "Sales"},
        "unknown output 'queue'",
        "workstreams[0].routing.classification[0].rules[0].set.queue",
    ),
    (
        "workstreams/0/routing/classification/0/rules/0/set",
        {"context.Tire": 1},
        "context variable 'Tire' is not declared",
        "workstreams[0].routing.classification[0].rules[0].set.context.Tire",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0/attribute",
        "contct.mobilephone",
        "must start with one of conversation., contact.",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0/attribute",
        "contact",
        "must start with one of",
        None,
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"any": [{"attribute": "context.Tear", "value": 1}]},
        "context variable 'Tear' is not declared",
        "workstreams[0].routing.route_to_queue[0].when[0].any[0].attribute",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"attribute": "contact.x", "op": "null", "value": 1},
        "operator null takes no value",
        "workstreams[0].routing.route_to_queue[0].when[0].value",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"attribute": "contact.x", "op": "in", "value": []},
        "operator in takes a non-empty list",
        "workstreams[0].routing.route_to_queue[0].when[0].value",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"attribute": "contact.x", "op": "in", "value": "a"},
        "operator in takes a non-empty list",
        "workstreams[0].routing.route_to_queue[0].when[0].value",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"attribute": "contact.x", "op": "eq", "value": [1, 2]},
        "operator eq takes one value",
        "workstreams[0].routing.route_to_queue[0].when[0].value",
    ),
    (
        "workstreams/0/routing/route_to_queue/0/when/0",
        {"all": [{"attribute": "contact.x", "op": "gt"}]},
        "operator gt takes one value",
        "workstreams[0].routing.route_to_queue[0].when[0].all[0].value",
    ),
]


@pytest.mark.parametrize(("where", "value", "message", "at"), CASES)
def test_domain_rule(check: Checker, where: str, value: Any, message: str, at: str | None) -> None:
    """Each broken rule is reported once, at the offending value, with a file position."""
    problems = check(set_in(base_config(), where, value))
    problem = find(problems, message, at or format_path(parse_path(where)))
    assert problem.position is not None and problem.position.file.endswith("config.yaml")


@pytest.mark.parametrize(
    ("number", "hint"),
    [
        ("00447700900123", "drop the 00 prefix: write 447700900123"),
        ("07700900123", "replace the leading 0 with the country code"),
    ],
)
def test_number_with_a_dialling_prefix_is_refused(check: Checker, number: str, hint: str) -> None:
    """A national (0) or international (00) dialling prefix is not a country code: E.164
    country codes start with 1-9, so such a number can never be sent from."""
    problems = check(set_in(base_config(), "accounts/0/numbers/1/number", number))
    assert hint in (find(problems, "must start with the country code").hint or "")


def test_short_code_may_start_with_zero(check: Checker) -> None:
    """Short codes are national and carry no country code: the E.164 rule is not theirs."""
    data = set_in(base_config(), "accounts/0/numbers/2/number", "05123")
    assert check(data) == []


def test_number_format_hint_strips_punctuation(check: Checker) -> None:
    """The hint shows the digits-only spelling so the fix is a copy-paste."""
    problems = check(set_in(base_config(), "accounts/0/numbers/0/number", "+1 (425) 555-0100"))
    assert find(problems, "must be digits only").hint == "write 14255550100"


@pytest.mark.parametrize(
    ("kind", "number"),
    [("geo", "1" * 7), ("geo", "1" * 15), ("short_code", "123"), ("short_code", "1" * 8)],
)
def test_number_length_boundaries_are_accepted(check: Checker, kind: str, number: str) -> None:
    """The inclusive ends of E.164 and short-code lengths are valid (guards off-by-one)."""
    data = set_in(base_config(), "accounts/0/numbers/0", {"number": number, "type": kind})
    data["workstreams"][0]["sms"]["number"] = number
    assert check(data) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("auto_close_after", "1m"),
        ("auto_close_after", "30d"),
        ("block_capacity_for_wrap_up", "60m"),
        ("block_capacity_for_wrap_up", "1m"),
        ("block_capacity_for_wrap_up", "never"),
    ],
)
def test_duration_boundaries_are_accepted(check: Checker, field: str, value: str) -> None:
    """The documented ends of each duration range are inside it."""
    assert check(set_in(base_config(), f"workstreams/0/distribution/{field}", value)) == []


def test_number_in_two_accounts(check: Checker) -> None:
    """A number belongs to exactly one account; the second listing names the first owner."""
    data = base_config()
    data["accounts"].append(second_account("other", "55123", "short_code"))
    problem = find(
        check(data), "already listed under account 'acme'", "accounts[1].numbers[0].number"
    )
    assert problem.hint == "a number belongs to exactly one account"


def test_channel_number_not_in_any_account_suggests_near_number(check: Checker) -> None:
    """A mistyped channel number points at the listed number it most resembles."""
    problems = check(set_in(base_config(), "workstreams/0/sms/number", "14255550101"))
    problem = find(problems, "is not listed under any account", "workstreams[0].sms.number")
    assert problem.hint == "did you mean '14255550100'?"


REFERENCES: list[tuple[str, str, str, str]] = [
    ("workstreams/0/fallback_queue", "Suport", "queue", "Support"),
    ("queues/0/operating_hours", "Hour", "operating hours", "Hours"),
    ("workstreams/0/sms/operating_hours", "Hour", "operating hours", "Hours"),
    ("workstreams/1/distribution/capacity/profile", "Profil", "capacity profile", "Profile"),
    ("workstreams/0/bot", "Bott", "bot", "Bot"),
    ("workstreams/0/advanced/smart_assist_bots/0", "Bott", "bot", "Bot"),
    ("workstreams/0/sms/survey/survey", "Survy", "survey", "Survey"),
    ("workstreams/0/sms/survey/bot_survey/survey", "Survy", "survey", "Survey"),
    ("workstreams/0/advanced/session_template", "Sesion", "session template", "Session"),
    (
        "workstreams/0/advanced/notification_templates/transfer",
        "Notfy",
        "notification template",
        "Notify",
    ),
    ("workstreams/0/advanced/quick_replies/0", "Helo", "quick reply", "Hello"),
    ("workstreams/0/routing/route_to_queue/0/queue", "Sale", "queue", "Sales"),
    ("workstreams/0/routing/route_to_queue/1/split/1/queue", "Sale", "queue", "Sales"),
]


@pytest.mark.parametrize(("where", "name", "kind", "suggestion"), REFERENCES)
def test_unresolved_reference_suggests(
    check: Checker, where: str, name: str, kind: str, suggestion: str
) -> None:
    """Every kind of reference resolves or is reported with the nearest declared name."""
    problems = check(set_in(base_config(), where, name))
    problem = find(problems, f"{kind} '{name}' is not declared")
    assert problem.hint == f"did you mean '{suggestion}'?"


DECLARE_HINTS = [
    ("workstreams/0/fallback_queue", "queue", "declare it under queues: (managed: true"),
    ("workstreams/0/sms/operating_hours", "operating hours", "under operating_hours: (managed"),
    ("workstreams/1/distribution/capacity/profile", "capacity profile", "capacity_profiles: (m"),
    ("workstreams/0/advanced/quick_replies/0", "quick reply", "under quick_replies: (managed"),
    ("workstreams/0/sms/survey/survey", "survey", "declare it under surveys: (looked up by name"),
    ("workstreams/0/bot", "bot", "declare it under bots: (looked up by name"),
    (
        "workstreams/0/advanced/session_template",
        "session template",
        "declare it under templates: with kind: session (looked up by name",
    ),
    (
        "workstreams/0/advanced/notification_templates/consult",
        "notification template",
        "declare it under templates: with kind: notification (looked up",
    ),
]


@pytest.mark.parametrize(("where", "kind", "hint"), DECLARE_HINTS)
def test_unresolved_reference_without_near_name_says_how_to_declare(
    check: Checker, where: str, kind: str, hint: str
) -> None:
    """With nothing close, the hint says where to declare it; `managed: true` is offered only
    for kinds that have that key (a survey, bot or template with it would be an unknown key)."""
    problems = check(set_in(base_config(), where, "Zzzzzzzz"))
    assert hint in (find(problems, f"{kind} 'Zzzzzzzz' is not declared").hint or "")


def test_template_of_the_wrong_kind_does_not_resolve(check: Checker) -> None:
    """A notification template cannot stand in for a session template of the same name; the
    hint names the kind it was declared with."""
    problems = check(set_in(base_config(), "workstreams/0/advanced/session_template", "Notify"))
    problem = find(problems, "session template 'Notify' is not declared")
    assert (
        problem.hint
        == "'Notify' is declared as a notification template; this slot takes a session template"
    )


LISTS = [
    ("accounts", "account"),
    ("queues", "queue"),
    ("operating_hours", "operating hours"),
    ("capacity_profiles", "capacity profile"),
    ("surveys", "survey"),
    ("bots", "bot"),
    ("templates", "template"),
    ("quick_replies", "quick reply"),
    ("workstreams", "workstream"),
]


@pytest.mark.parametrize(("key", "label"), LISTS)
def test_duplicate_names_case_insensitive(check: Checker, key: str, label: str) -> None:
    """Names are unique per kind regardless of case (Dataverse compares names that way)."""
    data = base_config()
    twin = dict(data[key][0])
    name_key = "title" if key == "quick_replies" else "name"
    twin[name_key] = twin[name_key].upper()
    data[key].append(twin)
    index = len(data[key]) - 1
    problem = find(check(data), f"duplicate {label} '{twin[name_key]}'", f"{key}[{index}]")
    assert problem.hint == f"also at {key}[0]"


REMOVED = [
    ("account", "acme"),
    ("number", "55123"),
    ("workstream", "Main"),
    ("queue", "Sales"),
    ("operating_hours", "Hours"),
    ("capacity_profile", "Profile"),
    ("quick_reply", "Hello"),
]


@pytest.mark.parametrize(("kind", "name"), REMOVED)
def test_removed_conflicts_with_declaration(check: Checker, kind: str, name: str) -> None:
    """An object cannot be both wanted and deleted; the removed: entry is the one flagged."""
    data = base_config()
    data["removed"] = [{"kind": kind, "name": name}]
    find(check(data), "is both declared and listed under removed:", "removed[0].name")


def test_removed_of_undeclared_object_is_fine(check: Checker) -> None:
    """Deleting something no longer declared is exactly what removed: is for."""
    data = base_config()
    data["removed"] = [{"kind": kind, "name": "Gone"} for kind, _ in REMOVED]
    assert check(data) == []


def test_every_limit_constant_is_exercised() -> None:
    """The cases above hard-code the documented limits; fail loudly if the constants move."""
    assert (v.MAX_RULESETS_PER_WORKSTREAM, v.MAX_RULES_PER_RULESET, v.MAX_OUTPUTS_PER_RULE) == (
        10,
        100,
        5,
    )
    assert (v.SMS_MAX_CHARS, v.CONTEXT_VARIABLE_NAME_MAX) == (1600, 100)
