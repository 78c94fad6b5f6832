"""SQLite storage of rows and N:N links, with nested transactions.

One connection guarded by a re-entrant lock keeps concurrent requests serialisable without
sharing cursors across threads; nesting turns into savepoints so a `$batch` change set can roll
back its own operations while the batch goes on. Rows are stored as JSON keyed by logical
column names; the Web API shape is produced elsewhere, on the way out.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smsconf.emulator.dataverse import supplement
from smsconf.emulator.dataverse.errors import UNEXPECTED, DataverseError

Row = dict[str, Any]
BUSY_TIMEOUT = 30.0  # seconds to wait for another process (a served org and the CLI) to commit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS links (
    rel TEXT NOT NULL, id1 TEXT NOT NULL, id2 TEXT NOT NULL, PRIMARY KEY (rel, id1, id2));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbound_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT, customer_id TEXT, body TEXT NOT NULL,
    received_on TEXT NOT NULL);
"""


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _extract(column: str, text: bool) -> str:
    """The SQL of one stored column's value, as `find` compares it (strings ignore case)."""
    value = f"""json_extract(data, '$."{column}"')"""
    return f"lower({value})" if text else value


def _key_indexes() -> list[str]:
    """An expression index per alternate key, so a unique-key check on every insert (and a URL
    naming a row by its alternate key) is a lookup, not a scan of the table's rows."""
    statements: dict[str, str] = {}
    for keys in supplement.KEYS.values():
        for key in keys:
            if not all(_PLAIN_NAME.fullmatch(c) for c in key.columns):
                continue
            parts = [_extract(name, text=True) for name in key.columns]  # every key is text
            index = "rows_key_" + "_".join(key.columns)
            statements.setdefault(
                ", ".join(parts),
                f"CREATE INDEX IF NOT EXISTS {index} ON rows (tbl, {', '.join(parts)})",
            )
    return list(statements.values())


_COLUMNS = {
    "rows": ["tbl", "id", "data"],
    "links": ["rel", "id1", "id2"],
    "meta": ["key", "value"],
}


class StoreError(Exception):
    """The file is not an organisation database smsconf can use (one line, no traceback)."""


class Store:
    """The emulated organisation's database: a file that survives restarts, or memory."""

    def __init__(self, path: str | Path = ":memory:", busy_timeout: float = BUSY_TIMEOUT) -> None:
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=busy_timeout
        )
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._open(str(path))
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(
                f"{path} is not a readable organisation database ({exc}); move it away and a "
                "fresh local organisation is made in its place"
            ) from None

    def _open(self, path: str) -> None:
        """Checked on open, so a random or foreign file is one clear message, not a traceback
        at the first request: SQLite reads the header (journal mode), then the tables must
        have the columns this store writes."""
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        for table, columns in _COLUMNS.items():
            found = [row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")]
            if found != columns:
                raise sqlite3.DatabaseError(
                    f"table {table} has columns {', '.join(found)}, not {', '.join(columns)}"
                )
        for statement in _key_indexes():
            self._conn.execute(statement)

    def close(self) -> None:
        """Release the database file."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing work; nested calls are savepoints that roll back on their own."""
        with self._lock:
            depth = self._depth
            name = f"sp{depth}"
            self._begin("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if depth == 0:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
                raise
            self._depth -= 1
            self._conn.execute("COMMIT" if depth == 0 else f"RELEASE {name}")

    def _begin(self, statement: str) -> None:
        """Start a transaction; another process holding the file too long is a 503 to retry."""
        try:
            self._conn.execute(statement)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise DataverseError(
                503,
                UNEXPECTED,
                "The organisation's database is busy; retry later.",
                {"Retry-After": "1"},
            ) from None

    def get(self, table: str, row_id: str) -> Row | None:
        """One row by primary key."""
        cur = self._conn.execute("SELECT data FROM rows WHERE tbl=? AND id=?", (table, row_id))
        found = cur.fetchone()
        return json.loads(found[0]) if found else None

    def rows(self, table: str) -> list[Row]:
        """Every row of a table, in insertion order."""
        cur = self._conn.execute("SELECT data FROM rows WHERE tbl=? ORDER BY rowid", (table,))
        return [json.loads(data) for (data,) in cur]

    def find(self, table: str, values: dict[str, Any]) -> list[Row]:
        """Rows whose columns equal `values`, strings compared case-insensitively as SQL does."""
        clauses = []
        params: list[Any] = [table]
        for column, value in values.items():
            text = isinstance(value, str)
            if _PLAIN_NAME.fullmatch(column):  # the path as a literal: the key indexes match it
                clauses.append(f"{_extract(column, text)} = {'lower(?)' if text else '?'}")
            else:
                path = "json_extract(data, ?)"
                clauses.append(f"lower({path}) = lower(?)" if text else f"{path} = ?")
                params.append(f'$."{column}"')
            params.append(value)
        sql = "SELECT data FROM rows WHERE tbl=? AND " + " AND ".join(clauses)
        return [json.loads(data) for (data,) in self._conn.execute(sql, params)]

    def put(self, table: str, row_id: str, row: Row) -> None:
        """Insert or replace a row."""
        self._conn.execute(
            "INSERT OR REPLACE INTO rows (tbl, id, data) VALUES (?, ?, ?)",
            (table, row_id, json.dumps(row)),
        )

    def delete(self, table: str, row_id: str) -> None:
        """Remove a row and its N:N links."""
        self._conn.execute("DELETE FROM rows WHERE tbl=? AND id=?", (table, row_id))
        self._conn.execute("DELETE FROM links WHERE id1=? OR id2=?", (row_id, row_id))

    def next_version(self) -> int:
        """A new row version, greater than every version handed out before."""
        cur = self._conn.execute(
            "INSERT INTO meta (key, value) VALUES ('version', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1 RETURNING value"
        )
        return int(cur.fetchone()[0])

    def meta(self, key: str) -> str | None:
        """A stored setting, such as whether the org was seeded."""
        found = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return found[0] if found else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def link(self, rel: str, id1: str, id2: str) -> bool:
        """Associate two rows through an N:N relationship; False if they were linked already."""
        cur = self._conn.execute(
            "INSERT OR IGNORE INTO links (rel, id1, id2) VALUES (?, ?, ?)", (rel, id1, id2)
        )
        return cur.rowcount > 0

    def unlink(self, rel: str, id1: str, id2: str) -> bool:
        """Remove an association; False if there was none."""
        cur = self._conn.execute(
            "DELETE FROM links WHERE rel=? AND id1=? AND id2=?", (rel, id1, id2)
        )
        return cur.rowcount > 0

    def linked(self, rel: str, row_id: str, *, from_first: bool) -> list[str]:
        """Ids on the other side of `rel`, seen from table1 (`from_first`) or table2."""
        mine, other = ("id1", "id2") if from_first else ("id2", "id1")
        cur = self._conn.execute(
            f"SELECT {other} FROM links WHERE rel=? AND {mine}=? ORDER BY rowid", (rel, row_id)
        )
        return [r[0] for r in cur]

    def all_linked(self, rel: str, far_table: str, *, from_first: bool) -> dict[str, list[Row]]:
        """Every link of `rel` at once: row id → the far side's rows, in link order (two
        queries for a whole `$expand`, where `linked` costs one per row and one per far row)."""
        mine, other = ("id1", "id2") if from_first else ("id2", "id1")
        far = {
            row_id: json.loads(data)
            for row_id, data in self._conn.execute(
                f"SELECT id, data FROM rows WHERE tbl=? AND id IN "
                f"(SELECT {other} FROM links WHERE rel=?)",
                (far_table, rel),
            )
        }
        out: dict[str, list[Row]] = {}
        for near, far_id in self._conn.execute(
            f"SELECT {mine}, {other} FROM links WHERE rel=? ORDER BY rowid", (rel,)
        ):
            if far_id in far:
                out.setdefault(near, []).append(far[far_id])
        return out

    def add_inbound(
        self, org_id: str | None, customer_id: str | None, body: str, when: str
    ) -> None:
        """Keep an inbound provider callback for later inspection."""
        self._conn.execute(
            "INSERT INTO inbound_messages (org_id, customer_id, body, received_on) "
            "VALUES (?, ?, ?, ?)",
            (org_id, customer_id, body, when),
        )

    def inbound(self) -> list[Row]:
        """Inbound provider callbacks, oldest first."""
        cur = self._conn.execute(
            "SELECT org_id, customer_id, body, received_on FROM inbound_messages ORDER BY seq"
        )
        return [{"org_id": o, "customer_id": c, "body": b, "received_on": r} for o, c, b, r in cur]
