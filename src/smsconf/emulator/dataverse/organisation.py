"""What sets one emulated organisation apart from another: its version, and the columns its
installed solutions have not added (yet).

Real organisations differ: the Omnichannel and Contact Center solutions add columns release by
release, so a client must discover the columns it may name before it reads (audit §2 #9). An
organisation remembers its variant in its own database (`meta`), so every later opening of the
same file, by the CLI or `emulator serve`, serves the same organisation. The emulator refuses
an absent column everywhere a real service does (in `$select`, `$filter`, `$orderby` and a
body) and leaves it out of `EntityDefinitions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smsconf.emulator.dataverse.errors import unknown_property
from smsconf.emulator.dataverse.protocol import Call, Reply, json_reply
from smsconf.emulator.dataverse.store import Store
from smsconf.emulator.limits import loads
from smsconf.platform import Table
from smsconf.platform.snapshot import load_snapshot

CURRENT_VERSION = "9.2.25113.189"
"""A current platform version, as `RetrieveVersion` spells one [inferred: any 9.2 build]."""
OLDER_VERSION = "9.2.23054.156"
"""The version the variant without the observed-absent columns reports [inferred]; only its
shape matters to smsconf (the sources do not give their organisations' versions)."""


def observed_absent() -> dict[str, frozenset[str]]:
    """The columns Microsoft's pages list that an organisation seen live lacked, per table:
    derived in the snapshot from the sources of `schemas/dataverse/observed/` (the real
    organisation's typings behind audit §2 #9 for the phone-number columns of newer releases,
    a 2026 live organisation's EntityDefinitions for the legacy SMS columns of workstreams and
    their per-workstream notification templates), never written here."""
    return load_snapshot().observed_absent()


_META_KEY = "organisation"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Organisation:
    """An organisation's version and, per table, the declared columns it does not have."""

    version: str = CURRENT_VERSION
    absent: Mapping[str, frozenset[str]] = field(default_factory=dict)
    plugins: bool = True
    """Whether the platform's plug-ins complete new workstreams (`plugins.py`), as on a real
    organisation; off only to look at rows exactly as a client wrote them."""

    @classmethod
    def older(cls, keeping: Mapping[str, frozenset[str]] | None = None) -> Organisation:
        """An organisation without the columns organisations seen live lacked
        (`observed_absent`), but for those in `keeping` (per table)."""
        kept = keeping or {}
        absent = {t: c - kept.get(t, frozenset()) for t, c in observed_absent().items()}
        return cls(OLDER_VERSION, {t: c for t, c in absent.items() if c})

    @classmethod
    def without_plugins(cls) -> Organisation:
        """A current organisation whose creates run no platform plug-in."""
        return cls(plugins=False)

    @classmethod
    def opened(cls, store: Store, chosen: Organisation | None) -> Organisation:
        """The organisation a database holds; `chosen` is recorded if given (a new org)."""
        if chosen is not None:
            payload = {
                "version": chosen.version,
                "absent": {t: sorted(c) for t, c in chosen.absent.items()},
                "plugins": chosen.plugins,
            }
            store.set_meta(_META_KEY, json.dumps(payload, sort_keys=True))
            return chosen
        saved = store.meta(_META_KEY)
        if saved is None:
            return cls()
        data = json.loads(saved)
        absent = {t: frozenset(c) for t, c in data["absent"].items()}
        return cls(data["version"], absent, bool(data.get("plugins", True)))

    def lacks(self, table: str, column: str) -> bool:
        return column in self.absent.get(table, ())

    def check(self, call: Call, table: Table) -> None:
        """Refuse a request naming a column this organisation lacks, as the service does."""
        absent = self.absent.get(table.logical_name)
        if not absent:
            return
        named: set[str] = set()
        for option in ("$select", "$filter", "$orderby"):
            named.update(_NAME.findall(call.query.get(option, "")))
        if call.method in ("POST", "PATCH", "PUT") and call.body:
            body = _object(call)
            named.update(k.split("@", 1)[0] for k in body)
        for name in sorted(named):
            column = name[1:-6] if name.startswith("_") and name.endswith("_value") else name
            if column in absent:
                raise unknown_property(name, table.logical_name)

    def attributes(self, table: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`EntityDefinitions(...)/Attributes` without the columns this organisation lacks."""
        absent = self.absent.get(table, frozenset())
        return [i for i in items if i.get("LogicalName") not in absent]

    def retrieve_version(self, call: Call) -> Reply:
        """`RetrieveVersion()`: the version a client reports in its messages."""
        context = f"{call.root}/$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse"
        return json_reply(200, {"@odata.context": context, "Version": self.version})


def _object(call: Call) -> dict[str, Any]:
    try:
        body = loads(call.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
