"""Properties of the small parsers behind FetchXML, functions and preferences."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from smsconf.emulator.dataverse.fetchfilter import like
from smsconf.emulator.dataverse.protocol import AnnotationFilter, Call
from smsconf.emulator.dataverse.urls import function_call, literal

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
PLAIN = st.text(alphabet=st.characters(blacklist_characters="%_[", blacklist_categories=("Cs",)))


@given(PLAIN, TEXT, TEXT, st.text(alphabet="abcXYZ", max_size=8))
def test_like_wildcards_match_as_sql_does(
    needle: str, before: str, after: str, ascii_: str
) -> None:
    assert like(needle).fullmatch(needle) is not None
    assert like(f"%{needle}%").fullmatch(before + needle + after) is not None
    assert like(f"{needle}_").fullmatch(needle + "x") is not None
    assert like(f"{needle}_").fullmatch(needle) is None
    assert like(ascii_).fullmatch(ascii_.swapcase()) is not None  # case-insensitive


@given(st.lists(TEXT, max_size=4))
def test_alias_values_are_json_and_inline_values_odata(values: list[str]) -> None:
    name, parameters = function_call("F(A=@p1)", {"@p1": json.dumps(values)})
    assert (name, parameters) == ("F", {"A": values})
    inline = "[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    assert literal(inline) == values


@given(
    st.lists(
        st.sampled_from(["*", "OData.*", "Microsoft.Dynamics.CRM.*", "A.b", "-A.b"]), max_size=4
    )
)
def test_prefer_keeps_quoted_commas_and_exclusions_win(terms: list[str]) -> None:
    pattern = ",".join(terms)
    call = Call(
        "GET",
        "x",
        {},
        {"prefer": f'odata.maxpagesize=3,odata.include-annotations="{pattern}"'},
        b"",
        "",
    )
    assert call.prefer["odata.include-annotations"] == pattern
    assert call.page_size() == 3
    wanted = AnnotationFilter(pattern)
    if "-A.b" in terms:
        assert not wanted.wants("A.b")
    elif "*" in terms or "A.b" in terms:
        assert wanted.wants("A.b")
    assert wanted.wants("Microsoft.Dynamics.CRM.morerecords") == (
        "*" in terms or "Microsoft.Dynamics.CRM.*" in terms
    )
