"""The configuration language as pydantic models; the JSON Schema in schemas/ is generated here.

Everything is referenced by name, never by GUID. Objects that other objects point at (queues,
operating hours, capacity profiles, surveys, bots, templates, quick replies) are either
`managed: true` (smsconf creates and updates them) or looked up by name in the organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from smsconf.config import vocabulary as v
from smsconf.config.names import clean
from smsconf.config.problems import did_you_mean
from smsconf.config.secrets import SecretRef
from smsconf.platform import timezones

DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?$")
DURATION_PATTERN = r"^(\d+d)?(\d+h)?(\d+m)?$"


def duration_minutes(text: str) -> int:
    """`2d`, `8h`, `1h30m`, `45m` → minutes (Dataverse stores Duration columns in minutes)."""
    match = DURATION.match(text)
    if not text or not match:
        raise ValueError(f"'{text}' is not a duration; write it like 8h, 2d, 1h30m or 45m")
    days, hours, minutes = (int(match[k] or 0) for k in ("d", "h", "m"))
    return days * 1440 + hours * 60 + minutes


def format_minutes(minutes: int) -> str:
    """Inverse of `duration_minutes`, canonical (largest units first), for export."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    text = (
        (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    )
    return text or "0m"


def _duration(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a duration is a string like 8h, 2d or 45m")
    duration_minutes(value)
    return value


Duration = Annotated[
    str,
    PlainValidator(_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["8h", "2d"]}),
]


def _secret(value: Any) -> SecretRef:
    if isinstance(value, SecretRef):
        return value
    ref = SecretRef.parse(value) if isinstance(value, str) else None
    if ref is None:
        # Never echo the value: it may be a real key pasted by mistake.
        raise ValueError(
            "must be a secret reference such as ${env:NAME} or ${file:PATH}, never a literal secret"
        )
    return ref


Secret = Annotated[
    SecretRef,
    PlainValidator(_secret),
    PlainSerializer(lambda ref: ref.reference, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\$\{(env|file|var):[^}]+\}$",
            "description": "${env:NAME}, ${env:NAME:-default}, ${file:PATH} or ${var:NAME}",
        }
    ),
]
Locale = Annotated[str, Field(json_schema_extra={"enum": sorted(v.LOCALES)})]
Name = Annotated[str, Field(min_length=1, max_length=v.NAME_MAX), AfterValidator(clean)]
# A name that points at a declared or live object: cleaned the same way, so it matches.
Ref = Annotated[str, AfterValidator(clean)]


def renamed_from_field(
    description: str = "The name it had in the organisation: the plan renames that object in "
    "place instead of creating a new one beside it (Terraform's moved); managed objects only",
) -> Any:
    """The optional `renamed_from:` of an object that can be renamed in place."""
    return Field(None, min_length=1, description=description)


Scalar = str | int | float | bool


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


# --- provider accounts -------------------------------------------------------------------------


class PhoneNumber(Strict):
    number: str = Field(
        description="Telesign and Twilio: digits with country code, no +, spaces or "
        "punctuation. ACS: E.164 with the +, as ACS and the organisation store it."
    )
    type: v.NumberType
    description: str = Field(
        "",
        max_length=500,
        description="For readers of the YAML only: msdyn_ocphonenumber has no description "
        "column, so it is not written to the organisation",
    )


class EventGrid(Strict):
    """The Event Grid system topic and webhook subscription that bring an ACS resource's inbound
    SMS to the organisation (SMS Received and SMS Delivery Report Received, with Microsoft
    Entra authentication)."""

    mode: v.EventGridMode = Field(
        "checked",
        description="managed: apply creates the subscription when it is missing; checked: plan "
        "only reports it; ignored: not looked at",
    )
    endpoint: str | None = Field(
        None,
        description='The admin center\'s "SMS Web Hook Endpoint" (Channels > Phone numbers > '
        "Advanced > Manage Azure Communication Services)",
    )
    resource_group: Ref | None = Field(
        None, min_length=1, description="Where the system topic lives; default the resource's"
    )
    system_topic: Ref | None = Field(
        None,
        min_length=1,
        description="Default: the system topic whose source is the resource, or "
        "<resource_name>-events when one is created",
    )
    subscription_name: Ref = Field(
        "dynamics365-sms", min_length=1, description="The event subscription's name"
    )


def _provider_requires(provider: str, fields: list[str]) -> dict[str, Any]:
    return {
        "if": {"properties": {"provider": {"const": provider}}, "required": ["provider"]},
        "then": {"required": fields},
    }


class Account(Strict):
    """A messaging account (admin center: Accounts and channels → New account), or the ACS
    resource connected in Channels → Phone numbers.

    Telesign accounts take `customer_id` and `api_key` (and `endpoint`, `auth`); Twilio
    accounts take `account_sid` and `auth_token` (and `endpoint`); ACS resources take
    `resource_name` and `connection_string` (and `resource_id`, `event_grid`). The rules say
    which is missing or misplaced.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _provider_requires("twilio", ["account_sid", "auth_token"]),
                _provider_requires("acs", ["resource_name", "connection_string"]),
                {
                    "if": {
                        "properties": {"provider": {"enum": ["twilio", "acs"]}},
                        "required": ["provider"],
                    },
                    "else": {"required": ["customer_id", "api_key"]},
                },
            ]
        }
    )

    name: Name
    provider: v.Provider = "telesign"
    customer_id: Ref | None = Field(
        None, min_length=1, max_length=800, description="Telesign Customer ID"
    )
    api_key: Secret | None = Field(None, description="Telesign API key, as a secret reference")
    endpoint: str | None = Field(
        None,
        description="The provider's REST base URL (an emulator, a proxy); default Telesign's "
        "https://rest-api.telesign.com, Twilio's https://api.twilio.com and "
        "https://messaging.twilio.com",
    )
    auth: v.TelesignAuth = "tsa"
    account_sid: Ref | None = Field(
        None, max_length=800, description="Twilio Account SID (AC followed by 32 hex digits)"
    )
    auth_token: Secret | None = Field(
        None,
        description="Twilio Auth Token, as a secret reference; not an API key: Dynamics 365 "
        "stores the Auth Token and Twilio signs inbound webhooks with it",
    )
    resource_name: Ref | None = Field(
        None,
        min_length=1,
        max_length=800,
        description="ACS Resource name (Azure portal: the resource's Properties)",
    )
    resource_id: str | None = Field(
        None,
        description="ACS Resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
        "Microsoft.Communication/CommunicationServices/<name>; without it the Event Grid "
        "wiring is not checked (the organisation does not store it, so export cannot fill it)",
    )
    connection_string: Secret | None = Field(
        None,
        description="The ACS resource's connection string (endpoint=...;accesskey=...), as a "
        "secret reference; never printed",
    )
    event_grid: EventGrid | None = Field(
        None,
        description="ACS: the Event Grid subscription for inbound SMS; absent: checked only "
        "when Azure credentials are present",
    )
    numbers: list[PhoneNumber] = []

    @property
    def identifier(self) -> str:
        """What names the account at the provider: the Telesign Customer ID or the Twilio
        Account SID (what `msdyn_accountsid` holds), or the ACS resource name."""
        return getattr(self, SECRET_FIELDS[self.provider][0]) or ""

    @property
    def secret(self) -> SecretRef:
        """What `msdyn_securesecret` holds: the API key, the Auth Token or the connection
        string (the rules make sure the provider's one is set before anything reads it)."""
        ref = getattr(self, self.secret_name)
        assert ref is not None
        return ref

    @property
    def secret_name(self) -> str:
        return SECRET_FIELDS[self.provider][1]

    @property
    def resource(self) -> AzureResource | None:
        """An ACS account's resource id taken apart; None when it is absent or malformed."""
        return AzureResource.parse(self.resource_id) if self.resource_id else None


SECRET_FIELDS = {
    "telesign": ("customer_id", "api_key"),
    "twilio": ("account_sid", "auth_token"),
    "acs": ("resource_name", "connection_string"),
}
"""Per provider: the field naming the account there, and the field holding its secret."""

RESOURCE_ID = re.compile(
    r"/subscriptions/(?P<subscription>[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})"
    r"/resourceGroups/(?P<group>[-\w._()]+)"
    r"/providers/Microsoft\.Communication/CommunicationServices/(?P<name>[^/\s]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AzureResource:
    """An ACS resource's ARM id in parts (ARM compares them case-insensitively)."""

    subscription: str
    group: str
    name: str

    @classmethod
    def parse(cls, text: str) -> AzureResource | None:
        match = RESOURCE_ID.fullmatch(text)
        return cls(match["subscription"], match["group"], match["name"]) if match else None


# --- referenced objects: managed or looked up by name -------------------------------------------


class Referenced(Strict):
    name: Name
    managed: bool = Field(False, description="true: smsconf owns it; false: looked up by name")


def _zone(value: int | str) -> int | str:
    """A time zone: Dataverse's code (0-300), or a word naming a zone Dataverse has a code for
    (an IANA name or a Windows id, `platform/timezones.py`)."""
    if isinstance(value, int):
        if not 0 <= value <= 300:
            raise ValueError("a Dataverse time-zone code is between 0 and 300")
        return value
    if timezones.code_of(value) is None:
        near = did_you_mean(value, timezones.names())
        raise ValueError(
            f"unknown time zone '{value}': give an IANA name (Europe/London), a Windows id "
            "(GMT Standard Time) or the Dataverse code" + (f"; {near}" if near else "")
        )
    return value


class OperatingHours(Referenced):
    all_days: bool = False
    days: list[v.Weekday] = []
    start: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: (
        Annotated[
            int | str,
            AfterValidator(_zone),
            WithJsonSchema(
                {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 300}, {"type": "string"}]}
            ),
        ]
        | None
    ) = Field(
        None,
        description="An IANA name (Europe/London), a Windows id (GMT Standard Time) or "
        "Dataverse's time-zone code (85)",
    )


class Queue(Referenced):
    assignment: v.QueueAssignment = "highest_capacity"
    operating_hours: Ref | None = None
    priority: int | None = Field(None, ge=1, le=10_000)
    renamed_from: Ref | None = renamed_from_field()


class CapacityProfile(Referenced):
    default_max_units: int | None = Field(None, ge=0, le=10_000)
    renamed_from: Ref | None = renamed_from_field()


class Survey(Strict):
    """Customer Voice surveys cannot be created through configuration; always looked up."""

    name: Name


class Bot(Strict):
    """Bots are application users in Dataverse; always looked up by name."""

    name: Name


class Template(Strict):
    """Session or agent-notification template, looked up by its unique name."""

    name: Name
    kind: Literal["session", "notification"]
    unique_name: Ref | None = Field(None, description="defaults to the name")


class QuickReply(Strict):
    title: Annotated[str, AfterValidator(clean)] = Field(
        min_length=1, max_length=v.QUICK_REPLY_TITLE_MAX
    )
    managed: bool = False
    message: str | None = Field(None, max_length=v.QUICK_REPLY_MESSAGE_MAX)
    locale: Locale = "en-US"
    renamed_from: Ref | None = renamed_from_field()


# --- workstream ----------------------------------------------------------------------------------


class Capacity(Strict):
    units: int | None = Field(None, ge=0, le=10_000, description="unit-based capacity")
    profile: Ref | None = Field(None, description="profile-based capacity: a capacity profile")

    @model_validator(mode="after")
    def _one_kind(self) -> Capacity:
        if (self.units is None) == (self.profile is None):
            raise ValueError("set exactly one of units (unit based) or profile (profile based)")
        return self


class Distribution(Strict):
    mode: v.DistributionMode = Field("push", description="cannot change after creation")
    capacity: Capacity = Capacity(units=1)
    allowed_presences: list[v.Presence] = Field(["available", "busy"], min_length=1)
    auto_close_after: Duration = "2d"
    block_capacity_for_wrap_up: Literal["always", "never"] | Duration = "always"
    keep_same_agent: bool = Field(False, description="agent affinity; push only")
    skill_matching: v.SkillMatching = "none"


class BotSurvey(Strict):
    survey: Ref
    mode: v.SurveyMode = "link"
    message: str | None = Field(None, max_length=v.SURVEY_MESSAGE_MAX)


class SurveySettings(Strict):
    enabled: bool = False
    survey: Ref | None = None
    mode: v.SurveyMode = "link"
    message: str | None = Field(None, max_length=v.SURVEY_MESSAGE_MAX)
    bot_survey: BotSurvey | None = None


class FileAttachments(Strict):
    customers: bool = False
    agents: bool = False


class AutomatedMessage(Strict):
    trigger: v.MessageTrigger
    text: str = Field(min_length=1, max_length=v.SMS_MAX_CHARS)
    translations: dict[str, Annotated[str, Field(min_length=1, max_length=v.SMS_MAX_CHARS)]] = {}


class SmsChannel(Strict):
    """The SMS channel added to a workstream (admin center: Add SMS channel wizard)."""

    number: str
    language: Locale = "en-US"
    operating_hours: Ref | None = None
    automated_messages: list[AutomatedMessage] = []
    survey: SurveySettings = SurveySettings()
    file_attachments: FileAttachments = FileAttachments()


class Condition(Strict):
    """Either a comparison (attribute/op/value) or a group (all / any of conditions)."""

    attribute: str | None = Field(
        None, description="conversation.X, contact.X, account.X, sms.X or context.NAME"
    )
    op: v.RuleOperator = "eq"
    value: Scalar | list[Scalar] | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [self.attribute is not None, self.all is not None, self.any is not None]
        if sum(forms) != 1:
            raise ValueError("a condition has exactly one of attribute, all or any")
        return self


class ClassificationRule(Strict):
    name: Name
    when: list[Condition] = Field([], description="all must hold; empty: always")
    set: dict[str, Scalar] = Field(
        min_length=1, description="outputs: priority or context.NAME → value"
    )


class ClassificationRuleset(Strict):
    name: Name
    rules: list[ClassificationRule] = Field(min_length=1)


class QueueShare(Strict):
    queue: Ref
    percent: int = Field(ge=1, le=100)


class QueueRule(Strict):
    name: Name
    when: list[Condition] = []
    queue: Ref | None = None
    split: list[QueueShare] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> QueueRule:
        if (self.queue is None) == (self.split is None):
            raise ValueError("set exactly one of queue or split")
        return self


class Routing(Strict):
    classification: list[ClassificationRuleset] = []
    route_to_queue: list[QueueRule] = []


class NotificationTemplates(Strict):
    incoming_authenticated: Ref | None = None
    incoming_unauthenticated: Ref | None = None
    consult: Ref | None = None
    transfer: Ref | None = None
    supervisor_assign: Ref | None = None


class ContextVariable(Strict):
    name: str = Field(min_length=1, max_length=v.CONTEXT_VARIABLE_NAME_MAX)
    type: v.ContextVariableType = "text"
    entity: str | None = Field(None, description="table logical name, for entity_reference")


class Advanced(Strict):
    session_template: Ref | None = None
    notification_templates: NotificationTemplates = NotificationTemplates()
    context_variables: list[ContextVariable] = []
    smart_assist_bots: list[Ref] = []
    quick_replies: list[Ref] = []


class Workstream(Strict):
    name: Name
    renamed_from: Ref | None = renamed_from_field(
        "The name it had in the organisation: the plan renames that workstream, "
        "its channel and its routing in place instead of creating new ones (Terraform's moved)"
    )
    fallback_queue: Ref | None = None
    distribution: Distribution = Distribution()
    bot: Ref | None = None
    sms: SmsChannel | None = None
    routing: Routing = Routing()
    advanced: Advanced = Advanced()


# --- top level ---------------------------------------------------------------------------------

RemovableKind = Literal[
    "account", "number", "workstream", "queue", "operating_hours", "capacity_profile", "quick_reply"
]


class Removed(Strict):
    """An explicit statement that a managed object must be deleted; nothing goes without one."""

    kind: RemovableKind
    name: Ref
    managed: bool = Field(
        False,
        description="true: smsconf adopted it (it was declared managed: true over a row made "
        "elsewhere), so it may delete it; without it only rows smsconf created are deleted",
    )


class Environment(Strict):
    target: str = Field(
        description="'local' or the organisation URL https://<org>.crm.dynamics.com"
    )
    gateway: str | None = Field(
        None, description="Omnichannel gateway base URL used in the Telesign callback URL"
    )
    variables: dict[str, Scalar] = {}


class Settings(Strict):
    ignore: dict[str, list[str]] = Field(
        {}, description="table logical name → columns the diff must never report"
    )
    max_deletes: int = Field(0, ge=0, description="deletes allowed without --allow-deletes")


class Config(Strict):
    """One organisation's SMS configuration, possibly spread over many files."""

    environments: dict[str, Environment] = {}
    variables: dict[str, Scalar] = {}
    accounts: list[Account] = []
    queues: list[Queue] = []
    operating_hours: list[OperatingHours] = []
    capacity_profiles: list[CapacityProfile] = []
    surveys: list[Survey] = []
    bots: list[Bot] = []
    templates: list[Template] = []
    quick_replies: list[QuickReply] = []
    workstreams: list[Workstream] = []
    removed: list[Removed] = []
    settings: Settings = Settings()
