"""A hostile organisation (issue 21): live data of any shape renders and diffs without a crash.

The rows are written straight into the local organisation's store (tools/testkit/hostile_org.py,
which bench/reliability.py counts too). Plan (all four formats), apply, plan again, drift and
export must each end with a documented outcome, never exit 1 and never a traceback; a database
file that is not one is a clear line, not a traceback.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from tools.testkit.hostile_org import (
    NOT_A_DATABASE,
    against_bad_database,
    against_hostile_rows,
    one_clear_line,
)
from tools.testkit.workspace import Workspace

from smsconf.emulator.dataverse.store import Store, StoreError
from smsconf.exitcodes import ExitCode
from smsconf.target import LOCAL_DB


def test_every_command_survives_a_hostile_organisation(applied: Workspace) -> None:
    outcomes = against_hostile_rows(applied)
    assert [o.args for o in outcomes if not o.ok] == [], [o.output for o in outcomes if not o.ok]
    by_format = {o.args[3]: o for o in outcomes if o.args[0] == "plan" and len(o.args) > 2}
    assert set(by_format) == {"text", "markdown", "json", "html"}
    for fmt, outcome in by_format.items():
        assert outcome.exit_code == ExitCode.OK, outcome.output
        if fmt == "json":  # data: every name given back exactly, in valid JSON
            labels = [u["label"] for u in json.loads(outcome.output)["unmanaged"]]
            assert "queue '\x1b]0;pwned\x07title'" in labels and "queue '\u202eevil'" in labels
        else:  # shown: no control character reaches a terminal, a comment or a page
            text = outcome.output
            assert "\x1b]" not in text and "\u202e" not in text and "\r\n" not in text
            assert "12345" in text  # a number where the name should be, shown


@pytest.mark.parametrize("content", NOT_A_DATABASE.values(), ids=list(NOT_A_DATABASE))
def test_a_database_that_is_not_one_is_a_clear_line(ws: Workspace, content: bytes) -> None:
    """Random bytes (or a broken header) where the organisation's database should be: one
    line naming the file, exit 1 (the organisation cannot be opened), no traceback."""
    for outcome in against_bad_database(ws, content):
        assert one_clear_line(outcome), outcome
        assert str(LOCAL_DB) in outcome.output


def test_a_foreign_sqlite_file_is_refused_on_open(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE rows (name TEXT)")
    with pytest.raises(StoreError, match="table rows has columns name, not tbl, id, data"):
        Store(db)
