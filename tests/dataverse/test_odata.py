"""The filter builder checked by an independent OData parser (odata-query's), not by itself."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odata_query import ast
from odata_query.grammar import ODataLexer, ODataParser

from smsconf.dataverse import odata


def parse(text: object) -> ast._Node:
    return ODataParser().parse(ODataLexer().tokenize(str(text)))


identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True)


@settings(deadline=None)  # parse time varies with machine load
@given(st.text())
def test_any_string_round_trips_through_quoting(text: str) -> None:
    quoted = odata.quote_string(text)
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == "'"
    assert "'" not in inner.replace("''", "")  # no quote can end the literal early
    assert inner.replace("''", "'") == text


@settings(deadline=None)  # parse time varies with machine load
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")))
def test_a_quoted_string_is_one_literal_to_an_odata_parser(text: str) -> None:
    tree = parse(odata.eq("msdyn_name", text))
    assert tree == ast.Compare(ast.Eq(), ast.Identifier("msdyn_name"), ast.String(text))


def test_an_injection_attempt_stays_inside_its_literal() -> None:
    hostile = "x' or 1 eq 1 or name eq 'a"
    tree = parse(odata.eq("name", hostile) & odata.eq("statecode", 0))
    assert tree == ast.BoolOp(
        ast.And(),
        ast.Compare(ast.Eq(), ast.Identifier("name"), ast.String(hostile)),
        ast.Compare(ast.Eq(), ast.Identifier("statecode"), ast.Integer("0")),
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (192350000, "192350000"),
        (1.5, "1.5"),
        (Decimal("2.50"), "2.50"),
        ("O'Brien", "'O''Brien'"),
        (uuid.UUID("9F2C3A4B-0000-0000-0000-00000000000A"), "9f2c3a4b-0000-0000-0000-00000000000a"),
        ("9f2c3a4b-0000-0000-0000-00000000000a", "'9f2c3a4b-0000-0000-0000-00000000000a'"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05Z"),
        (dt.date(2024, 1, 2), "2024-01-02"),
    ],
)
def test_literals(value: odata.Value, text: str) -> None:
    assert odata.literal(value) == text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), dt.datetime(2024, 1, 1)])
def test_values_without_a_safe_literal_are_refused(bad: odata.Value) -> None:
    with pytest.raises(ValueError):
        odata.literal(bad)


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(TypeError):
        odata.literal([1, 2])  # type: ignore[arg-type]


@settings(deadline=None)  # parse time varies with machine load
@given(identifiers)
def test_identifiers_are_columns(name: str) -> None:
    assert odata.column(name) == name


@pytest.mark.parametrize(
    "bad", ["", "1abc", "name eq 'x'", "a,b", "a/", "x)", "name;drop", "na me", "a'b"]
)
def test_column_names_are_validated(bad: str) -> None:
    with pytest.raises(ValueError, match="not an OData column name"):
        odata.eq(bad, 1)


def test_navigation_paths_are_columns() -> None:
    assert str(odata.eq("sdkmessageid/name", "CreateMultiple")) == (
        "sdkmessageid/name eq 'CreateMultiple'"
    )


def test_comparisons_and_functions_parse() -> None:
    guid = uuid.UUID(int=7)
    built = (
        odata.ne("a", None)
        & ~odata.gt("b", 1)
        & (odata.ge("c", 2) | odata.lt("d", 3) | odata.le("e", 4))
        & odata.contains("f", "x'y")
        & odata.startswith("g", "p")
        & odata.endswith("h", "s")
        & odata.eq("_msdyn_liveworkstreamid_value", guid)
    )
    tree = parse(built)
    text = str(built)
    assert "not (b gt 1)" in text
    assert "contains(f,'x''y')" in text
    assert isinstance(tree, ast.BoolOp)
    assert f"_msdyn_liveworkstreamid_value eq {guid}" in text


def test_in_expands_to_an_or_chain() -> None:
    built = odata.in_("msdyn_type", [1, 2, 3])
    assert parse(built) == parse("(msdyn_type eq 1) or (msdyn_type eq 2) or (msdyn_type eq 3)")


def test_in_with_one_value_is_a_plain_comparison() -> None:
    assert str(odata.in_("name", ["a"])) == "name eq 'a'"


def test_in_can_use_the_dataverse_in_function() -> None:
    built = odata.in_("name", ["O'Brien", 5, uuid.UUID(int=1)], function=True)
    assert str(built) == (
        "Microsoft.Dynamics.CRM.In(PropertyName='name',"
        "PropertyValues=['O''Brien','5','00000000-0000-0000-0000-000000000001'])"
    )


def test_in_refuses_an_empty_set_and_null_in_the_function_form() -> None:
    with pytest.raises(ValueError, match="at least one"):
        odata.in_("name", [])
    with pytest.raises(ValueError, match="null"):
        odata.in_("name", [None], function=True)


def test_all_of_needs_an_operand() -> None:
    with pytest.raises(ValueError):
        odata.all_of()
    assert odata.any_of(odata.eq("a", 1)) == odata.eq("a", 1)


@pytest.mark.parametrize(
    ("key", "segment"),
    [
        (uuid.UUID(int=1), "(00000000-0000-0000-0000-000000000001)"),
        ("{9F2C3A4B-0000-0000-0000-00000000000A}", "(9f2c3a4b-0000-0000-0000-00000000000a)"),
        ({"msdyn_uniquename": "new_x"}, "(msdyn_uniquename='new_x')"),
        ({"a": "O'B/x?#%", "b": 2}, "(a='O''B%2Fx%3F%23%25',b=2)"),
    ],
)
def test_key_segments(key: odata.Key, segment: str) -> None:
    assert odata.key_segment(key) == segment


@pytest.mark.parametrize("bad", ["not-a-guid", "", {}, {"a b": "x"}, {"a": True}, {"a": 1.5}])
def test_bad_keys_are_refused(bad: odata.Key) -> None:
    with pytest.raises((ValueError, TypeError)):
        odata.key_segment(bad)


@pytest.mark.parametrize("term", ["name", "name asc", "createdon desc", "a/b desc"])
def test_orderby_terms(term: str) -> None:
    assert odata.order(term) == term


@pytest.mark.parametrize("bad", ["name up", "name  desc", "name desc,x", ""])
def test_bad_orderby_terms(bad: str) -> None:
    with pytest.raises(ValueError):
        odata.order(bad)


@pytest.mark.parametrize("bad", ["accounts(1)", "a/b", "", "$batch"])
def test_entity_set_names_are_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        odata.entity_set_name(bad)
