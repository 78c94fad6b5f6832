"""The local organisation is found the way git finds its repository, not made anew by every
working directory: `$SMSCONF_HOME`, else the nearest `.smsconf/` upward from the
configuration (no higher than its git repository), else a new one beside the configuration.
Each new local org is an organisation of its own (its own id), and every plan names the one
it read, with its path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace, make_workspace

from smsconf.exitcodes import ExitCode
from smsconf.target import LOCAL_DB


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A copy of the example with no local org yet: the CLI makes it, as for a new user."""
    return new_user(tmp_path / "repo", monkeypatch)


def new_user(root: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    root.mkdir()
    ws = make_workspace(root, monkeypatch)
    shutil.rmtree(ws.home)
    return ws


def plan_json(ws: Workspace, *args: str) -> dict[str, object]:
    result = ws.smsconf("plan", *args, "--format", "json", "--skip-credentials")
    assert result.exit_code == ExitCode.OK, result.output
    return json.loads(result.stdout)


def test_a_plan_from_another_directory_reads_the_same_org(
    fresh: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied = fresh.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert (fresh.root / ".smsconf" / LOCAL_DB).is_file()  # beside examples/, as before
    elsewhere = tmp_path / "x"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = fresh.smsconf("plan", str(fresh.config_dir), "--detailed-exitcode")
    assert result.exit_code == ExitCode.OK, result.output
    assert "No changes." in result.stdout
    assert f"  local organisation: {fresh.root / '.smsconf' / LOCAL_DB}\n" in result.stdout
    assert not (elsewhere / ".smsconf").exists()
    # a configuration file, from below: the same org again, found upward
    monkeypatch.chdir(fresh.config_dir)
    again = plan_json(fresh, "channels.yaml")
    assert again["local_org"] == str(fresh.root / ".smsconf" / LOCAL_DB)
    assert again["summary"] == dict.fromkeys(again["summary"], 0)  # type: ignore[arg-type]


def test_each_new_local_org_is_an_organisation_of_its_own(
    fresh: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = plan_json(fresh, "examples/")
    assert first["local_org"] == ".smsconf/local.sqlite"
    assert plan_json(fresh, "examples/")["org_id"] == first["org_id"]  # kept in its database
    saved = fresh.root / "saved.json"
    assert fresh.plan("--out", str(saved), "--skip-credentials").exit_code == ExitCode.OK
    other = new_user(tmp_path / "other", monkeypatch)
    second = plan_json(other, "examples/")
    assert second["org_id"] != first["org_id"]
    refused = other.smsconf("apply", "--plan", str(saved), "--auto-approve")
    assert refused.exit_code == ExitCode.STALE_PLAN, refused.output
    assert f"the plan is for organisation {first['org_id']}, not {second['org_id']}" in (
        refused.output
    )


def test_the_nearest_smsconf_upward_wins_within_the_repository(
    fresh: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (fresh.root / ".git").mkdir()  # the repository's top: no higher
    (tmp_path / ".smsconf").mkdir()  # above the repository: never this one
    nested = fresh.root / "teams" / "sales"
    nested.mkdir(parents=True)
    shutil.move(fresh.config_dir, nested / "examples")
    monkeypatch.chdir(nested)
    assert plan_json(fresh, "examples/")["local_org"] == ".smsconf/local.sqlite"
    assert (nested / ".smsconf" / LOCAL_DB).is_file()
    monkeypatch.chdir(fresh.root)
    (nested / ".smsconf" / LOCAL_DB).unlink()
    (fresh.root / ".smsconf").mkdir()
    found = plan_json(fresh, "teams/sales/examples")  # the nested one is still nearer
    assert found["local_org"] == "teams/sales/.smsconf/local.sqlite"
    shutil.rmtree(nested / ".smsconf")
    assert plan_json(fresh, "teams/sales/examples")["local_org"] == ".smsconf/local.sqlite"
    assert not list((tmp_path / ".smsconf").iterdir())


def test_smsconf_home_wins_and_every_format_names_the_org(fresh: Workspace, tmp_path: Path) -> None:
    home = tmp_path / "state"
    env = {"SMSCONF_HOME": str(home)}
    for fmt, shown in [
        ("text", f"local organisation: {home / LOCAL_DB}"),
        ("markdown", f"(local organisation `{home / LOCAL_DB}`)"),
        ("html", f"local organisation <code>{home / LOCAL_DB}</code>"),
        ("json", f'"local_org": "{home / LOCAL_DB}"'),
    ]:
        result = fresh.plan("--format", fmt, "--skip-credentials", env=env)
        assert result.exit_code == ExitCode.OK, result.output
        assert shown in result.stdout, fmt
    assert not (fresh.root / ".smsconf").exists()
