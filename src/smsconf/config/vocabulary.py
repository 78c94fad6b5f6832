"""The human words of the configuration language.

YAML says `push`, `toll_free`, `en-US`; the mapping layer turns these words into option-set
integers. Keeping the words here (and only the words) fixes the language independently of what
Dataverse stores, so a corrected option value never changes anybody's YAML.
"""

from typing import Literal

Provider = Literal["telesign", "twilio", "acs"]
# Telesign says geo, Twilio long code (admin center); both are a local 10-digit number. ACS
# numbers are toll free, short codes or mobile numbers (providers.md §2.3: msdyn_type
# 192350001/2/3).
NumberType = Literal["geo", "long_code", "toll_free", "short_code", "mobile"]
NUMBER_TYPES: dict[str, tuple[str, ...]] = {
    "telesign": ("geo", "toll_free", "short_code"),
    "twilio": ("long_code", "toll_free", "short_code"),
    "acs": ("toll_free", "short_code", "mobile"),
}
# How the Event Grid subscription that brings inbound SMS is treated (providers.md §4.6, §7.2):
# created by apply, only checked by plan, or not looked at.
EventGridMode = Literal["managed", "checked", "ignored"]
DistributionMode = Literal["push", "pick"]
Presence = Literal["available", "busy", "busy_dnd", "away", "offline"]
SkillMatching = Literal["none", "exact", "closest"]
SurveyMode = Literal["insert", "link"]
ContextVariableType = Literal["text", "number", "boolean", "entity_reference"]
QueueAssignment = Literal["highest_capacity", "round_robin", "custom", "longest_idle"]
Weekday = Literal["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
TelesignAuth = Literal["tsa", "basic"]

# Automated-message triggers usable on SMS (dataverse-evidence.md §4 lists their option values).
MessageTrigger = Literal[
    "agent_joined",
    "transfer_accepted",
    "agent_disconnected",
    "agent_ended_conversation",
    "session_ended",
    "agent_assigned",
    "agent_not_assigned",
    "customer_next_in_line",
    "unsupported_message_type",
    "holiday",
    "outside_operating_hours",
    "file_too_big",
    "file_attach_failed",
    "greeting",
    "customer_opted_out",
    "agent_left_conversation",
    "agent_joined_conversation",
]

# Routing-rule operators. `eq gt ge not_null in` are seen in real rulesets; the rest are
# [inferred] and marked so in the platform mapping.
RuleOperator = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "not_null", "null", "contains"]

# Where a routing condition looks: the prefix of `attribute:` in a rule.
ATTRIBUTE_SOURCES = ("conversation", "contact", "account", "sms", "context")

# Locales offered for the SMS channel language, with their Windows LCIDs (msdyn_oclanguage).
LOCALES: dict[str, int] = {
    "ar-SA": 1025,
    "cs-CZ": 1029,
    "da-DK": 1030,
    "de-DE": 1031,
    "el-GR": 1032,
    "en-US": 1033,
    "es-ES": 3082,
    "fi-FI": 1035,
    "fr-FR": 1036,
    "he-IL": 1037,
    "hu-HU": 1038,
    "it-IT": 1040,
    "ja-JP": 1041,
    "ko-KR": 1042,
    "nl-NL": 1043,
    "nb-NO": 1044,
    "pl-PL": 1045,
    "pt-BR": 1046,
    "ru-RU": 1049,
    "sv-SE": 1053,
    "th-TH": 1054,
    "tr-TR": 1055,
    "zh-CN": 2052,
    "en-GB": 2057,
    "pt-PT": 2070,
    "fr-CA": 3084,
    "zh-TW": 1028,
    "en-AU": 3081,
    "en-CA": 4105,
    "es-MX": 2058,
}

# The locales a quick reply can hold: msdyn_cannedmessage.msdyn_locale_field has no option for
# these LCIDs (cedev msdyn_cannedmessage page), so such a reply could never be written.
QUICK_REPLY_LOCALES: dict[str, int] = {
    k: lcid for k, lcid in LOCALES.items() if lcid not in {2057, 2058, 3081, 3084, 4105}
}

# Documented limits (seed page, dataverse.md §1.12-1.15 and §1.13).
SMS_MAX_CHARS = 1600
SURVEY_MESSAGE_MAX = 200
CONTEXT_VARIABLE_NAME_MAX = 100
QUICK_REPLY_TITLE_MAX = 100
QUICK_REPLY_MESSAGE_MAX = 4000
NAME_MAX = 100
MAX_RULESETS_PER_WORKSTREAM = 10
MAX_RULES_PER_RULESET = 100
MAX_OUTPUTS_PER_RULE = 5
AUTO_CLOSE_MINUTES = (1, 43200)  # 1 minute .. 30 days
WRAP_UP_MINUTES = (1, 60)  # admin center "custom time"
