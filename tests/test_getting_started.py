"""docs/getting-started.md, run as written: its first session, line by line, in a fresh
directory holding a copy of the checkout's `examples/`, then the edit it suggests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "getting-started.md"


def first_session() -> list[str]:
    section = PAGE.read_text(encoding="utf-8").split("## A first plan and apply", 1)[1]
    block = re.search(r"```sh\n(.+?)\n```", section, re.S)
    assert block, "the section lost its commands"
    return block.group(1).splitlines()


def test_the_first_session_runs_as_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SMSCONF_", "CONTOSO_"))},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    script = "set -e\n" + "\n".join(first_session()) + "\n"
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "configuration valid" in done.stdout
    assert "No changes" in done.stdout and done.stdout.rstrip().endswith("0")

    # "Edit examples/channels.yaml (say, a queue's priority) and plan again … exits 2"
    work = tmp_path / "my-sms"
    config = work / "examples" / "channels.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("priority: 10", "priority: 11", 1))
    again = subprocess.run(
        ["smsconf", "plan", "examples/", "--detailed-exitcode"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 2, again.stdout + again.stderr
    assert "priority" in again.stdout
