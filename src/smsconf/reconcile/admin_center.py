"""Which rows the plan leaves alone belong to the admin center: the organisation's ACS
connection (its provider setting) and the number rows under it (providers.md §2.2, §7.2 item 4).

smsconf reads and checks them when the configuration declares an ACS account, and never writes
them; the plan shows them as the admin center's rather than as objects the configuration does
not know. A number row under the connection that no configuration names stays unmanaged, said
to be the connection's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smsconf.config.model import Config
from smsconf.config.names import fold
from smsconf.mapping.keys import guid_of
from smsconf.platform.acs import NUMBER, SETTING, admin_center_owned

ADMIN_CENTER = "admin_center"
"""`Unmanaged.owner` of a row only the admin center writes."""


@dataclass(frozen=True)
class Owned:
    connection: str
    """The ACS connection's name (the provider setting's msdyn_name)."""
    configured: bool
    """The configuration declares it (an ACS account; a number one of them lists)."""


def admin_center_part(
    config: Config,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    table: str,
    row: Mapping[str, Any],
) -> Owned | None:
    """How `row` belongs to the admin center (None: it does not)."""
    if admin_center_owned(rows, table, row) is None:
        return None
    accounts = [a for a in config.accounts if a.provider == "acs"]
    if table == SETTING:
        return Owned(str(row.get("msdyn_name") or ""), bool(accounts))
    owner = guid_of(row.get("_msdyn_occommunicationprovidersettingid_value"))
    setting = next(
        (s for s in rows.get(SETTING, ()) if guid_of(s.get(f"{SETTING}id")) == owner), {}
    )
    number = fold(str(row.get("msdyn_phonenumber") or ""))
    named = any(fold(n.number) == number for a in accounts for n in a.numbers)
    assert table == NUMBER
    return Owned(str(setting.get("msdyn_name") or ""), named)
