"""A hostile organisation (issue 21): live data of any shape renders and diffs without a crash.

Anyone who can create a row can put anything in it, and a hand-edited or older database can
hold what the Web API would refuse today, so these rows are written straight into the local
organisation's store: a lone surrogate and terminal escapes in names, numbers and nulls where
text is expected, text where numbers are, and a ruleset that is not XML. Plan (all four
formats), apply, plan again, drift and export must each end with a documented outcome, never
exit 1 and never a traceback.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace

from smsconf.emulator.dataverse.store import Store, StoreError
from smsconf.exitcodes import ExitCode
from smsconf.target import LOCAL_DB

HOSTILE_NAMES = ["lone \ud800 surrogate", "\x1b]0;pwned\x07title", "cr\r\nlf", "\u202eevil", ""]


def hostile(ws: Workspace) -> None:
    """Write the hostile rows into the organisation's store, as a corrupted org would hold them."""
    store = Store(ws.home / LOCAL_DB)
    try:
        with store.transaction():
            base = store.rows("queue")[0]  # the server-owned columns a served row carries
            for i, name in enumerate([*HOSTILE_NAMES, 12345, None, ["list"], {"a": 1}]):
                row_id = str(uuid.UUID(int=i + 1))
                store.put(
                    "queue",
                    row_id,
                    {
                        **base,
                        "queueid": row_id,
                        "name": name,
                        "msdyn_isdefaultqueue": "yes",
                        "msdyn_priority": "high" if i % 2 else None,
                        "msdyn_assignmentstrategy": "nonsense",
                    },
                )
            for table, odd in (
                ("queue", {"msdyn_priority": "not a number", "msdyn_operatinghourid": 7}),
                ("msdyn_liveworkstream", {"msdyn_capacityrequired": "x", "msdyn_bot_rule": 42}),
                ("msdyn_decisionruleset", {"msdyn_rulesetdefinition": "<not xml \ud800"}),
                ("msdyn_ocphonenumber", {"msdyn_phonenumber": 14255550100}),
            ):
                for row in store.rows(table)[:1]:
                    primary = next(k for k in row if k == f"{table}id")
                    store.put(table, row[primary], {**row, **odd})
    finally:
        store.close()


@pytest.fixture
def hostile_org(applied: Workspace) -> Workspace:
    hostile(applied)
    return applied


def outcome(ws: Workspace, *args: str) -> tuple[int, str]:
    result = ws.smsconf(*args)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert "Traceback" not in text, text
    assert result.exit_code != ExitCode.ERROR, text
    return result.exit_code, text


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_every_plan_format_renders_a_hostile_organisation(hostile_org: Workspace, fmt: str) -> None:
    code, text = outcome(hostile_org, "plan", "examples/", "--format", fmt, "--detailed-exitcode")
    assert code in (ExitCode.OK, ExitCode.CHANGES, ExitCode.INVALID_CONFIG), text
    if fmt == "json":  # data: every name given back exactly, in valid JSON
        labels = [u["label"] for u in json.loads(text)["unmanaged"]]
        assert "queue '\x1b]0;pwned\x07title'" in labels and "queue '\u202eevil'" in labels
    else:  # shown: no control character reaches a terminal, a comment or a page
        assert "\x1b]" not in text and "\u202e" not in text and "\r\n" not in text


def test_apply_plan_drift_and_export_survive_a_hostile_organisation(hostile_org: Workspace) -> None:
    code, text = outcome(hostile_org, "apply", "examples/", "--auto-approve")
    assert code in (ExitCode.OK, ExitCode.INVALID_CONFIG, ExitCode.PARTIAL_APPLY), text
    for args in (("plan", "examples/"), ("drift", "examples/"), ("export", "--out", "exported")):
        outcome(hostile_org, *args)


@pytest.mark.parametrize("command", [("plan", "examples/"), ("emulator", "serve", "--db")])
@pytest.mark.parametrize(
    "content", [bytes(range(256)) * 20, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_a_database_that_is_not_one_is_a_clear_line(
    ws: Workspace, command: tuple[str, ...], content: bytes
) -> None:
    """Random bytes (or a broken header) where the organisation's database should be: one
    line naming the file, exit 1 (the organisation cannot be opened), no traceback."""
    db = ws.home / LOCAL_DB
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(content)
    result = ws.smsconf(*command, *([str(db)] if command[-1] == "--db" else []))
    assert result.exit_code == ExitCode.ERROR, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "is not a readable organisation database" in lines[0], lines
    assert str(LOCAL_DB) in lines[0]


def test_a_foreign_sqlite_file_is_refused_on_open(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE rows (name TEXT)")
    with pytest.raises(StoreError, match="table rows has columns name, not tbl, id, data"):
        Store(db)
