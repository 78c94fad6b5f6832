"""The action's own shell steps, run by bash as a runner would, against the local organisation.

GitHub is not here, but the steps' scripts read only environment variables (the `${{ }}`
expressions live in `env:` and `if:`), so each script runs as is with the variables a runner
sets. This is the path a pull request and its merge take: plan and save, apply the saved plan,
and a plan made stale in between refused with the job's error annotation and exit 6.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.reconcile.workspace import Workspace, make_workspace

from smsconf.exitcodes import ExitCode
from smsconf.render.markdown import MARKER

ACTION = Path(__file__).resolve().parents[2] / "action.yml"
PR = "7"


def script(step_id: str) -> str:
    """The bash script of the action's step with this id."""
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    (step,) = [s for s in steps if s.get("id") == step_id]
    return step["run"]


class Runner:
    """A job's environment: RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, smsconf on PATH."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.temp = ws.root / "runner-temp"
        self.temp.mkdir()
        self.output = ws.root / "github-output"
        self.summary = ws.root / "step-summary"

    def run(self, step_id: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The step as GitHub runs `shell: bash` (its documented flags)."""
        self.output.write_text("", encoding="utf-8")
        variables = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            **env,
        }
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script(step_id)],
            cwd=self.ws.root,
            env=variables,
            capture_output=True,
            text=True,
            check=False,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    return Runner(make_workspace(tmp_path, monkeypatch))


def test_plan_then_apply_the_saved_plan(runner: Runner) -> None:
    planned = runner.run("plan", PATHS="examples/", ENVIRONMENT="local")
    assert planned.returncode == 0, planned.stderr
    out = runner.outputs()
    assert out["exit-code"] == str(ExitCode.CHANGES)
    markdown = Path(out["plan-markdown"]).read_text(encoding="utf-8")
    assert markdown.startswith(MARKER)
    assert markdown in runner.summary.read_text(encoding="utf-8")
    gate = runner.run("gate", RC=out["exit-code"])
    assert gate.returncode == 0

    applied = runner.run("apply", PATHS="examples/", PLAN=out["plan-json"], PR=PR)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert runner.outputs()["exit-code"] == "0"
    assert "::error" not in applied.stdout


def test_a_stale_plan_fails_the_job_with_a_clear_message(runner: Runner) -> None:
    planned = runner.run("plan", PATHS="examples/", ENVIRONMENT="local")
    plan_json = runner.outputs()["plan-json"]
    assert planned.returncode == 0, planned.stderr
    runner.ws.edit("    priority: 10\n", "    priority: 12\n")  # another merge got there first

    applied = runner.run("apply", PATHS="examples/", PLAN=plan_json, PR=PR)

    assert applied.returncode == ExitCode.STALE_PLAN
    assert runner.outputs()["exit-code"] == str(ExitCode.STALE_PLAN)
    assert (
        "::error title=smsconf apply: stale plan::the plan reviewed on pull request #7 no longer "
        "matches the organisation or the configuration, so nothing was written." in applied.stdout
    )
    assert "the configuration changed since the plan was made" in applied.stderr
    assert not list((runner.ws.root / ".smsconf").glob("journal/*.jsonl"))


@pytest.mark.parametrize(
    ("code", "words"),
    [(ExitCode.INVALID_CONFIG, "invalid configuration"), (ExitCode.CREDENTIALS, "credentials")],
)
def test_the_plan_gate_fails_on_codes_that_block_apply(
    runner: Runner, code: ExitCode, words: str
) -> None:
    gate = runner.run("gate", RC=str(int(code)))
    assert gate.returncode == code
    assert gate.stdout.startswith("::error title=smsconf plan::") and words in gate.stdout
