"""The Plan value object: its JSON is the saved plan, so it must round-trip exactly and refuse
any edit made after planning (apply trusts the body, ETags and ids it carries)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsconf.mapping.keys import KEYS
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
tables = st.sampled_from(sorted(KEYS))


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
        table=draw(tables),
        key=tuple(draw(st.lists(text, min_size=1, max_size=3))),
        id=draw(guids),
        columns=columns + (secret if draw(st.booleans()) else ()),
        body=draw(st.dictionaries(text, json_values, max_size=3)),
        etag=draw(st.none() | text),
        reason=draw(st.text(max_size=20)),
        risks=tuple(draw(st.lists(text, max_size=2))),
        relationship=draw(text) if link else None,
        target_table=draw(tables) if link else None,
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
        lambda d: d.update(checksum="sha256:" + "f" * 64),
    ],
    ids=["body", "etag", "id", "etags", "unsafe", "org", "extra-change", "forged"],
)
def test_any_edit_after_planning_is_refused(edit: Any) -> None:
    with pytest.raises(PlanFileError, match="checksum does not match"):
        Plan.from_json(tampered(edit))


def test_checksum_covers_content_not_layout() -> None:
    """Re-indenting a plan file (an editor, a pretty-printer) is not tampering."""
    plan = sample_plan()
    compact = json.dumps(json.loads(plan.to_json()), separators=(",", ":"))
    assert Plan.from_json(compact) == plan


def rechecksummed(edit: Any) -> bytes:
    """The sample plan edited, its checksum recomputed as anyone can: past the checksum, what
    must refuse it is the reader's own checks."""
    data = json.loads(sample_plan().to_json())
    data.pop("checksum")
    edit(data)
    data["checksum"] = _checksum(data)
    return json.dumps(data).encode()


def _change(data: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = data["resource_changes"][0]
    return change


GOOD = sample_plan().to_json().encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json {", "is not JSON: Expecting value at line 1, column 1"),
        (GOOD[: len(GOOD) // 2], "is truncated: its JSON stops at line"),
        (GOOD[: GOOD.index(b"null") + 2], "is truncated: its JSON stops at line"),  # in a null
        (GOOD[: GOOD.index(b"false") + 3], "is truncated: its JSON stops at line"),
        (b"[]", "is a list in JSON, not a smsconf plan"),
        (b'"plan"', "is a string in JSON, not a smsconf plan"),
        (b"{}", "is not a smsconf plan (no format_version)"),
        (json.dumps({"format_version": "0.9"}).encode(), f"reads format {FORMAT_VERSION}"),
        (GOOD.replace(b'"checksum"', b'"checksun"'), "has no checksum"),
        (sample_plan().to_json().encode("utf-16"), "is UTF-16 text"),
        (sample_plan().to_json().encode("utf-16-le"), "binary or UTF-16"),
        (bytes(range(256)) * 4, "is not UTF-8 text (byte 128 is not)"),
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        (
            rechecksummed(lambda d: _change(d)["change"].update(actions=["explode"])),
            "resource_changes[0].change.actions is ['explode']: not one of",
        ),
        (
            rechecksummed(lambda d: _change(d).update(table="systemuser")),
            "resource_changes[0].table 'systemuser' is not a table smsconf writes",
        ),
        (
            rechecksummed(lambda d: _change(d).update(key="Tier 1")),
            "resource_changes[0].key is a string, expected a list",
        ),
        (
            rechecksummed(lambda d: _change(d).update(step=True)),
            "resource_changes[0].step is true or false, expected an integer",
        ),
        (
            rechecksummed(lambda d: d.update(resource_changes={})),
            "resource_changes is an object, expected a list",
        ),
        (rechecksummed(lambda d: d.update(extra=1)), "has an unknown member 'extra'"),
        (
            rechecksummed(lambda d: d["summary"].update(update=0)),
            "does not agree with itself: summary is not what its changes make",
        ),
        (
            rechecksummed(lambda d: _change(d)["change"]["after"].update(msdyn_priority=5)),
            "resource_changes[0].change is not what its columns make",
        ),
        (
            rechecksummed(lambda d: _change(d).update(address="queue[Other]")),
            "resource_changes[0].address is not what its columns make",
        ),
    ],
    ids=[
        "not-json",
        "truncated",
        "truncated-in-null",
        "truncated-in-false",
        "list",
        "string",
        "no-format",
        "old-format",
        "no-checksum",
        "utf-16",
        "utf-16-no-bom",
        "binary",
        "deep",
        "unknown-action",
        "unknown-table",
        "key-type",
        "step-bool",
        "changes-type",
        "unknown-member",
        "summary",
        "after-vs-columns",
        "address",
    ],
)
def test_malformed_plan_files_are_refused_in_one_line(content: bytes, message: str) -> None:
    with pytest.raises(PlanFileError) as refused:
        Plan.from_json(content)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


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
