"""Configuration → desired rows, table by table (reference/dataverse.md §1–2, evidence §1–6).

Ids of other rows come from a `Resolver`, which the reconciler backs with the live
organisation: a managed object's id is its live row's id when one matches the natural key, else
the deterministic id smsconf will create it with; an object looked up by name must exist.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from smsconf.config.model import Account, Config, QueueRule, QuickReply, Workstream
from smsconf.config.names import fold
from smsconf.config.secrets import SecretRef
from smsconf.mapping import ids, paths
from smsconf.mapping.fields import (
    FIELD,
    LOCALE,
    Language,
    Lookup,
    Present,
    Secret,
    TextLookup,
    Value,
    values,
)
from smsconf.mapping.ids import Key
from smsconf.mapping.routing_xml import (
    Rule,
    RulesetError,
    attribute_path,
    contract_xml,
    parse_ruleset,
    ruleset_xml,
)
from smsconf.mapping.rows import DesiredLink, DesiredRow, FieldValue
from smsconf.mapping.tables import CONTRACT_TYPES, FINGERPRINT_KEY, REFERENCE_TABLES, SECRET_WORDS
from smsconf.platform import vocabulary as vocab

Path_ = tuple[str | int, ...]


class Resolver(Protocol):
    def id_of(self, table: str, key: Key, path: Path_ = ()) -> str:
        """Id of the managed row with this natural key (live if it exists, else deterministic);
        a problem at `path` when several live rows have that key."""

    def lookup(self, kind: str, value: str, path: Path_) -> str | None:
        """Id of an object found by name, unique name or LCID; None (and a problem) if absent."""

    def fingerprint(self, secret: SecretRef, path: Path_) -> str | None:
        """Keyed hash of a secret's value, or None (with a problem) when it cannot be read."""

    def kept(self, table: str, key: Key, column: str) -> object:
        """What the organisation's row of this key holds in `column`; None without one."""


class Mapper:
    """Builds the desired rows of one configuration; one instance per plan."""

    def __init__(
        self, config: Config, resolver: Resolver, waiting: frozenset[str] = frozenset()
    ) -> None:
        self.config = config
        self.resolver = resolver
        self.waiting = waiting
        """ACS numbers the organisation has no row for yet: their channels are not planned."""
        self.managed = {  # folded: a reference matches a declaration as the admin center would
            "queue": {fold(q.name) for q in config.queues if q.managed},
            "operating_hours": {fold(o.name) for o in config.operating_hours if o.managed},
            "capacity_profile": {fold(c.name) for c in config.capacity_profiles if c.managed},
            "quick_reply": {fold(q.title) for q in config.quick_replies if q.managed},
            # ACS numbers are the admin center's rows (purchase, Sync from Azure): looked up.
            "number": {
                fold(n.number) for a in config.accounts if a.provider != "acs" for n in a.numbers
            },
        }
        self.templates = {fold(t.name): t.unique_name or t.name for t in config.templates}
        self.rows: list[DesiredRow] = []
        self.links: list[DesiredLink] = []

    # --- helpers ---------------------------------------------------------------------------

    def unique_name(self, table: str, key: Key, computed: str | None = None) -> str:
        """A routing row's `msdyn_uniquename`: the one it has in the organisation (a unique
        name is an identifier, never changed: a renamed workstream's routing rows keep the
        one they were created with), else the one smsconf computes (`key`'s, by default)."""
        kept = self.resolver.kept(table, key, "msdyn_uniquename")
        return str(kept) if kept else computed or key[0]

    def add(
        self,
        table: str,
        key: Key,
        kind: str,
        label: str,
        source: Path_,
        *,
        obj: BaseModel | None = None,
        root: Path_ | None = None,
        words: Key | None = None,
        **kw: Any,
    ) -> DesiredRow:
        """A desired row; `obj`'s fields (the object at `root`, default `source`) are written
        into its columns and lookups through the field map, then the given ones."""
        columns: dict[str, Any] = {}
        links: dict[str, str | None] = {}
        fields: dict[str, FieldValue] = kw.pop("fields", {})
        root = source if root is None else root
        base = paths.words(self.config, root)
        for item in values(obj, table) if obj is not None else ():
            self.write(item, root, base, columns, links, fields)
        columns.update(kw.pop("columns", {}))
        links.update(kw.pop("links", {}))
        row = DesiredRow(
            table,
            key,
            kind,
            label,
            self.resolver.id_of(table, key, source),
            columns=columns,
            links=links,
            source=source,
            path=paths.words(self.config, source),
            words=key if words is None else words,
            fields={c: FieldValue(paths.join(base, f.path), f.value) for c, f in fields.items()},
            **kw,
        )
        self.rows.append(row)
        return row

    def write(
        self,
        item: Value,
        root: Path_,
        base: str,
        columns: dict[str, Any],
        links: dict[str, str | None],
        fields: dict[str, FieldValue],
    ) -> None:
        """One field into the row, converted as the field map says."""
        entry, value, column = item.field, item.value, str(item.field.column)
        at = (*root, *entry.path.split("."))
        convert = entry.convert
        present = isinstance(convert, Present)  # a section's presence reads as true / false
        if isinstance(convert, Secret):
            if value is not None:  # its value goes in `secrets`, never here: only its path
                fields[column] = FieldValue(entry.path, None)
            return
        if value is None and columns.get(column) is not None:
            return  # Telesign and Twilio fields share a column
        if isinstance(convert, TextLookup):
            columns[column] = self.template(convert.kind, value, at)
        elif isinstance(convert, Language):
            links[column] = self.language(value, at) if value is not None else None
        elif isinstance(convert, Lookup):
            links[column] = self.ref(convert.kind, value, at)
        else:
            for name in (column, *entry.also):
                columns[name] = convert.stored(value)
        fields[column] = FieldValue(entry.path, convert.stored(value) if present else value)

    def ref(self, kind: str, name: str | None, path: Path_) -> str | None:
        """Id of a referenced object, managed (our id) or looked up (its live id)."""
        if name is None:
            return None
        table, _ = REFERENCE_TABLES[kind]
        if fold(name) in self.managed.get(kind, ()):
            return self.resolver.id_of(table, (name,), path)
        return self.resolver.lookup(kind, name, path)

    def language(self, locale: str, path: Path_) -> str | None:
        return self.resolver.lookup("language", str(LOCALE.stored(locale)), path)

    def template(self, kind: str, name: str | None, path: Path_) -> str | None:
        """Template columns hold unique names as text (evidence §5); check the template exists."""
        if name is None:
            return None
        unique = self.templates[fold(name)]
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
        if account.provider == "acs":
            # The admin center's connect flow made its provider setting, entries and number
            # rows: smsconf writes none of them (reconcile.acs checks them).
            return
        key = (account.name,)
        self.add(
            "msdyn_occommunicationprovidersetting",
            key,
            "account",
            f"account '{account.name}'",
            path,
            obj=account,
            secrets={str(FIELD[f"Account.{account.secret_name}"].column): account.secret},
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
                obj=number,
                columns={
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
                    obj=queue,
                    columns={
                        "msdyn_isomnichannelqueue": True,
                        "msdyn_queuetype": vocab.QUEUE_TYPE_MESSAGING,
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
                    obj=profile,
                    columns={"msdyn_uniquename": ids.unique_name("msdyn_capacityprofile", key)},
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
                    obj=reply,
                )

    def workstream(self, ws: Workstream, path: Path_) -> None:
        key = (ws.name,)
        dist = ws.distribution
        contract_key = (ids.unique_name("msdyn_decisioncontract", key),)
        contract_id = self.resolver.id_of("msdyn_decisioncontract", contract_key)
        contract_name = self.unique_name("msdyn_decisioncontract", contract_key)
        variables = [(cv.name, CONTRACT_TYPES[cv.type]) for cv in ws.advanced.context_variables]
        self.add(
            "msdyn_decisioncontract",
            contract_key,
            "routing_contract",
            f"routing contract of workstream '{ws.name}'",
            (*path, "routing"),
            root=path,
            words=key,
            fields={
                "msdyn_contractdefinition": FieldValue(
                    "advanced.context_variables", [name for name, _ in variables]
                )
            },
            columns={
                "msdyn_name": contract_name,
                "msdyn_uniquename": contract_name,
                "msdyn_contractdefinition": contract_xml(variables),
            },
            compare={"msdyn_contractdefinition": "xml"},
            parent=("msdyn_liveworkstream", key),
        )
        adv = ws.advanced
        apath = (*path, "advanced")
        ws_row = self.add(
            "msdyn_liveworkstream",
            key,
            "workstream",
            f"workstream '{ws.name}'",
            path,
            obj=ws,
            columns={
                "msdyn_streamsource": vocab.STREAM_SOURCE_SMS,
                "msdyn_mode": vocab.WORKSTREAM_MODE_SIMPLIFIED,
                "msdyn_direction": vocab.DIRECTION_INBOUND,
                "msdyn_capacityformat": vocab.CAPACITY_FORMAT[
                    "units" if dist.capacity.units is not None else "profile"
                ],
                "msdyn_enableautomatedmessages": True,
            },
            links={"msdyn_routingcontractid": contract_id},
            immutable=frozenset({"msdyn_workdistributionmode", "msdyn_streamsource"}),
        )
        if dist.capacity.profile is not None:
            self.add(
                "msdyn_liveworkstreamcapacityprofile",
                (*key, dist.capacity.profile),
                "capacity_profile_link",
                f"capacity profile '{dist.capacity.profile}' on workstream '{ws.name}'",
                (*path, "distribution", "capacity"),
                obj=ws,
                root=path,
                columns={"msdyn_name": f"{ws.name} - {dist.capacity.profile}"},
                links={"msdyn_workstream_id": ws_row.id},
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
                obj=cv,
                links={"msdyn_liveworkstreamid": ws_row.id},
                parent=("msdyn_liveworkstream", key),
            )
        self.routing(ws, ws_row, contract_id, (*path, "routing"))
        for attribute, kind, target_table, what in (
            ("smart_assist_bots", "bot", "systemuser", "smart assist bot"),
            ("quick_replies", "quick_reply", "msdyn_cannedmessage", "quick reply"),
        ):
            relationship = str(FIELD[f"Advanced.{attribute}"].column)  # the map names the N:N
            for i, name in enumerate(getattr(adv, attribute)):
                self.link(
                    relationship,
                    ws_row,
                    target_table,
                    self.ref(kind, name, (*apath, attribute, i)),
                    f"{what} '{name}' on workstream '{ws.name}'",
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
        """The SMS channel setting, bound to its number's row: the one smsconf manages, or for
        an ACS number the row the admin center made (found by number, never created)."""
        sms = ws.sms
        assert sms is not None
        if sms.number in self.waiting:
            return  # an ACS number not synced yet: the plan names the person's step instead
        key = ws_row.key
        channel = self.add(
            "msdyn_ocsmschannelsetting",
            key,
            "sms_channel",
            f"SMS channel of workstream '{ws.name}'",
            path,
            obj=sms,
            columns={"msdyn_name": ws.name},
            links={"msdyn_liveworkstreamid": ws_row.id},
            parent=("msdyn_liveworkstream", key),
        )
        default_language = channel.links["msdyn_language"]
        for i, message in enumerate(sms.automated_messages):
            mpath = (*path, "automated_messages", i)
            trigger = FIELD["AutomatedMessage.trigger"].convert.stored(message.trigger)
            mkey = (*key, str(trigger))
            row = self.add(
                "msdyn_ocsystemmessage",
                mkey,
                "automated_message",
                f"automated message '{message.trigger}' of workstream '{ws.name}'",
                mpath,
                obj=message,
                words=(*key, message.trigger),
                columns={
                    "msdyn_name": f"{ws.name} - {message.trigger}",
                    "msdyn_messagereceiver": vocab.MESSAGE_RECEIVER_CUSTOMER,
                    "msdyn_streamsource": vocab.STREAM_SOURCE_SMS,
                    "msdyn_instanceid": channel.id,
                    "msdyn_messagetype": vocab.MESSAGE_TYPE_AUTOMATED,
                    "msdyn_isrecurring": False,
                },
                links={"msdyn_defaultlanguage": default_language},
                compare={"msdyn_instanceid": "guid"},
                parent=("msdyn_ocsmschannelsetting", key),
            )
            for locale, text in sorted(message.translations.items()):
                lcid = LOCALE.stored(locale)
                self.add(
                    "msdyn_oclocalizationdata",
                    (*mkey, str(lcid)),
                    "message_translation",
                    f"{locale} text of automated message '{message.trigger}' of workstream "
                    f"'{ws.name}'",
                    (*mpath, "translations", locale),
                    words=(*key, message.trigger, locale),
                    fields={"msdyn_localizedtext": FieldValue("", text)},
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
                "msdyn_uniquename": self.unique_name(
                    "msdyn_routingconfiguration",
                    config_key,
                    ids.unique_name("msdyn_routingconfiguration", key),
                ),
                "msdyn_isactiveconfiguration": True,
            },
            links={"msdyn_liveworkstreamid": ws_row.id},
            immutable=frozenset({"msdyn_uniquename"}),
            parent=("msdyn_liveworkstream", key),
        )
        order = 0
        for i, ruleset in enumerate(routing.classification):
            order += 1
            kept = self.rule_ids(ws, "classification", ruleset.name)
            rules = [
                Rule(
                    id=kept.get(rule.name) or ids.rule_id(ws.name, ruleset.name, rule.name),
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
                [rule.name for rule in rules],
                order,
                (*path, "classification", i),
            )
        if routing.route_to_queue:
            order += 1
            output = self.resolver.lookup(
                "contract", vocab.QUEUE_OUTPUT_CONTRACT, (*path, "route_to_queue")
            )
            kept = self.rule_ids(ws, "route_to_queue", "Route to queue")
            rules = [
                self.queue_rule(ws, rule, (*path, "route_to_queue", j), kept.get(rule.name))
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
                [rule.name for rule in rules],
                order,
                (*path, "route_to_queue"),
            )

    def rule_ids(self, ws: Workstream, step_type: str, name: str) -> dict[str, str]:
        """The ids the rules of this ruleset have in the organisation, by rule name: a rule's
        id is an identifier, kept (a renamed workstream's rules keep those of its old name)."""
        key = (ids.unique_name("msdyn_decisionruleset", (ws.name, step_type, name)),)
        text = self.resolver.kept("msdyn_decisionruleset", key, "msdyn_rulesetdefinition")
        try:
            return {rule.name: rule.id for rule in parse_ruleset(str(text))} if text else {}
        except RulesetError:  # not a document smsconf reads: its rules get smsconf's ids
            return {}

    def queue_rule(
        self, ws: Workstream, rule: QueueRule, path: Path_, kept: str | None = None
    ) -> Rule:
        return Rule(
            id=kept or ids.rule_id(ws.name, "route_to_queue", rule.name),
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
        rule_names: list[str],
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
            words=base,
            fields={"msdyn_rulesetdefinition": FieldValue("", rule_names)},
            columns={
                "msdyn_name": name,
                "msdyn_uniquename": self.unique_name("msdyn_decisionruleset", ruleset_key),
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
            words=base,
            columns={
                "msdyn_name": name,
                "msdyn_uniquename": self.unique_name("msdyn_routingconfigurationstep", step_key),
                "msdyn_steporder": order,
                "msdyn_type": vocab.STEP_TYPE[step_type],
            },
            links={"msdyn_routingconfigurationid": config.id, "msdyn_rulesetid": ruleset.id},
            immutable=frozenset({"msdyn_uniquename"}),
            parent=("msdyn_liveworkstream", (ws.name,)),
        )


def _output_path(name: str) -> str:
    if name == "priority":
        return vocab.CLASSIFICATION_OUTPUT_PRIORITY
    return attribute_path(name)


def renames(config: Config) -> list[tuple[str, Key, Key]]:
    """(table, old key, new key) of every managed object the configuration renames
    (`renamed_from:`): its row is found under the old name and updated in place."""
    found = []
    for section, table in (
        (config.queues, "queue"),
        (config.capacity_profiles, "msdyn_capacityprofile"),
        (config.quick_replies, "msdyn_cannedmessage"),
    ):
        for item in section:
            name = item.title if isinstance(item, QuickReply) else item.name
            if item.managed and item.renamed_from:
                found.append((table, (item.renamed_from,), (name,)))
    found += [
        ("msdyn_liveworkstream", (ws.renamed_from,), (ws.name,))
        for ws in config.workstreams
        if ws.renamed_from
    ]
    return found


def desired_rows(
    config: Config, resolver: Resolver, waiting: frozenset[str] = frozenset()
) -> tuple[list[DesiredRow], list[DesiredLink]]:
    """Every row and association the configuration asks for, in dependency order; `waiting`:
    ACS numbers the organisation has no row for, whose channels wait for them."""
    return Mapper(config, resolver, waiting).build()


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
