"""The configuration's words as the values Dataverse stores.

One table per word family, so that a value found wrong on a real organisation is corrected in
one line. Entries the references only infer are listed in `INFERRED`, which the README's
"verify on a real org" section is generated from.
"""

from __future__ import annotations

PROVIDER = {"telesign": 192350002, "twilio": 192350001, "acs": 192350000}
NUMBER_TYPE = {
    "geo": 192350000,
    "long_code": 192350000,
    "toll_free": 192350001,
    "short_code": 192350002,
    "mobile": 192350003,  # ACS mobile numbers (msdyn_type "Mobile number")
}
STREAM_SOURCE_SMS = 192340000
WORKSTREAM_MODE_SIMPLIFIED = 717210001
DIRECTION_INBOUND = 0
DISTRIBUTION_MODE = {"push": 192350000, "pick": 192350001}
CAPACITY_FORMAT = {"units": 192350000, "profile": 192360000}
PRESENCE = {
    "available": 192360000,
    "busy": 192360001,
    "busy_dnd": 192360002,
    "away": 192360003,
    "offline": 192360004,
}
SKILL_MATCHING = {"none": None, "exact": 192350000, "closest": 192350001}
SURVEY_MODE = {"insert": 192350000, "link": 192350001}
CONTEXT_VARIABLE_TYPE = {
    "text": 192350000,
    "number": 192350001,
    "boolean": 192350002,  # seen live (PrometheanCCaaSToolbox visual-routing-tester notes)
    "entity_reference": 192350100,
}
QUEUE_ASSIGNMENT = {
    "highest_capacity": 192350000,
    "round_robin": 192350001,
    "custom": 192350002,
    "longest_idle": 192350003,
}
QUEUE_TYPE_MESSAGING = 192350000
WEEKDAY = {
    "sun": 192350000,
    "mon": 192350001,
    "tue": 192350002,
    "wed": 192350003,
    "thu": 192350004,
    "fri": 192350005,
    "sat": 192350006,
}
MESSAGE_TRIGGER = {
    "agent_joined": 192350000,
    "transfer_accepted": 192350002,
    "agent_disconnected": 192350013,
    "agent_ended_conversation": 192350014,
    "session_ended": 192350015,
    "agent_assigned": 192350017,
    "agent_not_assigned": 192350018,
    "customer_next_in_line": 192350024,
    "unsupported_message_type": 192350025,
    "holiday": 192350035,
    "outside_operating_hours": 192350036,
    "file_too_big": 192350038,
    "file_attach_failed": 192350040,
    "greeting": 192350056,
    "customer_opted_out": 192350057,
    "agent_left_conversation": 192350059,
    "agent_joined_conversation": 192350061,
}
MESSAGE_RECEIVER_CUSTOMER = 192350001
MESSAGE_TYPE_AUTOMATED = 2
STEP_TYPE = {"classification": 192350000, "route_to_queue": 192350002}
RULESET_TYPE_DECLARATIVE = 192350000
AUTHORING_MODE_DECISION_LIST = 192350000
QUEUE_OUTPUT_CONTRACT = "msdyn_demandqueueidentificationoutput"

# Wrap-up blocking: no "type" column on the workstream (evidence §5). Null = "Always block" fits
# the real export; 0 = "Don't block" is a guess.
WRAP_UP_ALWAYS: int | None = None
WRAP_UP_NEVER = 0

# Routing-rule operators in ruleset XML: `==`, `>`, `>=`, `not-null` and `in` are seen in real
# rulesets (evidence §1.4); the others are the designer's likely spellings.
RULE_OPERATOR = {
    "eq": "==",
    "ne": "!=",
    "gt": ">",
    "ge": ">=",
    "lt": "<",
    "le": "<=",
    "in": "in",
    "not_null": "not-null",
    "null": "null",
    "contains": "contains",
}

# Where a routing condition's attribute lives in the decision contract.
ATTRIBUTE_PATH = {
    "conversation": "msdyn_ocliveworkitem",
    "contact": "msdyn_ocliveworkitem.msdyn_customer_msdyn_ocliveworkitem_contact",
    "account": "msdyn_ocliveworkitem.msdyn_customer_msdyn_ocliveworkitem_account",
    "sms": "msdyn_smsengagementctx",
    "context": "liveworkitemcontext",
}
CLASSIFICATION_OUTPUT_PRIORITY = "msdyn_ocliveworkitem.msdyn_priorityscore"

# Facts to check on a real organisation; each line names the table/column and the doubt.
INFERRED = (
    "msdyn_occommunicationprovidersetting.msdyn_accountsid holds the Telesign Customer ID",
    "msdyn_occommunicationprovidersetting.msdyn_accountsid holds the Twilio Account SID and "
    "msdyn_securesecret its Auth Token",
    "msdyn_ocphonenumber.msdyn_type: a Twilio long code is stored as Geo (192350000)",
    "a Telesign geo number is a Twilio long_code (the admin center's Twilio 'Long code' is "
    "Telesign's 'Geo'): migrate telesign moves geo numbers to long_code, and a number typed with "
    "the other provider's word gets it as its did-you-mean",
    "msdyn_liveworkstream.msdyn_blockcapacityforwrapup: null = always block, 0 = never block",
    "msdyn_ocsystemmessage.msdyn_instanceid holds the SMS channel setting id (not the workstream)",
    "ruleset operators !=, <, <=, null and contains are spelt as in RULE_OPERATOR",
    "routing attribute paths for contact/account go through the msdyn_customer_* relationships",
    "the SMS decision contract lists msdyn_smsengagementctx as its engagement-context entity",
    "N:N msdyn_msdyn_liveworkstream_systemuser holds the smart-assist bots",
    "msdyn_liveworkstream.msdyn_sessiontemplate_default / msdyn_notificationtemplate_* hold "
    "template unique names",
    "out-of-the-box SMS template unique names (msdyn_sms_*)",
    "which msdyn_channelprofilenotificationtemplate row (one per msdyn_channelprofile) the "
    "product reads for a workstream's consult / transfer / incoming_unauth / supervisorassign "
    "templates on an organisation whose workstreams lack those columns (Microsoft's newest page, "
    "a live 2026 organisation): no workstream column names a channel profile; a queue "
    "(msdyn_channelprofileid) and a capacity link (msdyn_engagementprofileid) do. Until a "
    "source says, smsconf refuses those four fields there (the admin center sets them)",
    "decision-contract data-type tokens number, boolean and entityreference (only string seen)",
    "a Telesign/Twilio number carries msdyn_ocphonenumbersource 192350000 (Direct Offer)",
    "names compare as the organisation's collation does: case-insensitive always, accents "
    "assumed insensitive (_AI, as 1033 English; some languages are _AS); the collation is not read",
    "queue.msdyn_isdefaultqueue is true on the out-of-the-box queues (Default messaging queue), "
    "which removed: never deletes",
    "text column MaxLength counts UTF-16 code units (an emoji counts 2), as SQL nvarchar does",
    "creating an SMS workstream fires the plug-ins seen for voice workstreams: a routing contract "
    "when the create gives none, a capacity link to the default messaging capacity profile "
    "(unique name msdyn_default_messaging_profile assumed) and the out-of-the-box SMS templates "
    "in the template columns the create leaves empty (Microsoft's docs name the templates and "
    "say they are attached by channel; the local organisation plays all three); not the record "
    "identification rule (no source gives its value) nor automated messages (the docs make the "
    "out-of-the-box ones the channel's, inherited by every instance: what the voice finding "
    "saw created is open); smsconf leaves every child row of a managed workstream it did not "
    "create",
    "timezonecode values are the Microsoft Time Zone Index Values (85 GMT Standard Time) for "
    "every zone of that table (platform/timezones.py; the org's timezonedefinitions would "
    "settle it)",
    "a column not valid for update (IsValidForUpdate false) sent in an update is ignored, as one "
    "not valid for create is on create (sources settle create only; the local organisation "
    "ignores both, and smsconf sends neither: tests/mapping/test_fields_writable.py)",
    "a $select naming a column not valid for read (IsValidForRead false) is the Web API's 400 "
    'with code 0x80041a08 and "Retrieve can only return columns that are valid for read. '
    "Column : x. Entity : y\" (the reports quote the SDK's message and code, not the status)",
    "ACS access-key requests: the x-ms-date clock skew the service accepts (the ACS emulator "
    "allows 15 minutes, App Configuration's HMAC window; providers.md §10 q14)",
    "ACS data plane errors: a throttled request is 429 TooManyRequests with Retry-After, a "
    "missing or unknown api-version 400 MissingApiVersionParameter / UnsupportedApiVersion "
    "(ARM's words), an unknown number 404 PhoneNumberNotFound (the emulator's choices)",
    "ACS POST /sms from a number the resource owns without outbound SMS is a 401 like one it "
    "does not own (the SDK's live tests record only the latter)",
)


def verify_list() -> list[str]:
    """Everything to check on a real organisation: the mapping's guesses above, then every
    table, key and column fact the platform definitions flag as inferred."""
    from smsconf.acs.eventgrid import INFERRED as EVENT_GRID_INFERRED
    from smsconf.platform.acs import INFERRED as ACS_INFERRED
    from smsconf.platform.hosts import INFERRED as HOSTS_INFERRED
    from smsconf.platform.inbound import INFERRED as INBOUND_INFERRED
    from smsconf.platform.routing import INFERRED as ROUTING_INFERRED
    from smsconf.platform.tables import ALL_TABLES, MANY_TO_MANY

    facts = [
        *INFERRED,
        *ROUTING_INFERRED,
        *INBOUND_INFERRED,
        *HOSTS_INFERRED,
        *ACS_INFERRED,
        *EVENT_GRID_INFERRED,
    ]
    for table in ALL_TABLES:
        if table.entity_set_inferred:
            facts.append(f"{table.logical_name}: entity set name {table.entity_set}")
        if table.primary_name_inferred:
            facts.append(f"{table.logical_name}: primary name column {table.primary_name}")
        facts += [
            f"{table.logical_name}: alternate key on {', '.join(key.columns)}"
            for key in table.alternate_keys
            if key.inferred
        ]
        columns = [c.logical_name for c in table.columns if c.inferred]
        if columns:
            facts.append(f"{table.logical_name}: columns {', '.join(columns)}")
    facts += [
        f"N:N {rel.schema_name}: {rel.table1} navigates it as {rel.navigation1} and "
        f"{rel.table2} as {rel.navigation2} (no page shows both sides)"
        for rel in MANY_TO_MANY
        if rel.inferred
    ]
    return facts
