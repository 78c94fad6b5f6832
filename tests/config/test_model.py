"""model.py: field limits, one-of constraints and the duration language.

The documented limits (SMS 1,600 characters, survey text, context-variable names of 100, quick
replies) are checked at both ends: the limit itself is accepted, one more is rejected.
"""

from __future__ import annotations

from typing import Any

import pytest
from cfgtest import Checker, base_config, find, parse_path, set_in
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from smsconf.config import vocabulary as v
from smsconf.config.model import (
    Capacity,
    Condition,
    Config,
    QueueRule,
    duration_minutes,
    format_minutes,
)
from smsconf.config.problems import format_path
from smsconf.config.secrets import SecretRef

LIMITS = [
    ("workstreams/0/sms/automated_messages/0/text", v.SMS_MAX_CHARS),
    ("workstreams/0/sms/automated_messages/0/translations/fr-FR", v.SMS_MAX_CHARS),
    ("workstreams/0/sms/survey/message", v.SURVEY_MESSAGE_MAX),
    ("workstreams/0/sms/survey/bot_survey/message", v.SURVEY_MESSAGE_MAX),
    ("workstreams/0/advanced/context_variables/0/name", v.CONTEXT_VARIABLE_NAME_MAX),
    ("quick_replies/0/title", v.QUICK_REPLY_TITLE_MAX),
    ("quick_replies/0/message", v.QUICK_REPLY_MESSAGE_MAX),
    ("accounts/0/numbers/0/description", 500),
    ("queues/1/name", v.NAME_MAX),
    ("workstreams/1/name", v.NAME_MAX),
]


@pytest.mark.parametrize(("where", "limit"), LIMITS)
def test_text_limits_accept_the_limit(check: Checker, where: str, limit: int) -> None:
    """Exactly the documented maximum is valid (no off-by-one against users)."""
    data = set_in(base_config(), where, "x" * limit)
    assert not [p for p in check(data) if "at most" in p.message]


@pytest.mark.parametrize(("where", "limit"), LIMITS)
def test_text_limits_reject_one_more(check: Checker, where: str, limit: int) -> None:
    """One character over the documented maximum is a located error naming the limit."""
    problem = find(
        check(set_in(base_config(), where, "x" * (limit + 1))),
        "at most",
        format_path(parse_path(where)),
    )
    assert f"at most {limit} characters" in problem.message


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("workstreams/0/sms/automated_messages/0/text", ""),
        ("queues/1/name", ""),
        ("workstreams/0/routing/classification/0/rules", []),
        ("workstreams/0/routing/classification/0/rules/0/set", {}),
        ("workstreams/0/distribution/allowed_presences", []),
        ("workstreams/0/routing/route_to_queue/1/split/0/percent", 0),
        ("workstreams/0/routing/route_to_queue/1/split/0/percent", 101),
        ("workstreams/0/distribution/capacity/units", -1),
        ("operating_hours/0/start", "24:00"),
        ("operating_hours/0/timezone", 301),
    ],
)
def test_empty_and_out_of_range_values(check: Checker, where: str, value: Any) -> None:
    """Empty texts, empty rule lists and out-of-range numbers are errors at their path."""
    problems = check(set_in(base_config(), where, value))
    assert [p for p in problems if p.path[: len(parse_path(where))] == parse_path(where)], problems


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (Capacity, {}, "set exactly one of units"),
        (Capacity, {"units": 1, "profile": "P"}, "set exactly one of units"),
        (Condition, {}, "exactly one of attribute, all or any"),
        (Condition, {"attribute": "contact.x", "all": []}, "exactly one of attribute, all or any"),
        (QueueRule, {"name": "r"}, "set exactly one of queue or split"),
        (QueueRule, {"name": "r", "queue": "Q", "split": []}, "set exactly one of queue or split"),
    ],
)
def test_one_of_constraints(model: type, data: dict[str, Any], message: str) -> None:
    """Mutually exclusive settings (unit vs profile capacity, queue vs split) are enforced."""
    with pytest.raises(ValidationError, match=message):
        model.model_validate(data)


def test_unknown_keys_are_forbidden_everywhere() -> None:
    """Every model is strict: a typo is never silently ignored."""
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"settings": {"max_delete": 1}})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_secret_field_keeps_the_reference_and_serialises_it() -> None:
    """The model holds a SecretRef; dumping writes the reference back, never a value."""
    data = base_config()
    data["accounts"][0]["api_key"] = "${env:K:-hidden-default}"
    config = Config.model_validate(data)
    assert config.accounts[0].api_key == SecretRef("env", "K", "hidden-default")
    assert config.model_dump(mode="json")["accounts"][0]["api_key"] == "${env:K:-…}"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45m", 45), ("8h", 480), ("1h30m", 90), ("2d", 2880), ("1d2h3m", 1563), ("0m", 0)],
)
def test_duration_minutes(text: str, minutes: int) -> None:
    """Durations are written like the admin center shows them and stored in minutes."""
    assert duration_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "8", "8 h", "1m1h", "h", "-1h", "1.5h", "8H", "1w"])
def test_bad_durations_are_refused(text: str) -> None:
    """Only d/h/m in that order; anything else explains the expected form."""
    with pytest.raises(ValueError, match="write it like 8h"):
        duration_minutes(text)


@pytest.mark.parametrize("value", ["8 hours", 8, True])
def test_bad_duration_in_config_is_located(check: Checker, value: Any) -> None:
    """A non-duration (or a bare number) for auto_close_after is reported at that key."""
    data = set_in(base_config(), "workstreams/0/distribution/auto_close_after", value)
    find(check(data), "", "workstreams[0].distribution.auto_close_after")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=10 * 365 * 1440))
def test_format_minutes_round_trips(minutes: int) -> None:
    """Export writes minutes back as text; reading it again must give the same minutes."""
    text = format_minutes(minutes)
    assert duration_minutes(text) == minutes
    assert text == format_minutes(duration_minutes(text))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 400), st.integers(0, 23), st.integers(0, 59))
def test_duration_text_round_trips_canonically(days: int, hours: int, mins: int) -> None:
    """Any canonical d/h/m text (largest unit first, zero parts left out) survives unchanged."""
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "m")) if n]
    text = "".join(parts) or "0m"
    assert format_minutes(duration_minutes(text)) == text


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("Europe/Londn", "did you mean 'Europe/London'?"),
        ("GMT Standrd Time", "did you mean 'GMT Standard Time'?"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
    ],
)
def test_an_unknown_time_zone_word_is_a_located_error(
    check: Checker, value: str, fragment: str
) -> None:
    problems = check(set_in(base_config(), "operating_hours/0/timezone", value))
    problem = find(problems, fragment, "operating_hours[0].timezone")
    assert "IANA name" in problem.message


@pytest.mark.parametrize("value", ["Europe/London", "GMT Standard Time", 85])
def test_a_known_time_zone_word_or_code_passes_the_schema(check: Checker, value: Any) -> None:
    """Valid words reach the rules, which refuse schedule fields on looked-up hours."""
    problems = check(set_in(base_config(), "operating_hours/0/timezone", value))
    (problem,) = [p for p in problems if format_path(p.path) == "operating_hours[0].timezone"]
    assert "cannot be set" in problem.message
