"""A hostile organisation (issue 21), shared by tests/reconcile/test_hostile_org.py and
bench/reliability.py: rows of any shape written straight into the local organisation's store,
and a database file that is not one.

Anyone who can create a row can put anything in it, and a hand-edited or older database can
hold what the Web API would refuse today: a lone surrogate and terminal escapes in names,
numbers, nulls, lists and maps where text is expected, text where numbers are, a ruleset that
is not XML. Every command must end with a documented outcome, never exit 1 or a traceback.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from tools.testkit.workspace import Workspace

from smsconf.emulator.dataverse.store import Store
from smsconf.exitcodes import ExitCode
from smsconf.target import LOCAL_DB

HOSTILE_NAMES: list[object] = [
    "lone \ud800 surrogate",
    "\x1b]0;pwned\x07title",
    "cr\r\nlf",
    "\u202eevil",
    "",
    12345,
    None,
    ["list"],
    {"a": 1},
]
ODD_COLUMNS = (
    ("queue", {"msdyn_priority": "not a number", "msdyn_operatinghourid": 7}),
    ("msdyn_liveworkstream", {"msdyn_capacityrequired": "x", "msdyn_bot_rule": 42}),
    ("msdyn_decisionruleset", {"msdyn_rulesetdefinition": "<not xml \ud800"}),
    ("msdyn_ocphonenumber", {"msdyn_phonenumber": 14255550100}),
)
COMMANDS: tuple[tuple[str, ...], ...] = (
    *(("plan", "examples/", "--format", fmt) for fmt in ("text", "markdown", "json", "html")),
    ("apply", "examples/", "--auto-approve"),
    ("plan", "examples/"),
    ("drift", "examples/"),
    ("export", "--out", "exported"),
)
NOT_A_DATABASE = {
    "random bytes": bytes(range(256)) * 20,
    "broken header": b"SQLite format 3\x00" + b"\xff" * 4000,
}


def write_hostile_rows(home: Path) -> None:
    """Write the hostile rows into the organisation's store, as a corrupted org holds them."""
    store = Store(home / LOCAL_DB)
    try:
        with store.transaction():
            base = store.rows("queue")[0]  # the server-owned columns a served row carries
            for i, name in enumerate(HOSTILE_NAMES):
                row_id = str(uuid.UUID(int=i + 1))
                hostile = {
                    "queueid": row_id,
                    "name": name,
                    "msdyn_isdefaultqueue": "yes",
                    "msdyn_priority": "high" if i % 2 else None,
                    "msdyn_assignmentstrategy": "nonsense",
                }
                store.put("queue", row_id, {**base, **hostile})
            for table, odd in ODD_COLUMNS:
                rows = store.rows(table)  # the row already holding the value, if any
                row = next((r for r in rows if _holds(r, odd)), rows[0])
                store.put(table, row[f"{table}id"], {**row, **odd})
    finally:
        store.close()


def _holds(row: dict[str, object], values: dict[str, object]) -> bool:
    return all(str(row.get(column)) == str(value) for column, value in values.items())


@dataclass
class Outcome:
    args: tuple[str, ...]
    exit_code: int
    output: str
    traceback: bool

    @property
    def ok(self) -> bool:
        """A documented outcome: not exit 1 (an unexpected error), no traceback."""
        return self.exit_code != ExitCode.ERROR and not self.traceback


def run(ws: Workspace, *args: str) -> Outcome:
    result = ws.smsconf(*args)
    text = result.output  # stdout and stderr, as a terminal shows them
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return Outcome(args, result.exit_code, text, crashed or "Traceback" in text)


def against_hostile_rows(applied: Workspace) -> list[Outcome]:
    """Every command of `COMMANDS` on an applied organisation holding the hostile rows."""
    write_hostile_rows(applied.home)
    return [run(applied, *args) for args in COMMANDS]


def against_bad_database(ws: Workspace, content: bytes) -> list[Outcome]:
    """`plan` and `emulator serve --db` on a database file that is not one: each must say so
    in one line naming the file and exit 1 (the organisation cannot be opened)."""
    db = ws.home / LOCAL_DB
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(content)
    return [run(ws, "plan", "examples/"), run(ws, "emulator", "serve", "--db", str(db))]


def one_clear_line(outcome: Outcome) -> bool:
    lines = [line for line in outcome.output.splitlines() if line.strip()]
    return (
        outcome.exit_code == ExitCode.ERROR
        and not outcome.traceback
        and len(lines) == 1
        and "is not a readable organisation database" in lines[0]
    )
