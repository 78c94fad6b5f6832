"""The per-organisation column probe: which columns of the tables a client names this
organisation has, learnt before a single row is read.

Organisations differ by the solutions and versions installed (a column one has, another
lacks), and one unknown column in a `$select` makes the service refuse the whole query. So the
client asks first, in one `$batch` request beside `WhoAmI` and `RetrieveVersion`:
`EntityDefinitions(LogicalName='<t>')/Attributes?$select=LogicalName` per table. The read that
follows then names only columns that exist, and the request count stays what it was (WhoAmI
went alone before). Nothing is cached across runs: columns come with solutions, which change
without the platform version (`RetrieveVersion`) changing, so a version-keyed cache could serve
a stale answer, and the probe costs no request of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from smsconf.dataverse.client import DataverseClient, Row
from smsconf.dataverse.errors import NotFound, ProtocolError
from smsconf.dataverse.odata import key_segment
from smsconf.dataverse.operations import Operation

UNKNOWN_VERSION = "unknown"


@dataclass(frozen=True)
class OrganisationSchema:
    """Who the client is, the organisation's version, and the columns of each probed table.

    A table the organisation does not have at all maps to no columns.
    """

    who: Row
    version: str
    columns: dict[str, frozenset[str]]

    def has(self, table: str, column: str) -> bool:
        """Whether `table` has `column` here (a table never probed is assumed complete)."""
        present = self.columns.get(table)
        return present is None or column in present

    def present(self, table: str, columns: Iterable[str]) -> list[str]:
        """`columns` without those this organisation lacks, in their order."""
        return [c for c in columns if self.has(table, c)]


def _attributes(table: str) -> Operation:
    key = key_segment({"LogicalName": table})
    return Operation(
        "GET", f"EntityDefinitions{key}/Attributes?$select=LogicalName", idempotent=True
    )


async def probe(client: DataverseClient, tables: Sequence[str]) -> OrganisationSchema:
    """WhoAmI, the version and the columns of `tables`, in one `$batch` request.

    Raises the WhoAmI failure, or any probe failure other than a table that does not exist.
    """
    ops = [
        Operation("GET", "WhoAmI", idempotent=True),
        Operation("GET", "RetrieveVersion()", idempotent=True),
        *map(_attributes, tables),
    ]
    who, version, *answers = await client.batch(ops, continue_on_error=True)
    if who.error is not None:
        raise who.error
    if not isinstance(who.body, dict):
        raise ProtocolError("WhoAmI answered without a JSON object", request="GET WhoAmI")
    columns: dict[str, frozenset[str]] = {}
    for table, answer in zip(tables, answers, strict=True):
        if isinstance(answer.error, NotFound):
            columns[table] = frozenset()
            continue
        if answer.error is not None:
            raise answer.error
        items = answer.body.get("value") if isinstance(answer.body, dict) else None
        if not isinstance(items, list):
            raise ProtocolError(
                "Attributes answered without a 'value' array", request=answer.operation.describe()
            )
        columns[table] = frozenset(str(i.get("LogicalName")) for i in items if isinstance(i, dict))
    found = version.body.get("Version") if isinstance(version.body, dict) else None
    return OrganisationSchema(who.body, str(found or UNKNOWN_VERSION), columns)
