"""The README's promises that code can check: the quick start, the exit codes, the verify list."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from smsconf.exitcodes import ExitCode
from smsconf.platform.vocabulary import verify_list

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_verify_list_is_the_generated_one() -> None:
    """`verify_list()` is the source; regenerate the section's bullets from it."""
    listed = [
        line[2:] for line in section("Verify on a real org").splitlines() if line.startswith("- ")
    ]
    assert listed == verify_list()


def test_exit_code_table_matches_the_contract() -> None:
    rows = re.findall(r"^\| (\d+) \| ", section("Exit codes"), re.MULTILINE)
    assert [int(r) for r in rows] == [int(code) for code in ExitCode]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", section("Quick start"))
    assert len(commands) == 2, "the quick start is exactly two commands"
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_error_sample_is_what_validate_prints() -> None:
    """The sample of located errors is the real output of the command it shows, run from the
    repository root, so the README never advertises messages the tool no longer prints."""
    sample = re.search(
        r"```text\n\$ smsconf validate (\S+)\n(.*?)```",
        section("The configuration language"),
        re.DOTALL,
    )
    assert sample is not None
    done = subprocess.run(
        [sys.executable, "-c", "from smsconf.cli import main; main()", "validate", sample[1]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitCode.INVALID_CONFIG
    assert done.stdout + done.stderr == sample[2]
