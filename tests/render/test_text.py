"""The terminal view: what a reviewer reads before typing yes, coloured only on a terminal,
and faithful to names whatever characters they hold."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsconf.reconcile.plan import Change, ColumnChange, Credential, Plan
from smsconf.render.common import VALUE_LIMIT
from smsconf.render.text import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")
EMPTY = Plan("local", "local", "org-1", "sha256:" + "0" * 64)


def with_changes(*changes: Change, **fields: object) -> Plan:
    return dataclasses.replace(EMPTY, changes=changes, **fields)  # type: ignore[arg-type]


def update(label: str, before: object, after: object, **kw: object) -> Change:
    return Change(
        "update",
        "queue",
        label,
        "queue",
        ("Q",),
        "id",
        columns=(ColumnChange("msdyn_description", before, after),),
        step=1,
        **kw,  # type: ignore[arg-type]
    )


def test_no_changes_says_so() -> None:
    text = render(EMPTY)
    assert "No changes. The organisation matches the configuration." in text
    assert text.rstrip().endswith("Plan: no changes.")


def test_colour_only_when_asked(mixed_plan: Plan) -> None:
    """Piped output (CI logs, files) must be plain; a terminal gets colour, same words."""
    plain = render(mixed_plan)
    coloured = render(mixed_plan, color=True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_update_shows_before_and_after_with_reason_and_source() -> None:
    change = update("queue 'Q'", "old", "new", reason="differs", source="a.yaml:3:5")
    text = render(with_changes(change))
    assert "~   1. update queue 'Q'  (a.yaml:3:5)" in text
    assert "why: differs" in text
    assert 'msdyn_description: "old" → "new"' in text


def test_long_and_multiline_values_are_cut_to_one_line() -> None:
    text = render(with_changes(update("queue 'Q'", "a\nb", "z" * 500)))
    assert '"a⏎b"' in text
    line = next(x for x in text.splitlines() if "msdyn_description" in x)
    assert "…" in line and len(line) < 2 * VALUE_LIMIT + 40


def test_secrets_show_as_sensitive_changed() -> None:
    change = Change(
        "update",
        "account",
        "account 'a'",
        "msdyn_occommunicationprovidersetting",
        ("a",),
        "id",
        columns=(ColumnChange("msdyn_securesecret", None, None, sensitive=True),),
        risks=("credential change",),
    )
    text = render(with_changes(change))
    assert "msdyn_securesecret: (sensitive) (changed)" in text
    assert "! credential change" in text


def test_failed_credentials_show_status_and_detail() -> None:
    plan = dataclasses.replace(
        EMPTY, credentials=(Credential("acme", "telesign", "C-1", "invalid", "401 from Telesign"),)
    )
    assert "credentials of account 'acme' (C-1): invalid: 401 from Telesign" in render(plan)


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)
"""Printable names (the others are spelled out: tests/render/test_hostile_names.py)."""


@given(names, names, names)
@pytest.mark.parametrize("color", [False, True])
def test_any_name_is_printed_as_is(color: bool, name: str, reason: str, detail: str) -> None:
    """Names come from YAML and the org: `[red]` or `[/]` in one is text, not rich markup
    (it used to vanish, or crash the renderer)."""
    change = update(f"queue '{name}'", None, 1, reason=reason, source=f"{name}.yaml:1:1")
    plan = with_changes(
        change,
        credentials=(Credential(name, "telesign", "C", "invalid", detail),),
        unsafe=(f"{name} is unsafe",),
    )
    text = ANSI.sub("", render(plan, color=color))
    for expected in (f"queue '{name}'", f"why: {reason}", f"{name}.yaml:1:1", detail):
        assert expected.strip() in text
    assert f"Unsafe: {name} is unsafe".strip() in text


def test_a_delete_that_follows_from_another_names_it() -> None:
    """Reviewers see why a channel goes although only its workstream is under removed:."""
    change = Change(
        "delete",
        "sms_channel",
        "SMS channel 'Sales'",
        "msdyn_ocsmschannelsetting",
        ("Sales",),
        "id",
        reason="its parent is removed",
        cascade_of="workstream[Sales]",
    )
    assert "why: its parent is removed, with workstream[Sales]" in render(with_changes(change))


@pytest.mark.parametrize("color", [False, True])
def test_emoji_codes_backslashes_and_split_brackets_are_text(color: bool) -> None:
    """Printed as written: ':fire:' is not an emoji, '\\[' keeps its backslash, and a '[' in
    one field and ']' in the next never join into markup (each used to be mangled)."""
    change = update("queue ':fire: \\[x'", None, 1, reason="[a", source="b]")
    text = ANSI.sub("", render(with_changes(change), color=color))
    assert "update queue ':fire: \\[x'" in text
    assert "why: [a" in text and "(b])" in text


def test_tabs_and_control_codes_are_spelled_out_alike_with_and_without_colour() -> None:
    change = update("queue 'a\tb\x07c'", "x\ty", None, reason="r\rs")
    plain = render(with_changes(change))
    assert "queue 'a\\tb\\x07c'" in plain and "why: r\\rs" in plain and '"x\\ty"' in plain
    assert ANSI.sub("", render(with_changes(change), color=True)) == plain
