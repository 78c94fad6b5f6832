"""Values the product cannot store, found before anything is written.

Every text column has a maximum length (platform/, held to Microsoft's table pages by the
snapshot tests); a value past it is refused by the organisation halfway through an apply, and
no re-run can finish. Checking the desired rows instead makes it a located configuration
error: at validate (the rows mapped without an organisation: lengths do not depend on ids) and
again at plan (the rows as they will be written).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path

from smsconf.bursts import Burst
from smsconf.config.loader import Source, validate_with_sources
from smsconf.config.model import Config
from smsconf.config.problems import ConfigError, Path_, Problem
from smsconf.config.secrets import SecretRef
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.live import LiveState
from smsconf.mapping.rows import DesiredRow
from smsconf.platform.tables import ALL_TABLES

LIMITS = {
    (table.logical_name, column.logical_name): column.max_length
    for table in ALL_TABLES
    for column in table.columns
    if column.max_length is not None
}
OFFLINE_ORG = "00000000-0000-0000-0000-000000000000"
RULESET_MAX = LIMITS[("msdyn_decisionruleset", "msdyn_rulesetdefinition")]
ROUTING_GROWTH = 16
"""A ruleset document is at most this many times its routing's JSON (about 3 in practice)."""


def stored_length(text: str) -> int:
    """Length as Dataverse counts it: UTF-16 code units (SQL nvarchar), so an emoji is 2."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def too_long(rows: Iterable[DesiredRow]) -> list[Problem]:
    """One located problem per column value longer than its column holds."""
    problems = []
    for row in rows:
        for column, value in row.columns.items():
            limit = LIMITS.get((row.table, column))
            if limit is None or not isinstance(value, str) or len(value) <= limit // 2:
                continue  # most values: far under the limit whatever their characters
            length = stored_length(value)
            if length > limit:
                problems.append(
                    Problem(
                        f"{row.label} would write {length:,} characters to {row.table}."
                        f"{column}, which holds at most {limit:,}",
                        row.source,
                        hint="shorten it (a routing rule's conditions are written as one "
                        "document per ruleset: split the rules over more rulesets)"
                        if column == "msdyn_rulesetdefinition"
                        else "shorten it",
                    )
                )
    return problems


class _Offline(LiveState):
    """An empty organisation that reads no secret: validate never does."""

    def fingerprint(self, secret: SecretRef, path: Path_) -> str | None:
        return None


def unstorable(config: Config) -> list[Problem]:
    """`too_long` for a configuration alone (validate): the workstreams whose routing could
    reach the ruleset column's maximum, mapped against an empty organisation (whose not-found
    problems are not this check's business). Mapping all of them would double validate's time
    at 1,000 workstreams; a ruleset's document is at most `ROUTING_GROWTH` times its routing's
    JSON (tests/reconcile/test_limits.py holds the bound), so the others cannot be too long."""
    heavy = [
        i
        for i, ws in enumerate(config.workstreams)
        if len(ws.routing.model_dump_json()) * ROUTING_GROWTH > RULESET_MAX
    ]
    if not heavy:
        return []
    part = config.model_copy(update={"workstreams": [config.workstreams[i] for i in heavy]})
    rows, _ = desired_rows(part, _Offline(OFFLINE_ORG, {}))
    return [
        dataclasses.replace(p, path=("workstreams", heavy[int(p.path[1])], *p.path[2:]))
        if p.path[:1] == ("workstreams",)
        else p
        for p in too_long(rows)
    ]


def validate_storable(
    paths: Sequence[Path | str], *, burst: Burst = nullcontext
) -> tuple[dict[str | None, Config], Source]:
    """`validate_with_sources`, then every environment's values held to what the product
    stores: what validate runs, so an apply can never stop halfway on a length."""
    configs, source = validate_with_sources(paths, burst=burst)
    found = dict.fromkeys(source.locate(p) for c in configs.values() for p in unstorable(c))
    if found:
        raise ConfigError(list(found))
    return configs, source
