"""Every pull-request attack of tools/testkit/pull_request.py refused through the CLI: its exit
code, located, no byte to the listener, no secret in the output (bench/reliability.py plays
the same cases and counts them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tools.testkit.echo import echo_server
from tools.testkit.pull_request import CASES, Case, play


def test_the_family_covers_hosts_files_variables_and_the_gateway() -> None:
    assert len(CASES) >= 9 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_attack_is_refused(case: Case, tmp_path: Path) -> None:
    with echo_server() as listener:
        outcome = play(case, tmp_path / "pr", listener)
    assert outcome.problems == [], outcome
