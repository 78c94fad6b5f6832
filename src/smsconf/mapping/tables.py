"""Facts about the tables the mapping writes and reads, beyond single columns.

Which table an object found by name lives in, which kind of object each table's rows are, the
N:N relationships read with the workstreams, the rows keyed by unique name that belong to a
workstream: the desired rows, the live rows and the diff all ask these, so they live here.
"""

from __future__ import annotations

# Objects other objects point at: table and the column their name lives in.
REFERENCE_TABLES = {
    "queue": ("queue", "name"),
    "operating_hours": ("msdyn_operatinghour", "msdyn_name"),
    "capacity_profile": ("msdyn_capacityprofile", "msdyn_name"),
    "survey": ("msfp_survey", "msfp_name"),
    "bot": ("systemuser", "fullname"),
    "quick_reply": ("msdyn_cannedmessage", "msdyn_title"),
    "session_template": ("msdyn_sessiontemplate", "msdyn_uniquename"),
    "notification_template": ("msdyn_notificationtemplate", "msdyn_uniquename"),
    "language": ("msdyn_oclanguage", "msdyn_localeid"),
    "contract": ("msdyn_decisioncontract", "msdyn_uniquename"),
    "number": ("msdyn_ocphonenumber", "msdyn_phonenumber"),
}
FINGERPRINT_KEY = "smsconf.api_key_fingerprint"
SECRET_WORDS = {"api_key": "API key", "auth_token": "Auth Token"}
CONTRACT_TYPES = {
    "text": "string",
    "number": "number",
    "boolean": "boolean",
    "entity_reference": "entityreference",
}
# N:N associations read with the workstreams (collection-valued $expand).
ASSOCIATIONS = {
    "msdyn_msdyn_cannedmessage_liveworkstream": "msdyn_cannedmessage",
    "msdyn_msdyn_liveworkstream_systemuser": "systemuser",
}
LINK_KIND = {"msdyn_cannedmessage": "quick_reply_link", "systemuser": "smart_assist_bot"}
"""The kind of an association, by the table it links a workstream to."""
TOP_LEVEL = {  # kinds a `removed:` entry may name, and their tables
    "msdyn_occommunicationprovidersetting": "account",
    "msdyn_ocphonenumber": "number",
    "msdyn_operatinghour": "operating_hours",
    "queue": "queue",
    "msdyn_capacityprofile": "capacity_profile",
    "msdyn_cannedmessage": "quick_reply",
    "msdyn_liveworkstream": "workstream",
}
ROUTING_TABLES = (
    "msdyn_decisioncontract",
    "msdyn_routingconfigurationstep",
    "msdyn_decisionruleset",
)
"""Keyed by a generated unique name: their workstream is found through the others."""
KIND_OF_TABLE = {
    "msdyn_occommunicationprovidersettingentry": "account_fingerprint",
    "msdyn_decisioncontract": "routing_contract",
    "msdyn_liveworkstreamcapacityprofile": "capacity_profile_link",
    "msdyn_ocsmschannelsetting": "sms_channel",
    "msdyn_ocsystemmessage": "automated_message",
    "msdyn_oclocalizationdata": "message_translation",
    "msdyn_ocliveworkstreamcontextvariable": "context_variable",
    "msdyn_routingconfiguration": "routing_configuration",
    "msdyn_decisionruleset": "ruleset",
    "msdyn_routingconfigurationstep": "routing_step",
    **TOP_LEVEL,
}
