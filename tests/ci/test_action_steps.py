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
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.dataverse.peers import served
from tools.testkit.redteam import NUMBER, NUMBER_ADDRESS, remove_short_code
from tools.testkit.workspace import Workspace, make_workspace

from smsconf.dataverse.auth import (
    JWT_BEARER,
    WorkloadIdentityCredential,
    credential_from_environment,
)
from smsconf.exitcodes import ExitCode
from smsconf.render.markdown import MARKER

ACTION = Path(__file__).resolve().parents[2] / "action.yml"
PR = "7"


def steps() -> list[dict[str, str]]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]


def script(step_id: str) -> str:
    """The bash script of the action's step with this id."""
    (step,) = [s for s in steps() if s.get("id") == step_id]
    return step["run"]


class Runner:
    """A job's environment: RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, smsconf on PATH."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.temp = ws.root / "runner-temp"
        self.temp.mkdir()
        self.output = ws.root / "github-output"
        self.summary = ws.root / "step-summary"
        self.env_file = ws.root / "github-env"

    def run(self, step_id: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The step as GitHub runs `shell: bash` (its documented flags)."""
        self.output.write_text("", encoding="utf-8")
        variables = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_ENV": str(self.env_file),
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
        return _pairs(self.output)

    def exported(self) -> dict[str, str]:
        """What the step put in $GITHUB_ENV for the steps after it."""
        return _pairs(self.env_file) if self.env_file.exists() else {}


def _pairs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


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


def _merged_and_applied(runner: Runner) -> None:
    """The example applied through the action's own steps (a first pull request's merge)."""
    runner.run("plan", PATHS="examples/", ENVIRONMENT="local")
    applied = runner.run("apply", PATHS="examples/", PLAN=runner.outputs()["plan-json"], PR=PR)
    assert applied.returncode == 0, applied.stdout + applied.stderr


def test_the_delete_path_end_to_end(runner: Runner) -> None:
    """A pull request removes a number. Its plan is unsafe (settings.max_deletes is 0) and the
    gate fails with what to do; with the number's address in the action's `allow-deletes`
    input, the plan passes the gate, and the merge applies the saved plan with no extra flag
    (the same input is the workflow's agreement to the file's own allowance)."""
    _merged_and_applied(runner)
    remove_short_code(runner.ws)

    unsafe = runner.run("plan", PATHS="examples/", ENVIRONMENT="local")
    assert unsafe.returncode == 0, unsafe.stderr
    assert runner.outputs()["exit-code"] == str(ExitCode.UNSAFE_PLAN)
    gate = runner.run("gate", RC=str(int(ExitCode.UNSAFE_PLAN)))
    assert gate.returncode == ExitCode.UNSAFE_PLAN
    assert "settings.max_deletes" in gate.stdout and "allow-deletes input" in gate.stdout

    allowed = runner.run(
        "plan", PATHS="examples/", ENVIRONMENT="local", ALLOW_DELETES=NUMBER_ADDRESS
    )
    out = runner.outputs()
    assert out["exit-code"] == str(ExitCode.CHANGES), allowed.stdout + allowed.stderr
    assert f"**Deletes allowed:** `{NUMBER_ADDRESS}`" in Path(out["plan-markdown"]).read_text()
    assert runner.run("gate", RC=out["exit-code"]).returncode == 0

    refused = runner.run("apply", PATHS="examples/", PLAN=out["plan-json"], PR=PR)
    assert refused.returncode == ExitCode.STALE_PLAN, refused.stdout + refused.stderr
    assert "allowed_deletes.addresses" in refused.stderr  # the workflow did not agree
    assert len(runner.ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER)) == 1

    applied = runner.run(
        "apply", PATHS="examples/", PLAN=out["plan-json"], PR=PR, ALLOW_DELETES=NUMBER_ADDRESS
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert runner.ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER) == []


def test_a_plan_file_that_is_not_a_plan_fails_the_job_with_exit_9(runner: Runner) -> None:
    bogus = runner.ws.root / "plan.json"
    bogus.write_bytes(b"\xff\xfe{\x00}\x00")
    applied = runner.run("apply", PATHS="examples/", PLAN=str(bogus), PR=PR)
    assert applied.returncode == ExitCode.PLAN_FILE_INVALID
    assert "::error title=smsconf apply: invalid plan file::" in applied.stdout
    assert "is UTF-16 text" in applied.stderr


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (ExitCode.INVALID_CONFIG, "invalid configuration"),
        (ExitCode.CREDENTIALS, "credentials"),
        (ExitCode.USAGE, "usage error"),
    ],
)
def test_the_plan_gate_fails_on_codes_that_block_apply(
    runner: Runner, code: ExitCode, words: str
) -> None:
    gate = runner.run("gate", RC=str(int(code)))
    assert gate.returncode == code
    assert gate.stdout.startswith("::error title=smsconf plan::") and words in gate.stdout


def test_validate_annotates_the_lines_of_a_broken_configuration(runner: Runner) -> None:
    runner.ws.edit("    priority: 10\n", "    priorty: 10\n")
    checked = runner.run("validate", PATHS="examples/")
    assert checked.returncode == ExitCode.INVALID_CONFIG
    assert runner.outputs()["exit-code"] == str(ExitCode.INVALID_CONFIG)
    (line,) = [x for x in checked.stdout.splitlines() if "priorty" in x]
    assert line.startswith("::error title=smsconf validate,file=examples/")
    assert "unknown key 'priorty'" in line


OIDC_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvbnRvc28vc21zOnB1bGxfcmVxdWVzdCJ9.c2ln"
RUNTIME_TOKEN = "runtime-request-token"


def oidc_provider(asked: list[dict[str, str]]) -> Starlette:
    """GitHub's ID-token endpoint as a job sees it: request token in, `{"value": JWT}` out."""

    async def token(request: Request) -> JSONResponse:
        asked.append(dict(request.query_params))
        if request.headers.get("authorization") != f"bearer {RUNTIME_TOKEN}":
            return JSONResponse({"message": "bad request token"}, status_code=401)
        return JSONResponse({"count": 1, "value": OIDC_JWT})

    return Starlette(routes=[Route("/idtoken", token)])


def test_federation_exports_a_token_file_for_workload_identity(runner: Runner) -> None:
    asked: list[dict[str, str]] = []
    with served(oidc_provider(asked)) as url:
        signed_in = runner.run(
            "federation",
            TENANT="00000000-0000-0000-0000-00000000beef",
            CLIENT="11111111-2222-3333-4444-555555555555",
            ACTIONS_ID_TOKEN_REQUEST_URL=f"{url}/idtoken?api-version=2.0",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN=RUNTIME_TOKEN,
        )
    assert signed_in.returncode == 0, signed_in.stdout + signed_in.stderr
    assert asked == [{"api-version": "2.0", "audience": "api://AzureADTokenExchange"}]
    exported = runner.exported()
    assert set(exported) == {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"}
    token_file = Path(exported["AZURE_FEDERATED_TOKEN_FILE"])
    assert token_file.read_text(encoding="utf-8") == OIDC_JWT
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert OIDC_JWT not in signed_in.stdout + signed_in.stderr

    # What smsconf makes of those variables: the JWT as client assertion, no client secret.
    credential = credential_from_environment(exported)
    assert isinstance(credential, WorkloadIdentityCredential)
    assert credential._client_auth() == {
        "client_assertion_type": JWT_BEARER,
        "client_assertion": OIDC_JWT,
    }


def test_federation_without_id_token_permission_fails_the_job(runner: Runner) -> None:
    env = {k: "" for k in ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")}
    signed_in = runner.run("federation", TENANT="t", CLIENT="c", **env)
    assert signed_in.returncode == 1
    assert "id-token: write" in signed_in.stdout
    assert runner.exported() == {}


def test_the_oidc_token_is_fetched_right_before_the_step_that_uses_it() -> None:
    """GitHub's OIDC token expires five minutes after issue and smsconf reads it only when it
    first asks Entra ID for a token, so no step of the same command may run in between (the
    reviewed plan's download used to)."""
    all_steps = steps()
    ids = [step.get("id") for step in all_steps]
    federation = ids.index("federation")
    for command in ("plan", "apply"):
        between = all_steps[federation + 1 : ids.index(command)]
        running = [
            step["name"]
            for step in between
            if f"inputs.command == '{command}'" in step.get("if", "")
            or "inputs.command ==" not in step.get("if", "")
        ]
        assert running == [], f"{command}: {running} run between the sign-in and smsconf"


def test_a_pull_request_reading_a_new_secret_is_flagged_against_its_base_commit(
    runner: Runner,
) -> None:
    """The plan step checks out the base commit (here already in the repository, as after a
    fetch) and compares offline: the comment flags the reference the base did not read."""
    root = runner.ws.root
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com"]
    subprocess.run([*git, "init", "-q", "."], cwd=root, check=True)
    subprocess.run([*git, "add", "examples"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    runner.ws.edit("${env:FABRIKAM_TELESIGN_API_KEY:-", "${env:FABRIKAM_SMS_KEY:-")

    planned = runner.run("plan", PATHS="examples/", ENVIRONMENT="local", BASE_SHA=sha)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    markdown = Path(runner.outputs()["plan-markdown"]).read_text(encoding="utf-8")
    assert (
        "⚠️ **Trust changed:** account 'fabrikam-telesign' now reads `${env:FABRIKAM_SMS_KEY:-…}`"
        in markdown
    )
    assert "compared with the base configuration (commit " in markdown

    unchanged = runner.run("plan", PATHS="examples/", ENVIRONMENT="local", BASE_SHA=sha)
    assert unchanged.returncode == 0
    off = runner.run("plan", PATHS="examples/", ENVIRONMENT="local", BASE_SHA="", COMPARE_BASE="")
    assert off.returncode == 0
    assert "Trust changed" not in Path(runner.outputs()["plan-markdown"]).read_text("utf-8")
