"""Configuration names as the admin center sees them (issue 21): one spelling per name, nothing
hidden, every refusal located; references match declarations the way Dataverse compares names.
"""

from __future__ import annotations

import pytest
from cfgtest import Checker, base_config, find, set_in

from smsconf.config.names import accentless, clean, fold
from smsconf.config.problems import format_path
from smsconf.mapping import ids
from smsconf.mapping.live import LiveState

NFD_CAFE = "Cafe\u0301"
NFC_CAFE = "Caf\u00e9"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "at least 1 character"),
        ("   ", "must not be blank"),
        ("\u200b", "must not be blank"),  # zero-width only: trimmed to nothing
        ("\u200d\u0301", "only invisible ones"),
        ("Sup\u200bport", "zero-width U+200B"),
        ("Support \u202ebackwards", "bidi control U+202E"),
        ("Support\u2066x\u2069", "bidi control U+2066"),
        ("Greeting queue\n```\n\n</details>", "control character U+000A"),
        ("title\x1b]0;pwned\x07", "control character U+001B"),
    ],
)
def test_a_hostile_or_empty_name_is_refused_where_it_is(
    check: Checker, name: str, fragment: str
) -> None:
    problem = find(check(set_in(base_config(), "queues/1/name", name)), fragment)
    assert format_path(problem.path) == "queues[1].name"
    assert problem.position is not None and problem.position.line > 1  # file:line:col


def test_a_hostile_reference_is_refused_too(check: Checker) -> None:
    problem = find(
        check(set_in(base_config(), "workstreams/0/fallback_queue", "S\u202eupport")), "bidi"
    )
    assert format_path(problem.path) == "workstreams[0].fallback_queue"


def test_crlf_in_customer_id_is_refused(check: Checker) -> None:
    found = check(set_in(base_config(), "accounts/0/customer_id", "C-1\r\nforged line"))
    assert format_path(find(found, "control character U+000D").path) == "accounts[0].customer_id"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (NFC_CAFE, NFD_CAFE),  # render the same
        ("Help", "Help "),  # a trailing space
        ("Help", "\u200bHelp"),  # a leading zero-width space
        ("Help", "HELP"),  # every Dataverse collation is case-insensitive
        ("Cafe", NFC_CAFE),  # most collations are accent-insensitive (1033: _CI_AI)
    ],
)
def test_names_the_admin_center_takes_for_one_are_duplicates(
    check: Checker, first: str, second: str
) -> None:
    data = base_config()
    data["queues"] += [{"name": first}, {"name": second}]
    problems = check(data)
    assert [format_path(p.path) for p in problems] == ["queues[3]"], [p.render() for p in problems]
    assert (
        "also at queues[2]" in (problems[0].hint or "")
        or "queues[2] only by accents" in problems[0].message
    )


def test_a_reference_matches_its_declaration_as_the_admin_center_would(check: Checker) -> None:
    data = set_in(base_config(), "queues/0/name", NFD_CAFE)
    set_in(data, "workstreams/0/fallback_queue", "CAF\u00c9 ")
    for rule in data["workstreams"][0]["routing"]["route_to_queue"]:
        for share in rule.get("split", [rule]):
            share["queue"] = share["queue"].replace("Support", NFC_CAFE.lower())
    assert check(data) == []


def test_names_are_stored_in_nfc_and_trimmed() -> None:
    assert clean(f"  {NFD_CAFE}\u200b ") == NFC_CAFE
    assert clean("Tab\u200dle") == "Tab\u200dle"  # ZWJ is kept: emoji and scripts use it


def test_plain_ascii_ids_are_unchanged_and_spellings_share_one_id() -> None:
    """Ids are derived from normalised keys: the goldens' ASCII ids must not move; NFC and NFD
    spellings (and case) give one id, so a retried create never makes a second row."""
    assert ids.normalise(("Support", "VIP-1")) == ("support", "vip-1")
    assert ids.normalise(("Support",)) == tuple(map(str.casefold, ("Support",)))
    org = "00000000-0000-0000-0000-000000000001"
    assert ids.row_id(org, "queue", (NFD_CAFE,)) == ids.row_id(org, "queue", ("CAFÉ",))
    assert fold(NFD_CAFE) == fold(NFC_CAFE) != fold("Cafe")
    assert accentless(NFD_CAFE) == accentless("cafe")


def test_a_live_row_in_another_spelling_is_the_same_object() -> None:
    live = LiveState(
        "org",
        {"queue": [{"queueid": "11111111-1111-1111-1111-111111111111", "name": NFD_CAFE}]},
    )
    assert live.row("queue", (NFC_CAFE,)) is not None
    assert (
        live.lookup("queue", NFC_CAFE.upper(), ("queues", 0))
        == "11111111-1111-1111-1111-111111111111"
    )
    assert live.lookup("queue", "Cafe", ("queues", 1)) is None
    assert (
        live.problems[0].hint == f"the organisation has '{NFD_CAFE}', which differs only by accents"
    )
