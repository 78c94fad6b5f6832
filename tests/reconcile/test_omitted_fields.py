"""One rule for omitted optional fields, for every field and kind: left out of the YAML, a field
is left as the organisation has it, never cleared (Terraform's optional + computed).

Checked across the whole field map: for every optional field (default None) that the applied
example sets and that lands in a column or a lookup, the example without it plans no change
to that column. (A section whose presence is its value, `bot_survey`, is a switch whose
default is off, like `enabled: false`: a defaulted field, managed.) End to end for the case
that broke: a queue adopted with `managed: true` and no `operating_hours` keeps its hours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from tools.testkit.workspace import Workspace

from smsconf.config import rules
from smsconf.config.model import Config
from smsconf.connect import open_target
from smsconf.exitcodes import ExitCode
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.fields import FIELD, Field, Present
from smsconf.reconcile.diff import diff
from smsconf.reconcile.live import read_live

Path_ = tuple[Any, ...]


def optional_fields(obj: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Field]]:
    """(where the object is, its field) for each optional field set in `obj` and below that the
    field map writes as a column or lookup of the object's row."""
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from optional_fields(item, (*path, i))
        return
    if not isinstance(obj, BaseModel):
        return
    for name, info in type(obj).model_fields.items():
        value = getattr(obj, name)
        entry = FIELD.get(f"{type(obj).__name__}.{name}")
        if (
            entry is not None
            and entry.is_column
            and not isinstance(entry.convert, Present)  # its absence is its value: off
            and info.default is None
            and value is not None
        ):
            yield path, entry
        yield from optional_fields(value, (*path, name))


def without(config: Config, path: Path_, entry: Field) -> Config | None:
    """A copy of the configuration with that one field left out; None when its object cannot
    do without it (a capacity is units or a profile)."""
    copy = config.model_copy(deep=True)
    obj: Any = copy
    for step in path:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step)
    object.__setattr__(obj, entry.attribute, None)
    try:
        type(obj).model_validate(obj.model_dump(exclude_unset=True, exclude_none=True))
    except ValidationError:
        return None
    return copy


def test_every_optional_field_left_out_is_left_as_the_organisation_has_it(
    applied: Workspace,
) -> None:
    loaded = applied.loaded()
    cases = list(optional_fields(loaded.config))

    async def changed_columns() -> list[str]:
        cleared, kinds = [], set()
        async with open_target("local") as target:
            live = await read_live(target.dataverse, loaded.config)
            for path, entry in cases:
                config = without(loaded.config, path, entry)
                if config is None or rules.check(config):
                    continue  # optional to the schema, required by a rule (an account's key)
                rows, links = desired_rows(config, live)
                changes = diff(config, live, rows, links, loaded.locate).changes
                columns = {(c.table, col.column) for c in changes for col in c.columns}
                kinds.add(entry.model)
                if (entry.table, entry.column) in columns:
                    cleared.append(f"{entry.name} at {path}")
        assert {"Queue", "SmsChannel", "Workstream", "BotSurvey", "Advanced"} <= kinds, kinds
        return cleared

    assert asyncio.run(changed_columns()) == []


def test_an_adopted_queue_without_operating_hours_keeps_them(applied: Workspace) -> None:
    """The queue is adopted (`managed: true`) with only its name: its operating hours (a
    lookup), like its priority (a column), stay as the organisation has them."""
    ws = applied
    ws.edit("    operating_hours: Business hours\n    priority: 10\n", "    priority: 10\n")
    before = ws.rows("queue", name="SMS Support Tier 1")[0]
    assert before["_msdyn_operatinghourid_value"] is not None
    plan = ws.plan("--detailed-exitcode")
    assert plan.exit_code == ExitCode.OK, plan.output
    assert "No changes." in plan.stdout
    after = ws.rows("queue", name="SMS Support Tier 1")[0]
    assert after["_msdyn_operatinghourid_value"] == before["_msdyn_operatinghourid_value"]
