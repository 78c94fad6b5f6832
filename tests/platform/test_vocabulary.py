"""The configuration vocabulary may only use option values the platform tables declare, so a
value corrected in `tables.py` cannot silently disagree with the words that map onto it."""

from __future__ import annotations

import pytest

from smsconf.config.vocabulary import QUICK_REPLY_LOCALES
from smsconf.platform import TABLES
from smsconf.platform import vocabulary as vocab

WORDS = [
    ("msdyn_occommunicationprovidersetting", "msdyn_occommunicationprovider", vocab.PROVIDER),
    ("msdyn_ocphonenumber", "msdyn_type", vocab.NUMBER_TYPE),
    ("msdyn_liveworkstream", "msdyn_workdistributionmode", vocab.DISTRIBUTION_MODE),
    ("msdyn_liveworkstream", "msdyn_capacityformat", vocab.CAPACITY_FORMAT),
    ("msdyn_liveworkstream", "msdyn_allowedpresences", vocab.PRESENCE),
    ("msdyn_liveworkstream", "msdyn_matchinglogic", vocab.SKILL_MATCHING),
    ("msdyn_ocsmschannelsetting", "msdyn_postconversationsurveymode", vocab.SURVEY_MODE),
    ("msdyn_ocliveworkstreamcontextvariable", "msdyn_datatype", vocab.CONTEXT_VARIABLE_TYPE),
    ("queue", "msdyn_assignmentstrategy", vocab.QUEUE_ASSIGNMENT),
    ("msdyn_operatinghour", "msdyn_oc_daysofweek", vocab.WEEKDAY),
    ("msdyn_ocsystemmessage", "msdyn_systemmessageeventtype", vocab.MESSAGE_TRIGGER),
    ("msdyn_routingconfigurationstep", "msdyn_type", vocab.STEP_TYPE),
    ("msdyn_cannedmessage", "msdyn_locale_field", QUICK_REPLY_LOCALES),
]
SINGLE_VALUES = [
    ("msdyn_liveworkstream", "msdyn_streamsource", vocab.STREAM_SOURCE_SMS),
    ("msdyn_liveworkstream", "msdyn_mode", vocab.WORKSTREAM_MODE_SIMPLIFIED),
    ("msdyn_liveworkstream", "msdyn_direction", vocab.DIRECTION_INBOUND),
    ("msdyn_ocsystemmessage", "msdyn_messagereceiver", vocab.MESSAGE_RECEIVER_CUSTOMER),
    ("msdyn_ocsystemmessage", "msdyn_messagetype", vocab.MESSAGE_TYPE_AUTOMATED),
    ("msdyn_decisionruleset", "msdyn_rulesettype", vocab.RULESET_TYPE_DECLARATIVE),
    ("msdyn_decisionruleset", "msdyn_authoringmode", vocab.AUTHORING_MODE_DECISION_LIST),
    ("queue", "msdyn_queuetype", vocab.QUEUE_TYPE_MESSAGING),
]


def _options(table: str, column: str) -> frozenset[int]:
    found = TABLES[table].column(column)
    assert found is not None, f"{table}.{column} is not a platform column"
    return found.option_values()


@pytest.mark.parametrize(("table", "column", "words"), WORDS, ids=lambda v: str(v)[:40])
def test_word_values_are_declared_options(
    table: str, column: str, words: dict[str, int | None]
) -> None:
    values = {v for v in words.values() if v is not None}
    assert values <= _options(table, column)


@pytest.mark.parametrize(("table", "column", "value"), SINGLE_VALUES)
def test_single_values_are_declared_options(table: str, column: str, value: int) -> None:
    assert value in _options(table, column)


def test_verify_list_includes_platform_inferences() -> None:
    facts = vocab.verify_list()
    assert "msfp_survey: entity set name msfp_surveies" in facts
    assert any(f.startswith("msdyn_decisionruleset: alternate key on") for f in facts)


def test_twilio_inferences_in_code_are_on_the_verify_list() -> None:
    """What the Twilio code assumes without a source: the migration's geo → long_code and the
    organisation's signature check (the local organisation's webhook refuses a bad one)."""
    from smsconf.config.migrate import TWILIO_TYPE
    from smsconf.emulator.dataverse.twilio_webhook import receive

    facts = vocab.verify_list()
    assert TWILIO_TYPE["geo"] == "long_code"
    assert vocab.NUMBER_TYPE["geo"] == vocab.NUMBER_TYPE["long_code"]
    assert any("Telesign geo number is a Twilio long_code" in f for f in facts)
    assert receive.__doc__ and "403" in receive.__doc__
    assert any(f.startswith("the organisation verifies X-Twilio-Signature") for f in facts)
