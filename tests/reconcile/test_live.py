"""live.py: what the live read asks each table for.

That every managed column is read is shown by the convergence tests (an applied edit plans to
zero only if its column is read back); here, that nothing beyond is asked for.
"""

from __future__ import annotations

import pytest

from smsconf.platform import TABLES
from smsconf.platform.snapshot import load_snapshot
from smsconf.reconcile.live import columns_to_read


@pytest.mark.parametrize("name", sorted(TABLES))
def test_only_columns_smsconf_can_use_are_read(name: str) -> None:
    table = TABLES[name]
    read = columns_to_read(table)
    assert table.primary_key in read
    assert not {"createdon", "modifiedon", "_createdby_value", "versionnumber"} & set(read)
    assert not {c.read_name for c in table.columns if c.secured} & set(read)


@pytest.mark.parametrize("who", [False, True])
def test_smsconf_never_selects_a_column_not_valid_for_read(who: bool) -> None:
    """Every column of every read's `$select` is IsValidForRead on Microsoft's pages: the
    service refuses the whole read otherwise ("Retrieve can only return columns that are valid
    for read", as the Dataverse emulator answers too)."""
    snapshot = load_snapshot()
    checked = 0
    for table in TABLES.values():
        page = snapshot.table(table.logical_name)
        if page is None:
            continue
        by_read_name = {c.read_name: c.logical_name for c in table.columns}
        for name in [*columns_to_read(table, who=who), table.primary_key]:
            attribute = page.attribute(by_read_name.get(name, name))
            if attribute is not None:
                checked += 1
                assert attribute.valid_for_read, f"{table.logical_name}.{name}"
    assert checked > 100
    unreadable = [
        (page.logical_name, a.logical_name)
        for page in snapshot.tables()
        for a in page.attributes()
        if not a.valid_for_read
    ]
    assert unreadable, "the snapshot knows columns not valid for read (this test can fail)"
