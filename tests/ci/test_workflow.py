"""The GitHub Action and the example workflow: valid for GitHub, and consistent with smsconf.

There is no GitHub here to run them, so the checks are static: both files against the JSON
Schemas GitHub's editors use (SchemaStore's, vendored by check-jsonschema), every smsconf command
and option the action runs against the real click commands, and every input the workflow passes
against the action's declared inputs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from smsconf.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "examples" / "ci" / "smsconf.yml"
ACTION_USE = "smsconf/smsconf@"


def schema_check(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", f"vendor.{schema}", path],
        capture_output=True,
        text=True,
        check=False,
    )


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "schema"), [(ACTION, "github-actions"), (WORKFLOW, "github-workflows")]
)
def test_files_match_githubs_schemas(path: Path, schema: str) -> None:
    result = schema_check(path, schema)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8").replace("id-token: write", "id-token: wrote", 1)
    broken.write_text(text, encoding="utf-8")
    result = schema_check(broken, "github-workflows")
    assert result.returncode != 0
    assert "id-token" in result.stdout + result.stderr


def smsconf_invocations() -> list[str]:
    """Every `smsconf …` command line in the action's scripts, continuation lines joined."""
    scripts = [step["run"] for step in load(ACTION)["runs"]["steps"] if "run" in step]
    lines = "\n".join(scripts).replace("\\\n", " ").splitlines()
    return [line.strip() for line in lines if re.match(r"\s*smsconf ", line)]


def test_the_action_runs_only_real_commands_and_options() -> None:
    invocations = smsconf_invocations()
    assert {line.split()[1] for line in invocations} == {"validate", "plan", "ci", "apply"}
    for line in invocations:
        command: click.Command = main
        for word in line.split()[1:]:
            found = (
                command.get_command(click.Context(command), word)
                if isinstance(command, click.Group)
                else None
            )
            if found is None:
                break
            command = found
        known = {opt for param in command.params for opt in param.opts}
        used = set(re.findall(r"(?<!\S)--[a-z-]+", line))
        assert used <= known, f"{line}: unknown options {sorted(used - known)}"


def action_steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, step)
        for name, job in workflow["jobs"].items()
        for step in job["steps"]
        if step.get("uses", "").startswith(ACTION_USE)
    ]


def test_the_workflow_passes_declared_inputs_and_the_permissions_they_need() -> None:
    inputs = load(ACTION)["inputs"]
    required = {name for name, spec in inputs.items() if spec.get("required")}
    workflow = load(WORKFLOW)
    steps = action_steps(workflow)
    assert sorted(step["with"]["command"] for _, step in steps) == ["apply", "plan", "validate"]
    for job, step in steps:
        given = set(step["with"])
        assert given <= set(inputs), f"{job}: undeclared inputs {sorted(given - set(inputs))}"
        assert required <= given, f"{job}: missing inputs {sorted(required - given)}"
        permissions = workflow["jobs"][job].get("permissions", workflow["permissions"])
        if "azure-client-id" in given:
            assert permissions.get("id-token") == "write", f"{job}: OIDC needs id-token: write"
        if step["with"]["command"] == "plan":
            assert permissions.get("pull-requests") == "write", f"{job}: the comment needs it"


def test_keys_come_from_the_secret_store_and_azure_needs_no_secret() -> None:
    """Every `${env:NAME}` the example configuration reads is mapped from a GitHub secret in the
    jobs that reach the organisation, and neither file stores or asks for an Azure client secret
    (workload identity federation replaces it)."""
    config = (ROOT / "examples" / "channels.yaml").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\$\{env:([A-Z0-9_]+)", config))
    assert referenced, "the example configuration references no environment variable"
    workflow = load(WORKFLOW)
    for job, step in action_steps(workflow):
        if step["with"]["command"] == "validate":
            continue
        env = workflow["jobs"][job].get("env", {})
        for name in sorted(referenced):
            assert env.get(name) == f"${{{{ secrets.{name} }}}}", f"{job}: {name} not a secret"
    for path in (ACTION, WORKFLOW):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"AZURE_CLIENT_SECRET|client[-_]secret", text), path.name
