"""The two inputs of the evaluator: the configuration, and a live organisation's rows.

`from_live` reads what the organisation stores (the active routing configuration, its steps in
order, each ruleset's XML through `mapping.routing_xml.parse_ruleset`, queue GUIDs back to
queue names), not the configuration smsconf would export from it, so it explains what the
organisation does now, including what export cannot express.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from smsconf.config.model import Config, OperatingHours, Workstream
from smsconf.mapping.keys import guid_of
from smsconf.mapping.routing_xml import Rule as XmlRule
from smsconf.mapping.routing_xml import RulesetError, attribute_word, parse_ruleset
from smsconf.platform import vocabulary as vocab
from smsconf.routing.model import Hours, Rule, Ruleset, WorkstreamRouting

Row = dict[str, Any]
PROVIDER_WORD = {value: word for word, value in vocab.PROVIDER.items()}
WEEKDAY_WORD = {value: word for word, value in vocab.WEEKDAY.items()}
STEP_WORD = {value: word for word, value in vocab.STEP_TYPE.items()}


def from_config(
    config: Config,
    schedules: Mapping[str, Hours] | None = None,
    only: Collection[str] | None = None,
) -> list[WorkstreamRouting]:
    """`schedules`: operating hours as the organisation keeps them, by name (`live_hours`),
    for those the configuration only names (their schedule is not in the YAML); `only`: the
    workstreams wanted, by name (default all)."""
    known = schedules or {}
    hours = {
        h.name: _hours(h) if h.name not in known or _hours(h).known else known[h.name]
        for h in config.operating_hours
    }
    queue_hours = {
        q.name: hours.get(q.operating_hours) if q.operating_hours else None for q in config.queues
    }
    providers = {n.number: a.provider for a in config.accounts for n in a.numbers}
    return [
        _workstream(ws, ("workstreams", i), hours, queue_hours, providers)
        for i, ws in enumerate(config.workstreams)
        if only is None or ws.name in only
    ]


def _hours(hours: OperatingHours) -> Hours:
    known = hours.managed or hours.all_days or bool(hours.days)
    return Hours(hours.name, known, hours.all_days, frozenset(hours.days), hours.start, hours.end)


def _workstream(
    ws: Workstream,
    path: tuple[str | int, ...],
    hours: dict[str, Hours],
    queue_hours: dict[str, Hours | None],
    providers: dict[str, str],
) -> WorkstreamRouting:
    sms = ws.sms
    rpath = (*path, "routing")
    classification = tuple(
        Ruleset(
            ruleset.name,
            tuple(
                Rule(
                    rule.name,
                    tuple(rule.when),
                    tuple(rule.set.items()),
                    path=(*rpath, "classification", i, "rules", j),
                )
                for j, rule in enumerate(ruleset.rules)
            ),
            (*rpath, "classification", i),
        )
        for i, ruleset in enumerate(ws.routing.classification)
    )
    routes = tuple(
        Rule(
            rule.name,
            tuple(rule.when),
            queue=rule.queue,
            split=tuple((s.queue, s.percent) for s in rule.split) if rule.split else None,
            path=(*rpath, "route_to_queue", j),
        )
        for j, rule in enumerate(ws.routing.route_to_queue)
    )
    channel_hours = sms.operating_hours if sms else None
    return WorkstreamRouting(
        name=ws.name,
        number=sms.number if sms else None,
        provider=_provider_value(providers.get(sms.number)) if sms else None,
        channel_hours=(hours.get(channel_hours) or Hours(channel_hours, known=False))
        if channel_hours
        else None,
        outside_hours_message=bool(
            sms and any(m.trigger == "outside_operating_hours" for m in sms.automated_messages)
        ),
        fallback=ws.fallback_queue,
        classification=classification,
        route_to_queue=routes,
        queue_hours=queue_hours,
        variables=frozenset(cv.name for cv in ws.advanced.context_variables),
        path=path,
    )


def _provider_value(provider: str | None) -> str | None:
    """`sms.msdyn_smsprovider` holds the provider's option value, as the engagement context
    stores it (reference/dataverse.md §1.16)."""
    return str(vocab.PROVIDER[provider]) if provider else None


class _Live:
    """Indexes of a live read, by id, for walking workstream → configuration → steps."""

    def __init__(self, rows: dict[str, list[Row]]) -> None:
        self.rows = rows
        self.by_id = {
            table: {str(row.get(f"{table}id", "")).lower(): row for row in table_rows}
            for table, table_rows in rows.items()
        }
        self._children: dict[tuple[str, str], dict[str, list[Row]]] = {}

    def get(self, table: str, value: Any) -> Row | None:
        return self.by_id.get(table, {}).get(guid_of(value) or "")

    def children(self, table: str, column: str, parent: str) -> Iterator[Row]:
        """The rows of `table` whose `column` holds `parent`'s id, indexed on first use: a
        plan reads every workstream's children, which scanning would make quadratic."""
        index = self._children.get((table, column))
        if index is None:
            index = defaultdict(list)
            for row in self.rows.get(table, []):
                index[guid_of(row.get(column)) or ""].append(row)
            self._children[(table, column)] = index
        return iter(index.get(parent, []))

    def queue_name(self, queue_id: str) -> str:
        row = self.get("queue", queue_id)
        return str(row.get("name")) if row else queue_id

    def hours(self, hours_id: Any) -> Hours | None:
        row = self.get("msdyn_operatinghour", hours_id)
        if row is None:
            return None if hours_id is None else Hours(str(hours_id), known=False)
        return _live_hours(row)


def _live_hours(row: Row) -> Hours:
    """A row's schedule; without one (the product keeps it in a calendar smsconf does not
    read) whether it is open is unknown, never "closed"."""
    days = str(row.get("msdyn_oc_daysofweek") or "")
    all_days = bool(row.get("msdyn_enablealldays"))
    start, end = row.get("msdyn_starttimestring"), row.get("msdyn_endtimestring")
    return Hours(
        str(row.get("msdyn_name")),
        known=all_days or bool(days.strip() and start and end),
        all_days=all_days,
        days=frozenset(WEEKDAY_WORD[int(d)] for d in days.split(",") if d.strip()),
        start=start,
        end=end,
    )


def live_hours(rows: dict[str, list[Row]]) -> dict[str, Hours]:
    """The organisation's operating hours by name, with what is known of their schedules."""
    return {str(r.get("msdyn_name")): _live_hours(r) for r in rows.get("msdyn_operatinghour", [])}


def from_live(
    rows: dict[str, list[Row]], only: Collection[str] | None = None
) -> tuple[list[WorkstreamRouting], list[str]]:
    """Every SMS workstream of a live read (or those named in `only`), and why any could not
    be read (one line each)."""
    live = _Live(rows)
    routings: list[WorkstreamRouting] = []
    problems: list[str] = []
    for ws in rows.get("msdyn_liveworkstream", []):
        if only is not None and ws.get("msdyn_name") not in only:
            continue
        try:
            routings.append(_live_workstream(live, ws))
        except RulesetError as exc:
            problems.append(f"workstream '{ws.get('msdyn_name')}': {exc}")
    return routings, problems


def _live_workstream(live: _Live, ws: Row) -> WorkstreamRouting:
    ws_id = str(ws["msdyn_liveworkstreamid"]).lower()
    channel = next(
        live.children("msdyn_ocsmschannelsetting", "_msdyn_liveworkstreamid_value", ws_id), None
    )
    number_row = (
        live.get("msdyn_ocphonenumber", channel.get("_msdyn_phonenumberid_value"))
        if channel
        else None
    )
    provider = live.get(
        "msdyn_occommunicationprovidersetting",
        number_row.get("_msdyn_occommunicationprovidersettingid_value") if number_row else None,
    )
    classification: list[Ruleset] = []
    routes: tuple[Rule, ...] = ()
    for config in live.children(
        "msdyn_routingconfiguration", "_msdyn_liveworkstreamid_value", ws_id
    ):
        if config.get("msdyn_isactiveconfiguration") is False:
            continue
        config_id = str(config["msdyn_routingconfigurationid"]).lower()
        steps = sorted(
            live.children(
                "msdyn_routingconfigurationstep", "_msdyn_routingconfigurationid_value", config_id
            ),
            key=lambda s: s.get("msdyn_steporder") or 0,
        )
        for step in steps:
            ruleset = live.get("msdyn_decisionruleset", step.get("_msdyn_rulesetid_value"))
            if ruleset is None:
                continue
            rules = parse_ruleset(ruleset.get("msdyn_rulesetdefinition") or "")
            if STEP_WORD.get(step.get("msdyn_type")) == "route_to_queue":
                routes = tuple(_live_rule(live, r) for r in rules)
            else:
                classification.append(
                    Ruleset(
                        str(ruleset.get("msdyn_name")), tuple(_live_rule(live, r) for r in rules)
                    )
                )
    contract_variables = {
        str(v.get("msdyn_name"))
        for v in live.children(
            "msdyn_ocliveworkstreamcontextvariable", "_msdyn_liveworkstreamid_value", ws_id
        )
    }
    channel_id = str(channel.get("msdyn_ocsmschannelsettingid", "")).lower() if channel else ""
    messages = [
        m
        for m in live.children("msdyn_ocsystemmessage", "msdyn_instanceid", channel_id)
        if m.get("msdyn_systemmessageeventtype") == vocab.MESSAGE_TRIGGER["outside_operating_hours"]
    ]
    return WorkstreamRouting(
        name=str(ws.get("msdyn_name")),
        number=str(number_row.get("msdyn_phonenumber")) if number_row else None,
        provider=str(provider.get("msdyn_occommunicationprovider"))
        if provider and provider.get("msdyn_occommunicationprovider") is not None
        else None,
        channel_hours=live.hours(channel.get("_msdyn_operatinghourid_value")) if channel else None,
        outside_hours_message=bool(messages),
        fallback=live.queue_name(str(guid_of(ws.get("_msdyn_defaultqueue_value"))))
        if ws.get("_msdyn_defaultqueue_value")
        else None,
        classification=tuple(classification),
        route_to_queue=routes,
        queue_hours={
            str(q.get("name")): live.hours(q.get("_msdyn_operatinghourid_value"))
            for q in live.rows.get("queue", [])
        },
        variables=frozenset(contract_variables),
    )


def _live_rule(live: _Live, rule: XmlRule) -> Rule:
    sets = tuple(
        (
            "priority" if path == vocab.CLASSIFICATION_OUTPUT_PRIORITY else attribute_word(path),
            value,
        )
        for path, value in rule.outputs
    )
    return Rule(
        rule.name,
        tuple(rule.when),
        sets,
        queue=live.queue_name(rule.queue) if rule.queue else None,
        split=tuple((live.queue_name(q), p) for q, p in rule.split) if rule.split else None,
    )
