"""Desired rows against live rows: per-column changes, deletions, associations, risks.

Only columns the configuration sets are compared, so server-owned fields (timestamps, version
numbers, computed columns) can never show up as a change; `settings.ignore` adds columns per
table. Values are compared the way the server normalises them: empty text is null, multi-select
values are sets, XML documents by meaning, GUIDs without braces or case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import astuple, dataclass, field
from typing import Any

from smsconf.config.kinds import words
from smsconf.config.model import Config
from smsconf.config.names import fold
from smsconf.config.problems import Problem
from smsconf.config.secrets import FINGERPRINT_SCHEME, SecretError, is_legacy, legacy_fingerprint
from smsconf.mapping import ids
from smsconf.mapping.addresses import key_words, path_of
from smsconf.mapping.fields import BY_COLUMN
from smsconf.mapping.ids import Key, normalise
from smsconf.mapping.keys import KEYS, Parent, guid_of
from smsconf.mapping.live import LiveState, Row
from smsconf.mapping.routing_xml import canonical, explain
from smsconf.mapping.rows import DesiredLink, DesiredRow
from smsconf.mapping.rule_changes import rule_changes
from smsconf.mapping.tables import (
    ASSOCIATIONS,
    FINGERPRINT_KEY,
    KIND_OF_TABLE,
    LINK_KIND,
    REFERENCE_TABLES,
    ROUTING_TABLES,
    TOP_LEVEL,
)
from smsconf.platform import TABLES, ColumnType
from smsconf.platform import vocabulary as vocab
from smsconf.platform.acs import admin_center_owned
from smsconf.reconcile.admin_center import ADMIN_CENTER, admin_center_part
from smsconf.reconcile.plan import Action, Change, ColumnChange, Note, Unmanaged

RANK = {table: i for i, table in enumerate(KEYS)}
FINGERPRINT_TABLE = "msdyn_occommunicationprovidersettingentry"
OUT_OF_THE_BOX = {"queue": "msdyn_isdefaultqueue"}
"""Tables whose out-of-the-box rows carry a flag: the column that says so."""
STEP_TYPE = {value: word for word, value in vocab.STEP_TYPE.items()}
LINKED = {"msdyn_cannedmessage": "quick_reply", "systemuser": "bot"}
"""The kind of object an association links a workstream to, by its table."""
REMOVED_REASON = "listed under removed:"
"""The reason of a delete a `removed:` entry asked for (drift tells these apart by it)."""


@dataclass
class DiffResult:
    changes: list[Change] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    read_etags: dict[str, str] = field(default_factory=dict)
    unsafe: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """`removed:` entries naming what smsconf may not delete: the plan stops on them."""


def same(desired: Any, live: Any, column_type: ColumnType | None, mode: str | None) -> bool:
    """Equality as the server stores values."""
    if desired in ("", None) and live in ("", None):
        return True
    if mode == "xml":  # identical text is the same XML; only a difference needs parsing
        return desired == live or canonical(desired) == canonical(live)
    if mode == "guid" or column_type is ColumnType.LOOKUP:
        return guid_of(desired) == guid_of(live)
    if column_type is ColumnType.MULTISELECT:
        return _choices(desired) == _choices(live)
    return bool(desired == live and type(desired) is type(live)) or (
        _number(desired) and _number(live) and desired == live
    )


def _number(value: Any) -> bool:
    """An int or float (a bool is not a number here, though Python says True == 1)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _choices(value: Any) -> frozenset[str]:
    if value in (None, ""):
        return frozenset()
    return frozenset(part.strip() for part in str(value).split(",") if part.strip())


def write_body(row: DesiredRow, columns: list[str], links: list[str]) -> dict[str, Any]:
    """The JSON body of a create or update: plain columns and `nav@odata.bind` for lookups."""
    table = TABLES[row.table]
    body: dict[str, Any] = {c: row.columns[c] for c in columns}
    for name in links:
        column = table.column(name)
        assert column is not None and column.target is not None
        target = row.links[name]
        nav = column.navigation or name
        body[f"{nav}@odata.bind"] = (
            None if target is None else f"/{TABLES[column.target].entity_set}({target})"
        )
    return body


class Differ:
    def __init__(
        self,
        config: Config,
        live: LiveState,
        rows: list[DesiredRow],
        links: list[DesiredLink],
        locate: Any,
    ) -> None:
        self.config = config
        self.live = live
        self.rows = rows
        self.links = links
        self.locate = locate
        self.result = DiffResult()
        self.desired = {(r.table, normalise(r.key)) for r in rows}
        self.desired_ids = {(r.table, r.id) for r in rows}
        self.live_by_id = {
            (table, live.row_id(table, row)): row
            for table in KEYS
            for row in live.rows.get(table, [])
        }
        self.removed = {(item.kind, fold(item.name)): i for i, item in enumerate(config.removed)}
        self.step_type: dict[tuple[str, str], str] = {}  # routing row → the step type's word
        self.routing_owner = self.routing_owners()
        self.desired_by_id = {(r.table, r.id): r for r in rows}

    def run(self) -> DiffResult:
        changed_rows: set[tuple[str, Key]] = set()
        for row in self.rows:
            change = self.row_change(row)
            if change is not None:
                self.result.changes.append(change)
                changed_rows.add((row.table, normalise(row.key)))
        self.secret_changes(changed_rows)
        self.deletions()
        self.associations()
        return self.result

    def ignored(self, table: str) -> set[str]:
        return set(self.config.settings.ignore.get(table, []))

    def change_of(self, row: DesiredRow, action: Action, **fields: Any) -> Change:
        """A change to a desired row: its identity and source location, plus `fields`."""
        return Change(
            action=action,
            kind=row.kind,
            label=row.label,
            table=row.table,
            key=row.key,
            id=row.id,
            source=self.locate(row.source),
            words=row.words,
            path=row.path,
            **fields,
        )

    # --- the configuration's words -----------------------------------------------------------

    def name_of(self, kind: str, value: Any, what: str = "") -> str | None:
        """The name a lookup's target has in the configuration (`Names`): a desired row's, or
        the live row's when the configuration only looks it up."""
        table = REFERENCE_TABLES[kind][0]
        row = self.desired_by_id.get((table, guid_of(value) or ""))
        return row.words[-1] if row is not None and row.words else self.live.name_of(kind, value)

    def target_label(self, table: str, column: str, value: Any) -> str | None:
        """What a lookup no configuration field writes points at (a row's parent), as the plan
        names that object; None when it is not a lookup or points at nothing smsconf knows."""
        spec = TABLES[table].column(column)
        target = spec.target if spec is not None else None
        if target is None or guid_of(value) is None:
            return None
        row = self.desired_by_id.get((target, guid_of(value) or ""))
        if row is not None:
            return row.label
        key = self.live.key_of_id.get(target, {}).get(guid_of(value) or "")
        kind = KIND_OF_TABLE.get(target)
        return f"{words(kind)} '{key[-1]}'" if key and kind else None

    def column_change(
        self, row: DesiredRow, name: str, before: Any, after: Any, detail: tuple[str, ...] = ()
    ) -> ColumnChange:
        """A column's change, with its configuration field and both values in its words."""
        found = row.fields.get(name)
        entry = BY_COLUMN.get((row.table, name))
        if found is None:
            return ColumnChange(
                name,
                before,
                after,
                detail=detail,
                field_before=self.target_label(row.table, name, before),
                field_after=self.target_label(row.table, name, after),
            )
        was = None
        if before is not None and entry is not None:
            try:
                was = entry.convert.word(before, self)
            except (ValueError, TypeError):
                was = before
        return ColumnChange(
            name,
            before,
            after,
            detail=detail,
            field=found.path,
            field_before=was,
            field_after=found.value,
        )

    def secret_change(self, row: DesiredRow, column: str) -> ColumnChange:
        """A secured column: never a value, only the field it comes from."""
        found = row.fields.get(column)
        return ColumnChange(column, None, None, sensitive=True, field=found.path if found else "")

    def queue_name(self, queue_id: str) -> str:
        return self.name_of("queue", queue_id) or queue_id

    def live_row(self, row: DesiredRow) -> Row | None:
        """The live row a desired row is: by natural key, else at the id smsconf gave it (a row
        smsconf created and someone renamed in the admin center is still that row, and its id
        is taken: planning a create there could never be applied)."""
        found = self.live.row(row.table, row.key)
        if found is not None:
            return found
        found = self.live_by_id.get((row.table, row.id))
        key = self.live.key_of(row.table, found) if found is not None else None
        if key is not None and (row.table, normalise(key)) in self.desired:
            return None  # renamed to another desired object's name: that object owns it
        return found

    def row_change(self, row: DesiredRow) -> Change | None:
        table = TABLES[row.table]
        live = self.live_row(row)
        if live is None:
            columns = [c for c, v in row.columns.items() if v is not None]
            links = [c for c, v in row.links.items() if v is not None]
            return self.change_of(
                row,
                "create",
                columns=tuple(
                    [self.column_change(row, c, None, row.columns[c]) for c in columns]
                    + [self.column_change(row, c, None, row.links[c]) for c in links]
                    + [self.secret_change(row, c) for c in row.secrets]
                ),
                body=write_body(row, columns, links),
                secret_columns=tuple(row.secrets),
                reason="not in the organisation",
            )
        self.result.read_etags[f"{row.table}({row.id})"] = str(live.get("@odata.etag", ""))
        ignored = self.ignored(row.table)
        changed: list[ColumnChange] = []
        columns: list[str] = []
        # One rule for every field and kind, columns and lookups alike: an optional field left
        # out (None) is not managed (Terraform's optional + computed); the organisation's value
        # stays, as a create leaves it to the server.
        for name, value in row.columns.items():
            if value is None:
                continue
            column = table.column(name)
            before = live.get(name)
            if name in ignored or same(
                value, before, column.type if column else None, row.compare.get(name)
            ):
                continue
            changed.append(self.column_change(row, name, before, value, self.detail(row, name)))
            columns.append(name)
        links: list[str] = []
        for name, target in row.links.items():
            if target is None:
                continue
            before = live.get(f"_{name}_value")
            if name in ignored or same(target, before, ColumnType.LOOKUP, None):
                continue
            changed.append(self.column_change(row, name, guid_of(before), target))
            links.append(name)
        if not changed:
            return None
        fixed = [c for c in changed if c.column in row.immutable]
        risks = [f"{_field(c)} cannot change after creation ({_moved(c)})" for c in fixed]
        risks += self.number_moves(row, links)
        if fixed:
            self.result.unsafe.append(
                f"{row.label}: {', '.join(_field(c) for c in fixed)} cannot change after "
                "creation; remove the object and add it under a new name instead"
            )
        editor = self.live.editor(live)
        edited_by = self.live.name_of("bot", editor) if editor else None
        edited_on = str(live.get("modifiedon")) if editor and live.get("modifiedon") else None
        renamed = self.renamed(row, live)
        reason = (
            renamed
            if renamed
            else f"edited in the organisation by {edited_by}"
            + (f" on {edited_on}" if edited_on else "")
            if edited_by
            else "changed in the configuration, not applied yet"
        )
        return self.change_of(
            row,
            "update",
            columns=tuple(changed),
            body=write_body(row, columns, links),
            etag=str(live.get("@odata.etag", "")) or None,
            reason=reason,
            risks=tuple(risks),
            edited_by=edited_by,
            edited_on=edited_on,
        )

    def renamed(self, row: DesiredRow, live: Row) -> str | None:
        """Why a row renamed by `renamed_from:` changes: its own rename, or its workstream's
        (the channel, messages and routing of a renamed workstream follow its new name)."""
        source = row.source
        if len(source) > 1 and source[0] == "workstreams" and isinstance(source[1], int):
            ws = self.config.workstreams[source[1]]
            found = self.live.row("msdyn_liveworkstream", (ws.name,))
            aliased = self.live.aliases.get("msdyn_liveworkstream", {})
            if found and self.live.row_id("msdyn_liveworkstream", found) in aliased:
                if row.table == "msdyn_liveworkstream":
                    return f"renamed from '{found.get('msdyn_name')}' (renamed_from)"
                return f"its workstream is renamed from '{found.get('msdyn_name')}' (renamed_from)"
        if self.live.row_id(row.table, live) in self.live.aliases.get(row.table, {}):
            return f"renamed from '{live.get(TABLES[row.table].primary_name)}' (renamed_from)"
        return None

    def number_moves(self, row: DesiredRow, links: list[str]) -> list[str]:
        if row.table != "msdyn_ocsmschannelsetting" or "msdyn_phonenumberid" not in links:
            return []
        number = row.links["msdyn_phonenumberid"]
        shown = self.name_of("number", number)
        for channel in self.live.rows.get("msdyn_ocsmschannelsetting", []):
            if guid_of(channel.get("_msdyn_phonenumberid_value")) == number:
                owner = self.live.key_of("msdyn_ocsmschannelsetting", channel)
                if owner and normalise(owner) != normalise(row.key):
                    return [f"number {shown} moves from workstream '{owner[0]}' to '{row.key[0]}'"]
        live = self.live_row(row) or {}
        was = self.name_of("number", live.get("_msdyn_phonenumberid_value"))
        return [f"workstream '{row.key[0]}' changes its number from {was} to {shown}"]

    def detail(self, row: DesiredRow, column: str) -> tuple[str, ...]:
        """What differs inside a document: a ruleset rule by rule, a contract by element."""
        if row.compare.get(column) != "xml":
            return ()
        live = self.live_row(row) or {}
        if column == "msdyn_rulesetdefinition":
            return rule_changes(live.get(column), row.columns[column], self.queue_name)
        return explain(live.get(column), row.columns[column])

    def secret_changes(self, changed_rows: set[tuple[str, Key]]) -> None:
        """A secret is rewritten when its fingerprint row changes (the secret is unreadable);
        folded into the row's other update, if any, so one write carries one ETag."""
        for row in self.rows:
            witness = (FINGERPRINT_TABLE, normalise((*row.key, FINGERPRINT_KEY)))
            live = self.live_row(row)
            if not row.secrets or live is None or witness not in changed_rows:
                continue
            if self.fingerprint_upgraded(row):
                continue
            secret = [self.secret_change(row, c) for c in row.secrets]
            index, update = next(
                (
                    (i, c)
                    for i, c in enumerate(self.result.changes)
                    if c.action == "update" and (c.table, c.id) == (row.table, row.id)
                ),
                (None, None),
            )
            merged = self.change_of(
                row,
                "update",
                columns=(*(update.columns if update else ()), *secret),
                body=update.body if update else {},
                secret_columns=tuple(row.secrets),
                etag=str(live.get("@odata.etag", "")) or None,
                reason="the secret's fingerprint differs",
                risks=(*(update.risks if update else ()), "credential change"),
            )
            if index is None:
                self.result.changes.append(merged)
            else:
                self.result.changes[index] = merged

    def fingerprint_upgraded(self, row: DesiredRow) -> bool:
        """An entry holding the fingerprint of versions before scrypt1, of the very key the
        configuration names: the key did not change, only how its fingerprint is made. The
        entry is updated once (its own change) and the key is not rewritten; the plan says so."""
        entry = self.live.row(FINGERPRINT_TABLE, (*row.key, FINGERPRINT_KEY))
        stored = entry.get("msdyn_value") if entry is not None else None
        if not is_legacy(stored):
            return False
        try:
            same_keys = all(legacy_fingerprint(s.resolve()) == stored for s in row.secrets.values())
        except SecretError:
            return False
        if same_keys:
            self.result.notes.append(
                Note(
                    "fact",
                    row.label,
                    "its fingerprint entry still holds the 64-bit HMAC of earlier versions; "
                    f"this plan updates it once to {FINGERPRINT_SCHEME} (a slow, salted key "
                    "derivation); the key itself is unchanged and not rewritten",
                )
            )
        return same_keys

    # --- deletions ---------------------------------------------------------------------------

    def parent_of(self, table: str, row: Row) -> tuple[str, Key] | None:
        """The row that owns a live row: its first `Parent` key part, its account for a number,
        its workstream for the routing rows that are keyed by unique name."""
        if table in ROUTING_TABLES:
            owner = self.routing_owner.get((table, self.live.row_id(table, row)))
            return ("msdyn_liveworkstream", owner) if owner else None
        if table == "msdyn_ocphonenumber":
            return self.parent(
                "msdyn_occommunicationprovidersetting",
                row.get("_msdyn_occommunicationprovidersettingid_value"),
            )
        for part in KEYS[table]:
            if isinstance(part, Parent):
                return self.parent(part.table, row.get(part.column))
        return None

    def parent(self, table: str, value: Any) -> tuple[str, Key] | None:
        key = self.live.key_of_id.get(table, {}).get(guid_of(value) or "")
        return (table, key) if key is not None else None

    def routing_owners(self) -> dict[tuple[str, str], Key]:
        """Workstream of each contract, routing configuration, step and ruleset."""
        live = self.live
        owners: dict[tuple[str, str], Key] = {}
        for ws in live.rows.get("msdyn_liveworkstream", []):
            key, contract = (
                live.key_of("msdyn_liveworkstream", ws),
                guid_of(ws.get("_msdyn_routingcontractid_value")),
            )
            if key is not None and contract:
                owners[("msdyn_decisioncontract", contract)] = key
        configs = live.key_of_id.get("msdyn_routingconfiguration", {})
        for step in live.rows.get("msdyn_routingconfigurationstep", []):
            ws_key = configs.get(guid_of(step.get("_msdyn_routingconfigurationid_value")) or "")
            ruleset = guid_of(step.get("_msdyn_rulesetid_value"))
            step_id = live.row_id("msdyn_routingconfigurationstep", step)
            step_type = STEP_TYPE.get(step.get("msdyn_type"), str(step.get("msdyn_type")))
            self.step_type[("msdyn_routingconfigurationstep", step_id)] = step_type
            if ruleset:
                self.step_type[("msdyn_decisionruleset", ruleset)] = step_type
            if ws_key is not None:
                owners[("msdyn_routingconfigurationstep", step_id)] = ws_key
                if ruleset:
                    owners[("msdyn_decisionruleset", ruleset)] = ws_key
        return owners

    def deletions(self) -> None:
        """Delete what `removed:` names, and children of managed objects the YAML dropped.

        Two passes over the tables: rows keyed by unique name (contracts) come before their
        workstream in dependency order, so they learn in the second pass that it goes.
        """
        doomed: dict[tuple[str, Key], str] = {}  # row → address of the delete it follows
        handled: set[tuple[str, str]] = set()
        for _ in range(2):
            for table in KEYS:
                for row in self.live.rows.get(table, []):
                    ident = (table, self.live.row_id(table, row))
                    if ident not in handled and self.judge(table, row, doomed):
                        handled.add(ident)
        for table in TOP_LEVEL:  # numbers whose account stays, but not in YAML
            for row in self.live.rows.get(table, []):
                if (table, self.live.row_id(table, row)) not in handled:
                    key = self.live.key_of(table, row)
                    self.left_alone(table, row, key, self.label(table, row, key))

    def left_alone(self, table: str, row: Row, key: Key | None, label: str) -> None:
        """A top-level row the configuration does not list: untouched. One smsconf created (its
        id is the deterministic one) was managed and dropped from the YAML: the plan says so,
        and how to delete it or keep it, instead of forgetting it silently."""
        row_id = self.live.row_id(table, row)
        kind = TOP_LEVEL[table]
        owned = admin_center_part(self.config, self.live.rows, table, row)
        if owned is not None:  # the admin center's: read and checked, never written
            self.result.unmanaged.append(
                Unmanaged(kind, label, table, row_id, ADMIN_CENTER, *astuple(owned))
            )
            return
        self.result.unmanaged.append(Unmanaged(kind, label, table, row_id))
        if key is None or row_id != ids.row_id(self.live.org_id, table, key):
            return
        self.result.notes.append(
            Note(
                "todo",
                label,
                "smsconf created it and the configuration no longer lists it, so it is left "
                f"as it is: to delete it, list it under removed: (kind: {kind}, name: "
                f"{key[-1]}); to keep managing it, declare it again",
            )
        )

    def judge(self, table: str, row: Row, doomed: dict[tuple[str, Key], str]) -> bool:
        """Decide one live row's fate; False when it must wait for its parent's verdict."""
        key = self.live.key_of(table, row)
        if key is not None and (table, normalise(key)) in self.desired:
            return True
        if (table, self.live.row_id(table, row)) in self.desired_ids:
            return True  # renamed outside smsconf: planned as an update back to its name
        label = self.label(table, row, key)
        parent = self.parent_of(table, row)
        cause = doomed.get((parent[0], normalise(parent[1]))) if parent is not None else None
        parent_doomed = cause is not None
        ident = (table, normalise(key or ()))
        if table in TOP_LEVEL:
            entry = self.removed.get((TOP_LEVEL[table], fold(key[0]))) if key else None
            named = entry is not None and self.deletable(table, row, key, entry)
            if entry is not None and not named:
                return True  # refused: the plan stops on the problem
            if named or parent_doomed:
                reason = REMOVED_REASON if named else "its account is removed"
                doomed[ident] = self.delete(table, row, label, reason, None if named else cause)
                return True
            if table == "msdyn_ocphonenumber" and parent is not None:
                return False  # its account may still be found removed in the second pass
            self.left_alone(table, row, key, label)
            return True
        if parent_doomed:
            doomed[ident] = self.delete(table, row, label, "its parent is removed", cause)
            return True
        if parent is not None and (parent[0], normalise(parent[1])) in self.desired:
            if key is None or self.live.row_id(table, row) != ids.row_id(
                self.live.org_id, table, key
            ):
                # Not smsconf's (its id is not the deterministic one): the platform's plug-ins
                # complete new workstreams (a default capacity link), or an admin added it.
                self.result.unmanaged.append(
                    Unmanaged(KIND_OF_TABLE[table], label, table, self.live.row_id(table, row))
                )
                return True
            doomed[ident] = self.delete(table, row, label, "no longer in the configuration")
            return True
        return False

    def deletable(self, table: str, row: Row, key: Key | None, entry: int) -> bool:
        """May `removed[entry]` delete this row? Only one smsconf created (its id is the
        deterministic one) or one the entry says smsconf adopted (`managed: true`), and never
        an out-of-the-box row; anything else is a located problem, not a delete."""
        row_id = self.live.row_id(table, row)
        removed = self.config.removed[entry]
        name = row.get(TABLES[table].primary_name) or removed.name
        what = f"{removed.kind.replace('_', ' ')} '{name}'"
        owned = admin_center_owned(self.live.rows, table, row)
        if _out_of_the_box(table, row):
            problem = Problem(
                f"{what} is the organisation's own ({OUT_OF_THE_BOX[table]}): smsconf never "
                "deletes it",
                ("removed", entry, "name"),
                hint="remove this entry; the row stays as it is",
            )
        elif owned:
            problem = Problem(
                f"{what}: smsconf never deletes it: {owned}",
                ("removed", entry, "name"),
                hint="remove this entry; the row stays as it is",
            )
        elif removed.managed or (
            key is not None and row_id == ids.row_id(self.live.org_id, table, key)
        ):
            return True
        else:
            problem = Problem(
                f"{what} was not created by smsconf (id {row_id} is not smsconf's), so "
                "removed: may not delete it",
                ("removed", entry, "name"),
                hint="if smsconf adopted it (it was declared managed: true), say managed: true "
                "on this entry; else delete it in the admin center",
            )
        self.result.problems.append(problem)
        return False

    def label(self, table: str, row: Row, key: Key | None) -> str:
        kind = KIND_OF_TABLE[table].replace("_", " ")
        name = row.get(TABLES[table].primary_name) or (
            key[-1] if key else self.live.row_id(table, row)
        )
        return f"{kind} '{name}'"

    def words_of(self, table: str, row: Row, key: Key) -> Key:
        """A live row's key in the configuration's words; the routing rows keyed by generated
        unique names are named by their workstream, step type and name, as the YAML does."""
        if table not in ROUTING_TABLES:
            return key_words(table, key)
        ident = (table, self.live.row_id(table, row))
        owner = self.routing_owner.get(ident)
        if owner is None:
            return key
        if table == "msdyn_decisioncontract":
            return owner
        return (*owner, self.step_type.get(ident, ""), str(row.get("msdyn_name") or ""))

    def delete(
        self, table: str, row: Row, label: str, reason: str, cascade_of: str | None = None
    ) -> str:
        """Plan one delete; returns the address its children's deletes follow from."""
        row_id = self.live.row_id(table, row)
        etag = str(row.get("@odata.etag", "")) or None
        self.result.read_etags[f"{table}({row_id})"] = etag or ""
        key = self.live.key_of(table, row) or (row_id,)
        kind = KIND_OF_TABLE[table]
        found = self.words_of(table, row, key)
        change = Change(
            action="delete",
            kind=kind,
            label=label,
            table=table,
            key=key,
            id=row_id,
            etag=etag,
            reason=reason,
            risks=("delete",),
            cascade_of=cascade_of,
            words=found,
            path=path_of(kind, found),
        )
        self.result.changes.append(change)
        return cascade_of or change.address

    # --- N:N ---------------------------------------------------------------------------------

    def associations(self) -> None:
        wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
        labels: dict[tuple[str, str, str], DesiredLink] = {}
        for link in self.links:
            wanted[link.relationship].add((link.id, link.target_id))
            labels[(link.relationship, link.id, link.target_id)] = link
        desired_ws = {r.id for r in self.rows if r.table == "msdyn_liveworkstream"}
        for relationship, target_table in ASSOCIATIONS.items():
            live = self.live.associations.get(relationship, set())
            for ws_id, target in sorted(wanted[relationship] - live):
                link = labels[(relationship, ws_id, target)]
                self.result.changes.append(
                    self.link_change(
                        "associate",
                        link.parent_key,
                        ws_id,
                        relationship,
                        target_table,
                        target,
                        link.label,
                    )
                )
            for ws_id, target in sorted(live - wanted[relationship]):
                if ws_id in desired_ws:
                    ws_key = self.live.key_of_id["msdyn_liveworkstream"].get(ws_id, (ws_id,))
                    self.result.changes.append(
                        self.link_change(
                            "disassociate",
                            ws_key,
                            ws_id,
                            relationship,
                            target_table,
                            target,
                            f"{self.link_target(target_table, target)} on workstream '{ws_key[0]}'",
                        )
                    )

    def link_target(self, table: str, row_id: str) -> str:
        """A linked row as a reviewer knows it: its name when the live read has it, else its id."""
        kind = "quick reply" if table == "msdyn_cannedmessage" else "smart assist bot"
        for row in self.live.rows.get(table, []):
            if self.live.row_id(table, row) == row_id:
                name = row.get(TABLES[table].primary_name)
                if name:
                    return f"{kind} '{name}'"
        return f"{kind} {row_id}"

    def link_change(
        self,
        action: str,
        ws_key: Key,
        ws_id: str,
        relationship: str,
        target_table: str,
        target: str,
        label: str,
    ) -> Change:
        kind = LINK_KIND[target_table]
        name = self.name_of(LINKED[target_table], target) or target
        return Change(
            action=action,  # type: ignore[arg-type]
            kind=kind,
            words=(ws_key[0], name),
            path=path_of(kind, (ws_key[0], name)),
            label=label,
            table="msdyn_liveworkstream",
            key=ws_key,
            id=ws_id,
            relationship=relationship,
            target_table=target_table,
            target_id=target,
            reason="association "
            + ("missing" if action == "associate" else "not in the configuration"),
        )


def diff(
    config: Config, live: LiveState, rows: list[DesiredRow], links: list[DesiredLink], locate: Any
) -> DiffResult:
    return Differ(config, live, rows, links, locate).run()


def _field(column: ColumnChange) -> str:
    """A column as the configuration names it, else as Dataverse does."""
    return column.field or column.column


def _moved(column: ColumnChange) -> str:
    before = column.field_before if column.field else column.before
    after = column.field_after if column.field else column.after
    return f"{before} → {after}"


def _out_of_the_box(table: str, row: Row) -> bool:
    column = OUT_OF_THE_BOX.get(table)
    return column is not None and row.get(column) is True
