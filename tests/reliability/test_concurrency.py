"""Concurrent writers: exactly one wins per row, the other stops with exit 6 naming the row,
and nothing is lost silently (the loser's edit still shows in its next plan).

Three ways two writers meet: two saved plans of different edits made from the same state; an
admin-center edit of the very row a plan changes, between plan and apply (saved plan, and
inside one `apply` after its own re-check, where only If-Match can catch it); and two
`smsconf apply` processes started at the same moment on one organisation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp
from tests.reliability.conftest import ServeOrg
from tools.testkit.served import SERVED_DB
from tools.testkit.workspace import Workspace, rows_where

from smsconf.dataverse import DataverseClient, StaticToken
from smsconf.emulator.dataverse import create_app
from smsconf.exitcodes import ExitCode

QUEUE = "SMS Support Tier 1"
PRIORITY = "    priority: 10\n"
SMSCONF = str(Path(sys.executable).parent / "smsconf")
REAL_PROCESS_ROUNDS = 1
SLOW_PROCESS_ROUNDS = 10


def edited_copy(
    ws: Workspace, name: str, priority: int, extra: tuple[str, str] | None = None
) -> str:
    """A copy of the example in `name/` with the queue's priority set (and one more edit)."""
    directory = ws.root / name
    shutil.copytree(ws.config_dir, directory)
    config = directory / "channels.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count(PRIORITY) == 1
    text = text.replace(PRIORITY, f"    priority: {priority}\n")
    if extra:
        assert text.count(extra[0]) == 1
        text = text.replace(*extra)
    config.write_text(text, encoding="utf-8")
    return f"{name}/"


def queue_row(ws: Workspace) -> dict[str, Any]:
    (row,) = ws.rows("queue", name=QUEUE)
    return row


def names_the_row(message: str, row: dict[str, Any]) -> bool:
    """The stale-plan message says which row moved: by its id, or by its label."""
    return row["queueid"] in message or f"queue '{QUEUE}'" in message


def saved_plan(ws: Workspace, config: str, out: str) -> None:
    result = ws.smsconf("plan", config, "--out", out)
    assert result.exit_code == ExitCode.OK, result.output


def apply_saved(ws: Workspace, config: str, plan: str) -> Any:
    return ws.smsconf("apply", config, "--plan", plan, "--auto-approve")


def pending(ws: Workspace, config: str) -> list[dict[str, Any]]:
    result = ws.smsconf("plan", config, "--format", "json", "--skip-credentials")
    assert result.exit_code == ExitCode.OK, result.output
    return json.loads(result.stdout)["resource_changes"]


def test_two_saved_plans_of_different_edits_one_wins(applied: Workspace) -> None:
    ws = applied
    other_queue = ("round_robin\n    priority: 1\n", "round_robin\n    priority: 2\n")
    a = edited_copy(ws, "a", 11)
    b = edited_copy(ws, "b", 12, other_queue)
    saved_plan(ws, a, "a.json")
    saved_plan(ws, b, "b.json")
    row = queue_row(ws)

    first = apply_saved(ws, a, "a.json")
    assert first.exit_code == ExitCode.OK, first.output
    second = apply_saved(ws, b, "b.json")
    assert second.exit_code == ExitCode.STALE_PLAN, second.output
    assert names_the_row(second.stderr, row), second.stderr
    assert "nothing written" in second.stderr

    assert queue_row(ws)["msdyn_priority"] == 11
    assert ws.rows("queue", name="SMS Support VIP")[0]["msdyn_priority"] == 1
    # Not lost: b's next plan shows both of its edits, against a's value.
    changes = {c["label"]: c["change"] for c in pending(ws, b)}
    assert changes[f"queue '{QUEUE}'"]["before"] == {"msdyn_priority": 11}
    assert changes["queue 'SMS Support VIP'"]["after"] == {"msdyn_priority": 2}


def test_admin_edit_of_the_planned_row_stops_apply(applied: Workspace) -> None:
    """The admin center changes the row the plan updates: the admin's value survives."""
    ws = applied
    a = edited_copy(ws, "a", 11)
    saved_plan(ws, a, "a.json")
    row = queue_row(ws)
    ws.update("queue", row["queueid"], {"msdyn_priority": 30})

    result = apply_saved(ws, a, "a.json")
    assert result.exit_code == ExitCode.STALE_PLAN, result.output
    assert names_the_row(result.stderr, row), result.stderr
    assert queue_row(ws)["msdyn_priority"] == 30
    (change,) = pending(ws, a)
    assert change["change"]["before"] == {"msdyn_priority": 30}


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class AdminBeforeBatch:
    """ASGI middleware: when armed, the next `$batch` that writes is preceded by an
    admin-center edit of the queue, straight into the same database: the window between
    apply's last re-read and its writes, which no re-check can close."""

    def __init__(self, app: ASGIApp, db: Path) -> None:
        self.app = app
        self.db = db
        self.armed = False
        self.edited_id: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (self.armed and scope["type"] == "http" and scope["path"].endswith("$batch")):
            await self.app(scope, receive, send)  # type: ignore[arg-type]
            return
        body = b""
        while True:  # reads go in $batch requests too: wait for the one that writes
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if b"PATCH " in body:
            self.armed = False
            await self._admin_edit()
        sent = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)  # type: ignore[arg-type]

    async def _admin_edit(self) -> None:
        admin = create_app(self.db)
        try:
            async with DataverseClient(
                "http://admin.center", StaticToken("admin"), transport=httpx.ASGITransport(admin)
            ) as client:
                (row,) = await rows_where(client, "queue", name=QUEUE)
                self.edited_id = row["queueid"]
                await client.update("queues", row["queueid"], {"msdyn_priority": 30})
        finally:
            admin.close()


def test_edit_between_apply_recheck_and_write_is_caught_by_if_match(
    ws: Workspace, serve_org: ServeOrg
) -> None:
    """Apply re-reads the org right before writing; an edit landing after that re-read and
    before the `$batch` is caught by the update's If-Match: exit 6, the admin's value kept."""
    meddlers: list[AdminBeforeBatch] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        meddlers.append(AdminBeforeBatch(app, ws.root / SERVED_DB))
        return meddlers[0]  # type: ignore[return-value]

    org = serve_org(wrap=wrap)
    (meddler,) = meddlers
    first = org.apply()
    assert first.exit_code == ExitCode.OK, first.output
    org.ws.edit(PRIORITY, "    priority: 11\n")
    meddler.armed = True

    result = org.apply()
    assert meddler.edited_id, "the admin edit did not happen"
    assert result.exit_code == ExitCode.STALE_PLAN, result.output
    assert f"queue '{QUEUE}'" in result.stderr
    assert "ETag" in result.stderr
    (row,) = org.rows("queue", name=QUEUE)
    assert row["msdyn_priority"] == 30


def run_two_applies_at_once(ws: Workspace) -> list[tuple[int, str, str]]:
    """Two real `smsconf apply` processes, different edits of one row, started together."""
    env = {**os.environ, "SMSCONF_HOME": str(ws.home)}
    env.pop("SMSCONF_TOKEN", None)
    procs = [
        subprocess.Popen(
            [SMSCONF, "apply", config, "--auto-approve"],
            cwd=ws.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for config in ("a/", "b/")
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        outcomes.append((proc.returncode, out, err))
    return outcomes


def check_race(ws: Workspace, outcomes: list[tuple[int, str, str]]) -> str:
    """One writer wins the row; a loser exits 6 naming it; if both exit 0 they ran one after
    the other and the second one's plan showed (so knowingly replaced) the first one's value."""
    codes = sorted(code for code, _, _ in outcomes)
    assert codes in ([0, 0], [0, ExitCode.STALE_PLAN]), outcomes
    final = queue_row(ws)["msdyn_priority"]
    if codes == [0, 0]:
        (_, out_a, _), (_, out_b, _) = outcomes
        replaced = {"].priority: 11 → 12": 12, "].priority: 12 → 11": 11}
        seen = [value for text, value in replaced.items() if text in out_a + out_b]
        assert seen == [final], (final, outcomes)
        return "serial"
    winner = next(i for i, (code, _, _) in enumerate(outcomes) if code == 0)
    loser_err = outcomes[1 - winner][2]
    assert final == (11, 12)[winner], (final, outcomes)
    assert names_the_row(loser_err, queue_row(ws)), loser_err
    return "raced"


@pytest.fixture
def racers(applied: Workspace) -> Workspace:
    edited_copy(applied, "a", 11)
    edited_copy(applied, "b", 12)
    return applied


def test_two_applies_started_at_once(racers: Workspace) -> None:
    for _ in range(REAL_PROCESS_ROUNDS):
        check_race(racers, run_two_applies_at_once(racers))


@pytest.mark.slow
def test_two_applies_started_at_once_many_rounds(racers: Workspace) -> None:
    kinds = []
    for _ in range(SLOW_PROCESS_ROUNDS):
        racers.update("queue", queue_row(racers)["queueid"], {"msdyn_priority": 10})
        kinds.append(check_race(racers, run_two_applies_at_once(racers)))
    assert kinds
