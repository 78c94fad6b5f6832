"""The live organisation as the reconciler sees it: one paged, filtered query per table.

`read_live` first learns which columns this organisation has (`probe`: one `$batch` request
with WhoAmI and the version), then sends the first page of every query, naming only those
columns, in one `$batch` request: a read costs two requests however many tables there are. The
rows go into the mapping's `LiveState` (mapping/live.py), which indexes them by natural key and
answers the mapping's questions.
"""

from __future__ import annotations

import uuid

from smsconf.config.model import Config
from smsconf.dataverse import DataverseClient, odata
from smsconf.dataverse.client import Query
from smsconf.dataverse.probe import OrganisationSchema, probe
from smsconf.mapping.fields import NOTIFICATION_COLUMNS
from smsconf.mapping.keys import KEYS, guid_of
from smsconf.mapping.live import LiveState, Row
from smsconf.mapping.tables import ASSOCIATIONS
from smsconf.platform import TABLES, Table
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.field_access import FieldAccess, access_queries

WHO_COLUMNS = ("modifiedby", "modifiedon")
"""Read on the managed tables: an edit by anyone but smsconf is told apart by them."""
# Narrow each query to SMS configuration where a column says so; other tables are small.
FILTERS: dict[str, str] = {
    "msdyn_liveworkstream": f"msdyn_streamsource eq {vocab.STREAM_SOURCE_SMS}",
    "msdyn_ocsystemmessage": f"msdyn_streamsource eq {vocab.STREAM_SOURCE_SMS}",
    "queue": "msdyn_isomnichannelqueue eq true",
    "msdyn_routingconfiguration": "msdyn_isactiveconfiguration eq true",
}


def columns_to_read(
    table: Table, schema: OrganisationSchema | None = None, *, who: bool = False
) -> list[str]:
    """The columns smsconf compares, writes or keys rows by: not the secured ones (they read
    back null), nor those only the server writes (created on and by, owner, version), which
    nothing here looks at: a quarter of the bytes read for 1,000 workstreams. With `who` (the
    managed tables), who last modified the row and when: drift names who edited it. With
    `schema`, only those this organisation has: one absent column would fail the query."""
    return [
        c.read_name
        for c in table.columns
        if not c.secured
        and (not c.server_owned or (who and c.logical_name in WHO_COLUMNS))
        and (schema is None or schema.has(table.logical_name, c.logical_name))
    ]


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
    select = columns_to_read(table, schema, who=table_name in KEYS)
    if table_name != "msdyn_liveworkstream":
        return Query(table.entity_set, select=select, filter=filter_)
    expand = [
        f"{rel}($select={TABLES[target].primary_key})" for rel, target in ASSOCIATIONS.items()
    ]
    return Query(
        table.entity_set,
        select=select,
        filter=filter_,
        expand=expand,
        if_none_match="null",
    )


def _target_id(table: str, row: Row) -> str:
    return str(row[TABLES[table].primary_key]).lower()


async def read_editors(client: DataverseClient, live: LiveState) -> None:
    """Add to `live` the users, other than smsconf's own identity, who last modified a
    managed row: one query, and none at all when smsconf wrote every row last."""
    known = {guid_of(r.get("systemuserid")) for r in live.rows.get("systemuser", [])}
    editors = live.editors() - known
    if not editors:
        return
    ids = [uuid.UUID(e) for e in sorted(filter(None, editors))]
    (found,) = await client.read_many(
        [_query("systemuser", str(odata.in_("systemuserid", ids)), live.schema)]
    )
    live.rows["systemuser"] = [*live.rows.get("systemuser", []), *found]
