"""The field map: each configuration field, the table and column it lands in, and back.

One entry per field of the configuration's JSON Schema (`Model.field`, as the schema names its
definitions), with the converter between the YAML's words and what Dataverse stores: a word and
its option value, a duration and minutes, a name and a lookup id, a locale and its LCID. The
desired rows (`desired.py`) write columns through it, export (`export.py`) reads them back
through it, every plan view names a changed column by the YAML path it finds here, and the
configuration reference is generated from it. Nothing else knows how a field becomes a column.

Fields that land nowhere say why (`Only`), fields that are sections of their object say so
(`Section`), lists that become rows of another table (`Rows`) or N:N links (`Links`) name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from smsconf.config.model import duration_minutes, format_minutes
from smsconf.config.vocabulary import LOCALES
from smsconf.platform import vocabulary as vocab


class Unexpressible(ValueError):
    """A stored value the configuration language has no word for."""


class Names(Protocol):
    def name_of(self, kind: str, value: Any, what: str) -> str | None:
        """The name a lookup's target is known by in the configuration (None stays None)."""


# --- converters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Convert:
    """A value written as it is: text, numbers, true/false."""

    unit: str = ""
    """How the column holds it, for the reference (`minutes`)."""

    def stored(self, value: Any) -> Any:
        return value

    def word(self, value: Any, names: Names | None = None) -> Any:
        return value

    def where(self, entry: Field) -> str:
        columns = ", ".join(f"`{entry.table}.{c}`" for c in (entry.column, *entry.also))
        return columns + (f" ({self.unit})" if self.unit else "")


@dataclass(frozen=True)
class Words(Convert):
    """A word of the language and the option value it is stored as."""

    vocabulary: Mapping[str, Any] = field(default_factory=dict)
    what: str = "value"

    def stored(self, value: Any) -> Any:
        return None if value is None else self.vocabulary[value]

    def word(self, value: Any, names: Names | None = None) -> Any:
        reverse = {stored: word for word, stored in self.vocabulary.items()}
        if value in reverse:
            return reverse[value]
        if value is None:
            return None
        raise Unexpressible(f"{self.what} value {value!r} is not one smsconf can express")


@dataclass(frozen=True)
class Choices(Words):
    """A list of words as a multi-select column (comma-separated option values)."""

    def stored(self, value: Any) -> Any:
        items = sorted(self.vocabulary[w] for w in value or ())
        return ",".join(str(v) for v in items) if items else None

    def word(self, value: Any, names: Names | None = None) -> Any:
        parts = [part.strip() for part in str(value or "").split(",") if part.strip()]
        picked = {super(Choices, self).word(int(p) if p.isdigit() else p) for p in parts}
        return [w for w in self.vocabulary if w in picked]


@dataclass(frozen=True)
class Minutes(Convert):
    """A duration (`8h`, `2d`) as a Duration column's minutes."""

    unit: str = "minutes"

    def stored(self, value: Any) -> Any:
        return None if value is None else duration_minutes(value)

    def word(self, value: Any, names: Names | None = None) -> Any:
        return None if value is None else format_minutes(int(value))


@dataclass(frozen=True)
class Units(Convert):
    """Unit-based capacity; a profile-based workstream holds 0 units."""

    unit: str = "0 when profile-based; `msdyn_liveworkstream.msdyn_capacityformat` says which"

    def stored(self, value: Any) -> Any:
        return value or 0


@dataclass(frozen=True)
class WrapUp(Convert):
    """`always`, `never` or a duration: no type column says which (evidence §5)."""

    unit: str = "null: always, 0: never, else minutes"

    def stored(self, value: Any) -> Any:
        if value == "always":
            return vocab.WRAP_UP_ALWAYS
        return vocab.WRAP_UP_NEVER if value == "never" else duration_minutes(value)

    def word(self, value: Any, names: Names | None = None) -> Any:
        if value == vocab.WRAP_UP_ALWAYS:
            return "always"
        return "never" if value == vocab.WRAP_UP_NEVER else format_minutes(int(value))


@dataclass(frozen=True)
class Lookup(Convert):
    """A name in the YAML, the id of the row of that name in the column (a lookup, or a text
    column holding a unique name for templates)."""

    kind: str = ""

    def word(self, value: Any, names: Names | None = None) -> Any:
        if value is None or names is None:
            return value
        return names.name_of(self.kind, value, self.kind.replace("_", " "))


@dataclass(frozen=True)
class TextLookup(Lookup):
    """A template by its YAML name, held in a text column as the template's unique name."""

    def where(self, entry: Field) -> str:
        return super().where(entry) + " (the template's unique name)"


@dataclass(frozen=True)
class Language(Lookup):
    """A locale in the YAML, the id of that language's `msdyn_oclanguage` row in the column."""

    kind: str = "language"

    def word(self, value: Any, names: Names | None = None) -> Any:
        lcid = super().word(value, names)
        return LOCALE.word(int(lcid)) if isinstance(lcid, str) and lcid.isdigit() else lcid


@dataclass(frozen=True)
class Present(Convert):
    """A section that is there or not, stored as a flag; its own fields land beside it (and
    are emptied when it is not there)."""

    model: str = ""

    def stored(self, value: Any) -> Any:
        return value is not None


@dataclass(frozen=True)
class Secret(Convert):
    unit: str = "write-only; its keyed fingerprint in `msdyn_occommunicationprovidersettingentry."
    unit += "msdyn_value`"


@dataclass(frozen=True)
class Only(Convert):
    """Written nowhere: the reason says what smsconf does with it."""

    why: str = "smsconf only"

    def where(self, entry: Field) -> str:
        return f"— ({self.why})"


@dataclass(frozen=True)
class Section(Convert):
    """Another object of the same row: its own fields say where they land."""

    def where(self, entry: Field) -> str:
        return ""


@dataclass(frozen=True)
class Rows(Convert):
    """A list (or object) that becomes rows of another table."""

    also_columns: str = ""

    def where(self, entry: Field) -> str:
        managed = " (managed ones)" if entry.table in MANAGED_OPTIONAL else ""
        extra = f"; {self.also_columns}" if self.also_columns else ""
        return f"rows of `{entry.table}`{managed}{extra}"


@dataclass(frozen=True)
class LookedUp(Convert):
    """Objects only ever found by name in the organisation (in one of `tables`, if given)."""

    tables: tuple[str, ...] = ()

    def where(self, entry: Field) -> str:
        tables = self.tables or (entry.table,)
        return "looked up by " + " or ".join(f"`{t}.{entry.column}`" for t in tables)


@dataclass(frozen=True)
class Links(Convert):
    """Names of rows linked to this one through an N:N relationship."""

    def where(self, entry: Field) -> str:
        return f"N:N `{entry.column}`"


@dataclass(frozen=True)
class InRuleset(Convert):
    """Part of a routing rule: written inside the ruleset's XML document."""

    def where(self, entry: Field) -> str:
        return "`msdyn_decisionruleset.msdyn_rulesetdefinition`"


LOCALE = Words(vocabulary=LOCALES, what="locale")
MANAGED_OPTIONAL = {"queue", "msdyn_capacityprofile", "msdyn_cannedmessage"}


# --- the map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    """`Model.field`, as the JSON Schema names the definition and its property."""
    table: str | None = None
    column: str | None = None
    convert: Convert = field(default_factory=Convert)
    path: str = ""
    """The YAML path from the object its row is built from (`distribution.mode`)."""
    also: tuple[str, ...] = ()
    """More columns written with the same value."""
    doc: str = ""
    """What the field means, for the reference when the model's schema says nothing."""
    when_absent: tuple[str, str] | None = None
    """(why an organisation may lack the column, what to do then): the plan's refusal."""

    @property
    def model(self) -> str:
        return self.name.split(".")[0]

    @property
    def attribute(self) -> str:
        return self.name.split(".")[1]

    @property
    def is_column(self) -> bool:
        """Written as a column of its object's row (a value or a lookup)."""
        return self.column is not None and not isinstance(
            self.convert, Only | Section | Rows | LookedUp | Links | InRuleset
        )

    @property
    def where(self) -> str:
        return self.convert.where(self)


PS = "msdyn_occommunicationprovidersetting"
WS = "msdyn_liveworkstream"
CH = "msdyn_ocsmschannelsetting"
MSG = "msdyn_ocsystemmessage"
RS = "msdyn_decisionruleset"
ONLY = Only()
NOT_STORED = "not stored: the organisation keeps no such column"
REFUSED = Only(why="refused")
DEPRECATED = "Deprecated column; the product ignores it."
RULE = InRuleset()
RENAMED = Only(why="smsconf only: finds the row under its old name, which the plan renames")
TEMPLATE_TABLES = ("msdyn_sessiontemplate", "msdyn_notificationtemplate")
SECTION = Section()
CHANNEL_PROFILE_TEMPLATES = "msdyn_channelprofilenotificationtemplate"
"""Where an organisation without the workstream's per-scenario template columns has them: one
row per channel profile (`msdyn_channelprofileid`, cascade-deleted with it), with the same five
columns (`schemas/dataverse/pages/cedev/msdyn_channelprofilenotificationtemplate.md`; the live
organisation of audit source G has the table too)."""
NOTIFICATION_TEMPLATE_ABSENT = (
    "Microsoft's newest msdyn_liveworkstream page and a live 2026 organisation keep only the "
    "incoming-authenticated template (msdyn_notificationtemplate_incoming_auth) on the "
    f"workstream; this one lives in {CHANNEL_PROFILE_TEMPLATES}, a row per channel profile "
    "(msdyn_channelprofileid), and no column of a workstream names its channel profile, so "
    "smsconf cannot tell which row the product reads for this workstream and writes none",
    "remove the field for this organisation and set the template in the Customer Service "
    "admin center (the workstream's Advanced settings, Agent notifications), which writes it "
    "where the product reads it",
)
"""The refusal of a per-scenario notification template on an organisation without its column
(`../shared/reference/dataverse-schema/cedev/msdyn_liveworkstream.md` @13744220 lists only
incoming_auth, agent_dial, pre_dial; the live org of audit source G the same, plus
agent_reservation; the older cecs page lists all five). A channel profile is reached from a
queue (`queue.msdyn_channelprofileid`) and from a capacity link
(`msdyn_liveworkstreamcapacityprofile.msdyn_engagementprofileid`, newest channel-profile page
only), never from the workstream (SOURCES.md there), so no write is safe."""
ACS_READ_ONLY = Only(
    why="checked, never written: the admin center's connect dialog made the ACS provider setting"
)
EVENT_GRID = Only(why="Azure: the Event Grid system topic and subscription, through ARM")
AS_IS = Convert()
HOURS = Lookup(kind="operating_hours")
SURVEY = Lookup(kind="survey")
SURVEY_MODE = Words(vocabulary=vocab.SURVEY_MODE, what="survey mode")


def _columns(model: str, table: str, prefix: str = "") -> Callable[..., Field]:
    """The maker of `model`'s column fields: each lands on `table`'s row and stands in the YAML
    at its attribute's name below `prefix`, so an entry names only its attribute and column and
    its path cannot drift from its name."""

    def column(attribute: str, name: str, convert: Convert = AS_IS, **more: Any) -> Field:
        return Field(f"{model}.{attribute}", table, name, convert, prefix + attribute, **more)

    return column


ACCOUNT = _columns("Account", PS)
NUMBER = _columns("PhoneNumber", "msdyn_ocphonenumber")
QUEUE = _columns("Queue", "queue")
PROFILE = _columns("CapacityProfile", "msdyn_capacityprofile")
REPLY = _columns("QuickReply", "msdyn_cannedmessage")
WORKSTREAM = _columns("Workstream", WS)
DISTRIBUTION = _columns("Distribution", WS, "distribution.")
CAPACITY = _columns("Capacity", WS, "distribution.capacity.")
CHANNEL = _columns("SmsChannel", CH)
MESSAGE = _columns("AutomatedMessage", MSG)
SURVEY_SETTINGS = _columns("SurveySettings", CH, "survey.")
BOT_SURVEY = _columns("BotSurvey", CH, "survey.bot_survey.")
FILES = _columns("FileAttachments", CH, "file_attachments.")
ADVANCED = _columns("Advanced", WS, "advanced.")
VARIABLE = _columns("ContextVariable", "msdyn_ocliveworkstreamcontextvariable")

FIELDS: tuple[Field, ...] = (
    # top level
    Field("Config.environments", convert=ONLY, doc="Environments by name (`--env` selects one)."),
    Field(
        "Config.variables",
        convert=ONLY,
        doc="Values for `${var:NAME}` shared by every environment.",
    ),
    Field("Config.accounts", PS, convert=Rows(), doc="Telesign and Twilio accounts."),
    Field("Config.queues", "queue", convert=Rows(), doc="Queues, managed or looked up."),
    Field(
        "Config.operating_hours",
        "msdyn_operatinghour",
        "msdyn_name",
        LookedUp(),
        doc="Operating hours.",
    ),
    Field(
        "Config.capacity_profiles",
        "msdyn_capacityprofile",
        convert=Rows(),
        doc="Capacity profiles.",
    ),
    Field(
        "Config.surveys",
        "msfp_survey",
        "msfp_name",
        LookedUp(),
        doc="Customer Voice surveys used by channels.",
    ),
    Field(
        "Config.bots",
        "systemuser",
        "fullname",
        LookedUp(),
        doc="Bots (application users) used by workstreams.",
    ),
    Field(
        "Config.templates",
        column="msdyn_uniquename",
        convert=LookedUp(tables=TEMPLATE_TABLES),
        doc="Session and notification templates used by workstreams.",
    ),
    Field("Config.quick_replies", "msdyn_cannedmessage", convert=Rows(), doc="Quick replies."),
    Field("Config.workstreams", WS, convert=Rows(), doc="SMS workstreams."),
    Field(
        "Config.removed",
        convert=ONLY,
        doc="Managed objects to delete (nothing else is ever deleted).",
    ),
    Field("Config.settings", convert=SECTION, doc="Plan and diff settings."),
    Field("Environment.target", convert=ONLY),
    Field("Environment.gateway", convert=ONLY),
    Field(
        "Environment.variables", convert=ONLY, doc="Values for `${var:NAME}` in this environment."
    ),
    Field("Settings.ignore", convert=ONLY),
    Field("Settings.max_deletes", convert=ONLY),
    Field("Removed.kind", convert=ONLY, doc="What kind of managed object to delete."),
    Field("Removed.name", convert=ONLY, doc="Its name (a number's digits, a quick reply's title)."),
    Field(
        "Removed.managed",
        convert=ONLY,
        doc="true: smsconf adopted it, so it may delete a row it did not create.",
    ),
    # accounts and numbers
    ACCOUNT("name", "msdyn_name", doc="Unique account name."),
    ACCOUNT(
        "provider",
        "msdyn_occommunicationprovider",
        Words(vocabulary=vocab.PROVIDER, what="provider"),
        doc="The SMS provider.",
    ),
    ACCOUNT("customer_id", "msdyn_accountsid"),
    ACCOUNT("api_key", "msdyn_securesecret", Secret()),
    Field("Account.endpoint", convert=Only(why="smsconf only: where smsconf calls the provider")),
    Field(
        "Account.auth",
        convert=Only(why="smsconf only: how the credential check signs"),
        doc="TSA or Basic signing.",
    ),
    ACCOUNT("account_sid", "msdyn_accountsid"),
    ACCOUNT("auth_token", "msdyn_securesecret", Secret()),
    Field(
        "Account.resource_name",
        convert=ACS_READ_ONLY,
        doc="ACS: the resource's name, used to name it in the plan and to find its Azure side.",
    ),
    Field(
        "Account.resource_id",
        convert=ACS_READ_ONLY,
        doc="ACS: the resource's ARM id (Azure checks, the immutable id compared).",
    ),
    Field(
        "Account.connection_string",
        convert=ACS_READ_ONLY,
        doc="ACS: the key smsconf checks the resource with; never printed.",
    ),
    Field(
        "Account.event_grid",
        convert=SECTION,
        doc="ACS: the Event Grid subscription that brings inbound SMS (Azure, not Dataverse).",
    ),
    Field("EventGrid.mode", convert=EVENT_GRID),
    Field("EventGrid.endpoint", convert=EVENT_GRID),
    Field("EventGrid.resource_group", convert=EVENT_GRID),
    Field("EventGrid.system_topic", convert=EVENT_GRID),
    Field("EventGrid.subscription_name", convert=EVENT_GRID),
    Field(
        "Account.numbers",
        "msdyn_ocphonenumber",
        convert=Rows(),
        doc="The account's sender numbers.",
    ),
    NUMBER("number", "msdyn_phonenumber", also=("msdyn_name",)),
    NUMBER(
        "type",
        "msdyn_type",
        Words(vocabulary=vocab.NUMBER_TYPE, what="number type"),
        doc="Long code, toll-free, short code or (ACS) mobile.",
    ),
    Field("PhoneNumber.description", convert=Only(why=NOT_STORED), doc="A note for readers."),
    # referenced objects
    Field("OperatingHours.name", "msdyn_operatinghour", "msdyn_name", doc="Unique name."),
    Field("OperatingHours.managed", convert=REFUSED, doc="Looked up only: it is a calendar."),
    Field("OperatingHours.all_days", convert=REFUSED, doc=DEPRECATED),
    Field("OperatingHours.days", convert=REFUSED, doc=DEPRECATED),
    Field("OperatingHours.start", convert=REFUSED, doc=DEPRECATED),
    Field("OperatingHours.end", convert=REFUSED, doc=DEPRECATED),
    Field(
        "OperatingHours.timezone",
        convert=REFUSED,
        doc=DEPRECATED + " Written as a word (Europe/London, GMT Standard Time) or the code "
        "(85); platform/timezones.py maps a word to the code.",
    ),
    QUEUE("name", "name", doc="Unique queue name."),
    Field("Queue.managed", convert=ONLY),
    Field("Queue.renamed_from", convert=RENAMED),
    QUEUE(
        "assignment",
        "msdyn_assignmentstrategy",
        Words(vocabulary=vocab.QUEUE_ASSIGNMENT, what="assignment"),
        doc="How work items are assigned.",
    ),
    QUEUE("operating_hours", "msdyn_operatinghourid", HOURS, doc="Operating hours, by name."),
    QUEUE("priority", "msdyn_priority", doc="Lower numbers are served first."),
    PROFILE("name", "msdyn_name", doc="Unique name."),
    Field("CapacityProfile.managed", convert=ONLY),
    Field("CapacityProfile.renamed_from", convert=RENAMED),
    PROFILE(
        "default_max_units", "msdyn_defaultmaxunits", doc="Work items an agent may hold at once."
    ),
    Field("Survey.name", "msfp_survey", "msfp_name", LookedUp(), doc="The survey's name."),
    Field("Bot.name", "systemuser", "fullname", LookedUp(), doc="The bot user's full name."),
    Field("Template.name", convert=ONLY, doc="The name this configuration uses for it."),
    Field("Template.kind", convert=ONLY, doc="Which kind of template (session, notification)."),
    Field(
        "Template.unique_name", column="msdyn_uniquename", convert=LookedUp(tables=TEMPLATE_TABLES)
    ),
    REPLY("title", "msdyn_title", doc="Unique title."),
    Field("QuickReply.managed", convert=ONLY, doc="true: smsconf owns it; false: looked up"),
    Field("QuickReply.renamed_from", convert=RENAMED),
    REPLY("message", "msdyn_message", doc="The reply's text."),
    REPLY("locale", "msdyn_locale_field", LOCALE, doc="The reply's language."),
    # workstream
    WORKSTREAM("name", "msdyn_name", doc="Unique workstream name."),
    Field("Workstream.renamed_from", convert=RENAMED),
    WORKSTREAM(
        "fallback_queue", "msdyn_defaultqueue", Lookup(kind="queue"), doc="A queue, by name."
    ),
    Field("Workstream.distribution", convert=SECTION, doc="Work distribution."),
    WORKSTREAM("bot", "msdyn_bot_user", Lookup(kind="bot"), doc="By name."),
    Field("Workstream.sms", CH, convert=Rows(), doc="The SMS channel."),
    Field(
        "Workstream.routing",
        "msdyn_routingconfiguration",
        convert=Rows(
            also_columns="`msdyn_routingconfigurationstep` and `msdyn_decisionruleset` rows, "
            "`msdyn_decisioncontract.msdyn_contractdefinition`"
        ),
        doc="Routing rules.",
    ),
    Field("Workstream.advanced", convert=SECTION, doc="Templates, context variables, bots."),
    DISTRIBUTION(
        "mode",
        "msdyn_workdistributionmode",
        Words(vocabulary=vocab.DISTRIBUTION_MODE, what="distribution mode"),
    ),
    Field("Distribution.capacity", convert=SECTION, doc="Unit-based or profile-based capacity."),
    DISTRIBUTION(
        "allowed_presences",
        "msdyn_allowedpresences",
        Choices(vocabulary=vocab.PRESENCE, what="presence"),
        doc="Agent presences that may receive work.",
    ),
    DISTRIBUTION(
        "auto_close_after",
        "msdyn_autocloseafterinactivity",
        Minutes(),
        doc="Close inactive conversations after this long.",
    ),
    DISTRIBUTION(
        "block_capacity_for_wrap_up",
        "msdyn_blockcapacityforwrapup",
        WrapUp(),
        doc="Keep the agent's capacity during wrap-up: always, never, or for a duration.",
    ),
    DISTRIBUTION("keep_same_agent", "msdyn_enableagentaffinity"),
    DISTRIBUTION(
        "skill_matching",
        "msdyn_matchinglogic",
        Words(vocabulary=vocab.SKILL_MATCHING, what="skill matching"),
        doc="Skill matching.",
    ),
    CAPACITY(
        "units",
        "msdyn_capacityrequired",
        Units(),
        doc="Unit-based capacity (`msdyn_capacityformat` says which kind).",
    ),
    Field(
        "Capacity.profile",
        "msdyn_liveworkstreamcapacityprofile",
        "msdyn_capacityprofile_id",
        Lookup(kind="capacity_profile", unit="`msdyn_liveworkstream.msdyn_capacityformat` says"),
        "distribution.capacity.profile",
        doc="Profile-based capacity (`msdyn_capacityformat` says which kind).",
    ),
    CHANNEL("number", "msdyn_phonenumberid", Lookup(kind="number"), doc="A declared number."),
    CHANNEL("language", "msdyn_language", Language(), doc="Channel language."),
    CHANNEL("operating_hours", "msdyn_operatinghourid", HOURS, doc="Operating hours, by name."),
    Field(
        "SmsChannel.automated_messages",
        MSG,
        convert=Rows(),
        doc="Messages sent on channel events.",
    ),
    Field("SmsChannel.survey", convert=SECTION, doc="Post-conversation survey."),
    Field("SmsChannel.file_attachments", convert=SECTION, doc="Who may send files."),
    MESSAGE(
        "trigger",
        "msdyn_systemmessageeventtype",
        Words(vocabulary=vocab.MESSAGE_TRIGGER, what="message trigger"),
        doc="The event that sends it.",
    ),
    MESSAGE("text", "msdyn_messagetext", doc="Default text."),
    Field(
        "AutomatedMessage.translations",
        "msdyn_oclocalizationdata",
        convert=Rows(also_columns="`msdyn_oclocalizationdata.msdyn_localizedtext`"),
        doc="Locale → text.",
    ),
    SURVEY_SETTINGS(
        "enabled", "msdyn_postconversationsurveyenable", doc="Send a survey after the conversation."
    ),
    SURVEY_SETTINGS("survey", "msdyn_postconversationsurvey", SURVEY, doc="A survey, by name."),
    SURVEY_SETTINGS(
        "mode",
        "msdyn_postconversationsurveymode",
        SURVEY_MODE,
        doc="Insert the survey or send a link.",
    ),
    SURVEY_SETTINGS(
        "message", "msdyn_postconversationsurveymessagetext", doc="Text sent with the link."
    ),
    SURVEY_SETTINGS(
        "bot_survey",
        "msdyn_postconversationsurveybotsurvey",
        Present(model="BotSurvey"),
        doc="A separate survey after bot-only conversations.",
    ),
    BOT_SURVEY(
        "survey", "msdyn_postconversationsurveyseparatebotsurvey", SURVEY, doc="A survey, by name."
    ),
    BOT_SURVEY(
        "mode",
        "msdyn_postconversationsurveybotsurveymode",
        SURVEY_MODE,
        doc="Insert the survey or send a link.",
    ),
    BOT_SURVEY(
        "message",
        "msdyn_postconversationsurveybotsurveymessagetext",
        doc="Text sent with the link.",
    ),
    FILES("customers", "msdyn_enablefileattachmentforcustomers", doc="Customers may send files."),
    FILES("agents", "msdyn_enablefileattachmentforagents", doc="Agents may send files."),
    # routing: rules become the XML of a ruleset
    Field(
        "Routing.classification",
        RS,
        convert=Rows(also_columns="and `msdyn_routingconfigurationstep` rows, one per ruleset"),
        doc="Classification rulesets, in order.",
    ),
    Field(
        "Routing.route_to_queue",
        RS,
        convert=Rows(also_columns="one, and one `msdyn_routingconfigurationstep` row"),
        doc="Route-to-queue rules: all are evaluated, and the first that matches and whose "
        "queue is not overflowing is applied.",
    ),
    Field("ClassificationRuleset.name", RS, "msdyn_name", path="name", doc="Ruleset name."),
    Field("ClassificationRuleset.rules", convert=RULE, doc="Rules."),
    Field("ClassificationRule.name", convert=RULE, doc="Rule name."),
    Field("ClassificationRule.when", convert=RULE),
    Field("ClassificationRule.set", convert=RULE),
    Field("QueueRule.name", convert=RULE, doc="Rule name."),
    Field("QueueRule.when", convert=RULE, doc="All must hold; empty: always."),
    Field("QueueRule.queue", convert=RULE, doc="A queue, by name."),
    Field("QueueRule.split", convert=RULE, doc="Percentages of work per queue."),
    Field("QueueShare.queue", convert=RULE, doc="A queue, by name."),
    Field("QueueShare.percent", convert=RULE, doc="Its share."),
    Field("Condition.attribute", convert=RULE),
    Field("Condition.op", convert=RULE, doc="Comparison operator."),
    Field("Condition.value", convert=RULE, doc="Compared value."),
    Field("Condition.all", convert=RULE, doc="All of these hold."),
    Field("Condition.any", convert=RULE, doc="Any of these holds."),
    # advanced settings
    ADVANCED(
        "session_template",
        "msdyn_sessiontemplate_default",
        TextLookup(kind="session_template"),
        doc="A session template, by name.",
    ),
    Field("Advanced.notification_templates", convert=SECTION, doc="Agent notification templates."),
    Field(
        "Advanced.context_variables",
        "msdyn_ocliveworkstreamcontextvariable",
        convert=Rows(also_columns="`msdyn_decisioncontract.msdyn_contractdefinition`"),
        doc="Variables routing rules can read and set.",
    ),
    ADVANCED(
        "smart_assist_bots",
        "msdyn_msdyn_liveworkstream_systemuser",
        Links(),
        doc="Smart-assist bots, by name.",
    ),
    ADVANCED(
        "quick_replies",
        "msdyn_msdyn_cannedmessage_liveworkstream",
        Links(),
        doc="Quick replies, by title.",
    ),
    *(
        Field(
            f"NotificationTemplates.{slot}",
            WS,
            f"msdyn_notificationtemplate_{column}",
            TextLookup(kind="notification_template"),
            f"advanced.notification_templates.{slot}",
            doc="A notification template, by name."
            + (
                ""
                if every_version
                else " Older organisations only: plan refuses it on one without the "
                "column (Microsoft's newest workstream page has none; such an organisation "
                f"keeps it per channel profile, in {CHANNEL_PROFILE_TEMPLATES})."
            ),
            when_absent=None if every_version else NOTIFICATION_TEMPLATE_ABSENT,
        )
        for slot, column, every_version in (
            ("incoming_authenticated", "incoming_auth", True),
            ("incoming_unauthenticated", "incoming_unauth", False),
            ("consult", "consult", False),
            ("transfer", "transfer", False),
            ("supervisor_assign", "supervisorassign", False),
        )
    ),
    VARIABLE("name", "msdyn_name", doc="Its name."),
    VARIABLE(
        "type",
        "msdyn_datatype",
        Words(vocabulary=vocab.CONTEXT_VARIABLE_TYPE, what="context variable type"),
        doc="Text, number or entity reference.",
    ),
    VARIABLE("entity", "msdyn_entitylogicalname"),
)
FIELD: dict[str, Field] = {entry.name: entry for entry in FIELDS}
BY_COLUMN: dict[tuple[str, str], Field] = {
    (entry.table, column): entry
    for entry in FIELDS
    if entry.is_column and entry.table and entry.column
    for column in (entry.column, *entry.also)
}
"""(table, column) → the field written there (Telesign's and Twilio's share columns: the
later one, the Twilio field, names it; `columns()` always knows which one a row holds)."""

NOTIFICATION_COLUMNS = {
    entry.attribute: str(entry.column) for entry in FIELDS if entry.model == "NotificationTemplates"
}


@dataclass(frozen=True)
class Value:
    """One field of one object, as a row holds it: the entry and the YAML value."""

    field: Field
    value: Any


def values(obj: BaseModel, table: str) -> Iterator[Value]:
    """The fields of `obj` (and of its sections) written as columns of `table`'s row."""
    for name in type(obj).model_fields:
        entry = FIELD.get(f"{type(obj).__name__}.{name}")
        if entry is None:
            continue
        value = getattr(obj, name)
        if entry.table == table and entry.is_column:
            yield Value(entry, value)
        if isinstance(value, BaseModel) and isinstance(entry.convert, Section | Present):
            yield from values(value, table)
        elif value is None and isinstance(entry.convert, Present):
            yield from (
                Value(e, None)
                for e in FIELDS
                if e.model == entry.convert.model and e.table == table and e.is_column
            )
