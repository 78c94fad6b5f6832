"""What a plan of an exported configuration would still change: the export's round-trip check.

The export (mapping/export.py) is mapped forward again and diffed against the very rows it was
read from; whatever that diff finds could not be expressed, and is listed as an omission.
"""

from __future__ import annotations

from typing import Any

from smsconf.config.model import Config, Settings
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.export import Omission
from smsconf.mapping.live import LiveState
from smsconf.reconcile.diff import diff
from smsconf.reconcile.plan import Change

ENTRY_TABLE = "msdyn_occommunicationprovidersettingentry"


def residue(config: Config, live: LiveState) -> list[Omission]:
    """What a plan of `config` against `live` would still change: it cannot round-trip.

    The API key's fingerprint is left out: exported secrets are references to variables that
    are usually unset at export time, and the key itself can never be read back anyway.
    """
    ignore = {ENTRY_TABLE: ["msdyn_value"]}
    checked = config.model_copy(update={"settings": Settings(ignore=ignore)})
    fresh = LiveState(live.org_id, live.rows, live.associations)
    rows, links = desired_rows(checked, fresh)
    changes = diff(checked, fresh, rows, links, lambda _path: None).changes
    return [Omission(change.label, _describe(change)) for change in changes]


def _describe(change: Change) -> str:
    if change.action == "update":
        columns = ", ".join(
            f"{c.column} is {_short(c.before)} there, the configuration says {_short(c.after)}"
            for c in change.columns
        )
        return f"a plan of the export would update it ({columns})"
    return f"a plan of the export would {change.action} it ({change.reason})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
