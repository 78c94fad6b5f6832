"""Live rows → configuration: what `smsconf export` writes (issue 6, "Export and drift").

The inverse of `desired.py`, table by table: option values back to words, minutes back to
durations, ruleset XML back to conditions, GUIDs back to names. Objects smsconf created (their
id is the deterministic one) come back `managed: true`; everything else a workstream points at
is declared as a lookup by name. What the language cannot say becomes an `Omission`, never a
silent drop: a workstream with any such part is left out whole (exporting it without that part
would make the next apply delete it). Every column is read back through the field map's
converters (mapping/fields.py), the same ones the desired rows are written through. The
manager then maps the export forward again and diffs it against the same rows (its residue),
so "the export re-plans to zero changes" is checked on every export, not hoped for.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from smsconf.config.interpolate import VAR
from smsconf.config.kinds import KINDS
from smsconf.config.model import (
    Account,
    Advanced,
    AutomatedMessage,
    BotSurvey,
    Capacity,
    CapacityProfile,
    ClassificationRule,
    ClassificationRuleset,
    Config,
    ContextVariable,
    Distribution,
    FileAttachments,
    NotificationTemplates,
    OperatingHours,
    PhoneNumber,
    Queue,
    QueueRule,
    QueueShare,
    QuickReply,
    Routing,
    SmsChannel,
    SurveySettings,
    Template,
    Workstream,
)
from smsconf.config.model import Bot as BotRef
from smsconf.config.model import Survey as SurveyRef
from smsconf.config.rules import check
from smsconf.config.secrets import SecretRef
from smsconf.config.vocabulary import NUMBER_TYPES
from smsconf.mapping import ids
from smsconf.mapping.fields import (
    FIELD,
    FIELDS,
    LOCALE,
    Field,
    Language,
    Lookup,
    TextLookup,
    Unexpressible,
    Words,
)
from smsconf.mapping.keys import guid_of
from smsconf.mapping.live import LiveState, Row
from smsconf.mapping.routing_xml import (
    Rule,
    RulesetError,
    attribute_word,
    contract_variables,
    parse_ruleset,
)
from smsconf.mapping.tables import ASSOCIATIONS, REFERENCE_TABLES
from smsconf.platform import vocabulary as vocab

M = TypeVar("M", bound=BaseModel)
QUICK_REPLIES = "msdyn_msdyn_cannedmessage_liveworkstream"
SMART_ASSIST_BOTS = "msdyn_msdyn_liveworkstream_systemuser"


NUMBER_TYPE = {
    provider: Words(
        vocabulary={w: FIELD["PhoneNumber.type"].convert.stored(w) for w in words},
        what="number type",
    )
    for provider, words in NUMBER_TYPES.items()
}
"""Geo and long code are one stored value: which word it is depends on the provider."""
SECRET_FIELD = {
    "telesign": ("customer_id", "api_key"),
    "twilio": ("account_sid", "auth_token"),
    "acs": ("resource_name", "connection_string"),
}
STEP_TYPE = Words(vocabulary=vocab.STEP_TYPE, what="routing step type")
CAPACITY_FORMAT = Words(vocabulary=vocab.CAPACITY_FORMAT, what="capacity format")
WS = "msdyn_liveworkstream"
CHANNEL = "msdyn_ocsmschannelsetting"
CAPACITY_LINK = "msdyn_liveworkstreamcapacityprofile"
CONTEXT_VARIABLE = "msdyn_ocliveworkstreamcontextvariable"
TABLE_NUMBER = "msdyn_ocphonenumber"
KIND_OF_KEY = {kind.section: kind.words for kind in KINDS.values() if kind.section}


@dataclass(frozen=True)
class Omission:
    """Something in the organisation the export could not express, and why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass
class Exported:
    config: Config
    omitted: list[Omission]
    org_id: str
    not_stored: list[Omission] = field(default_factory=list)
    """Fields of the exported objects the organisation does not keep (`not_stored`)."""


NOT_STORED: dict[type[BaseModel], tuple[str, ...]] = {
    Account: ("auth", "endpoint"),  # Telesign's: how it is called, never written to Dataverse
    PhoneNumber: ("description",),  # msdyn_ocphonenumber has no description column
}
"""Configuration fields no row holds, per model: an export cannot know what the YAML said."""


def not_stored(config: Config) -> list[Omission]:
    """Every field of the exported objects that the organisation does not store, by path.

    The export writes these as their defaults, so a configuration that set them otherwise (the
    example's `auth: basic`) would lose them silently were they not listed, object by object,
    for a reviewer to add back. Environments (gateway, variables) are configuration only too.
    """
    found = [
        Omission(f"environments[*].{name}", "declare it by hand if you use it")
        for name in ("gateway", "variables")
    ]
    for account in config.accounts:
        path = f"accounts[{account.name}]"
        if account.provider == "telesign":  # a Twilio account has neither field
            found += _not_stored(path, account)
        if account.provider == "acs":
            found += [
                Omission(f"{path}.resource_id", ACS_RESOURCE_ID),
                Omission(f"{path}.event_grid", "left out: the Event Grid wiring lives in Azure"),
            ]
        for number in account.numbers:
            found += _not_stored(f"{path}.numbers[{number.number}]", number)
    return found


def _not_stored(path: str, obj: BaseModel) -> list[Omission]:
    omissions = []
    for name in NOT_STORED[type(obj)]:
        default = type(obj).model_fields[name].default
        written = "left out" if default in (None, "") else f"exported as the default, {default}"
        omissions.append(Omission(f"{path}.{name}", f"{written}; set it by hand if yours differs"))
    return omissions


ACS_RESOURCE_ID = (
    "left out (the organisation keeps the resource's immutable id, not its ARM id): copy "
    "Resource ID from the Azure portal (the ACS resource > Properties) to have the Event Grid "
    "wiring checked"
)


class _Skip(Exception):
    """Raised inside one object's export: the object cannot be expressed (the message says why)."""


SECRET_WORDS = {
    "telesign": ("TELESIGN", "API_KEY"),
    "twilio": ("TWILIO", "AUTH_TOKEN"),
    "acs": ("ACS", "CONNECTION_STRING"),
}


def secret_variable(account: str, provider: str = "telesign") -> str:
    """`contoso-telesign` → `CONTOSO_TELESIGN_API_KEY`; `Fabrikam` → `FABRIKAM_TELESIGN_API_KEY`;
    a Twilio account's `contoso-twilio` → `CONTOSO_TWILIO_AUTH_TOKEN`: the provider is named
    once, and the variable says which secret it holds."""
    name, secret = SECRET_WORDS[provider]
    stem = "".join(c if c.isascii() and c.isalnum() else "_" for c in account.upper())
    stem = "_".join(part for part in stem.split("_") if part) or "ACCOUNT"
    return f"{stem}_{secret}" if stem.endswith(f"_{name}") else f"{stem}_{name}_{secret}"


def build(model: type[M], **fields: Any) -> M:
    """A model from the fields that have a value (None: the model's default), or `_Skip`."""
    for value in fields.values():
        texts = value if isinstance(value, list | dict) else [value]
        for text in texts.values() if isinstance(texts, dict) else texts:
            if isinstance(text, str) and VAR.search(text):
                raise _Skip(f"'{text}' holds ${{var:...}}, which loading would substitute")
    try:
        return model(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _Skip(f"{where}: {first['msg']}".lstrip(": ")) from None


def word(name: str, row: Row) -> Any:
    """A field's value read back from its column through the field map, or `_Skip`."""
    entry = FIELD[name]
    return convert(entry.convert, row.get(str(entry.column)))


def convert(converter: Any, value: Any) -> Any:
    try:
        return converter.word(value)
    except Unexpressible as exc:
        raise _Skip(str(exc)) from None


class Exporter:
    """Builds the configuration of one live state; one instance per export."""

    def __init__(self, live: LiveState) -> None:
        self.live = live
        self.omitted: list[Omission] = []
        self.used: dict[str, set[str]] = defaultdict(set)  # kind → names workstreams use
        self.numbers: dict[str, str] = {}  # phone number row id → number, for exported accounts
        self.acs_numbers: set[str] = set()  # the row ids of those under an ACS connection
        self.templates: dict[tuple[str, str], Template] = {}  # (kind, unique name) → template
        self._by_owner: dict[tuple[str, str], dict[str | None, list[Row]]] = {}
        self._links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for name, pairs in live.associations.items():  # relationship → workstream → targets
            for ws, target in pairs:
                self._links[name][ws].append(target)
        self.by_id: dict[str, dict[str, Row]] = {
            table: {live.row_id(table, row): row for row in rows}
            for table, rows in live.rows.items()
        }

    # --- helpers ---------------------------------------------------------------------------

    def rows(self, table: str, column: str | None = None, owner: str | None = None) -> list[Row]:
        """Rows of a table, or only those whose `column` points at the row `owner`."""
        rows = self.live.rows.get(table, [])
        if column is None:
            return rows
        index = self._by_owner.get((table, column))
        if index is None:  # built once per lookup column: a scan per owner was quadratic
            index = defaultdict(list)
            for row in rows:
                index[guid_of(row.get(column))].append(row)
            self._by_owner[(table, column)] = index
        return list(index.get(owner, ()))

    def linked(self, relationship: str, ws_id: str) -> list[str]:
        """The rows an N:N relationship links to workstream `ws_id`, sorted."""
        return sorted(self._links[relationship].get(ws_id, ()))

    def omit(self, what: str, reason: str) -> None:
        self.omitted.append(Omission(what, reason))

    def created_by_smsconf(self, table: str, row: Row, name: str) -> bool:
        """smsconf gives the rows it creates a deterministic id (mapping/ids.py)."""
        return self.live.row_id(table, row) == ids.row_id(self.live.org_id, table, (name,))

    def name_of(self, kind: str, value: Any, what: str) -> str | None:
        """The name a lookup column's target is found by again: None stays None, else `_Skip`."""
        if value is None:
            return None
        table, column = REFERENCE_TABLES[kind]
        row = self.by_id.get(table, {}).get(guid_of(value) or "")
        if row is None or not row.get(column):
            raise _Skip(f"its {what} ({value}) is not a {kind.replace('_', ' ')} smsconf reads")
        name = str(row[column])
        first = next(
            r for r in self.rows(table) if str(r.get(column, "")).casefold() == name.casefold()
        )
        if first is not row:
            raise _Skip(f"its {what} '{name}' is ambiguous: more than one has that name")
        self.used[kind].add(name)
        return name

    def read(self, model: str, row: Row, table: str, **given: Any) -> dict[str, Any]:
        """`model`'s fields held in `row`'s columns, in the YAML's words, read back through
        the field map; `given` fields are already known (a number, the provider's type)."""
        found: dict[str, Any] = dict(given)
        for entry in _columns_of(model, table):
            if entry.attribute in found:
                continue
            column, how = str(entry.column), entry.convert
            what = entry.path.replace("_", " ").replace(".", " ")
            if isinstance(how, TextLookup):
                value = self.template(how.kind.split("_")[0], row.get(column), what)
            elif isinstance(how, Language):
                value = self.locale(row.get(f"_{column}_value"))
            elif isinstance(how, Lookup):
                value = self.name_of(how.kind, row.get(f"_{column}_value"), what)
            else:
                value = convert(how, row.get(column))
            found[entry.attribute] = value
        return found

    def template(self, kind: str, unique: str | None, what: str) -> str | None:
        """A template column's unique name → the name of its `templates:` entry."""
        if not unique:
            return None
        table = REFERENCE_TABLES[f"{kind}_template"][0]
        row = next((r for r in self.rows(table) if r.get("msdyn_uniquename") == unique), None)
        if row is None:
            raise _Skip(f"its {what} '{unique}' is not in the organisation")
        known = self.templates.get((kind, unique))
        if known is None:
            taken = {t.name for t in self.templates.values()}
            name = str(row.get("msdyn_name") or unique)
            name = unique if name in taken else name
            known = build(Template, name=name, kind=kind, unique_name=unique)
            self.templates[(kind, unique)] = known
        return known.name

    # --- the configuration -----------------------------------------------------------------

    def run(self) -> Config:
        accounts = self.accounts()
        workstreams = []
        for row in sorted(self.rows("msdyn_liveworkstream"), key=lambda r: str(r["msdyn_name"])):
            used = {kind: set(names) for kind, names in self.used.items()}
            templates = dict(self.templates)
            try:
                workstreams.append(self.workstream(row))
            except (_Skip, RulesetError) as exc:
                self.omit(f"workstream '{row['msdyn_name']}'", f"not exported: {exc}")
                self.used, self.templates = defaultdict(set, used), templates
        queues = self.referenced("queue", Queue, self.queue)  # first: queues use hours
        config = Config(
            accounts=accounts,
            queues=queues,
            operating_hours=self.referenced("operating_hours", OperatingHours, self.hours),
            capacity_profiles=self.referenced("capacity_profile", CapacityProfile, self.profile),
            surveys=[SurveyRef(name=n) for n in sorted(self.used["survey"])],
            bots=[BotRef(name=n) for n in sorted(self.used["bot"])],
            templates=sorted(self.templates.values(), key=lambda t: (t.name, t.kind)),
            quick_replies=self.referenced("quick_reply", QuickReply, self.quick_reply),
            workstreams=workstreams,
        )
        return self.valid(config)

    def valid(self, config: Config) -> Config:
        """Leave out each top-level object the domain rules refuse, so the files validate.

        Leaving one out can break a reference to it (a workstream's queue), which the next
        round finds; every round removes something, so this ends. Left-out objects are
        unmanaged for a plan: untouched, never deleted.
        """
        while problems := check(config):
            doomed: dict[str, set[int]] = defaultdict(set)
            for problem in problems:
                key, index = (*problem.path, None, None)[:2]
                if not isinstance(key, str) or not isinstance(index, int):
                    self.omit("configuration", problem.message)
                    continue
                item = getattr(config, key)[index]
                what = f"{KIND_OF_KEY.get(key, key)} '{getattr(item, 'name', None) or item.title}'"
                self.omit(what, f"not exported: {problem.message}")
                doomed[key].add(index)
            if not doomed:
                break
            config = config.model_copy(
                update={
                    key: [x for i, x in enumerate(getattr(config, key)) if i not in indexes]
                    for key, indexes in doomed.items()
                }
            )
        return config

    def accounts(self) -> list[Account]:
        table = "msdyn_occommunicationprovidersetting"
        accounts = []
        for row in sorted(self.rows(table), key=lambda r: str(r.get("msdyn_name"))):
            name, account_id = row.get("msdyn_name"), self.live.row_id(table, row)
            numbers = sorted(
                self.rows(
                    "msdyn_ocphonenumber",
                    "_msdyn_occommunicationprovidersettingid_value",
                    account_id,
                ),
                key=lambda n: str(n.get("msdyn_phonenumber")),
            )
            try:
                provider = word("Account.provider", row)
                identifier, secret = SECRET_FIELD[provider]
                # An ACS connection is exported by reference: the resource by the setting's
                # name [inferred], its connection string as a variable, its numbers as found.
                ident = name if provider == "acs" else row.get("msdyn_accountsid")
                account = build(
                    Account,
                    name=name,
                    provider=provider,
                    **{
                        identifier: ident,
                        secret: SecretRef("env", secret_variable(str(name), provider)),
                    },
                    numbers=[self.number(n, provider) for n in numbers],
                )
            except _Skip as exc:
                self.omit(f"account '{name}'", f"not exported with its numbers: {exc}")
                continue
            accounts.append(account)
            self.numbers.update(
                (self.live.row_id("msdyn_ocphonenumber", n), n["msdyn_phonenumber"])
                for n in numbers
            )
            if provider == "acs":
                self.acs_numbers.update(self.live.row_id("msdyn_ocphonenumber", n) for n in numbers)
        owned = set(self.numbers)
        for row in self.rows("msdyn_ocphonenumber"):
            if self.live.row_id("msdyn_ocphonenumber", row) not in owned:
                self.omit(
                    f"number {row.get('msdyn_phonenumber')}", "belongs to no exported account"
                )
        return accounts

    def number(self, row: Row, provider: str) -> PhoneNumber:
        number = row.get("msdyn_phonenumber")
        try:
            kind = convert(NUMBER_TYPE[provider], row.get(str(FIELD["PhoneNumber.type"].column)))
            return build(PhoneNumber, **self.read("PhoneNumber", row, TABLE_NUMBER, type=kind))
        except _Skip as exc:
            raise _Skip(f"number {number}: {exc}") from None

    def referenced(
        self, kind: str, model: type[M], fields: Callable[[Row], dict[str, Any]]
    ) -> list[M]:
        """Objects smsconf created come back managed; others only when used, as lookups."""
        table, column = REFERENCE_TABLES[kind]
        key = "title" if model is QuickReply else "name"
        found: dict[str, M] = {}
        for row in self.rows(table):
            name = str(row.get(column) or "")
            if not name or name.casefold() in {n.casefold() for n in found}:
                continue
            if self.created_by_smsconf(table, row, name):
                try:
                    found[name] = build(model, **{**fields(row), key: name, "managed": True})
                    continue
                except _Skip as exc:
                    what = f"{kind.replace('_', ' ')} '{name}'"
                    self.omit(what, f"exported as a lookup, not managed: {exc}")
            if name in self.used[kind]:
                found[name] = build(model, **{key: name})
        return [found[n] for n in sorted(found)]

    def queue(self, row: Row) -> dict[str, Any]:
        return self.read("Queue", row, "queue")

    def hours(self, row: Row) -> dict[str, Any]:
        """Never managed: their schedule is a calendar smsconf does not write (config rules)."""
        raise _Skip("operating hours are looked up by name only (their schedule is a calendar)")

    def profile(self, row: Row) -> dict[str, Any]:
        return self.read("CapacityProfile", row, "msdyn_capacityprofile")

    def quick_reply(self, row: Row) -> dict[str, Any]:
        return self.read("QuickReply", row, "msdyn_cannedmessage")

    # --- workstreams -----------------------------------------------------------------------

    def workstream(self, row: Row) -> Workstream:
        ws_id = self.live.row_id("msdyn_liveworkstream", row)
        if row.get("msdyn_mode") != vocab.WORKSTREAM_MODE_SIMPLIFIED:
            raise _Skip(
                f"msdyn_mode {row.get('msdyn_mode')} is not the unified routing model smsconf "
                "writes (a legacy-model workstream)"
            )
        channels = self.rows("msdyn_ocsmschannelsetting", "_msdyn_liveworkstreamid_value", ws_id)
        if len(channels) > 1:
            raise _Skip(f"{len(channels)} SMS channels; smsconf expresses one per workstream")
        variables = self.context_variables(row, ws_id)
        return build(
            Workstream,
            **self.read("Workstream", row, WS),
            distribution=self.distribution(row, ws_id),
            sms=self.channel(channels[0]) if channels else None,
            routing=self.routing(ws_id),
            advanced=self.advanced(row, ws_id, variables),
        )

    def distribution(self, row: Row, ws_id: str) -> Distribution:
        links = self.rows(
            "msdyn_liveworkstreamcapacityprofile", "_msdyn_workstream_id_value", ws_id
        )
        capacity_format = convert(CAPACITY_FORMAT, row.get("msdyn_capacityformat"))
        if capacity_format == "profile" and len(links) == 1:
            capacity = build(Capacity, **self.read("Capacity", links[0], CAPACITY_LINK))
        elif capacity_format == "profile" or links:
            raise _Skip(f"{len(links)} capacity profiles; smsconf expresses units or one profile")
        else:
            capacity = build(Capacity, units=row.get("msdyn_capacityrequired") or 0)
        fields = self.read("Distribution", row, WS)
        return build(
            Distribution,
            **{**fields, "allowed_presences": fields["allowed_presences"] or None},
            capacity=capacity,
        )

    def channel(self, row: Row) -> SmsChannel:
        number = self.numbers.get(guid_of(row.get("_msdyn_phonenumberid_value")) or "")
        if number is None:
            raise _Skip("its SMS channel's number is not under an exported account")
        return build(
            SmsChannel,
            **self.read("SmsChannel", row, CHANNEL, number=number),
            automated_messages=self.messages(self.live.row_id(CHANNEL, row)),
            survey=self.survey(row),
            # An ACS channel has none (the rules refuse the key); on ones are the residue's.
            file_attachments=None
            if guid_of(row.get("_msdyn_phonenumberid_value")) in self.acs_numbers
            else build(FileAttachments, **self.read("FileAttachments", row, CHANNEL)),
        )

    def locale(self, language_id: Any) -> str | None:
        if language_id is None:
            return None
        language = self.by_id.get("msdyn_oclanguage", {}).get(guid_of(language_id) or "")
        if language is None:
            raise _Skip(f"its language ({language_id}) is not a language row smsconf reads")
        return convert(LOCALE, language.get("msdyn_localeid"))

    def survey(self, row: Row) -> SurveySettings:
        bot_survey = None
        if row.get(str(FIELD["SurveySettings.bot_survey"].column)):
            bot_survey = build(BotSurvey, **self.read("BotSurvey", row, CHANNEL))
        return build(
            SurveySettings, **self.read("SurveySettings", row, CHANNEL, bot_survey=bot_survey)
        )

    def messages(self, channel_id: str) -> list[AutomatedMessage]:
        messages = []
        for row in self.rows("msdyn_ocsystemmessage", "msdyn_instanceid", channel_id):
            fields = self.read("AutomatedMessage", row, "msdyn_ocsystemmessage")
            message_id = self.live.row_id("msdyn_ocsystemmessage", row)
            translations: dict[str, Any] = {}
            for text in self.rows(
                "msdyn_oclocalizationdata", "_msdyn_systemmessageid_value", message_id
            ):
                locale = convert(LOCALE, text.get("msdyn_languagecode"))
                if locale is None:
                    raise _Skip(
                        f"a translation of message '{row.get('msdyn_name')}' has no language"
                    )
                translations[locale] = text.get("msdyn_localizedtext")
            messages.append(
                build(AutomatedMessage, **fields, translations=dict(sorted(translations.items())))
            )
        return sorted(messages, key=lambda m: m.trigger)

    def context_variables(self, row: Row, ws_id: str) -> list[ContextVariable]:
        """In the order of the workstream's contract, which the contract document keeps."""
        contract = self.by_id.get("msdyn_decisioncontract", {}).get(
            guid_of(row.get("_msdyn_routingcontractid_value")) or ""
        )
        definition = contract.get("msdyn_contractdefinition") if contract else None
        order = [name for name, _ in contract_variables(definition)] if definition else []
        variables = [
            build(ContextVariable, **self.read("ContextVariable", v, CONTEXT_VARIABLE))
            for v in self.rows(
                "msdyn_ocliveworkstreamcontextvariable", "_msdyn_liveworkstreamid_value", ws_id
            )
        ]
        rank = {name: i for i, name in enumerate(order)}
        return sorted(variables, key=lambda v: (rank.get(v.name, len(rank)), v.name))

    def advanced(self, row: Row, ws_id: str, variables: list[ContextVariable]) -> Advanced:
        linked = {relationship: self.linked(relationship, ws_id) for relationship in ASSOCIATIONS}
        notifications = self.read("NotificationTemplates", row, WS)
        return build(
            Advanced,
            **self.read("Advanced", row, WS),
            notification_templates=build(NotificationTemplates, **notifications),
            context_variables=variables,
            smart_assist_bots=sorted(
                str(self.name_of("bot", t, "smart-assist bot")) for t in linked[SMART_ASSIST_BOTS]
            ),
            quick_replies=sorted(
                str(self.name_of("quick_reply", t, "quick reply")) for t in linked[QUICK_REPLIES]
            ),
        )

    # --- routing ---------------------------------------------------------------------------

    def routing(self, ws_id: str) -> Routing:
        configs = self.rows("msdyn_routingconfiguration", "_msdyn_liveworkstreamid_value", ws_id)
        if not configs:
            return Routing()
        if len(configs) > 1:
            raise _Skip(f"{len(configs)} active routing configurations")
        config_id = self.live.row_id("msdyn_routingconfiguration", configs[0])
        steps = sorted(
            self.rows(
                "msdyn_routingconfigurationstep", "_msdyn_routingconfigurationid_value", config_id
            ),
            key=lambda s: s.get("msdyn_steporder") or 0,
        )
        classification: list[ClassificationRuleset] = []
        route_to_queue: list[QueueRule] | None = None
        for step in steps:
            kind = convert(STEP_TYPE, step.get("msdyn_type"))
            ruleset = self.by_id.get("msdyn_decisionruleset", {}).get(
                guid_of(step.get("_msdyn_rulesetid_value")) or ""
            )
            if kind is None or ruleset is None or route_to_queue is not None:
                raise _Skip(
                    f"routing step '{step.get('msdyn_name')}' is not in the shape smsconf writes"
                )
            rules = parse_ruleset(ruleset.get("msdyn_rulesetdefinition") or "")
            if kind == "classification":
                classification.append(
                    build(
                        ClassificationRuleset,
                        name=ruleset.get("msdyn_name"),
                        rules=[self.classification_rule(r) for r in rules],
                    )
                )
            else:
                route_to_queue = [self.queue_rule(r) for r in rules]
        return build(Routing, classification=classification, route_to_queue=route_to_queue)

    def classification_rule(self, rule: Rule) -> ClassificationRule:
        if rule.queue is not None or rule.split is not None:
            raise _Skip(f"classification rule '{rule.name}' assigns a queue")
        outputs = {
            "priority"
            if path == vocab.CLASSIFICATION_OUTPUT_PRIORITY
            else attribute_word(path): value
            for path, value in rule.outputs
        }
        return build(ClassificationRule, name=rule.name, when=rule.when, set=outputs)

    def queue_rule(self, rule: Rule) -> QueueRule:
        if rule.outputs or (rule.queue is None and rule.split is None):
            raise _Skip(f"route-to-queue rule '{rule.name}' does not assign a queue")
        split = None
        if rule.split is not None:
            split = [
                build(
                    QueueShare, queue=self.name_of("queue", queue, "split queue"), percent=percent
                )
                for queue, percent in rule.split
            ]
        return build(
            QueueRule,
            name=rule.name,
            when=rule.when,
            queue=self.name_of("queue", rule.queue, "queue"),
            split=split,
        )


def export_config(live: LiveState) -> Exported:
    """The configuration of a live organisation, and everything it could not express."""
    exporter = Exporter(live)
    config = exporter.run()
    return Exported(config, exporter.omitted, live.org_id, not_stored(config))


@functools.cache
def _columns_of(model: str, table: str) -> tuple[Field, ...]:
    """The field map's column entries of `model` on `table`, in map order: `read` runs once
    per exported row, and scanning the whole map each time was 1.7 M look-ups at 1,000
    workstreams."""
    return tuple(e for e in FIELDS if e.model == model and e.table == table and e.is_column)
