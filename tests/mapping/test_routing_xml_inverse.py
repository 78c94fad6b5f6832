"""`parse_ruleset` and `contract_variables` as exact inverses, which export depends on.

Each case here was a real round-trip failure: the document written from the parsed rules
differed from the stored one, so a plan of an export would have rewritten the ruleset.
"""

from __future__ import annotations

import pytest

from smsconf.config.model import Condition
from smsconf.mapping.routing_xml import (
    Rule,
    RulesetError,
    canonical,
    contract_variables,
    contract_xml,
    parse_ruleset,
    ruleset_xml,
    unstatic,
)

A = Condition(attribute="sms.locale", value="fr-FR")
B = Condition(attribute="account.msdyn_tier", op="in", value=["Gold", 7])


def round_trip(rule: Rule) -> tuple[Rule, str, str]:
    written = ruleset_xml([rule], "first")
    (back,) = parse_ruleset(written)
    return back, written, ruleset_xml([back], "first")


@pytest.mark.parametrize(
    "when",
    [
        [Condition(all=[A, B])],
        [A, Condition(any=[A, Condition(all=[A, B])])],
        [Condition(any=[Condition(all=[A]), B])],
    ],
)
def test_nested_groups_come_back_as_groups(when: list[Condition]) -> None:
    back, written, rewritten = round_trip(Rule("r", "R", when, [("liveworkitemcontext.X", 1)]))
    assert back.when == when
    assert canonical(rewritten) == canonical(written)


@pytest.mark.parametrize("text", ["007", "1.50", "-0", "+1", "1e3", "01.5"])
def test_numbers_spelt_unlike_python_stay_text(text: str) -> None:
    assert unstatic(text) == text
    rule = Rule(
        "r", "R", [Condition(attribute="sms.x", value=text)], [("liveworkitemcontext.X", text)]
    )
    back, written, rewritten = round_trip(rule)
    assert back.when[0].value == text and back.outputs == [("liveworkitemcontext.X", text)]
    assert canonical(rewritten) == canonical(written)


@pytest.mark.parametrize(("text", "value"), [("7", 7), ("-12", -12), ("2.5", 2.5), ("true", True)])
def test_plain_numbers_and_booleans_are_read_as_such(text: str, value: object) -> None:
    assert unstatic(text) == value and type(unstatic(text)) is type(value)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            "<upsertrecords><target>msdyn_ocliveworkitemcharacteristic</target><records/>"
            "</upsertrecords>",
            "upserts records other than a split",
        ),
        (
            "<upsertrecords><target>percentagebaseddistribution</target><records><record>"
            '<setattribute><lhs type="attribute">queuedetails.percentage</lhs>'
            '<rhs type="staticvalue">100</rhs></setattribute></record></records></upsertrecords>',
            "split record without a queue",
        ),
    ],
)
def test_other_upserts_are_refused_by_name(action: str, message: str) -> None:
    text = (
        '<decision hit-policy="all"><rules><rule id="r" name="R"><logical operator="AND"/>'
        f"<action>{action}</action></rule></rules></decision>"
    )
    with pytest.raises(RulesetError, match=message):
        parse_ruleset(text)


def test_a_logical_operator_smsconf_does_not_write_is_refused() -> None:
    text = (
        '<decision hit-policy="all"><rules><rule id="r" name="R"><logical operator="AND">'
        '<logical operator="NOT"/></logical><action/></rule></rules></decision>'
    )
    with pytest.raises(RulesetError, match="operator='NOT'"):
        parse_ruleset(text)


def test_contract_variables_are_the_inverse_of_contract_xml() -> None:
    variables = [("Tier", "string"), ("Cases", "number"), ("Account", "entityreference")]
    assert contract_variables(contract_xml(variables)) == variables
    assert contract_variables(contract_xml([])) == []
    with pytest.raises(RulesetError, match="not well-formed"):
        contract_variables("<contract")
