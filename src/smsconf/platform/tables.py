"""Every table smsconf reads or writes, transcribed from reference/dataverse.md §1–2.

Corrections from reference/dataverse-evidence.md win: `msdyn_instanceid` is a memo, ruleset and
contract definitions are opaque XML strings, `msdyn_uniquename` is an alternate key on the
routing tables and templates, and bulk messages are accepted everywhere. Anything only inferred
is flagged `inferred=True` on the column, key or table attribute it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable

from smsconf.platform.columns import (
    boolean,
    datetime,
    integer,
    lookup,
    memo,
    multiselect,
    options,
    picklist,
    string,
    system_columns,
)
from smsconf.platform.model import (
    BULK_MESSAGES,
    AlternateKey,
    Column,
    ColumnType,
    ManyToMany,
    Table,
)
from smsconf.platform.security import SECURITY_RELATIONSHIPS, SECURITY_TABLES

STREAM_SOURCE = options(
    (192340000, "SMS"),
    (19241000, "Microsoft Teams"),
    (192300000, "WhatsApp"),
    (192310000, "LINE"),
    (192320000, "WeChat"),
    (192330000, "Facebook"),
    (192350000, "Entity Records"),
    (192350001, "Twitter"),
    (192350002, "Custom"),
    (192360000, "Live chat"),
    (192370000, "Voice"),
    (192380000, "Video"),
    (192390000, "Co-browse"),
    (192400000, "Screen sharing"),
    (192440000, "Voice call"),
    (192450000, "Apple Messages for Business"),
    (192450001, "Google's Business Messages"),
)
SURVEY_MODE = options(
    (192350000, "Insert survey in conversation"), (192350001, "Send survey link to conversation")
)
APP_MODULE = options((192350000, "Service"))
PRESENCES = options(
    (192360000, "Available"),
    (192360001, "Busy"),
    (192360002, "Busy - DND"),
    (192360003, "Away"),
    (192360004, "Offline"),
)
DAYS_OF_WEEK = options(
    (192350000, "Sunday"),
    (192350001, "Monday"),
    (192350002, "Tuesday"),
    (192350003, "Wednesday"),
    (192350004, "Thursday"),
    (192350005, "Friday"),
    (192350006, "Saturday"),
)
# Evidence §4 lists these triggers from the [doc] entity page; §1.9 adds 192350023 (older).
SYSTEM_MESSAGE_EVENTS = options(
    (192350000, "Agent joined conversation"),
    (192350002, "Transfer to agent accepted"),
    (192350013, "Agent disconnected"),
    (192350014, "Agent ended conversation"),
    (192350015, "Session ended"),
    (192350017, "Agent assigned to conversation"),
    (192350018, "Agent could not be assigned"),
    (192350023, "Outside operating hours (older)"),
    (192350024, "Customer next in line"),
    (192350025, "Unsupported message type"),
    (192350030, "Average wait time"),
    (192350031, "Average wait time (queue)"),
    (192350032, "Average wait time (position)"),
    (192350035, "Holiday"),
    (192350036, "Outside operating hours"),
    (192350038, "File too big"),
    (192350040, "File could not be attached"),
    (192350056, "Greeting for async channels"),
    (192350057, "Customer opted out"),
    (192350059, "Agent left customer conversation"),
    (192350061, "Agent joined customer conversation"),
)
# Quick-reply locales: the options of msdyn_cannedmessage.msdyn_locale_field (cedev page);
# 2057, 2058, 3081, 3084 and 4105 are not among them.
LOCALES = options(
    (1025, "Arabic"),
    (1028, "Chinese (Traditional)"),
    (1029, "Czech"),
    (1030, "Danish"),
    (1031, "German"),
    (1032, "Greek"),
    (1033, "English (US)"),
    (1035, "Finnish"),
    (1036, "French"),
    (1037, "Hebrew"),
    (1038, "Hungarian"),
    (1040, "Italian"),
    (1041, "Japanese"),
    (1042, "Korean"),
    (1043, "Dutch"),
    (1044, "Norwegian (Bokmål)"),
    (1045, "Polish"),
    (1046, "Portuguese (Brazil)"),
    (1049, "Russian"),
    (1053, "Swedish"),
    (1054, "Thai"),
    (1055, "Turkish"),
    (2052, "Chinese (Simplified)"),
    (2070, "Portuguese (Portugal)"),
    (3082, "Spanish"),
)

UNIQUENAME_KEY = "msdyn_uniquename"


def _table(
    logical_name: str,
    entity_set: str,
    primary_name: str,
    columns: Iterable[Column],
    *,
    ownership: str = "UserOwned",
    uniquename_key: bool | None = None,
    bulk_documented: bool = False,
    entity_set_inferred: bool = False,
    primary_name_inferred: bool = False,
    state: bool = True,
) -> Table:
    """Build a table with its system columns; `uniquename_key` True=evidenced, False=inferred."""
    primary_key = f"{logical_name}id"
    keys: tuple[AlternateKey, ...] = ()
    if uniquename_key is not None:
        keys = (
            AlternateKey(
                f"{logical_name}_uniquename", (UNIQUENAME_KEY,), inferred=not uniquename_key
            ),
        )
    return Table(
        logical_name=logical_name,
        entity_set=entity_set,
        primary_key=primary_key,
        primary_name=primary_name,
        columns=(*system_columns(primary_key, ownership, state=state), *columns),
        ownership=ownership,
        alternate_keys=keys,
        bulk_messages=BULK_MESSAGES,
        bulk_inferred=not bulk_documented,
        entity_set_inferred=entity_set_inferred,
        primary_name_inferred=primary_name_inferred,
    )


_PROVIDER_SETTING = _table(
    "msdyn_occommunicationprovidersetting",
    "msdyn_occommunicationprovidersettings",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        picklist(
            "msdyn_occommunicationprovider",
            options(
                (192350000, "Azure Communication Services"),
                (192350001, "Twilio"),
                (192350002, "TeleSign"),
                (192350003, "Microsoft Teams Phone System"),
            ),
        ),
        string("msdyn_accountsid", 800),  # Customer ID / Account SID: evidence §3 corroborates
        string("msdyn_secret", 100),
        string("msdyn_securesecret", 4000, secured=True),
        boolean("msdyn_istrial"),
        string("msdyn_occommunicationproviderdatalocation", 800),
        string("msdyn_occommunicationproviderimmutableid", 800),
        multiselect("msdyn_appmodule", APP_MODULE),
    ),
    bulk_documented=True,
)

_PROVIDER_SETTING_ENTRY = _table(
    "msdyn_occommunicationprovidersettingentry",
    "msdyn_occommunicationprovidersettingentries",
    "msdyn_name",
    (
        string("msdyn_name"),
        lookup(
            "msdyn_communicationprovidersettingentid",
            "msdyn_occommunicationprovidersetting",
            "msdyn_CommunicationProviderSettingEntId",
            inferred=True,  # the navigation is the lookup's SchemaName; no relationship block
        ),
        string("msdyn_key", 100),
        string("msdyn_value", 100),
    ),
)

_PHONE_NUMBER = _table(
    "msdyn_ocphonenumber",
    "msdyn_ocphonenumbers",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        string("msdyn_phonenumber", required=True),
        string("msdyn_formattedphonenumber"),
        string("msdyn_countryisocode", 3),
        picklist(
            "msdyn_type",
            options(
                (192350000, "Geo"),
                (192350001, "Toll free"),
                (192350002, "Short code"),
                (192350003, "Mobile number"),
            ),
        ),
        lookup(
            "msdyn_occommunicationprovidersettingid",
            "msdyn_occommunicationprovidersetting",
            "msdyn_communicationprovidersettingid",
        ),
        boolean("msdyn_smsinboundenabled"),
        boolean("msdyn_smsoutboundenabled"),
        boolean("msdyn_phoneinboundenabled"),
        boolean("msdyn_phoneoutboundenabled"),
        picklist("msdyn_phonenumbertype", options((0, "ACS"), (1, "Teams"))),
        picklist(
            "msdyn_ocphonenumbersource",
            options(
                (192350000, "Direct Offer"),
                (192350001, "Direct Routing"),
            ),
            required=True,
        ),
        picklist("msdyn_objective", options((192350000, "Conversation"), (192350001, "Lead"))),
        lookup("msdyn_carrierid", "msdyn_occarrier", inferred=True),
        string("msdyn_teamsresourceaccount", 800),
        multiselect("msdyn_appmodule", APP_MODULE),
    ),
)

_SMS_CHANNEL_SETTING = _table(
    "msdyn_ocsmschannelsetting",
    "msdyn_ocsmschannelsettings",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        lookup("msdyn_liveworkstreamid", "msdyn_liveworkstream", required=True),
        # §1.5 [doc]: deleting the phone number deletes the channel setting.
        lookup(
            "msdyn_phonenumberid",
            "msdyn_ocphonenumber",
            "msdyn_PhoneNumberId",
            required=True,
            cascade_delete=True,
        ),
        lookup("msdyn_language", "msdyn_oclanguage", required=True),
        lookup("msdyn_operatinghourid", "msdyn_operatinghour"),
        string("msdyn_inboundurl", 200),
        boolean("msdyn_enablefileattachmentforcustomers", default=False),
        boolean("msdyn_enablefileattachmentforagents", default=False),
        boolean("msdyn_enablerealtimelanguagetranslation"),
        boolean("msdyn_postconversationsurveyenable"),
        lookup("msdyn_postconversationsurvey", "msfp_survey"),
        picklist("msdyn_postconversationsurveymode", SURVEY_MODE),
        string("msdyn_postconversationsurveymessagetext", 200),
        boolean("msdyn_postconversationsurveybotsurvey"),
        lookup("msdyn_postconversationsurveyseparatebotsurvey", "msfp_survey", inferred=True),
        picklist("msdyn_postconversationsurveybotsurveymode", SURVEY_MODE),
        string("msdyn_postconversationsurveybotsurveymessagetext", 200),
    ),
    ownership="OrganizationOwned",
    bulk_documented=True,
)

_WORKSTREAM = _table(
    "msdyn_liveworkstream",
    "msdyn_liveworkstreams",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        picklist("msdyn_streamsource", STREAM_SOURCE, required=True),
        picklist("msdyn_mode", options((717210000, "Legacy"), (717210001, "Simplified"))),
        picklist(
            "msdyn_workdistributionmode",
            options((192350000, "Push"), (192350001, "Pick")),
            required=True,
        ),
        picklist(
            "msdyn_direction",
            options(
                (0, "Inbound"),
                (1, "Outbound"),
                (2, "Direct Inbound"),
                (3, "Direct Outbound"),
                (4, "ProactiveOutbound"),
            ),
            required=True,
        ),
        picklist(
            "msdyn_capacityformat",
            options(
                (192350000, "Unit based"),
                (192360000, "Profile based"),
            ),
        ),
        integer("msdyn_capacityrequired", required=True),
        multiselect("msdyn_allowedpresences", PRESENCES, required=True),
        integer("msdyn_autocloseafterinactivity", required=True),
        integer("msdyn_blockcapacityforwrapup"),
        integer("msdyn_blockcapacityforwrapupinseconds", inferred=True),
        picklist(
            "msdyn_matchinglogic",
            options(
                (192350000, "Exact match"),
                (192350001, "Closest match"),
            ),
        ),
        boolean("msdyn_enableagentaffinity"),
        boolean("msdyn_enableautomatedmessages", default=True),
        boolean("msdyn_enableselectingfrompushbasedworkstreams"),
        integer("msdyn_assignworkitemafterdecline", inferred=True),
        integer("msdyn_followupafterwaiting"),
        integer("msdyn_handlingtimethreshold"),
        integer("msdyn_waitingtimethreshold"),
        integer("msdyn_maxconcurrentconnection"),
        picklist(
            "msdyn_notification",
            options(
                (100000000, "Directly open session"),
                (100000001, "Screen pop with timeout"),
                (100000002, "Screen pop with decline"),
            ),
        ),
        integer("msdyn_screenpoptimeout"),
        picklist(
            "msdyn_conversationmode",
            options(
                (192350000, "Live Chat"),
                (192350001, "Persistent Chat"),
            ),
        ),
        boolean("msdyn_isdefault"),
        memo("msdyn_recordidentificationrule", 1048576),
        memo("msdyn_recordidentificationvalidationrule", 1048576),
        boolean("msdyn_restrictdownloadrecording"),
        boolean("msdyn_restrictdownloadtranscript"),
        boolean("msdyn_alwaysassigntolastagent", inferred=True),
        integer("msdyn_durationtoqualifyforlastagent", inferred=True),
        lookup("msdyn_defaultqueue", "queue"),
        lookup("msdyn_routingcontractid", "msdyn_decisioncontract"),
        lookup("msdyn_bot_user", "systemuser"),
        lookup("msdyn_bot_queue", "queue", inferred=True),
        lookup("msdyn_outboundqueueid", "queue", inferred=True),
        lookup(
            "msdyn_botfailureactionconfig",
            "msdyn_overflowactionconfig",
            "msdyn_BotFailureActionConfig",
        ),
        string("msdyn_bot_rule", 100),
        # Evidence §5: these hold template unique names as plain text, not lookups.
        multiselect(
            "msdyn_blockcapacityforconsult",
            options((192350001, "Chat"), (192350002, "Voice")),
            inferred=True,
        ),
        string("msdyn_fallbacklanguage", 100, inferred=True),
        string("msdyn_sessiontemplate_default", 200),
        string("msdyn_notificationtemplate_incoming_auth", 200),
        # Detailed on the older page only (cecs msdyn_liveworkstream, SOURCES.md).
        string("msdyn_notificationtemplate_incoming_unauth", 200),
        string("msdyn_notificationtemplate_consult", 200),
        string("msdyn_notificationtemplate_transfer", 200),
        string("msdyn_notificationtemplate_supervisorassign", 200),
        string("msdyn_sessionscenarioplaceholder", 100),
        string("msdyn_notificationscenarioplaceholder", 100),
        # Legacy SMS columns of the Omnichannel Administration model (§2.3).
        picklist(
            "msdyn_smsprovider",
            options(
                (192350000, "TeleSign"),
                (192350001, "Twilio"),
                (192350002, "Azure Communication Services"),
            ),
        ),
        string("msdyn_customerid", 100),
        string("msdyn_apikey", 100),
        string("msdyn_secureapikey", 100, secured=True),
        integer("msdyn_apikeyversionnumber", inferred=True),
        string("msdyn_telesigninboundurl", 200),
        string("msdyn_twilioinboundurl", 200),
        string("msdyn_connectorsurl", 100, inferred=True),
        datetime("msdyn_lastvalidationon"),
    ),
    bulk_documented=True,
)

_SMS_NUMBER = _table(
    "msdyn_smsnumber",
    "msdyn_smsnumbers",
    "msdyn_number",
    (
        string("msdyn_number", required=True),
        string("msdyn_description", 500),
        string("msdyn_formattedphonenumber"),
        lookup(
            "msdyn_liveworkstreamid",
            "msdyn_liveworkstream",
            "msdyn_LiveWorkStreamId",
            required=True,
            inferred=True,  # the navigation is the lookup's SchemaName; no relationship block
        ),
        lookup("msdyn_operatinghourid", "msdyn_operatinghour", inferred=True),
        picklist("msdyn_provider", options((192350000, "TeleSign App"))),
        picklist(
            "msdyn_type",
            options(
                (192350000, "Long code"),
                (192350001, "Short code"),
                (192350002, "Toll free"),
            ),
        ),
        # The page of this legacy table lists no phone-number, language, survey or attachment
        # columns: smsconf never reads or writes them (audit §2 #11).
    ),
    ownership="UserOwned",
)

_SMS_SETTING_SECRET = _table(
    "msdyn_ocsmssettingsecret",
    "msdyn_ocsmssettingsecrets",
    "msdyn_name",
    (
        string("msdyn_name"),
        lookup("msdyn_liveworkstreamid", "msdyn_liveworkstream", inferred=True),
        string("msdyn_secureapikey", 600, secured=True),
    ),
)

_LANGUAGE = _table(
    "msdyn_oclanguage",
    "msdyn_oclanguages",
    "msdyn_languagename",
    (string("msdyn_languagename"), integer("msdyn_localeid")),
)

_OPERATING_HOUR = _table(
    "msdyn_operatinghour",
    "msdyn_operatinghours",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        memo("msdyn_description", 500),
        boolean("msdyn_enablealldays"),
        string("msdyn_starttimestring", 10),
        string("msdyn_endtimestring", 10),
        multiselect("msdyn_oc_daysofweek", DAYS_OF_WEEK),
        integer("msdyn_timezone", inferred=True),
        string("msdyn_totalworkhours", 100),  # (Deprecated) Total work hours: a String
        string("msdyn_calendarid", 100, inferred=True),
    ),
)

_SYSTEM_MESSAGE = _table(
    "msdyn_ocsystemmessage",
    "msdyn_ocsystemmessages",
    "msdyn_name",
    (
        string("msdyn_name"),
        memo("msdyn_messagetext", required=True),
        memo("msdyn_messagedescription"),
        picklist("msdyn_messagereceiver", options((192350000, "Agent"), (192350001, "Customer"))),
        picklist("msdyn_streamsource", STREAM_SOURCE),
        picklist("msdyn_systemmessageeventtype", SYSTEM_MESSAGE_EVENTS),
        memo("msdyn_instanceid"),  # channel-setting id for SMS: evidence §4, inferred mapping
        lookup("msdyn_defaultlanguage", "msdyn_oclanguage", required=True, inferred=True),
        picklist("msdyn_messagetype", options((2, "Automated Message"), (3, "Message Template"))),
        picklist("msdyn_messagetemplatetrigger", options((1, "Outside 24-hour window"))),
        boolean("msdyn_isrecurring"),
        integer("msdyn_messageinterval"),
        integer("msdyn_repeatcount"),
    ),
    ownership="OrganizationOwned",
    bulk_documented=True,
)

_LOCALIZATION = _table(
    "msdyn_oclocalizationdata",
    "msdyn_oclocalizationdatas",
    "msdyn_localizedtext",
    (
        lookup("msdyn_systemmessageid", "msdyn_ocsystemmessage"),
        lookup("msdyn_customerlanguageid", "msdyn_oclanguage", required=True),
        integer("msdyn_languagecode", required=True),
        # The primary name: String 1000, not a memo (cedev page).
        string("msdyn_localizedtext", 1000, required=True),
        string("msdyn_defaultlocalizedtext", 1000),
        # ApplicationRequired; written as Microsoft's SMS migration schema writes them.
        string("msdyn_entityname", required=True),
        string("msdyn_entitycolumnname", required=True),
        string("msdyn_entityrecordid", required=True),
        boolean("msdyn_isdefault", required=True),
    ),
    ownership="OrganizationOwned",
)

_CONTEXT_VARIABLE = _table(
    "msdyn_ocliveworkstreamcontextvariable",
    "msdyn_ocliveworkstreamcontextvariables",
    "msdyn_name",
    (
        string("msdyn_name", required=True),
        lookup("msdyn_liveworkstreamid", "msdyn_liveworkstream", required=True, inferred=True),
        picklist(
            "msdyn_datatype",
            options(
                (192350000, "Text"),
                (192350001, "Number"),
                (192350002, "Boolean"),
                (192350100, "Entity Reference"),
            ),
            required=True,
        ),
        string("msdyn_displayname"),
        string("msdyn_entitylogicalname"),
        string("msdyn_relationshipname"),
        boolean("msdyn_isdisplayable"),
        boolean("msdyn_islist"),
        boolean("msdyn_ismodifiable"),
        boolean("msdyn_issystemdefined"),
    ),
)

_ROUTING_CONFIGURATION = _table(
    "msdyn_routingconfiguration",
    "msdyn_routingconfigurations",
    "msdyn_name",
    (
        string("msdyn_name"),
        string(UNIQUENAME_KEY, 128),
        lookup("msdyn_liveworkstreamid", "msdyn_liveworkstream"),
        boolean("msdyn_isactiveconfiguration"),
    ),
    uniquename_key=False,
    entity_set_inferred=True,
)

_ROUTING_STEP = _table(
    "msdyn_routingconfigurationstep",
    "msdyn_routingconfigurationsteps",
    "msdyn_name",
    (
        string("msdyn_name"),
        string(UNIQUENAME_KEY, 128, required=True),
        lookup("msdyn_routingconfigurationid", "msdyn_routingconfiguration"),
        lookup("msdyn_rulesetid", "msdyn_decisionruleset", inferred=True),
        integer("msdyn_steporder"),
        picklist(
            "msdyn_type",
            options(
                (192350000, "Enrichment / work classification"),
                (192350001, "Skill identification"),
                (192350002, "Queue identification"),
                (192350003, "Agent group identification"),
            ),
        ),
    ),
    uniquename_key=False,
)

_DECISION_RULESET = _table(
    "msdyn_decisionruleset",
    "msdyn_decisionrulesets",
    "msdyn_name",
    (
        string("msdyn_name", 200, required=True),
        string(UNIQUENAME_KEY, 256, required=True),
        memo("msdyn_rulesetdefinition", 1048576),  # opaque XML: evidence §1
        picklist("msdyn_rulesettype", options((192350000, "Declarative"), (192350001, "ML model"))),
        picklist("msdyn_authoringmode", options((192350000, "Decision list"))),
        lookup("msdyn_inputcontractid", "msdyn_decisioncontract"),
        lookup("msdyn_outputcontractid", "msdyn_decisioncontract"),
        boolean("msdyn_isinputcollection"),
        string("msdyn_description", 500),
    ),
    uniquename_key=False,
    bulk_documented=True,
)

_DECISION_CONTRACT = _table(
    "msdyn_decisioncontract",
    "msdyn_decisioncontracts",
    "msdyn_name",
    (
        string("msdyn_name", 200),
        string(UNIQUENAME_KEY, 256),
        memo("msdyn_contractdefinition", 1048576),  # opaque XML: evidence §1.5
    ),
    uniquename_key=False,
    entity_set_inferred=True,
)

_QUEUE = _table(
    "queue",
    "queues",
    "name",
    (
        string("name", 200, required=True),
        boolean("msdyn_isomnichannelqueue"),
        boolean("msdyn_isdefaultqueue"),  # the out-of-the-box queues: never deleted
        picklist(
            "msdyn_queuetype",
            options(
                (192350000, "Messaging"),
                (192350001, "Entity"),
                (192350002, "Voice"),
            ),
        ),
        picklist(
            "msdyn_assignmentstrategy",
            options(
                (192350000, "Highest capacity"),
                (192350001, "Round robin"),
                (192350002, "Custom"),
                (192350003, "Longest idle"),
            ),
        ),
        lookup("msdyn_operatinghourid", "msdyn_operatinghour"),
        integer("msdyn_priority"),
    ),
)

_CAPACITY_PROFILE = _table(
    "msdyn_capacityprofile",
    "msdyn_capacityprofiles",
    "msdyn_name",
    (
        string("msdyn_name"),
        string(UNIQUENAME_KEY, 128, inferred=True),
        integer("msdyn_defaultmaxunits"),
        boolean("msdyn_blockassignment"),
    ),
    uniquename_key=False,
    entity_set_inferred=True,
)

_WORKSTREAM_CAPACITY_PROFILE = _table(
    "msdyn_liveworkstreamcapacityprofile",
    "msdyn_liveworkstreamcapacityprofiles",
    "msdyn_name",
    (
        string("msdyn_name"),
        lookup("msdyn_workstream_id", "msdyn_liveworkstream"),
        lookup("msdyn_capacityprofile_id", "msdyn_capacityprofile", "msdyn_capacityProfile_id"),
    ),
    entity_set_inferred=True,
)

_CANNED_MESSAGE = _table(
    "msdyn_cannedmessage",
    "msdyn_cannedmessages",
    "msdyn_title",
    (
        string("msdyn_title", required=True),
        memo("msdyn_message", 4000, required=True),
        picklist("msdyn_locale_field", LOCALES),
    ),
    ownership="OrganizationOwned",
)

_SESSION_TEMPLATE = _table(
    "msdyn_sessiontemplate",
    "msdyn_sessiontemplates",
    "msdyn_name",
    (
        string("msdyn_name"),
        string(UNIQUENAME_KEY, 128),
        picklist("msdyn_sessiontype", options((0, "Generic"), (1, "Entity"))),
    ),
    uniquename_key=True,
)

_NOTIFICATION_TEMPLATE = _table(
    "msdyn_notificationtemplate",
    "msdyn_notificationtemplates",
    "msdyn_name",
    (
        string("msdyn_name"),
        string(UNIQUENAME_KEY, 128),
        string("msdyn_title", 100, inferred=True),
        string("msdyn_icon", 1024, inferred=True),
        integer("msdyn_timeout", inferred=True),
    ),
    uniquename_key=False,
)

_SURVEY = _table(
    "msfp_survey",
    "msfp_surveies",
    "msfp_name",
    (string("msfp_name", 450, inferred=True),),
    entity_set_inferred=True,
    primary_name_inferred=True,
)

_ENGAGEMENT_CONTEXT = _table(
    "msdyn_smsengagementctx",
    "msdyn_smsengagementctxes",
    "msdyn_name",
    (
        string("msdyn_name", inferred=True),
        # msdyn_liveworkitemid is a lookup to the conversation (the page), which smsconf never
        # reads: not declared.
        string("msdyn_customerphonenumber"),
        string("msdyn_orgphonenumber"),
        string("msdyn_countrycode", 100),
        string("msdyn_smsengagementid", 100),
        picklist("msdyn_smsprovider", options((192350000, "TeleSign"), (192350001, "Twilio"))),
    ),
    primary_name_inferred=True,
)

# Lookup targets the SMS tables point at; only the columns a lookup needs.
_SYSTEM_USER = _table(
    "systemuser",
    "systemusers",
    "fullname",
    (
        string("fullname", 200),
        string("domainname", 1024),
        Column("applicationid", ColumnType.UNIQUEIDENTIFIER),  # a GUID, not a string (the page)
    ),
    ownership="BusinessOwned",
    state=False,  # no statecode/statuscode on the systemuser page: `isdisabled` instead
)
_CARRIER = _table(
    "msdyn_occarrier",
    "msdyn_occarriers",
    "msdyn_name",
    (string("msdyn_name"),),
    entity_set_inferred=True,
)
_OVERFLOW_ACTION_CONFIG = _table(
    "msdyn_overflowactionconfig",
    "msdyn_overflowactionconfigs",
    "msdyn_name",
    (string("msdyn_name"),),
)

ALL_TABLES: tuple[Table, ...] = (
    _PROVIDER_SETTING,
    _PROVIDER_SETTING_ENTRY,
    _PHONE_NUMBER,
    _SMS_CHANNEL_SETTING,
    _WORKSTREAM,
    _SMS_NUMBER,
    _SMS_SETTING_SECRET,
    _LANGUAGE,
    _OPERATING_HOUR,
    _SYSTEM_MESSAGE,
    _LOCALIZATION,
    _CONTEXT_VARIABLE,
    _ROUTING_CONFIGURATION,
    _ROUTING_STEP,
    _DECISION_RULESET,
    _DECISION_CONTRACT,
    _QUEUE,
    _CAPACITY_PROFILE,
    _WORKSTREAM_CAPACITY_PROFILE,
    _CANNED_MESSAGE,
    _SESSION_TEMPLATE,
    _NOTIFICATION_TEMPLATE,
    _SURVEY,
    _ENGAGEMENT_CONTEXT,
    _SYSTEM_USER,
    _CARRIER,
    _OVERFLOW_ACTION_CONFIG,
    *SECURITY_TABLES,
)

TABLES: dict[str, Table] = {t.logical_name: t for t in ALL_TABLES}
_BY_ENTITY_SET: dict[str, Table] = {t.entity_set: t for t in ALL_TABLES}

MANY_TO_MANY: tuple[ManyToMany, ...] = (
    ManyToMany(
        "msdyn_msdyn_cannedmessage_liveworkstream",
        "msdyn_cannedmessage",
        "msdyn_liveworkstream",
        "msdyn_msdyn_cannedmessage_liveworkstream",
        "msdyn_msdyn_cannedmessage_liveworkstream",
        "msdyn_msdyn_cannedmessage_liveworkstream",
    ),
    ManyToMany(
        "msdyn_msdyn_liveworkstream_systemuser",
        "msdyn_liveworkstream",
        "systemuser",
        "msdyn_msdyn_liveworkstream_systemuser",
        "msdyn_msdyn_liveworkstream_systemuser",
        "msdyn_msdyn_liveworkstream_systemuser",
        inferred=True,
    ),
    *SECURITY_RELATIONSHIPS,
)


def table_by_entity_set(entity_set: str) -> Table | None:
    """The table served at `/api/data/v9.2/<entity_set>`, or None."""
    return _BY_ENTITY_SET.get(entity_set)


def many_to_many(table: str, navigation: str) -> ManyToMany | None:
    """The N:N relationship reached from `table` through a collection navigation, or None."""
    for rel in MANY_TO_MANY:
        if (rel.table1 == table and rel.navigation1 == navigation) or (
            rel.table2 == table and rel.navigation2 == navigation
        ):
            return rel
    return None


def relationships_of(table: str) -> tuple[ManyToMany, ...]:
    """The N:N relationships a table takes part in."""
    return tuple(r for r in MANY_TO_MANY if table in (r.table1, r.table2))


def referencing_lookups(target: str) -> tuple[tuple[Table, Column], ...]:
    """Every (table, lookup column) pointing at `target`: the 1:N relationships of `target`."""
    return tuple((t, c) for t in ALL_TABLES for c in t.lookups() if c.target == target)
