"""live.py: what the live read asks each table for.

That every managed column is read is shown by the convergence tests (an applied edit plans to
zero only if its column is read back); here, that nothing beyond is asked for.
"""

from __future__ import annotations

import pytest

from smsconf.platform import TABLES
from smsconf.reconcile.live import columns_to_read


@pytest.mark.parametrize("name", sorted(TABLES))
def test_only_columns_smsconf_can_use_are_read(name: str) -> None:
    table = TABLES[name]
    read = columns_to_read(table)
    assert table.primary_key in read
    assert not {"createdon", "modifiedon", "_createdby_value", "versionnumber"} & set(read)
    assert not {c.read_name for c in table.columns if c.secured} & set(read)
