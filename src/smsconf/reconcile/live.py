"""The live organisation as the reconciler sees it: one paged, filtered query per table.

`read_live` first learns which columns this organisation has (`probe`: one `$batch` request
with WhoAmI and the version), then sends the first page of every query, naming only those
columns, in one `$batch` request: a read costs two requests however many tables there are, and
`LiveState` indexes the rows by natural key. It also answers the mapping's questions
(`Resolver`): which id a managed row has, which live row a name refers to, and each secret's
fingerprint, collecting located problems for whatever cannot be resolved instead of stopping
at the first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from smsconf.config.model import Config
from smsconf.config.problems import Problem
from smsconf.config.secrets import SecretError, SecretRef, fingerprint
from smsconf.dataverse import DataverseClient, odata
from smsconf.dataverse.client import Query
from smsconf.dataverse.probe import OrganisationSchema, probe
from smsconf.mapping import ids
from smsconf.mapping.desired import NOTIFICATION_COLUMNS, REFERENCE_TABLES
from smsconf.mapping.ids import Key
from smsconf.mapping.keys import KEYS, Parent, guid_of
from smsconf.platform import TABLES, Table
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.field_access import FieldAccess, access_queries

Row = dict[str, Any]
Path_ = tuple[str | int, ...]

# Narrow each query to SMS configuration where a column says so; other tables are small.
FILTERS: dict[str, str] = {
    "msdyn_liveworkstream": f"msdyn_streamsource eq {vocab.STREAM_SOURCE_SMS}",
    "msdyn_ocsystemmessage": f"msdyn_streamsource eq {vocab.STREAM_SOURCE_SMS}",
    "queue": "msdyn_isomnichannelqueue eq true",
    "msdyn_routingconfiguration": "msdyn_isactiveconfiguration eq true",
}
# N:N associations read with the workstreams (collection-valued $expand).
ASSOCIATIONS = {
    "msdyn_msdyn_cannedmessage_liveworkstream": "msdyn_cannedmessage",
    "msdyn_msdyn_liveworkstream_systemuser": "systemuser",
}


def columns_to_read(table: Table, schema: OrganisationSchema | None = None) -> list[str]:
    """The columns smsconf compares, writes or keys rows by: not the secured ones (they read
    back null), nor those only the server writes (created/modified on and by, owner, version),
    which nothing here looks at: a quarter of the bytes read for 1,000 workstreams. With
    `schema`, only those this organisation has: one absent column would fail the query."""
    return [
        c.read_name
        for c in table.columns
        if not (c.secured or c.server_owned)
        and (schema is None or schema.has(table.logical_name, c.logical_name))
    ]


@dataclass
class LiveState:
    """Rows per table, indexed by natural key; the mapping's `Resolver`."""

    org_id: str
    rows: dict[str, list[Row]]
    associations: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    schema: OrganisationSchema | None = None
    field_access: FieldAccess | None = None
    problems: list[Problem] = field(default_factory=list)
    by_key: dict[str, dict[Key, Row]] = field(default_factory=dict)
    key_of_id: dict[str, dict[str, Key]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for table in KEYS:
            self._index(table)

    def _index(self, table: str) -> None:
        index: dict[Key, Row] = {}
        keys: dict[str, Key] = {}
        primary = TABLES[table].primary_key
        for row in self.rows.get(table, []):
            key = self._natural_key(table, row)
            if key is not None:
                index.setdefault(ids.normalise(key), row)
                keys[str(row[primary]).lower()] = key
        self.by_key[table] = index
        self.key_of_id[table] = keys

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

    def row(self, table: str, key: Key) -> Row | None:
        return self.by_key.get(table, {}).get(ids.normalise(key))

    def row_id(self, table: str, row: Row) -> str:
        return str(row[TABLES[table].primary_key]).lower()

    def key_of(self, table: str, row: Row) -> Key | None:
        return self.key_of_id.get(table, {}).get(self.row_id(table, row))

    # --- Resolver --------------------------------------------------------------------------

    def id_of(self, table: str, key: Key) -> str:
        row = self.row(table, key)
        return self.row_id(table, row) if row is not None else ids.row_id(self.org_id, table, key)

    def lookup(self, kind: str, value: str, path: Path_) -> str | None:
        table, column = REFERENCE_TABLES[kind]
        wanted = value.casefold()
        for row in self.rows.get(table, []):
            if str(row.get(column, "")).casefold() == wanted:
                return self.row_id(table, row)
        what = kind.replace("_", " ")
        self.problems.append(
            Problem(
                f"{what} '{value}' was not found in the organisation",
                path,
                hint=NOT_FOUND_HINTS.get(kind, "create it in the organisation, or fix the name"),
            )
        )
        return None

    def fingerprint(self, secret: SecretRef, path: Path_) -> str | None:
        try:
            return fingerprint(secret.resolve())
        except SecretError as exc:
            self.problems.append(Problem(f"cannot read secret {secret.reference}: {exc}", path))
            return None


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


def lookup_filters(config: Config) -> dict[str, str | None]:
    """Filters for the looked-up tables: only the names the configuration uses (None: skip)."""
    templates = {t.unique_name or t.name: t.kind for t in config.templates}
    wanted = {
        "systemuser": ("fullname", [b.name for b in config.bots]),
        "msfp_survey": ("msfp_name", [s.name for s in config.surveys]),
        "msdyn_sessiontemplate": (
            "msdyn_uniquename",
            [u for u, k in templates.items() if k == "session"],
        ),
        "msdyn_notificationtemplate": (
            "msdyn_uniquename",
            [u for u, k in templates.items() if k == "notification"],
        ),
    }
    filters: dict[str, str | None] = {"msdyn_oclanguage": ""}
    for table, (column, names) in wanted.items():
        filters[table] = str(odata.in_(column, names)) if names else None
    return filters


async def read_live(client: DataverseClient, config: Config) -> LiveState:
    """Read every table smsconf manages or looks up, one query (paged) each, all in one batch,
    after learning which of their columns the organisation has (every table export may look
    up is probed too). A table the organisation lacks reads as empty."""
    queries: dict[str, str | None] = {t: FILTERS.get(t, "") for t in KEYS}
    queries.update(lookup_filters(config))
    schema = await probe(client, list(queries))
    tables = [t for t, f in queries.items() if f is not None and schema.columns.get(t)]
    reads = [_query(t, queries[t] or None, schema) for t in tables]
    user_id = str(schema.who["UserId"]).lower()
    checks = access_queries(user_id) if config.accounts else []
    results = await client.read_many(reads + checks)
    access = FieldAccess.of(user_id, results[len(reads) :]) if checks else None
    rows = {t: [] for t in queries} | dict(zip(tables, results[: len(reads)], strict=True))
    associations = {
        rel: {
            (str(ws["msdyn_liveworkstreamid"]).lower(), _target_id(target, linked))
            for ws in rows["msdyn_liveworkstream"]
            for linked in ws.get(rel) or []
        }
        for rel, target in ASSOCIATIONS.items()
    }
    org_id = str(schema.who["OrganizationId"]).lower()
    return LiveState(org_id, rows, associations, schema=schema, field_access=access)


def referenced_filters(live: LiveState) -> dict[str, str]:
    """Filters for the looked-up rows the live workstreams point at, by id or unique name.

    `lookup_filters` asks by the names a configuration gives; export has no configuration yet,
    so it asks for exactly the bots, surveys and templates the organisation's rows name.
    """
    workstreams = live.rows.get("msdyn_liveworkstream", [])
    channels = live.rows.get("msdyn_ocsmschannelsetting", [])
    bots = {guid_of(ws.get("_msdyn_bot_user_value")) for ws in workstreams} | {
        target for _, target in live.associations.get("msdyn_msdyn_liveworkstream_systemuser", ())
    }
    surveys = {
        guid_of(channel.get(column))
        for channel in channels
        for column in (
            "_msdyn_postconversationsurvey_value",
            "_msdyn_postconversationsurveyseparatebotsurvey_value",
        )
    }
    sessions = {ws.get("msdyn_sessiontemplate_default") for ws in workstreams}
    notifications = {ws.get(c) for ws in workstreams for c in NOTIFICATION_COLUMNS.values()}
    wanted: dict[str, tuple[str, list[odata.Value]]] = {
        "systemuser": ("systemuserid", [uuid.UUID(b) for b in sorted(filter(None, bots))]),
        "msfp_survey": ("msfp_surveyid", [uuid.UUID(s) for s in sorted(filter(None, surveys))]),
        "msdyn_sessiontemplate": ("msdyn_uniquename", sorted(filter(None, sessions))),
        "msdyn_notificationtemplate": ("msdyn_uniquename", sorted(filter(None, notifications))),
    }
    return {t: str(odata.in_(column, values)) for t, (column, values) in wanted.items() if values}


async def read_referenced(client: DataverseClient, live: LiveState) -> None:
    """Add to `live` the looked-up rows its workstreams point at (see `referenced_filters`)."""
    filters = referenced_filters(live)
    results = await client.read_many([_query(t, f, live.schema) for t, f in filters.items()])
    live.rows.update(zip(filters, results, strict=True))


def _query(table_name: str, filter_: str | None, schema: OrganisationSchema | None) -> Query:
    """The query of one table; a collection-valued `$expand` is asked for uncached
    (`If-None-Match: null`): the service may otherwise answer it from a cache (Learn, "Join
    tables using the Web API")."""
    table = TABLES[table_name]
    if table_name != "msdyn_liveworkstream":
        return Query(table.entity_set, select=columns_to_read(table, schema), filter=filter_)
    expand = [
        f"{rel}($select={TABLES[target].primary_key})" for rel, target in ASSOCIATIONS.items()
    ]
    return Query(
        table.entity_set,
        select=columns_to_read(table, schema),
        filter=filter_,
        expand=expand,
        if_none_match="null",
    )


def _target_id(table: str, row: Row) -> str:
    return str(row[TABLES[table].primary_key]).lower()
