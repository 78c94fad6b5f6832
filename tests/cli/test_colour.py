"""Colour: on a terminal by default, never with `--no-color` or NO_COLOR, never when piped."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"
ESC = b"\x1b["
SMSCONF = "import sys; from smsconf.cli import run; sys.argv[0] = 'smsconf'; run()"


def plan_on_a_terminal(cwd: Path, *flags: str, env: dict[str, str] | None = None) -> bytes:
    """Run `smsconf plan` with its stdout on a pseudo-terminal and return what it printed."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-c", SMSCONF, *flags, "plan", "examples"]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | (env or {})
    process = subprocess.Popen(
        command, cwd=cwd, stdout=follower, stderr=subprocess.DEVNULL, env=environment
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
    assert process.wait(timeout=60) in (0, 2)
    return b"".join(chunks)


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
