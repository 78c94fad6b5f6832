"""The platform tables against reference/dataverse.md §1–2 and the evidence corrections."""

from __future__ import annotations

import pytest

from smsconf.platform import (
    ALL_TABLES,
    TABLES,
    ColumnType,
    Table,
    many_to_many,
    referencing_lookups,
    relationships_of,
    table_by_entity_set,
)

# §1.1: logical name → (entity set, primary key, primary name)
SUMMARY = {
    "msdyn_occommunicationprovidersetting": (
        "msdyn_occommunicationprovidersettings",
        "msdyn_occommunicationprovidersettingid",
        "msdyn_name",
    ),
    "msdyn_occommunicationprovidersettingentry": (
        "msdyn_occommunicationprovidersettingentries",
        "msdyn_occommunicationprovidersettingentryid",
        "msdyn_name",
    ),
    "msdyn_ocphonenumber": ("msdyn_ocphonenumbers", "msdyn_ocphonenumberid", "msdyn_name"),
    "msdyn_ocsmschannelsetting": (
        "msdyn_ocsmschannelsettings",
        "msdyn_ocsmschannelsettingid",
        "msdyn_name",
    ),
    "msdyn_liveworkstream": ("msdyn_liveworkstreams", "msdyn_liveworkstreamid", "msdyn_name"),
    "msdyn_smsnumber": ("msdyn_smsnumbers", "msdyn_smsnumberid", "msdyn_number"),
    "msdyn_ocsmssettingsecret": (
        "msdyn_ocsmssettingsecrets",
        "msdyn_ocsmssettingsecretid",
        "msdyn_name",
    ),
    "msdyn_oclanguage": ("msdyn_oclanguages", "msdyn_oclanguageid", "msdyn_languagename"),
    "msdyn_operatinghour": ("msdyn_operatinghours", "msdyn_operatinghourid", "msdyn_name"),
    "msdyn_ocsystemmessage": ("msdyn_ocsystemmessages", "msdyn_ocsystemmessageid", "msdyn_name"),
    "msdyn_oclocalizationdata": (
        "msdyn_oclocalizationdatas",
        "msdyn_oclocalizationdataid",
        "msdyn_localizedtext",
    ),
    "msdyn_ocliveworkstreamcontextvariable": (
        "msdyn_ocliveworkstreamcontextvariables",
        "msdyn_ocliveworkstreamcontextvariableid",
        "msdyn_name",
    ),
    "msdyn_routingconfiguration": (
        "msdyn_routingconfigurations",
        "msdyn_routingconfigurationid",
        "msdyn_name",
    ),
    "msdyn_routingconfigurationstep": (
        "msdyn_routingconfigurationsteps",
        "msdyn_routingconfigurationstepid",
        "msdyn_name",
    ),
    "msdyn_decisionruleset": ("msdyn_decisionrulesets", "msdyn_decisionrulesetid", "msdyn_name"),
    "msdyn_decisioncontract": ("msdyn_decisioncontracts", "msdyn_decisioncontractid", "msdyn_name"),
    "queue": ("queues", "queueid", "name"),
    "msdyn_capacityprofile": ("msdyn_capacityprofiles", "msdyn_capacityprofileid", "msdyn_name"),
    "msdyn_liveworkstreamcapacityprofile": (
        "msdyn_liveworkstreamcapacityprofiles",
        "msdyn_liveworkstreamcapacityprofileid",
        "msdyn_name",
    ),
    "msdyn_cannedmessage": ("msdyn_cannedmessages", "msdyn_cannedmessageid", "msdyn_title"),
    "msdyn_sessiontemplate": ("msdyn_sessiontemplates", "msdyn_sessiontemplateid", "msdyn_name"),
    "msdyn_notificationtemplate": (
        "msdyn_notificationtemplates",
        "msdyn_notificationtemplateid",
        "msdyn_name",
    ),
    "msfp_survey": ("msfp_surveies", "msfp_surveyid", "msfp_name"),
    "msdyn_smsengagementctx": (
        "msdyn_smsengagementctxes",
        "msdyn_smsengagementctxid",
        "msdyn_name",
    ),
}


@pytest.mark.parametrize("name", sorted(SUMMARY))
def test_summary_table(name: str) -> None:
    table = TABLES[name]
    assert (table.entity_set, table.primary_key, table.primary_name) == SUMMARY[name]
    assert table_by_entity_set(table.entity_set) is table
    primary_key = table.column(table.primary_key)
    assert primary_key is not None and primary_key.type is ColumnType.UNIQUEIDENTIFIER
    assert table.column(table.primary_name) is not None


def test_one_definition_per_table_and_entity_set() -> None:
    assert len({t.logical_name for t in ALL_TABLES}) == len(ALL_TABLES)
    assert len({t.entity_set for t in ALL_TABLES}) == len(ALL_TABLES)
    assert table_by_entity_set("nopes") is None


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.logical_name)
def test_lookups_point_at_known_tables_with_unique_navigations(table: Table) -> None:
    lookups = table.lookups()
    assert all(c.target in TABLES for c in lookups)
    navigations = [c.navigation for c in lookups]
    assert len(navigations) == len(set(navigations))


# §2.1: (table, column) → navigation property for @odata.bind, case-sensitive
@pytest.mark.parametrize(
    ("table", "column", "navigation", "target"),
    [
        (
            "msdyn_ocphonenumber",
            "msdyn_occommunicationprovidersettingid",
            "msdyn_communicationprovidersettingid",
            "msdyn_occommunicationprovidersetting",
        ),
        (
            "msdyn_occommunicationprovidersettingentry",
            "msdyn_communicationprovidersettingentid",
            "msdyn_CommunicationProviderSettingEntId",
            "msdyn_occommunicationprovidersetting",
        ),
        (
            "msdyn_ocsmschannelsetting",
            "msdyn_phonenumberid",
            "msdyn_PhoneNumberId",
            "msdyn_ocphonenumber",
        ),
        ("msdyn_ocsmschannelsetting", "msdyn_language", "msdyn_language", "msdyn_oclanguage"),
        (
            "msdyn_liveworkstream",
            "msdyn_botfailureactionconfig",
            "msdyn_BotFailureActionConfig",
            "msdyn_overflowactionconfig",
        ),
        (
            "msdyn_smsnumber",
            "msdyn_liveworkstreamid",
            "msdyn_LiveWorkStreamId",
            "msdyn_liveworkstream",
        ),
        ("msdyn_liveworkstream", "msdyn_bot_user", "msdyn_bot_user", "systemuser"),
    ],
)
def test_navigation_names(table: str, column: str, navigation: str, target: str) -> None:
    found = TABLES[table].column(column)
    assert found is not None and found.read_name == f"_{column}_value"
    assert (found.navigation, found.target) == (navigation, target)
    assert TABLES[table].by_navigation(navigation) is found
    assert TABLES[table].by_navigation(navigation.lower()) in (None, found)


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [
        (
            "msdyn_occommunicationprovidersetting",
            "msdyn_occommunicationprovider",
            {192350000, 192350001, 192350002, 192350003},
        ),
        ("msdyn_ocphonenumber", "msdyn_type", {192350000, 192350001, 192350002, 192350003}),
        ("msdyn_smsnumber", "msdyn_type", {192350000, 192350001, 192350002}),
        ("msdyn_liveworkstream", "msdyn_workdistributionmode", {192350000, 192350001}),
        ("msdyn_liveworkstream", "msdyn_capacityformat", {192350000, 192360000}),
        ("msdyn_liveworkstream", "msdyn_mode", {717210000, 717210001}),
        ("msdyn_ocsystemmessage", "msdyn_messagetype", {2, 3}),
        (
            "msdyn_ocliveworkstreamcontextvariable",
            "msdyn_datatype",
            {192350000, 192350001, 192350002, 192350100},
        ),
        ("queue", "msdyn_queuetype", {192350000, 192350001, 192350002}),
        ("msdyn_operatinghour", "msdyn_oc_daysofweek", set(range(192350000, 192350007))),
    ],
)
def test_option_values(table: str, column: str, values: set[int]) -> None:
    found = TABLES[table].column(column)
    assert found is not None and found.option_values() == values


def test_sms_stream_source_and_labels() -> None:
    column = TABLES["msdyn_liveworkstream"].column("msdyn_streamsource")
    assert column is not None
    assert {o.value: o.label for o in column.options}[192340000] == "SMS"


def test_evidence_corrections_win() -> None:
    message = TABLES["msdyn_ocsystemmessage"].column("msdyn_instanceid")
    assert message is not None and message.type is ColumnType.MEMO
    for table, column in (
        ("msdyn_decisionruleset", "msdyn_rulesetdefinition"),
        ("msdyn_decisioncontract", "msdyn_contractdefinition"),
    ):
        found = TABLES[table].column(column)
        assert found is not None and found.type is ColumnType.MEMO
    keyed = {t.logical_name for t in ALL_TABLES if t.key_for(frozenset({"msdyn_uniquename"}))}
    assert keyed == {
        "msdyn_decisioncontract",
        "msdyn_decisionruleset",
        "msdyn_routingconfiguration",
        "msdyn_routingconfigurationstep",
        "msdyn_capacityprofile",
        "msdyn_sessiontemplate",
        "msdyn_notificationtemplate",
    }
    documented_bulk = {t.logical_name for t in ALL_TABLES if not t.bulk_inferred}
    assert documented_bulk == {
        "msdyn_occommunicationprovidersetting",
        "msdyn_liveworkstream",
        "msdyn_ocsmschannelsetting",
        "msdyn_ocsystemmessage",
        "msdyn_decisionruleset",
    }


def test_inferred_facts_are_marked() -> None:
    assert TABLES["msfp_survey"].entity_set_inferred
    assert TABLES["msdyn_routingconfiguration"].entity_set_inferred
    assert not TABLES["msdyn_ocphonenumber"].entity_set_inferred
    assert TABLES["msdyn_sessiontemplate"].alternate_keys[0].inferred is False
    assert TABLES["msdyn_decisionruleset"].alternate_keys[0].inferred is True
    survey_bot = TABLES["msdyn_ocsmschannelsetting"].column(
        "msdyn_postconversationsurveyseparatebotsurvey"
    )
    assert survey_bot is not None and survey_bot.inferred


def test_secured_columns() -> None:
    secured = {(t.logical_name, c.logical_name) for t in ALL_TABLES for c in t.columns if c.secured}
    assert secured == {
        ("msdyn_occommunicationprovidersetting", "msdyn_securesecret"),
        ("msdyn_liveworkstream", "msdyn_secureapikey"),
        ("msdyn_ocsmssettingsecret", "msdyn_secureapikey"),
    }


def test_server_owned_fields_and_defaults() -> None:
    workstream = TABLES["msdyn_liveworkstream"]
    assert set(workstream.server_owned) == {
        "createdon",
        "modifiedon",
        "versionnumber",
        "_createdby_value",
        "_modifiedby_value",
        "_ownerid_value",
    }
    assert workstream.server_defaults == {
        "statecode": 0,
        "statuscode": 1,
        "msdyn_enableautomatedmessages": True,
    }
    assert "_ownerid_value" not in TABLES["msdyn_ocsmschannelsetting"].server_owned


def test_many_to_many_from_both_sides() -> None:
    name = "msdyn_msdyn_cannedmessage_liveworkstream"
    from_workstream = many_to_many("msdyn_liveworkstream", name)
    assert from_workstream is not None
    assert many_to_many("msdyn_cannedmessage", name) is from_workstream
    assert from_workstream.other("msdyn_liveworkstream") == "msdyn_cannedmessage"
    assert many_to_many("msdyn_liveworkstream", name.upper()) is None
    assert from_workstream in relationships_of("msdyn_cannedmessage")


def test_referencing_lookups() -> None:
    children = {
        (t.logical_name, c.logical_name) for t, c in referencing_lookups("msdyn_ocphonenumber")
    }
    # msdyn_smsnumber.msdyn_phonenumberid is on the phone number's 1:N list but not on the
    # legacy table's own page, and smsconf never touches that table: it is not declared.
    assert children == {("msdyn_ocsmschannelsetting", "msdyn_phonenumberid")}
