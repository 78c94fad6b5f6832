"""The pull-request comment: marker, summary first, one section per object, and a size cap
that holds whatever the plan's size (GitHub refuses comments over 65,536 characters)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.render import github

from smsconf.reconcile.plan import Change, ColumnChange, Credential, Plan, Unmanaged
from smsconf.render.markdown import MARKER, MAX_CHARS, render

GITHUB_LIMIT = 65_536


def big_plan(objects: int, unmanaged: int = 0, value_size: int = 100) -> Plan:
    """Many objects, each a delete with a risk and an update with a long value."""
    changes = []
    for i in range(objects):
        name = f"Workstream {i:05d}"
        changes.append(
            Change(
                "update",
                "workstream",
                f"workstream '{name}'",
                "msdyn_liveworkstream",
                (name,),
                f"id-{i}",
                columns=(ColumnChange("msdyn_description", "x" * value_size, "y" * value_size),),
            )
        )
        changes.append(
            Change(
                "delete",
                "sms_channel",
                f"SMS channel of '{name}'",
                "msdyn_ocsmschannelsetting",
                (name,),
                f"ch-{i}",
                risks=("delete",),
            )
        )
    return Plan(
        "prod",
        "https://contoso.crm.dynamics.com",
        "org",
        "sha256:" + "0" * 64,
        changes=tuple(changes),
        unmanaged=tuple(
            Unmanaged("queue", f"queue 'Hand-made {i}'", "queue", f"q-{i}")
            for i in range(unmanaged)
        ),
    )


def test_marker_first_and_summary_before_details(mixed_plan: Plan) -> None:
    """A CI job finds its own comment by the marker; reviewers read counts and risks first."""
    text = render(mixed_plan)
    assert text.startswith(MARKER + "\n")
    assert "| 1 | 1 | 1 | 1 | 1 |" in text
    assert text.index("**Risks:**") < text.index("<details>")
    assert text.index("**Unsafe:**") < text.index("<details>")
    assert text.count("<details><summary><b>") == 4  # one per top-level object


def test_sections_show_only_what_changes_and_mask_secrets(empty_plan: Plan) -> None:
    text = render(empty_plan)
    assert (
        "].api_key: (sensitive)  (msdyn_occommunicationprovidersetting.msdyn_securesecret)" in text
    )
    assert "+ create account 'contoso-telesign'" in text


@pytest.mark.parametrize(("objects", "unmanaged"), [(2_000, 0), (10, 20_000), (3_000, 5_000)])
def test_huge_plans_stay_under_the_cap_and_say_what_is_missing(
    objects: int, unmanaged: int
) -> None:
    text = render(big_plan(objects, unmanaged))
    assert len(text) <= MAX_CHARS < GITHUB_LIMIT
    assert text.startswith(MARKER)
    assert text.rstrip().endswith("</sub>")
    if objects > 100:
        assert "object(s) not shown: the plan is too large" in text
        assert "risk(s) not shown" in text
    if unmanaged > 1_000:
        assert f"{unmanaged} unmanaged object(s)" in text
        assert "more not shown" in text


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=2_000, max_value=30_000),
    st.integers(min_value=0, max_value=3_000),
)
def test_cap_holds_for_any_size(objects: int, unmanaged: int, cap: int, value: int) -> None:
    plan = big_plan(objects, unmanaged, value)
    text = render(plan, max_chars=cap)
    assert len(text) <= cap
    shown = text.count("<details><summary><b>")
    if shown < objects:
        assert f"_{objects - shown} object(s) not shown" in text


def test_names_cannot_break_the_comment_html() -> None:
    """A name is text: `</details>` in it must not close the section early."""
    name = "Evil </summary></details><img src=x>"
    change = Change("create", "queue", f"queue '{name}'", "queue", (name,), "id")
    plan = Plan(
        None,
        "local",
        "org",
        "sha256:" + "0" * 64,
        changes=(change,),
        unmanaged=(Unmanaged("queue", f"queue '{name}'", "queue", "id2"),),
        credentials=(Credential("<b>acc</b>", "telesign", "C", "invalid", ""),),
    )
    seen = github.shown(render(plan))
    assert "img" not in seen.tags and seen.tags.count("b") == 1  # the section's own <b>
    assert seen.details == 2  # the object's section and the unmanaged list
    assert f"queue '{name}'" in seen.text and "<b>acc</b>" in seen.text


def test_no_commit_no_commit_in_footer(mixed_plan: Plan) -> None:
    assert "commit 0123456789ab" in render(mixed_plan)
    assert "commit" not in render(dataclasses.replace(mixed_plan, git_commit=None)).splitlines()[-1]


def test_deletes_that_follow_from_a_removed_object_are_in_its_section() -> None:
    """A removed workstream's contract is keyed by a generated unique name; reviewers expect
    it under the workstream, not in a section of its own called new_1f3…."""
    deletes = (
        Change(
            "delete",
            "sms_channel",
            "SMS channel 'Sales'",
            "t",
            ("Sales",),
            "a",
            cascade_of="workstream[Sales]",
        ),
        Change("delete", "workstream", "workstream 'Sales'", "t", ("Sales",), "b"),
        Change(
            "delete",
            "routing_contract",
            "routing contract 'new_1f3'",
            "t",
            ("new_1f3",),
            "c",
            cascade_of="workstream[Sales]",
        ),
    )
    text = render(Plan(None, "local", "org", "sha256:" + "0" * 64, changes=deletes))
    assert text.count("<details><summary><b>") == 1
    assert "<b>workstream &#x27;Sales&#x27;</b>: 3 change(s) (delete)" in text
