"""The pre-commit hook and shell completion, run the way pre-commit and bash run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from smsconf.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SMSCONF = Path(sys.executable).parent / "smsconf"


def hook() -> dict[str, object]:
    (only,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return only


def run_hook(filenames: list[Path]) -> subprocess.CompletedProcess[str]:
    """What pre-commit does: the entry's words, then the matching staged files."""
    entry = str(hook()["entry"]).split()
    assert entry[0] == "smsconf"
    return subprocess.run(
        [SMSCONF, *entry[1:], *filenames], capture_output=True, text=True, check=False
    )


def test_the_hook_manifest_names_an_existing_command() -> None:
    spec = hook()
    assert {"id", "name", "entry", "language"} <= set(spec)
    assert spec["language"] == "python"
    assert spec["pass_filenames"] is True
    words = str(spec["entry"]).split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert words[0] in scripts["project"]["scripts"]
    assert main.get_command(click.Context(main), words[1]) is not None
    files = re.compile(str(spec["files"]))
    assert files.search("config/channels.yaml") and files.search("a.yml")
    assert not files.search("src/smsconf/cli/main.py")


def selected(spec: dict[str, object], paths: list[str]) -> list[str]:
    """The staged paths pre-commit hands the hook: `files` matches and `exclude` does not.

    pre-commit applies both with `re.search` to repository-relative paths, `exclude` defaulting
    to `^$` (nothing).
    """
    files, exclude = re.compile(str(spec["files"])), re.compile(str(spec.get("exclude", "^$")))
    return [p for p in paths if files.search(p) and not exclude.search(p)]


def test_a_commit_that_adds_the_ci_workflow_passes_the_hook(tmp_path: Path) -> None:
    """The CI guide has users commit a workflow and a pre-commit config next to the YAML: they
    are YAML too, but not smsconf configuration, so the hook must not validate them as such."""
    repo = {
        "config/channels.yaml": (EXAMPLES / "channels.yaml").read_text(encoding="utf-8"),
        ".github/workflows/smsconf.yml": (EXAMPLES / "ci" / "smsconf.yml").read_text("utf-8"),
        ".github/dependabot.yml": "version: 2\nupdates: []\n",
        ".pre-commit-config.yaml": "repos: []\n",
    }
    for name, text in repo.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")

    chosen = selected(hook(), sorted(repo))

    assert chosen == ["config/channels.yaml"]
    result = run_hook([tmp_path / name for name in chosen])
    assert result.returncode == 0, result.stderr


def test_a_commit_touching_one_file_of_a_split_configuration_passes(tmp_path: Path) -> None:
    """The layout `smsconf export` writes: smsconf.yaml with the shared objects, one file per
    workstream. A commit touching only a workstream's file is read with the rest of it; without
    the mark, the same file alone is a configuration that names undeclared queues."""
    data = yaml.safe_load((EXAMPLES / "channels.yaml").read_text(encoding="utf-8"))
    workstreams = data.pop("workstreams")
    (tmp_path / "config" / "workstreams").mkdir(parents=True)
    (tmp_path / "config" / "smsconf.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    touched = tmp_path / "config" / "workstreams" / "first.yaml"
    touched.write_text(yaml.safe_dump({"workstreams": workstreams[:1]}), encoding="utf-8")
    rest = {"workstreams": workstreams[1:]}
    (tmp_path / "config" / "workstreams" / "rest.yaml").write_text(yaml.safe_dump(rest))

    passed = run_hook([touched])
    assert passed.returncode == 0, passed.stderr
    (tmp_path / "config" / "smsconf.yaml").rename(tmp_path / "config" / "shared.yaml")
    alone = run_hook([touched])
    assert alone.returncode == 3 and "is not declared" in alone.stderr


def test_the_hook_passes_a_valid_file_and_fails_a_broken_one(tmp_path: Path) -> None:
    good = run_hook([EXAMPLES / "channels.yaml"])
    assert good.returncode == 0, good.stderr
    broken = tmp_path / "typos.yaml"  # outside examples/, whose .smsconfignore skips invalid/
    broken.write_text((EXAMPLES / "invalid" / "typos.yaml").read_text(encoding="utf-8"))
    bad = run_hook([broken])
    assert bad.returncode == 3
    assert "typos.yaml:9:9: error" in bad.stderr


def test_a_file_its_configuration_ignores_is_not_configuration() -> None:
    """examples/.smsconfignore says invalid/ is not configuration: the hook reads examples/."""
    assert run_hook([EXAMPLES / "invalid" / "typos.yaml"]).returncode == 0


@pytest.fixture(scope="module")
def bash_script() -> str:
    """The script users source, from the installed command exactly as docs/ tells them to."""
    made = subprocess.run(
        [SMSCONF],
        env={**os.environ, "_SMSCONF_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return made.stdout


def complete(words: str) -> list[str]:
    """What bash gets back when the user presses tab after `words`."""
    result = CliRunner().invoke(
        main,
        [],
        prog_name="smsconf",
        env={
            "_SMSCONF_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
    )
    return result.output.split()


def test_bash_completion_script_is_produced(bash_script: str) -> None:
    assert "complete -o nosort -F _smsconf_completion smsconf" in bash_script


def test_completion_offers_commands_options_and_choices() -> None:
    assert complete("smsconf pl") == ["plain,plan"]
    assert complete("smsconf plan --for") == ["plain,--format"]
    assert "plain,comment" in complete("smsconf ci c")


def test_the_bash_script_loads_in_bash(bash_script: str) -> None:
    bash = shutil.which("bash")
    assert bash, "bash is needed to load the completion script"
    loaded = subprocess.run(
        [bash, "-c", f"{bash_script}\ncomplete -p smsconf"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "_smsconf_completion" in loaded.stdout
