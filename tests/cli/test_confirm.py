"""The confirmation prompt, driven in a pseudo-terminal as a person at a terminal meets it:
a plan that deletes takes the word `yes` itself (Terraform's rule), so a `y` typed out of habit
deletes nothing; a plan without deletes still takes `y`."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tools.testkit import workspace as shared
from tools.testkit.redteam import NUMBER, NUMBER_ADDRESS, remove_short_code
from tools.testkit.workspace import Workspace

applied, applied_db, ws = shared.applied, shared.applied_db, shared.ws  # the fixtures
SMSCONF = Path(sys.executable).parent / "smsconf"
HANG_GUARD = 120.0
"""Only so that a broken prompt fails the test instead of hanging it; never a timing claim."""


def at_terminal(ws: Workspace, args: list[str], answer: str, prompt: str) -> tuple[int, str]:
    """Run smsconf on a pseudo-terminal, type `answer` once `prompt` shows; (exit, screen)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(SMSCONF), *args],
        cwd=ws.root,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(slave)
    screen = b""
    answered = False
    try:
        while True:
            ready, _, _ = select.select([master], [], [], HANG_GUARD)
            assert ready, f"smsconf stopped talking; the screen so far:\n{screen.decode()}"
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: smsconf exited
                break
            if not chunk:
                break
            screen += chunk
            if not answered and prompt.encode() in screen:
                os.write(master, answer.encode() + b"\r")
                answered = True
    finally:
        os.close(master)
    assert answered, f"no prompt {prompt!r}; the screen:\n{screen.decode()}"
    return process.wait(timeout=HANG_GUARD), screen.decode(errors="replace")


def _deleting(ws: Workspace) -> list[str]:
    remove_short_code(ws)
    return ["apply", "examples/", "--allow-delete", NUMBER_ADDRESS]


def _numbers(ws: Workspace) -> int:
    return len(ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER))


def test_y_does_not_approve_a_delete(applied: Workspace) -> None:
    code, screen = at_terminal(applied, _deleting(applied), "y", "Type yes")
    assert "This plan deletes 1 object(s)" in screen
    assert "only 'yes' approves it" in screen
    assert "Apply cancelled." in screen
    assert code != 0
    assert _numbers(applied) == 1


def test_yes_approves_a_delete(applied: Workspace) -> None:
    code, screen = at_terminal(applied, _deleting(applied), "yes", "Type yes")
    assert code == 0, screen
    assert _numbers(applied) == 0


def test_a_saved_plans_allowance_is_confirmed_by_typing_yes(applied: Workspace) -> None:
    """`apply --plan FILE` at a terminal, no flags: the plan's allowed deletes are shown and the
    person's `yes` is what lets them through (unattended, the workflow must agree instead)."""
    _deleting(applied)  # the configuration change; the plan is saved instead of applied
    planned = applied.plan("--allow-delete", NUMBER_ADDRESS, "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    code, screen = at_terminal(applied, ["apply", "--plan", "plan.json"], "yes", "Type yes")
    assert f"deletes allowed: {NUMBER_ADDRESS}" in screen
    assert code == 0, screen
    assert _numbers(applied) == 0


def test_y_still_approves_a_plan_without_deletes(applied: Workspace) -> None:
    applied.edit("    priority: 10\n", "    priority: 11\n")
    code, screen = at_terminal(applied, ["apply", "examples/"], "y", "Apply these changes?")
    assert code == 0, screen
    assert "Apply: 1 done" in screen
