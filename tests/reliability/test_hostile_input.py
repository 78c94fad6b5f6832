"""Hostile configuration through `validate` and `plan`: exit 3, located, no traceback, bounded.

The fixed corpus (tests/reliability/hostile.py) covers each way of being hostile once; the
hypothesis properties generate more (the example with a node replaced by a random structure,
random structures, text in the wrong encoding, binary). The default run tries a few dozen
generated inputs, the slow one a thousand; each test reports how many it tried.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from tools.testkit.hostile import (
    CORPUS,
    INPUTS,
    LOCATED,
    TRIED,
    check,
    check_generated,
    run_command,
)

from smsconf.exitcodes import ExitCode

SHORT_EXAMPLES = 25
LONG_EXAMPLES = 1000


def hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_input_exits_3_located_bounded(name: str, tmp_path: Path) -> None:
    target = CORPUS[name](tmp_path)
    verdicts = check(target, tmp_path / "home", name)
    TRIED["corpus"] += 1
    assert [(v.command, v.problems) for v in verdicts if v.problems] == []


def test_a_loop_around_a_config_reports_its_errors_once(tmp_path: Path) -> None:
    """Following the loop would read the file again and report every error twice (or
    forever); the loop is walked once."""
    verdict = run_command("validate", CORPUS["symlink loop around config"](tmp_path), tmp_path, "")
    assert verdict.problems == []
    assert len(LOCATED.findall(verdict.stderr)) == 1, verdict.stderr


def test_contract_checker_catches_a_wrong_exit() -> None:
    """The checker itself: a valid configuration is not 'exit 3', so it is flagged."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    with tempfile.TemporaryDirectory() as home:
        verdict = run_command("validate", examples, Path(home), "valid example")
    assert verdict.exit_code == ExitCode.OK
    assert verdict.problems and verdict.problems[0].startswith("exit 0, not")
    assert LOCATED.search("a.yaml:1:2: error: x")


def _generated(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_bytes(content)
        verdicts = check_generated(path, Path(tmp) / "home", "generated")
    TRIED["generated"] += 1
    assert [(v.command, v.problems) for v in verdicts if v.problems] == []


@hypothesis_settings(SHORT_EXAMPLES)
@given(INPUTS)
def test_generated_input(content: bytes) -> None:
    _generated(content)


@pytest.mark.slow
@hypothesis_settings(LONG_EXAMPLES)
@given(INPUTS)
def test_generated_input_long(content: bytes) -> None:
    _generated(content)
