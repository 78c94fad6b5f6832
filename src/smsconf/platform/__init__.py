"""What Dynamics 365 stores, as data: the one definition of every table smsconf touches.

Shared by the Dataverse emulator and the reconciler, and by nothing else between them.
"""

from smsconf.platform.model import (
    BULK_MESSAGES,
    AlternateKey,
    Column,
    ColumnType,
    ManyToMany,
    Option,
    Table,
)
from smsconf.platform.tables import (
    ALL_TABLES,
    MANY_TO_MANY,
    TABLES,
    many_to_many,
    referencing_lookups,
    relationships_of,
    table_by_entity_set,
)

__all__ = [
    "ALL_TABLES",
    "BULK_MESSAGES",
    "MANY_TO_MANY",
    "TABLES",
    "AlternateKey",
    "Column",
    "ColumnType",
    "ManyToMany",
    "Option",
    "Table",
    "many_to_many",
    "referencing_lookups",
    "relationships_of",
    "table_by_entity_set",
]
