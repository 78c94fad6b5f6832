"""On a terminal: colour by default, none with `--no-color` or NO_COLOR; retries shown as they
happen. Piped runs get neither (the rest of the suite reads piped output)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.dataverse.peers import served

from smsconf.emulator.dataverse import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"
ESC = b"\x1b["
SMSCONF = "import sys; from smsconf.cli import run; sys.argv[0] = 'smsconf'; run()"


def on_a_terminal(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stderr: bool = False
) -> bytes:
    """Run smsconf with stdout (and `stderr` too) on a pseudo-terminal; what it printed there."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-c", SMSCONF, *args]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | (env or {})
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=follower,
        stderr=follower if stderr else subprocess.DEVNULL,
        env=environment,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    process.wait(timeout=60)
    return b"".join(chunks)


def plan_on_a_terminal(cwd: Path, *flags: str, env: dict[str, str] | None = None) -> bytes:
    return on_a_terminal(cwd, *flags, "plan", "examples", env=env)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("colour")
    shutil.copytree(EXAMPLES, root / "examples")
    return root


def test_a_terminal_gets_colour(workdir: Path) -> None:
    assert ESC in plan_on_a_terminal(workdir)


def test_no_color_flag_turns_it_off(workdir: Path) -> None:
    out = plan_on_a_terminal(workdir, "--no-color")
    assert b"create" in out and ESC not in out


def test_no_color_variable_turns_it_off(workdir: Path) -> None:
    out = plan_on_a_terminal(workdir, env={"NO_COLOR": "1"})
    assert b"create" in out and ESC not in out


def test_retries_are_shown_as_they_happen(workdir: Path) -> None:
    with served(create_app()) as url:
        pass  # stopped: connections are refused
    args = ("plan", "--target", url, "--allow-host", url, "--skip-credentials", "examples")
    out = on_a_terminal(workdir, *args, env={"SMSCONF_TOKEN": "t"}, stderr=True)
    assert b"smsconf: retrying POST $batch in " in out  # WhoAmI, in the first $batch
    assert b"(attempt 2 of 2): ConnectError" in out
    assert f"cannot reach the organisation at {url}".encode() in out
