"""What every plan's header says about where it came from: the commit, and whether the working
tree differed from it (a plan of uncommitted YAML must not pass for that commit's); and the
Markdown comment's one line when every credential check passed."""

from __future__ import annotations

import json
import subprocess

from tools.testkit.workspace import Workspace, ws

from smsconf.exitcodes import ExitCode

DIRTY = "(working tree dirty)"
__all__ = ["ws"]  # the fixture, used by name


def git(ws: Workspace, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=ws.root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def plan(ws: Workspace, fmt: str) -> str:
    result = ws.plan("--format", fmt, "--skip-credentials")
    assert result.exit_code == ExitCode.OK, result.output
    return result.stdout


def test_every_format_says_the_working_tree_was_dirty_next_to_the_commit(ws: Workspace) -> None:
    git(ws, "init", "-q")
    git(ws, "add", "examples")
    git(ws, "commit", "-q", "-m", "the example")
    head = git(ws, "rev-parse", "HEAD")
    clean = json.loads(plan(ws, "json"))  # the local org's .smsconf/ is untracked: not dirty
    assert (clean["git_commit"], clean["git_dirty"]) == (head, False)
    assert f"  commit: {head[:12]}\n" in plan(ws, "text")

    ws.edit("    priority: 10\n", "    priority: 11\n")
    dirty = json.loads(plan(ws, "json"))
    assert (dirty["git_commit"], dirty["git_dirty"]) == (head, True)
    assert f"  commit: {head[:12]} {DIRTY}\n" in plan(ws, "text")
    assert f" · commit {head[:12]} {DIRTY}</sub>" in plan(ws, "markdown")
    assert f"commit <code>{head[:12]}</code> {DIRTY}" in plan(ws, "html")

    git(ws, "commit", "-q", "-am", "priority 11")
    (ws.config_dir / "new.yaml").write_text("queues: []\n", encoding="utf-8")  # untracked
    assert json.loads(plan(ws, "json"))["git_dirty"] is True


def test_outside_a_repository_there_is_no_commit_and_no_verdict(ws: Workspace) -> None:
    document = json.loads(plan(ws, "json"))
    assert (document["git_commit"], document["git_dirty"]) == (None, None)
    assert "commit" not in plan(ws, "text").split("\n\n")[0]


def test_the_comment_says_the_credentials_passed_in_one_line(ws: Workspace) -> None:
    result = ws.plan("--format", "markdown")
    assert result.exit_code == ExitCode.OK, result.output
    lines = [line for line in result.stdout.splitlines() if "Credentials" in line]
    assert lines == [
        "**Credentials:** all 4 checks passed "
        "(`contoso-telesign`, `fabrikam-telesign`, `contoso-twilio`, `contoso-acs`)"
    ]
