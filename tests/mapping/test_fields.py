"""The field map: exactly one entry per configuration field, converters that are each other's
inverse, and the kinds of object named once."""

from __future__ import annotations

import typing
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from smsconf.config import vocabulary as v
from smsconf.config.kinds import KINDS
from smsconf.config.model import RemovableKind, format_minutes
from smsconf.config.schema import json_schema
from smsconf.mapping.fields import (
    CHANNEL_PROFILE_TEMPLATES,
    FIELD,
    FIELDS,
    LOCALE,
    Choices,
    Minutes,
    Unexpressible,
    Words,
    WrapUp,
)
from smsconf.mapping.tables import KIND_OF_TABLE, LINK_KIND, REFERENCE_TABLES
from smsconf.platform import TABLES
from smsconf.platform.snapshot import load_snapshot


def schema_fields() -> list[str]:
    schema = json_schema()
    models = {"Config": schema, **schema["$defs"]}
    return [f"{name}.{field}" for name, model in models.items() for field in model["properties"]]


def test_every_field_of_the_json_schema_has_exactly_one_entry() -> None:
    counted = Counter(entry.name for entry in FIELDS)
    assert {name for name, n in counted.items() if n > 1} == set()
    assert sorted(counted) == sorted(schema_fields())


def test_every_column_entry_names_a_column_of_its_table() -> None:
    for entry in FIELDS:
        if entry.is_column:
            assert entry.table in TABLES, entry.name
            for column in (entry.column, *entry.also):
                assert TABLES[entry.table].column(str(column)) is not None, entry.name


@given(st.sampled_from([e for e in FIELDS if isinstance(e.convert, Words)]), st.data())
def test_a_word_is_read_back_as_itself(entry, data: st.DataObject) -> None:
    convert = entry.convert
    word = data.draw(st.sampled_from(sorted(convert.vocabulary)))
    if isinstance(convert, Choices):
        assert convert.word(convert.stored([word])) == [word]
        return
    back = convert.word(convert.stored(word))
    if entry.name != "PhoneNumber.type":  # geo and long_code: one value, per provider
        assert back == word


def test_a_value_without_a_word_is_unexpressible() -> None:
    mode = FIELD["Distribution.mode"].convert
    try:
        mode.word(42)
    except Unexpressible as exc:
        assert "distribution mode value 42" in str(exc)
    else:
        raise AssertionError("42 is no distribution mode")


@given(st.integers(min_value=0, max_value=60 * 24 * 60))
def test_minutes_and_durations_are_inverse(minutes: int) -> None:
    assert Minutes().stored(Minutes().word(minutes)) == minutes
    assert Minutes().word(Minutes().stored(format_minutes(minutes))) == format_minutes(minutes)


@given(st.sampled_from(["always", "never", "5m", "1h", "45m"]))
def test_wrap_up_words_are_read_back(word: str) -> None:
    assert WrapUp().word(WrapUp().stored(word)) == word


@given(st.sampled_from(sorted(v.LOCALES)))
def test_locales_and_lcids_are_inverse(locale: str) -> None:
    assert LOCALE.word(LOCALE.stored(locale)) == locale


def test_kinds_are_named_once_and_agree_with_the_language() -> None:
    """The removable kinds are those `removed:` accepts; every table's kind is a known kind."""
    removable = {name for name, kind in KINDS.items() if kind.removable}
    assert removable == set(typing.get_args(RemovableKind))
    assert set(KIND_OF_TABLE.values()) | set(LINK_KIND.values()) <= set(KINDS)
    assert set(REFERENCE_TABLES) <= set(KINDS)


def test_the_refusal_s_reasons_hold_in_microsoft_s_pages() -> None:
    """The per-scenario template refusal says where such an organisation keeps the templates
    and why smsconf writes none there: the table has every slot's column, a row belongs to a
    channel profile, and no workstream column refers to one. When a page shows that link, this
    fails, and smsconf can write the rows instead of refusing."""
    snapshot = load_snapshot()
    table = snapshot.table(CHANNEL_PROFILE_TEMPLATES)
    assert table is not None
    held = {a.logical_name for a in table.attributes()}
    absent = [entry for entry in FIELDS if entry.when_absent is not None]
    assert absent and {str(entry.column) for entry in absent} <= held
    profile = table.attribute("msdyn_channelprofileid")
    assert profile is not None and profile.targets == ("msdyn_channelprofile",)
    workstream = snapshot.table("msdyn_liveworkstream")
    assert workstream is not None
    lookups = [a for a in workstream.attributes() if a.type in ("Lookup", "Customer", "Owner")]
    assert lookups and not [a for a in lookups if "msdyn_channelprofile" in a.targets]
