"""The Plan value object: its JSON is the saved plan, so it must round-trip exactly and refuse
any edit made after planning (apply trusts the body, ETags and ids it carries)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsconf.reconcile.plan import (
    FORMAT_VERSION,
    SENSITIVE,
    Change,
    ColumnChange,
    Credential,
    NumberResult,
    Plan,
    PlanFileError,
    Unmanaged,
    _checksum,
)

text = st.text(min_size=1, max_size=12)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
guids = st.uuids().map(str)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    action = draw(st.sampled_from(["create", "update", "delete", "associate", "disassociate"]))
    link = action in ("associate", "disassociate")
    columns = tuple(
        ColumnChange(name, draw(json_values), draw(json_values), detail=tuple(draw(st.lists(text))))
        for name in draw(st.lists(text, max_size=3, unique=True))
    )
    secret = (ColumnChange("msdyn_securesecret", None, None, sensitive=True),)
    return Change(
        action=action,
        kind=draw(text),
        label=draw(text),
        table=draw(text),
        key=tuple(draw(st.lists(text, min_size=1, max_size=3))),
        id=draw(guids),
        columns=columns + (secret if draw(st.booleans()) else ()),
        body=draw(st.dictionaries(text, json_values, max_size=3)),
        etag=draw(st.none() | text),
        reason=draw(st.text(max_size=20)),
        risks=tuple(draw(st.lists(text, max_size=2))),
        relationship=draw(text) if link else None,
        target_table=draw(text) if link else None,
        target_id=draw(guids) if link else None,
        source=draw(st.none() | text),
        step=draw(st.integers(min_value=0, max_value=500)),
        cascade_of=draw(st.none() | text),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    return Plan(
        environment=draw(st.none() | text),
        target=draw(text),
        org_id=draw(guids),
        config_digest="sha256:" + "0" * 64,
        changes=tuple(draw(st.lists(changes(), max_size=4))),
        unmanaged=tuple(
            Unmanaged(draw(text), draw(text), draw(text), draw(guids))
            for _ in range(draw(st.integers(0, 2)))
        ),
        credentials=(Credential("a", "telesign", "C-1", draw(text), draw(st.text())),),
        number_checks=(NumberResult("a", "14255550100", "geo", "ok", ""),),
        read_etags=draw(st.dictionaries(text, text, max_size=3)),
        unsafe=tuple(draw(st.lists(text, max_size=2))),
        git_commit=draw(st.none() | st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)),
        callback_urls=draw(st.dictionaries(text, text, max_size=2)),
    )


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(plans())
def test_json_round_trip_is_exact(plan: Plan) -> None:
    again = Plan.from_json(plan.to_json())
    assert again == plan
    assert again.checksum == plan.checksum


@FAST
@given(plans())
def test_sensitive_columns_are_masked_in_before_and_after(plan: Plan) -> None:
    for change, data in zip(plan.changes, plan.to_dict()["resource_changes"], strict=True):
        for column in change.columns:
            if not column.sensitive:
                continue
            assert data["change"]["after_sensitive"][column.column] is True
            for side in ("before", "after"):
                if data["change"][side] is not None:
                    assert data["change"][side][column.column] == SENSITIVE


def sample_plan() -> Plan:
    change = Change(
        action="update",
        kind="queue",
        label="queue 'Tier 1'",
        table="queue",
        key=("Tier 1",),
        id="dea09c92-093b-561c-8692-8444279c4efa",
        columns=(ColumnChange("msdyn_priority", 10, 11),),
        body={"msdyn_priority": 11},
        etag='W/"42"',
        step=1,
    )
    return Plan(
        environment="local",
        target="local",
        org_id="16f2c734-4987-52ba-ab9c-5dd7b8dd8d3e",
        config_digest="sha256:" + "1" * 64,
        changes=(change,),
        read_etags={"queue(dea09c92-093b-561c-8692-8444279c4efa)": 'W/"42"'},
        unsafe=("1 delete(s) of queue exceed the limit of 0",),
    )


def tampered(edit: Any) -> str:
    data = json.loads(sample_plan().to_json())
    edit(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["resource_changes"][0]["body"].update(msdyn_priority=99),
        lambda d: d["resource_changes"][0].update(etag='W/"43"'),
        lambda d: d["resource_changes"][0].update(id="00000000-0000-0000-0000-000000000000"),
        lambda d: d["read_etags"].clear(),
        lambda d: d.update(unsafe=[]),
        lambda d: d.update(org_id="00000000-0000-0000-0000-000000000000"),
        lambda d: d["resource_changes"].append(d["resource_changes"][0]),
        lambda d: d.pop("checksum"),
        lambda d: d.update(checksum="sha256:" + "f" * 64),
    ],
    ids=["body", "etag", "id", "etags", "unsafe", "org", "extra-change", "no-checksum", "forged"],
)
def test_any_edit_after_planning_is_refused(edit: Any) -> None:
    with pytest.raises(PlanFileError, match="checksum does not match"):
        Plan.from_json(tampered(edit))


def test_checksum_covers_content_not_layout() -> None:
    """Re-indenting a plan file (an editor, a pretty-printer) is not tampering."""
    plan = sample_plan()
    compact = json.dumps(json.loads(plan.to_json()), separators=(",", ":"))
    assert Plan.from_json(compact) == plan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json {", "not JSON"),
        ("[]", "not a smsconf plan"),
        (json.dumps({"format_version": "0.9"}), f"format {FORMAT_VERSION}"),
    ],
)
def test_unreadable_plan_files(text: str, message: str) -> None:
    with pytest.raises(PlanFileError, match=message):
        Plan.from_json(text)


def test_incomplete_plan_with_valid_checksum_is_refused_clearly() -> None:
    """A plan written by another tool (checksum recomputed) but missing a member."""
    data = json.loads(sample_plan().to_json())
    del data["checksum"], data["resource_changes"]
    data["checksum"] = _checksum(data)
    with pytest.raises(PlanFileError, match="incomplete"):
        Plan.from_json(json.dumps(data))


def test_counts_and_risks() -> None:
    plan = sample_plan()
    assert plan.counts() == {
        "create": 0,
        "update": 1,
        "delete": 0,
        "associate": 0,
        "disassociate": 0,
    }
    assert plan.has_changes and plan.risks() == []


def test_plan_saved_before_cascade_of_existed_still_reads() -> None:
    """`cascade_of` came within format 1.0; a plan saved by the release before lacks it."""
    data = json.loads(sample_plan().to_json())
    del data["checksum"]
    for change in data["resource_changes"]:
        del change["cascade_of"]
    data["checksum"] = _checksum(data)
    assert Plan.from_json(json.dumps(data)).changes == sample_plan().changes


def _one_string_checksum(body: dict[str, Any]) -> str:
    """The checksum as first defined: SHA-256 of the whole body as one canonical string."""
    import hashlib

    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@given(plans())
@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
def test_checksum_hashed_piece_by_piece_is_the_one_string_checksum(plan: Plan) -> None:
    """Plans saved before the checksum was streamed still verify, and new ones verify there."""
    data = json.loads(plan.to_json())
    checksum = data.pop("checksum")
    assert checksum == plan.checksum == _one_string_checksum(data) == _checksum(data)
    assert Plan.from_json(plan.to_json()).checksum == checksum


def test_checksum_and_json_are_computed_once() -> None:
    plan = sample_plan()
    assert plan.checksum is plan.checksum
    assert plan.to_json() is plan.to_json()
    assert plan.to_dict()["checksum"] == plan.checksum
