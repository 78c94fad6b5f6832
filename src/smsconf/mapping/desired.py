"""Configuration → desired rows, table by table (reference/dataverse.md §1–2, evidence §1–6).

Ids of other rows come from a `Resolver`, which the reconciler backs with the live
organisation: a managed object's id is its live row's id when one matches the natural key, else
the deterministic id smsconf will create it with; an object looked up by name must exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from smsconf.config.model import (
    Account,
    Config,
    QueueRule,
    Workstream,
    duration_minutes,
)
from smsconf.config.secrets import SecretRef
from smsconf.config.vocabulary import LOCALES
from smsconf.mapping import ids
from smsconf.mapping.ids import Key
from smsconf.mapping.routing_xml import Rule, attribute_path, contract_xml, ruleset_xml
from smsconf.mapping.rows import DesiredLink, DesiredRow
from smsconf.platform import vocabulary as vocab

Path_ = tuple[str | int, ...]

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
}
FINGERPRINT_KEY = "smsconf.api_key_fingerprint"
SECRET_WORDS = {"api_key": "API key", "auth_token": "Auth Token"}
CONTRACT_TYPES = {
    "text": "string",
    "number": "number",
    "boolean": "boolean",
    "entity_reference": "entityreference",
}
NOTIFICATION_COLUMNS = {
    "incoming_authenticated": "msdyn_notificationtemplate_incoming_auth",
    "incoming_unauthenticated": "msdyn_notificationtemplate_incoming_unauth",
    "consult": "msdyn_notificationtemplate_consult",
    "transfer": "msdyn_notificationtemplate_transfer",
    "supervisor_assign": "msdyn_notificationtemplate_supervisorassign",
}


class Resolver(Protocol):
    def id_of(self, table: str, key: Key) -> str:
        """Id of the managed row with this natural key (live if it exists, else deterministic)."""

    def lookup(self, kind: str, value: str, path: Path_) -> str | None:
        """Id of an object found by name, unique name or LCID; None (and a problem) if absent."""

    def fingerprint(self, secret: SecretRef, path: Path_) -> str | None:
        """Keyed hash of a secret's value, or None (with a problem) when it cannot be read."""


class Mapper:
    """Builds the desired rows of one configuration; one instance per plan."""

    def __init__(self, config: Config, resolver: Resolver) -> None:
        self.config = config
        self.resolver = resolver
        self.managed = {
            "queue": {q.name for q in config.queues if q.managed},
            "operating_hours": {o.name for o in config.operating_hours if o.managed},
            "capacity_profile": {c.name for c in config.capacity_profiles if c.managed},
            "quick_reply": {q.title for q in config.quick_replies if q.managed},
        }
        self.templates = {t.name: t.unique_name or t.name for t in config.templates}
        self.rows: list[DesiredRow] = []
        self.links: list[DesiredLink] = []

    # --- helpers ---------------------------------------------------------------------------

    def add(
        self, table: str, key: Key, kind: str, label: str, source: Path_, **kw: object
    ) -> DesiredRow:
        row = DesiredRow(
            table, key, kind, label, self.resolver.id_of(table, key), source=source, **kw
        )  # type: ignore[arg-type]
        self.rows.append(row)
        return row

    def ref(self, kind: str, name: str | None, path: Path_) -> str | None:
        """Id of a referenced object, managed (our id) or looked up (its live id)."""
        if name is None:
            return None
        table, _ = REFERENCE_TABLES[kind]
        if name in self.managed.get(kind, ()):
            return self.resolver.id_of(table, (name,))
        return self.resolver.lookup(kind, name, path)

    def language(self, locale: str, path: Path_) -> str | None:
        return self.resolver.lookup("language", str(LOCALES[locale]), path)

    def template(self, kind: str, name: str | None, path: Path_) -> str | None:
        """Template columns hold unique names as text (evidence §5); check the template exists."""
        if name is None:
            return None
        unique = self.templates[name]
        self.resolver.lookup(kind, unique, path)
        return unique

    # --- the tables ------------------------------------------------------------------------

    def build(self) -> tuple[list[DesiredRow], list[DesiredLink]]:
        for i, account in enumerate(self.config.accounts):
            self.account(account, ("accounts", i))
        self.referenced_objects()
        for i, ws in enumerate(self.config.workstreams):
            self.workstream(ws, ("workstreams", i))
        return self.rows, self.links

    def account(self, account: Account, path: Path_) -> None:
        key = (account.name,)
        self.add(
            "msdyn_occommunicationprovidersetting",
            key,
            "account",
            f"account '{account.name}'",
            path,
            columns={
                "msdyn_name": account.name,
                "msdyn_occommunicationprovider": vocab.PROVIDER[account.provider],
                "msdyn_accountsid": account.identifier,
            },
            secrets={"msdyn_securesecret": account.secret},
        )
        account_id = self.resolver.id_of("msdyn_occommunicationprovidersetting", key)
        # The secret's column is write-only; its fingerprint beside it lets a plan see a change.
        secret_path = (*path, account.secret_name)
        self.add(
            "msdyn_occommunicationprovidersettingentry",
            (*key, FINGERPRINT_KEY),
            "account_fingerprint",
            f"{SECRET_WORDS[account.secret_name]} fingerprint of account '{account.name}'",
            secret_path,
            columns={
                "msdyn_name": FINGERPRINT_KEY,
                "msdyn_key": FINGERPRINT_KEY,
                "msdyn_value": self.resolver.fingerprint(account.secret, secret_path),
            },
            links={"msdyn_communicationprovidersettingentid": account_id},
            parent=("msdyn_occommunicationprovidersetting", key),
        )
        for j, number in enumerate(account.numbers):
            self.add(
                "msdyn_ocphonenumber",
                (number.number,),
                "number",
                f"number {number.number}",
                (*path, "numbers", j),
                columns={
                    "msdyn_name": number.number,
                    "msdyn_phonenumber": number.number,
                    "msdyn_type": vocab.NUMBER_TYPE[number.type],
                    # [inferred] "Direct Offer": 192350001 "Direct Routing" is ACS direct
                    # routing through an SBC (Learn, bring your own carrier); no source shows
                    # what a provider's number carries (vocabulary.INFERRED).
                    "msdyn_ocphonenumbersource": 192350000,
                    "msdyn_smsinboundenabled": True,
                    "msdyn_smsoutboundenabled": True,
                },
                links={"msdyn_occommunicationprovidersettingid": account_id},
            )

    def referenced_objects(self) -> None:
        c = self.config
        for i, queue in enumerate(c.queues):
            if queue.managed:
                path = ("queues", i)
                self.add(
                    "queue",
                    (queue.name,),
                    "queue",
                    f"queue '{queue.name}'",
                    path,
                    columns={
                        "name": queue.name,
                        "msdyn_isomnichannelqueue": True,
                        "msdyn_queuetype": vocab.QUEUE_TYPE_MESSAGING,
                        "msdyn_assignmentstrategy": vocab.QUEUE_ASSIGNMENT[queue.assignment],
                        "msdyn_priority": queue.priority,
                    },
                    links={
                        "msdyn_operatinghourid": self.ref(
                            "operating_hours", queue.operating_hours, (*path, "operating_hours")
                        )
                    },
                )
        for i, profile in enumerate(c.capacity_profiles):
            if profile.managed:
                key = (profile.name,)
                self.add(
                    "msdyn_capacityprofile",
                    key,
                    "capacity_profile",
                    f"capacity profile '{profile.name}'",
                    ("capacity_profiles", i),
                    columns={
                        "msdyn_name": profile.name,
                        "msdyn_uniquename": ids.unique_name("msdyn_capacityprofile", key),
                        "msdyn_defaultmaxunits": profile.default_max_units,
                    },
                    immutable=frozenset({"msdyn_uniquename"}),
                )
        for i, reply in enumerate(c.quick_replies):
            if reply.managed:
                self.add(
                    "msdyn_cannedmessage",
                    (reply.title,),
                    "quick_reply",
                    f"quick reply '{reply.title}'",
                    ("quick_replies", i),
                    columns={
                        "msdyn_title": reply.title,
                        "msdyn_message": reply.message,
                        "msdyn_locale_field": LOCALES[reply.locale],
                    },
                )

    def workstream(self, ws: Workstream, path: Path_) -> None:
        key = (ws.name,)
        dist = ws.distribution
        contract_key = (ids.unique_name("msdyn_decisioncontract", key),)
        contract_id = self.resolver.id_of("msdyn_decisioncontract", contract_key)
        variables = [(cv.name, CONTRACT_TYPES[cv.type]) for cv in ws.advanced.context_variables]
        self.add(
            "msdyn_decisioncontract",
            contract_key,
            "routing_contract",
            f"routing contract of workstream '{ws.name}'",
            (*path, "routing"),
            columns={
                "msdyn_name": contract_key[0],
                "msdyn_uniquename": contract_key[0],
                "msdyn_contractdefinition": contract_xml(variables),
            },
            compare={"msdyn_contractdefinition": "xml"},
            parent=("msdyn_liveworkstream", key),
        )
        wrap = dist.block_capacity_for_wrap_up
        adv = ws.advanced
        apath = (*path, "advanced")
        columns = {
            "msdyn_name": ws.name,
            "msdyn_streamsource": vocab.STREAM_SOURCE_SMS,
            "msdyn_mode": vocab.WORKSTREAM_MODE_SIMPLIFIED,
            "msdyn_direction": vocab.DIRECTION_INBOUND,
            "msdyn_workdistributionmode": vocab.DISTRIBUTION_MODE[dist.mode],
            "msdyn_capacityformat": vocab.CAPACITY_FORMAT[
                "units" if dist.capacity.units is not None else "profile"
            ],
            "msdyn_capacityrequired": dist.capacity.units or 0,
            "msdyn_allowedpresences": _multi(vocab.PRESENCE[p] for p in dist.allowed_presences),
            "msdyn_autocloseafterinactivity": duration_minutes(dist.auto_close_after),
            "msdyn_blockcapacityforwrapup": (
                vocab.WRAP_UP_ALWAYS
                if wrap == "always"
                else vocab.WRAP_UP_NEVER
                if wrap == "never"
                else duration_minutes(wrap)
            ),
            "msdyn_enableagentaffinity": dist.keep_same_agent,
            "msdyn_matchinglogic": vocab.SKILL_MATCHING[dist.skill_matching],
            "msdyn_enableautomatedmessages": True,
            "msdyn_sessiontemplate_default": self.template(
                "session_template", adv.session_template, (*apath, "session_template")
            ),
        }
        for slot, column in NOTIFICATION_COLUMNS.items():
            columns[column] = self.template(
                "notification_template",
                getattr(adv.notification_templates, slot),
                (*apath, "notification_templates", slot),
            )
        ws_row = self.add(
            "msdyn_liveworkstream",
            key,
            "workstream",
            f"workstream '{ws.name}'",
            path,
            columns=columns,
            links={
                "msdyn_defaultqueue": self.ref(
                    "queue", ws.fallback_queue, (*path, "fallback_queue")
                ),
                "msdyn_routingcontractid": contract_id,
                "msdyn_bot_user": self.ref("bot", ws.bot, (*path, "bot")),
            },
            immutable=frozenset({"msdyn_workdistributionmode", "msdyn_streamsource"}),
        )
        if dist.capacity.profile is not None:
            profile_id = self.ref(
                "capacity_profile", dist.capacity.profile, (*path, "distribution", "capacity")
            )
            self.add(
                "msdyn_liveworkstreamcapacityprofile",
                (*key, dist.capacity.profile),
                "capacity_profile_link",
                f"capacity profile '{dist.capacity.profile}' on workstream '{ws.name}'",
                (*path, "distribution", "capacity"),
                columns={"msdyn_name": f"{ws.name} - {dist.capacity.profile}"},
                links={"msdyn_workstream_id": ws_row.id, "msdyn_capacityprofile_id": profile_id},
                parent=("msdyn_liveworkstream", key),
            )
        if ws.sms is not None:
            self.channel(ws, ws_row, (*path, "sms"))
        for i, cv in enumerate(adv.context_variables):
            self.add(
                "msdyn_ocliveworkstreamcontextvariable",
                (*key, cv.name),
                "context_variable",
                f"context variable '{cv.name}' of workstream '{ws.name}'",
                (*apath, "context_variables", i),
                columns={
                    "msdyn_name": cv.name,
                    "msdyn_datatype": vocab.CONTEXT_VARIABLE_TYPE[cv.type],
                    "msdyn_entitylogicalname": cv.entity,
                },
                links={"msdyn_liveworkstreamid": ws_row.id},
                parent=("msdyn_liveworkstream", key),
            )
        self.routing(ws, ws_row, contract_id, (*path, "routing"))
        for i, bot in enumerate(adv.smart_assist_bots):
            self.link(
                "msdyn_msdyn_liveworkstream_systemuser",
                ws_row,
                "systemuser",
                self.ref("bot", bot, (*apath, "smart_assist_bots", i)),
                f"smart assist bot '{bot}' on workstream '{ws.name}'",
            )
        for i, title in enumerate(adv.quick_replies):
            self.link(
                "msdyn_msdyn_cannedmessage_liveworkstream",
                ws_row,
                "msdyn_cannedmessage",
                self.ref("quick_reply", title, (*apath, "quick_replies", i)),
                f"quick reply '{title}' on workstream '{ws.name}'",
            )

    def link(
        self,
        relationship: str,
        ws_row: DesiredRow,
        target_table: str,
        target: str | None,
        label: str,
    ) -> None:
        if target is not None:
            self.links.append(
                DesiredLink(
                    relationship, ws_row.table, ws_row.id, target_table, target, label, ws_row.key
                )
            )

    def channel(self, ws: Workstream, ws_row: DesiredRow, path: Path_) -> None:
        sms = ws.sms
        assert sms is not None
        survey = sms.survey
        bot_survey = survey.bot_survey
        key = ws_row.key
        channel = self.add(
            "msdyn_ocsmschannelsetting",
            key,
            "sms_channel",
            f"SMS channel of workstream '{ws.name}'",
            path,
            columns={
                "msdyn_name": ws.name,
                "msdyn_enablefileattachmentforcustomers": sms.file_attachments.customers,
                "msdyn_enablefileattachmentforagents": sms.file_attachments.agents,
                "msdyn_postconversationsurveyenable": survey.enabled,
                "msdyn_postconversationsurveymode": vocab.SURVEY_MODE[survey.mode],
                "msdyn_postconversationsurveymessagetext": survey.message,
                "msdyn_postconversationsurveybotsurvey": bot_survey is not None,
                "msdyn_postconversationsurveybotsurveymode": (
                    vocab.SURVEY_MODE[bot_survey.mode] if bot_survey else None
                ),
                "msdyn_postconversationsurveybotsurveymessagetext": (
                    bot_survey.message if bot_survey else None
                ),
            },
            links={
                "msdyn_liveworkstreamid": ws_row.id,
                "msdyn_phonenumberid": self.resolver.id_of("msdyn_ocphonenumber", (sms.number,)),
                "msdyn_language": self.language(sms.language, (*path, "language")),
                "msdyn_operatinghourid": self.ref(
                    "operating_hours", sms.operating_hours, (*path, "operating_hours")
                ),
                "msdyn_postconversationsurvey": self.ref(
                    "survey", survey.survey, (*path, "survey", "survey")
                ),
                "msdyn_postconversationsurveyseparatebotsurvey": self.ref(
                    "survey",
                    bot_survey.survey if bot_survey else None,
                    (*path, "survey", "bot_survey", "survey"),
                ),
            },
            parent=("msdyn_liveworkstream", key),
        )
        default_language = channel.links["msdyn_language"]
        for i, message in enumerate(sms.automated_messages):
            mpath = (*path, "automated_messages", i)
            trigger = vocab.MESSAGE_TRIGGER[message.trigger]
            mkey = (*key, str(trigger))
            row = self.add(
                "msdyn_ocsystemmessage",
                mkey,
                "automated_message",
                f"automated message '{message.trigger}' of workstream '{ws.name}'",
                mpath,
                columns={
                    "msdyn_name": f"{ws.name} - {message.trigger}",
                    "msdyn_messagetext": message.text,
                    "msdyn_messagereceiver": vocab.MESSAGE_RECEIVER_CUSTOMER,
                    "msdyn_streamsource": vocab.STREAM_SOURCE_SMS,
                    "msdyn_systemmessageeventtype": trigger,
                    "msdyn_instanceid": channel.id,
                    "msdyn_messagetype": vocab.MESSAGE_TYPE_AUTOMATED,
                    "msdyn_isrecurring": False,
                },
                links={"msdyn_defaultlanguage": default_language},
                compare={"msdyn_instanceid": "guid"},
                parent=("msdyn_ocsmschannelsetting", key),
            )
            for locale, text in sorted(message.translations.items()):
                lcid = LOCALES[locale]
                self.add(
                    "msdyn_oclocalizationdata",
                    (*mkey, str(lcid)),
                    "message_translation",
                    f"{locale} text of automated message '{message.trigger}' of workstream "
                    f"'{ws.name}'",
                    (*mpath, "translations", locale),
                    columns={
                        "msdyn_languagecode": lcid,
                        "msdyn_localizedtext": text,
                        **_localization_target(row.id),
                    },
                    links={
                        "msdyn_systemmessageid": row.id,
                        "msdyn_customerlanguageid": self.language(locale, (*mpath, "translations")),
                    },
                    parent=("msdyn_ocsystemmessage", mkey),
                )

    def routing(self, ws: Workstream, ws_row: DesiredRow, contract_id: str, path: Path_) -> None:
        routing = ws.routing
        if not routing.classification and not routing.route_to_queue:
            return
        key = ws_row.key
        config_key = key
        config = self.add(
            "msdyn_routingconfiguration",
            config_key,
            "routing_configuration",
            f"routing configuration of workstream '{ws.name}'",
            path,
            columns={
                "msdyn_name": f"{ws.name} routing",
                "msdyn_uniquename": ids.unique_name("msdyn_routingconfiguration", key),
                "msdyn_isactiveconfiguration": True,
            },
            links={"msdyn_liveworkstreamid": ws_row.id},
            immutable=frozenset({"msdyn_uniquename"}),
            parent=("msdyn_liveworkstream", key),
        )
        order = 0
        for i, ruleset in enumerate(routing.classification):
            order += 1
            rules = [
                Rule(
                    id=ids.rule_id(ws.name, ruleset.name, rule.name),
                    name=rule.name,
                    when=rule.when,
                    outputs=[(_output_path(k), v) for k, v in rule.set.items()],
                )
                for rule in ruleset.rules
            ]
            self.ruleset(
                ws,
                config,
                contract_id,
                contract_id,
                ruleset.name,
                "classification",
                ruleset_xml(rules, "first"),
                order,
                (*path, "classification", i),
            )
        if routing.route_to_queue:
            order += 1
            output = self.resolver.lookup(
                "contract", vocab.QUEUE_OUTPUT_CONTRACT, (*path, "route_to_queue")
            )
            rules = [
                self.queue_rule(ws, rule, (*path, "route_to_queue", j))
                for j, rule in enumerate(routing.route_to_queue)
            ]
            self.ruleset(
                ws,
                config,
                contract_id,
                output,
                "Route to queue",
                "route_to_queue",
                ruleset_xml(rules, "all"),
                order,
                (*path, "route_to_queue"),
            )

    def queue_rule(self, ws: Workstream, rule: QueueRule, path: Path_) -> Rule:
        return Rule(
            id=ids.rule_id(ws.name, "route_to_queue", rule.name),
            name=rule.name,
            when=rule.when,
            outputs=[],
            queue=self.ref("queue", rule.queue, (*path, "queue")) if rule.queue else None,
            split=[
                (self.ref("queue", share.queue, (*path, "split", k, "queue")) or "", share.percent)
                for k, share in enumerate(rule.split)
            ]
            if rule.split
            else None,
        )

    def ruleset(
        self,
        ws: Workstream,
        config: DesiredRow,
        input_contract: str,
        output_contract: str | None,
        name: str,
        step_type: str,
        definition: str,
        order: int,
        path: Path_,
    ) -> None:
        base = (ws.name, step_type, name)
        ruleset_key = (ids.unique_name("msdyn_decisionruleset", base),)
        ruleset = self.add(
            "msdyn_decisionruleset",
            ruleset_key,
            "ruleset",
            f"{step_type.replace('_', '-')} ruleset '{name}' of workstream '{ws.name}'",
            path,
            columns={
                "msdyn_name": name,
                "msdyn_uniquename": ruleset_key[0],
                "msdyn_rulesetdefinition": definition,
                "msdyn_rulesettype": vocab.RULESET_TYPE_DECLARATIVE,
                "msdyn_authoringmode": vocab.AUTHORING_MODE_DECISION_LIST,
                "msdyn_isinputcollection": False,
            },
            links={
                "msdyn_inputcontractid": input_contract,
                "msdyn_outputcontractid": output_contract,
            },
            compare={"msdyn_rulesetdefinition": "xml"},
            immutable=frozenset({"msdyn_uniquename"}),
            parent=("msdyn_liveworkstream", (ws.name,)),
        )
        step_key = (ids.unique_name("msdyn_routingconfigurationstep", base),)
        self.add(
            "msdyn_routingconfigurationstep",
            step_key,
            "routing_step",
            f"{step_type.replace('_', '-')} step '{name}' of workstream '{ws.name}'",
            path,
            columns={
                "msdyn_name": name,
                "msdyn_uniquename": step_key[0],
                "msdyn_steporder": order,
                "msdyn_type": vocab.STEP_TYPE[step_type],
            },
            links={"msdyn_routingconfigurationid": config.id, "msdyn_rulesetid": ruleset.id},
            immutable=frozenset({"msdyn_uniquename"}),
            parent=("msdyn_liveworkstream", (ws.name,)),
        )


def _multi(values: Iterator[int] | object) -> str | None:
    """Multi-select choices travel as comma-separated values in the Web API."""
    items = sorted(values)  # type: ignore[call-overload]
    return ",".join(str(v) for v in items) if items else None


def _output_path(name: str) -> str:
    if name == "priority":
        return vocab.CLASSIFICATION_OUTPUT_PRIORITY
    return attribute_path(name)


def desired_rows(config: Config, resolver: Resolver) -> tuple[list[DesiredRow], list[DesiredLink]]:
    """Every row and association the configuration asks for, in dependency order."""
    return Mapper(config, resolver).build()


def _localization_target(message_id: str) -> dict[str, object]:
    """What a localization row translates: the message text of one system message. The four
    columns are ApplicationRequired (cedev msdyn_oclocalizationdata page) and Microsoft's SMS
    migration schema writes them (reference/dataverse-audit.md section 2 #2)."""
    return {
        "msdyn_entityname": "msdyn_ocsystemmessage",
        "msdyn_entitycolumnname": "msdyn_messagetext",
        "msdyn_entityrecordid": message_id,
        "msdyn_isdefault": False,
    }
