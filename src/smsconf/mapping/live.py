"""The live rows the mapping resolves against: indexed by natural key, and its `Resolver`.

Rows are matched by what they mean (mapping/keys.py), so the state answers the mapping's
questions: which id a managed row has (its live one, else the deterministic one smsconf will
create it with), which live row a name refers to, each secret's fingerprint, and the name a
lookup's target is known by (for plans in the configuration's words). What cannot be resolved
becomes a located problem instead of stopping at the first. Reading the rows over the Web API
is the reconciler's (reconcile/live.py); this module never does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smsconf.config.names import accentless, fold
from smsconf.config.problems import Problem
from smsconf.config.secrets import SecretError, SecretRef, fingerprint
from smsconf.mapping import ids
from smsconf.mapping.ids import Key
from smsconf.mapping.keys import KEYS, Parent, guid_of
from smsconf.mapping.tables import KIND_OF_TABLE, REFERENCE_TABLES
from smsconf.platform import TABLES
from smsconf.platform.vocabulary import STEP_TYPE

STEP_TYPES = {value: name for name, value in STEP_TYPE.items()}

if TYPE_CHECKING:  # the probe's answer, as data: the mapping never talks to the organisation
    from smsconf.dataverse.probe import OrganisationSchema

Row = dict[str, Any]
Path_ = tuple[str | int, ...]
NOT_FOUND_HINTS = {
    # Only these kinds can be created by smsconf (their models have `managed:`); the others
    # come from elsewhere, and saying `managed: true` would send the user to a refused key.
    "queue": "create it there, or set managed: true on it under queues: to let smsconf create it",
    "capacity_profile": "create it there, or set managed: true on it under capacity_profiles:",
    "quick_reply": "create it there, or set managed: true (with a message) under quick_replies:",
    "bot": "a bot is the application user of a Copilot Studio or Azure bot: connect the bot to "
    "the organisation (its application user's full name is what `bots:` names)",
    "survey": "create the survey in Customer Voice (or Copilot Studio) for this organisation",
    "operating_hours": "create it in the Customer Service admin center (Operating hours)",
    "session_template": "create it in the Customer Service admin center (Session templates)",
    "notification_template": "create it in the Customer Service admin center (Notifications)",
    "language": "this language is not available in the organisation's Omnichannel languages",
}


@dataclass
class LiveState:
    """Rows per table, indexed by natural key; the mapping's `Resolver`."""

    org_id: str
    rows: dict[str, list[Row]]
    associations: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    schema: OrganisationSchema | None = None
    field_access: Any = None
    """The reconciler's reading of the caller's field-level access (reconcile/field_access)."""
    problems: list[Problem] = field(default_factory=list)
    by_key: dict[str, dict[Key, Row]] = field(default_factory=dict)
    key_of_id: dict[str, dict[str, Key]] = field(default_factory=dict)
    _names: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    aliases: dict[str, dict[str, Key]] = field(default_factory=dict)
    """Table → row id → the key it goes by: a row the configuration renames (`renamed_from`)."""
    twins: dict[str, dict[Key, list[str]]] = field(default_factory=dict)
    """Table → normalised key → the ids of every row with it, where there are several."""
    _told: set[tuple[str, Key]] = field(default_factory=set, repr=False)
    _by_name: dict[tuple[str, str], tuple[tuple[int, int], dict[str, list[str]]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        for table in KEYS:
            self._index(table)
        self._routing_aliases()

    def _routing_aliases(self) -> None:
        """A workstream's routing rows (its contract, its routing steps and their rulesets) are
        keyed by unique names smsconf builds from the workstream's name, and a unique name
        never changes; so a renamed workstream's keep the ones of the name it was created
        under. Found through the links instead (the workstream's contract, its routing
        configuration's steps, each step's ruleset), they go by the keys of its name now, and
        its rename is an update in place, with or without `renamed_from:` still written."""
        contracts = self._by_id("msdyn_decisioncontract")
        rulesets = self._by_id("msdyn_decisionruleset")
        steps: dict[str | None, list[Row]] = {}
        for step in self.rows.get("msdyn_routingconfigurationstep", []):
            steps.setdefault(guid_of(step.get("_msdyn_routingconfigurationid_value")), []).append(
                step
            )
        changed: set[str] = set()
        for ws in self.rows.get("msdyn_liveworkstream", []):
            key = self.key_of("msdyn_liveworkstream", ws)
            if key is None:
                continue
            contract = contracts.get(guid_of(ws.get("_msdyn_routingcontractid_value")) or "")
            changed |= self._go_by("msdyn_decisioncontract", contract, key)
            config = self.row("msdyn_routingconfiguration", key)
            if config is None:
                continue
            for step in steps.get(self.row_id("msdyn_routingconfiguration", config), []):
                kind = STEP_TYPES.get(step.get("msdyn_type"))  # type: ignore[arg-type]
                if kind is None or step.get("msdyn_name") is None:
                    continue
                base = (*key, kind, str(step["msdyn_name"]))
                changed |= self._go_by("msdyn_routingconfigurationstep", step, base)
                ruleset = rulesets.get(guid_of(step.get("_msdyn_rulesetid_value")) or "")
                changed |= self._go_by("msdyn_decisionruleset", ruleset, base)
        for table in changed:
            self._index(table)

    def _by_id(self, table: str) -> dict[str, Row]:
        return {self.row_id(table, row): row for row in self.rows.get(table, [])}

    def _go_by(self, table: str, row: Row | None, base: Key) -> set[str]:
        """Let `row` go by the unique name smsconf builds from `base`, unless it already does
        or another row has that name (then that row is the one)."""
        if row is None:
            return set()
        key = (ids.unique_name(table, base),)
        if self.key_of(table, row) == key or self.row(table, key) is not None:
            return set()
        self.aliases.setdefault(table, {})[self.row_id(table, row)] = key
        return {table}

    def kept(self, table: str, key: Key, column: str) -> object:
        """What the organisation's row of this key holds in `column`; None without one."""
        row = self.row(table, key)
        return row.get(column) if row is not None else None

    def _index(self, table: str) -> None:
        index: dict[Key, Row] = {}
        keys: dict[str, Key] = {}
        primary = TABLES[table].primary_key
        aliases = self.aliases.get(table, {})
        twins: dict[Key, list[str]] = {}
        for row in self.rows.get(table, []):
            key = aliases.get(self.row_id(table, row)) or self._natural_key(table, row)
            if key is not None:
                normal = ids.normalise(key)
                first = index.setdefault(normal, row)
                if first is not row:
                    twins.setdefault(normal, [self.row_id(table, first)]).append(
                        self.row_id(table, row)
                    )
                keys[str(row[primary]).lower()] = key
        self.by_key[table] = index
        self.key_of_id[table] = keys
        self.twins[table] = twins

    def _natural_key(self, table: str, row: Row) -> Key | None:
        parts: list[str] = []
        for part in KEYS[table]:
            if isinstance(part, Parent):
                parent = self.key_of_id.get(part.table, {}).get(guid_of(row.get(part.column)) or "")
                if parent is None:
                    return None
                parts.extend(parent)
            else:
                value = row.get(part)
                if value is None:
                    return None
                parts.append(str(value))
        return tuple(parts)

    @property
    def user_id(self) -> str | None:
        """smsconf's own identity in the organisation (WhoAmI), when the state was read."""
        return str(self.schema.who["UserId"]).lower() if self.schema is not None else None

    def editor(self, row: Row) -> str | None:
        """Who last modified a managed row, when that is not smsconf itself."""
        editor = guid_of(row.get("_modifiedby_value"))
        return editor if editor and self.user_id and editor != self.user_id else None

    def editors(self) -> set[str]:
        """Everyone but smsconf who last modified a managed row."""
        return {
            editor
            for table in KEYS
            for row in self.rows.get(table, [])
            if (editor := self.editor(row)) is not None
        }

    def rename(self, table: str, old: Key, new: Key) -> bool:
        """Let the row known as `old` go by `new` (its rows below follow), when the
        organisation has a row of that old key and none of the new one; True if it did."""
        row = self.row(table, old)
        if row is None or self.row(table, new) is not None:
            return False
        self.aliases.setdefault(table, {})[self.row_id(table, row)] = new
        for name in KEYS:  # in dependency order: children's keys are made of their parents'
            self._index(name)
        self._routing_aliases()
        return True

    def row(self, table: str, key: Key) -> Row | None:
        return self.by_key.get(table, {}).get(ids.normalise(key))

    def row_id(self, table: str, row: Row) -> str:
        return str(row[TABLES[table].primary_key]).lower()

    def key_of(self, table: str, row: Row) -> Key | None:
        return self.key_of_id.get(table, {}).get(self.row_id(table, row))

    # --- Resolver --------------------------------------------------------------------------

    def id_of(self, table: str, key: Key, path: Path_ = ()) -> str:
        self.unique(table, key, path)
        row = self.row(table, key)
        return self.row_id(table, row) if row is not None else ids.row_id(self.org_id, table, key)

    def unique(self, table: str, key: Key, path: Path_) -> None:
        """A key the configuration uses that several live rows share is a problem naming them
        all: picking one would update or link the wrong row and never mention the other."""
        twins = self.twins.get(table, {}).get(ids.normalise(key))
        if twins and (table, ids.normalise(key)) not in self._told:
            self._told.add((table, ids.normalise(key)))
            what = KIND_OF_TABLE.get(table, table)
            self.problems.append(_twins_problem(what, " / ".join(map(str, key)), twins, path))

    def lookup(self, kind: str, value: str, path: Path_) -> str | None:
        table, column = REFERENCE_TABLES[kind]
        wanted = fold(value)
        rows = self.rows.get(table, [])
        found = list(self._folded(table, column, rows).get(wanted, ()))
        if len(found) > 1 and (table, (wanted,)) not in self._told:
            self._told.add((table, (wanted,)))
            self.problems.append(_twins_problem(kind, value, found, path))
        if found:
            return found[0]
        bare = accentless(value)
        near = [str(r[column]) for r in rows if accentless(str(r.get(column, ""))) == bare]
        what = kind.replace("_", " ")
        self.problems.append(
            Problem(
                f"{what} '{value}' was not found in the organisation",
                path,
                hint=f"the organisation has '{near[0]}', which differs only by accents"
                if near
                else NOT_FOUND_HINTS.get(kind, "create it in the organisation, or fix the name"),
            )
        )
        return None

    def _folded(self, table: str, column: str, rows: list[Row]) -> dict[str, list[str]]:
        """Row ids by folded name, built once per table and column (a plan of 1,000
        workstreams looks names up 8,000 times: scanning the rows each time was quadratic);
        built again if the rows were added to since."""
        cached = self._by_name.get((table, column))
        if cached is not None and cached[0] == (id(rows), len(rows)):
            return cached[1]
        index: dict[str, list[str]] = {}
        for row in rows:
            index.setdefault(fold(str(row.get(column, ""))), []).append(self.row_id(table, row))
        self._by_name[(table, column)] = ((id(rows), len(rows)), index)
        return index

    def fingerprint(self, secret: SecretRef, path: Path_) -> str | None:
        try:
            return fingerprint(secret.resolve(), self.org_id)
        except SecretError as exc:
            self.problems.append(Problem(f"cannot read secret {secret.reference}: {exc}", path))
            return None

    def name_of(self, kind: str, value: Any, what: str = "") -> str | None:
        """The name a lookup's target is known by (`Names`, for plans in the configuration's
        words); the value itself when the live read holds no such row."""
        if value is None:
            return None
        table, column = REFERENCE_TABLES[kind]
        names = self._names.get(table)
        if names is None:  # built once per table: a plan names many targets of few tables
            names = {self.row_id(table, r): r.get(column) for r in self.rows.get(table, [])}
            self._names[table] = names
        found = names.get(guid_of(value) or "")
        return str(found) if found is not None else str(value)


def _twins_problem(kind: str, name: str, twins: list[str], path: Path_) -> Problem:
    return Problem(
        f"the organisation has {len(twins)} {kind.replace('_', ' ')} rows named '{name}' "
        f"({', '.join(twins)}): smsconf cannot tell which one the configuration means",
        path,
        hint="delete or rename all but one in the admin center, then plan again",
    )
