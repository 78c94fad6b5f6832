"""`same`: values compared the way the server stores them, so a no-op plan stays a no-op.

Every false "difference" here would be an update on every run (octoDNS #1146, Terraform
#28803), and every false "same" a change silently never applied; both directions are tested.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsconf.platform import ColumnType
from smsconf.reconcile.diff import same

RULESET = (
    '<ruleset version="1"><rule id="{guid}" name="VIP">'
    '<condition attribute="account.tier" op="eq">Gold</condition>'
    "<action>{target}</action></rule></ruleset>"
)
GUID = "6a1f3c2e-0b8d-4e55-9c2a-7d41b2e0f001"

choices = st.lists(st.integers(min_value=192350000, max_value=192350099), unique=True)


# --- multi-select --------------------------------------------------------------------------


@given(choices, st.randoms())
def test_multiselect_ignores_order(values: list[int], rng) -> None:  # type: ignore[no-untyped-def]
    shuffled = values[:]
    rng.shuffle(shuffled)
    desired = ",".join(map(str, values)) or None
    live = ",".join(map(str, shuffled)) or None
    assert same(desired, live, ColumnType.MULTISELECT, None)


@given(choices.filter(bool), st.integers(min_value=192350100, max_value=192350199))
def test_multiselect_sees_a_value_added(values: list[int], extra: int) -> None:
    desired = ",".join(map(str, values))
    assert not same(desired, f"{desired},{extra}", ColumnType.MULTISELECT, None)
    assert not same(f"{desired},{extra}", desired, ColumnType.MULTISELECT, None)


def test_multiselect_spacing_and_empty() -> None:
    assert same("1,2", " 2 , 1 ", ColumnType.MULTISELECT, None)
    assert same(None, "", ColumnType.MULTISELECT, None)
    assert not same("1", None, ColumnType.MULTISELECT, None)


# --- XML by meaning ------------------------------------------------------------------------


def test_xml_equal_despite_spelling() -> None:
    """Attribute order, indentation, self-closing tags and GUID case/braces are not meaning."""
    desired = RULESET.format(guid=GUID, target="queue")
    live = (
        f"<ruleset version='1'>\n  <rule name='VIP' id='{GUID}'>\n"
        "    <condition op='eq' attribute='account.tier'> Gold </condition>\n"
        "    <action>queue</action>\n  </rule>\n</ruleset>"
    )
    assert same(desired, live, ColumnType.MEMO, "xml")
    braced = RULESET.format(guid=GUID, target="{" + GUID.upper() + "}")
    assert same(RULESET.format(guid=GUID, target=GUID), braced, ColumnType.MEMO, "xml")


def test_xml_different_meaning_is_a_change() -> None:
    desired = RULESET.format(guid=GUID, target="queue")
    assert not same(desired, desired.replace("Gold", "Silver"), ColumnType.MEMO, "xml")
    assert not same(desired, desired.replace('op="eq"', 'op="ne"'), ColumnType.MEMO, "xml")
    assert not same(desired, None, ColumnType.MEMO, "xml")


def test_xml_empty_is_null() -> None:
    """An empty document and no document are both 'nothing stored'."""
    assert same("", None, ColumnType.MEMO, "xml")
    assert same(None, "", ColumnType.MEMO, "xml")


# --- GUIDs ---------------------------------------------------------------------------------


@given(st.uuids(), st.booleans(), st.booleans())
def test_guid_case_and_braces(value: uuid.UUID, upper: bool, braces: bool) -> None:
    text = str(value).upper() if upper else str(value)
    text = "{" + text + "}" if braces else text
    assert same(str(value), text, ColumnType.LOOKUP, None)
    assert same(str(value), text, ColumnType.STRING, "guid")


@given(st.uuids(), st.uuids())
def test_different_guids_differ(a: uuid.UUID, b: uuid.UUID) -> None:
    assert same(str(a), str(b), ColumnType.LOOKUP, None) == (a == b)


def test_lookup_to_nothing() -> None:
    assert same(None, None, ColumnType.LOOKUP, None)
    assert not same(GUID, None, ColumnType.LOOKUP, None)
    assert not same(None, GUID, ColumnType.LOOKUP, None)


# --- scalars -------------------------------------------------------------------------------


@pytest.mark.parametrize(("desired", "live"), [("", None), (None, ""), (None, None), ("", "")])
def test_empty_text_is_null(desired: str | None, live: str | None) -> None:
    assert same(desired, live, ColumnType.STRING, None)


@pytest.mark.parametrize(
    ("desired", "live"),
    [
        (0, None),  # zero is a value, not "nothing"
        (False, None),
        (None, 0),
        (True, 1),  # a boolean column is not an integer column
        (1, True),
        ("10", 10),
        ("Gold", "gold"),  # text keeps its case
        ("a", "a "),
    ],
)
def test_values_that_differ(desired: object, live: object) -> None:
    assert not same(desired, live, None, None)


@given(st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_numbers_compare_by_value(n: int) -> None:
    """The server may answer an integer for a decimal written as 5.0 (or the reverse)."""
    assert same(n, float(n), ColumnType.DECIMAL, None)
    assert same(float(n), n, ColumnType.DECIMAL, None)
    assert not same(n, n + 1, ColumnType.INTEGER, None)
