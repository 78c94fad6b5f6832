"""Ctrl-C sent to a real apply process while it writes: the journal holds every step, the run
ends with its summary and exit 7, and a second apply converges without duplicates.

The process is smsconf's own CLI with two settings a test needs: the local organisation
answers each request after 0.3 s, and a `$batch` carries 5 writes, so the apply of the example
takes several requests and SIGINT lands between answers. Ctrl-C at the confirmation prompt is
driven in a pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace, duplicates, ws

from smsconf.exitcodes import ExitCode
from smsconf.platform import TABLES

__all__ = ["ws"]  # the fixture, used by name


SLOW_SMSCONF = """
import os, pathlib, sys
from smsconf.cli import reconcile, run
from smsconf.dataverse import batch
from smsconf.emulator.dataverse import FaultConfig

batch.MAX_OPERATIONS = 5
opened = reconcile.open_target
seconds = float(os.environ.get("SLOW_SECONDS", "0.3"))

def slow(*args, **kwargs):
    pathlib.Path("opened").touch()  # the command is past start-up, about to read
    return opened(*args, faults=FaultConfig(slow=1.0, slow_seconds=seconds), **kwargs)

reconcile.open_target = slow
sys.argv[0] = "smsconf"
run()
"""


# On a hang, SIGQUIT makes the process print where it is (the failure message shows it).
DUMPING_SMSCONF = (
    "import faulthandler, signal; faulthandler.register(signal.SIGQUIT); "
    "from smsconf.cli import run; run()"
)


def journal_lines(home: Path) -> list[dict[str, object]]:
    files = sorted((home / "journal").glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines() if line]


def interrupted_apply(
    ws: Workspace, when: Callable[[], bool], sig: int = signal.SIGINT, **env: str
) -> tuple[int, str, str]:
    """A slow apply, sent `sig` once `when()` holds: (exit code, stdout, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SMSCONF, "apply", "examples/", "--auto-approve"],
        cwd=ws.root,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not when():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the moment never came"
        time.sleep(0.02)
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_ctrl_c_mid_apply_journals_every_step_and_a_rerun_converges(ws: Workspace) -> None:
    code, out, err = interrupted_apply(
        ws, lambda: any(e["status"] == "done" for e in journal_lines(ws.home))
    )

    assert code == ExitCode.PARTIAL_APPLY, out + err
    assert "Apply interrupted (Ctrl-C)" in err
    summary = [line for line in out.splitlines() if line.startswith("Apply: ")]
    assert summary and "not attempted (journal .smsconf/journal/apply-" in summary[0]
    entries = journal_lines(ws.home)
    counts = re.findall(r"(\d+) to \w+", out.split("Plan: ")[1].splitlines()[0])
    planned = sum(map(int, counts))  # creates, the Twilio inbound URL, associations
    assert len(entries) == planned == len({e["step"] for e in entries})
    statuses = {str(e["status"]) for e in entries}
    assert "done" in statuses and "not_attempted" in statuses

    again = ws.apply()
    assert again.exit_code == ExitCode.OK, again.output
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK
    assert duplicates(ws.key_counts()) == []


def test_kill_9_mid_apply_leaves_a_journal_of_what_was_answered(ws: Workspace) -> None:
    """No chance to clean up: every journal line already written is whole and true (each write
    is on disk before the next request goes), and the next apply finishes without duplicates."""
    code, _, _ = interrupted_apply(
        ws, lambda: any(e["status"] == "done" for e in journal_lines(ws.home)), signal.SIGKILL
    )
    assert code == -signal.SIGKILL
    entries = journal_lines(ws.home)  # json.loads of every line: a torn line would raise
    done = [e for e in entries if e["status"] == "done"]
    assert done and all(e["status"] == "done" for e in entries)
    for entry in (e for e in done if e["action"] == "create"):  # each is in the organisation
        table = str(entry["table"])
        assert ws.rows(table, **{TABLES[table].primary_key: entry["id"]}), entry
    again = ws.apply()
    assert again.exit_code == ExitCode.OK, again.output
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK
    assert duplicates(ws.key_counts()) == []


def test_ctrl_c_before_any_write_exits_130(ws: Workspace) -> None:
    opened = ws.root / "opened"
    code, out, err = interrupted_apply(ws, opened.exists, SLOW_SECONDS="5")
    assert code == ExitCode.INTERRUPTED, out + err
    assert "interrupted (Ctrl-C); nothing was written" in err and "Traceback" not in err
    assert journal_lines(ws.home) == []


def read_until(leader: int, wanted: bytes | None, seconds: float = 60) -> bytes:
    """What the terminal shows until `wanted` appears (None: until it closes), never blocking
    past `seconds`."""
    seen = b""
    deadline = time.monotonic() + seconds
    while (wanted is None or wanted not in seen) and time.monotonic() < deadline:
        if select.select([leader], [], [], 0.1)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            seen += chunk
    assert wanted is None or wanted in seen, seen.decode(errors="replace")[-2000:]
    return seen


def test_ctrl_c_at_the_prompt_cancels_at_once(ws: Workspace) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", DUMPING_SMSCONF, "apply", "examples/"],
        cwd=ws.root,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = read_until(leader, b"Apply these changes?")
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGQUIT)  # where it hangs, printed on the terminal
        seen += read_until(leader, None, seconds=2)
        process.kill()
        raise AssertionError(seen.decode(errors="replace")[-3000:]) from None
    assert code == ExitCode.ERROR  # cancelled, as a "no" is
    seen += read_until(leader, None, seconds=2)
    os.close(leader)
    assert b"Apply cancelled." in seen
    assert not (ws.home / "journal").exists() or journal_lines(ws.home) == []


@pytest.fixture(autouse=True)
def _no_stray_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMSCONF_HOME", raising=False)
