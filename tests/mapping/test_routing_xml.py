"""Routing documents: YAML conditions → XML → conditions again, and comparison by meaning."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsconf.config.model import Condition
from smsconf.mapping.routing_xml import (
    Rule,
    RulesetError,
    attribute_path,
    attribute_word,
    canonical,
    contract_xml,
    explain,
    parse_ruleset,
    ruleset_xml,
    serialise,
)

QUEUE = "0b8d2f4e-1c3a-4e5f-9a7b-6c5d4e3f2a1b"
names = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
NUMERIC = re.compile(r"-?\d+(\.\d+)?")
# Text that reads as a number or boolean comes back typed: static values carry no type.
texts = names.filter(lambda s: not NUMERIC.fullmatch(s) and s not in ("true", "false"))
values = st.one_of(st.integers(-1000, 1000), st.booleans(), texts)
attributes = st.builds(
    lambda src, attr: f"{src}.{attr}",
    st.sampled_from(["conversation", "contact", "account", "sms", "context"]),
    st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True),
)
comparisons = st.one_of(
    st.builds(
        lambda a, op, v: Condition(attribute=a, op=op, value=v),
        attributes,
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "contains"]),
        values,
    ),
    st.builds(
        lambda a, vs: Condition(attribute=a, op="in", value=vs),
        attributes,
        st.lists(values, min_size=1, max_size=3),
    ),
    st.builds(lambda a: Condition(attribute=a, op="not_null"), attributes),
)
conditions = st.one_of(
    comparisons,
    st.builds(lambda cs: Condition(any=cs), st.lists(comparisons, min_size=2, max_size=3)),
)


def rule(**kw: object) -> Rule:
    base: dict[str, object] = {"id": "r1", "name": "Rule 1", "when": [], "outputs": []}
    return Rule(**{**base, **kw})  # type: ignore[arg-type]


def test_the_real_export_shape_is_produced() -> None:
    """Evidence §1.1: route to queue with the designer's always-true guard."""
    doc = ET.fromstring(ruleset_xml([rule(queue=QUEUE)], "all"))
    assert doc.tag == "decision" and doc.get("hit-policy") == "all"
    condition = doc.find("rules/rule/logical/condition")
    assert condition is not None and condition.get("operator") == "not-null"
    assert condition.findtext("lhs") == "msdyn_ocliveworkitem.msdyn_createdon"
    assert doc.findtext("rules/rule/action/setattribute/lhs") == "assign_to.queue"
    assert doc.findtext("rules/rule/action/setattribute/rhs") == QUEUE


@settings(max_examples=150, deadline=None)
@given(
    st.lists(conditions, max_size=4),
    st.lists(st.tuples(attributes, values), min_size=1, max_size=5),
)
def test_classification_rules_round_trip(when: list[Condition], outputs: list) -> None:
    paths = [(attribute_path(a), v) for a, v in outputs]
    original = rule(when=when, outputs=paths)
    (parsed,) = parse_ruleset(ruleset_xml([original], "first"))
    assert parsed.when == when
    assert parsed.outputs == paths


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=1, max_size=5))
def test_queue_splits_round_trip(percents: list[int]) -> None:
    split = [(f"{i:08x}-0000-4000-8000-000000000000", p) for i, p in enumerate(percents)]
    (parsed,) = parse_ruleset(ruleset_xml([rule(split=split)], "all"))
    assert parsed.split == split and parsed.queue is None


def test_queue_ids_are_read_whatever_their_spelling() -> None:
    """Evidence §1.4: bare lower case in exports, {UPPER} with braces in another tool."""
    text = ruleset_xml([rule(queue=QUEUE)], "all").replace(QUEUE, "{" + QUEUE.upper() + "}")
    assert parse_ruleset(text)[0].queue == QUEUE


def test_canonical_ignores_spelling_but_not_meaning() -> None:
    ours = ruleset_xml([rule(queue=QUEUE)], "all")
    theirs = ours.replace(QUEUE, "{" + QUEUE.upper() + "}").replace("><", ">\n  <")
    theirs = theirs.replace('hit-policy="all" version="1"', 'version="1" hit-policy="all"')
    assert canonical(ours) == canonical(theirs)
    other = ruleset_xml([rule(queue=QUEUE.replace("0b8d", "0b8e"))], "all")
    assert canonical(ours) != canonical(other)


def test_gt_written_unescaped_by_the_designer_is_accepted() -> None:
    text = (
        '<decision hit-policy="all" version="1"><rules><rule id="x" name="Late">'
        '<logical operator="AND"><condition operator=">"><lhs type="attribute">'
        'msdyn_ocliveworkitem.msdyn_createdon</lhs><rhs type="staticvalue">2026-08-01</rhs>'
        '</condition></logical><action><setattribute><lhs type="attribute">assign_to.queue'
        f'</lhs><rhs type="staticvalue">{QUEUE}</rhs></setattribute></action></rule></rules>'
        "</decision>"
    )
    (parsed,) = parse_ruleset(text)
    assert parsed.when == [
        Condition(attribute="conversation.msdyn_createdon", op="gt", value="2026-08-01")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<decision", "not well-formed"),
        ("<contract version='1'/>", "expected <decision>"),
        (
            '<decision><rules><rule name="x"><logical><condition operator="~~"><lhs>a.b</lhs>'
            "</condition></logical><action/></rule></rules></decision>",
            "operator '~~'",
        ),
        ('<decision><rules><rule name="x"/></rules></decision>', "no action"),
    ],
)
def test_shapes_smsconf_does_not_write_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(RulesetError, match=message):
        parse_ruleset(text)


def test_attribute_words_and_paths_are_inverse() -> None:
    for word in (
        "conversation.x",
        "contact.mobilephone",
        "account.name",
        "sms.locale",
        "context.Tier",
    ):
        assert attribute_word(attribute_path(word)) == word
    with pytest.raises(RulesetError):
        attribute_word("queuedetails.queueid")


def test_contract_lists_context_variables() -> None:
    doc = ET.fromstring(contract_xml([("Tier", "string"), ("Cases", "number")]))
    variables = doc.findall("complex/variable")
    assert [(v.get("name"), v.get("data-type")) for v in variables] == [
        ("Tier", "string"),
        ("Cases", "number"),
    ]


def test_contract_lists_the_entities_of_a_real_export() -> None:
    """A real workstream contract (evidence §1.5) has msdyn_effortpredictionresult beside the
    live work item; the engagement context is the channel's own."""
    doc = ET.fromstring(contract_xml([("Opted in", "boolean")]))
    entities = [(e.get("logical-name"), e.get("is-collection")) for e in doc.findall("entity")]
    assert entities == [
        ("msdyn_ocliveworkitem", None),
        ("msdyn_effortpredictionresult", None),
        ("msdyn_smsengagementctx", None),
        ("msdyn_ocliveworkitemcharacteristic", "true"),
        ("msdyn_ocliveworkitemcapacityprofile", "true"),
    ]


def test_explain_names_the_rule_and_the_value() -> None:
    before = ruleset_xml(
        [
            rule(
                name="VIP",
                when=[Condition(attribute="account.tier", value="Gold")],
                outputs=[("x.y", 1)],
            )
        ],
        "first",
    )
    after = before.replace("Gold", "Platinum")
    assert explain(before, after) == (
        "rule 'VIP' › logical › condition › rhs › text: 'Gold' → 'Platinum'",
    )
    assert explain(before, before) == ()


_NAMES = st.sampled_from(["decision", "rules", "rule", "condition", "lhs", "rhs", "value"])
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


@st.composite
def _elements(draw: st.DrawFn, depth: int = 3) -> ET.Element:
    node = ET.Element(
        draw(_NAMES), draw(st.dictionaries(st.sampled_from(["id", "name", "type"]), _TEXT))
    )
    node.text = draw(st.none() | _TEXT)
    node.tail = draw(st.none() | _TEXT)
    if depth:
        node.extend(draw(st.lists(_elements(depth - 1), max_size=3)))
    return node


@given(_elements())
def test_serialise_is_elementtree_to_the_character(node: ET.Element) -> None:
    """The fast serialiser of rule documents writes exactly what ElementTree writes: markup
    characters, quotes, line breaks and tabs escaped alike, empty elements self-closed alike."""
    node.tail = None  # tostring writes the root's tail too; rule documents never have one
    assert serialise(node) == ET.tostring(node, encoding="unicode")
