"""`smsconf show PLAN.json`: a saved plan rendered again, from the file alone, exactly as
`plan` rendered it; read by apply's strict reader, so a damaged file exits 9."""

from __future__ import annotations

from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace, ws

from smsconf.exitcodes import ExitCode

__all__ = ["ws"]  # the fixture, used by name


@pytest.fixture
def saved(ws: Workspace) -> Path:
    out = ws.root / "plan.json"
    result = ws.plan("--out", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    return out


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_show_renders_the_saved_plan_as_plan_did(
    ws: Workspace, saved: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = ws.plan("--format", fmt)  # the same organisation, the same plan
    assert planned.exit_code == ExitCode.OK, planned.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no configuration, no organisation here: the file suffices
    shown = ws.smsconf("show", str(saved), "--format", fmt)
    assert shown.exit_code == ExitCode.OK, shown.output
    assert shown.stdout == planned.stdout
    assert not (elsewhere / ".smsconf").exists()


def test_text_is_the_default(ws: Workspace, saved: Path) -> None:
    shown = ws.smsconf("show", str(saved))
    assert shown.exit_code == ExitCode.OK, shown.output
    assert shown.stdout.startswith("smsconf plan for local (environment local), organisation ")


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda text: text[: len(text) // 2], "is truncated"),
        (lambda text: text.replace("contoso-telesign", "contoso", 1), "checksum does not match"),
        (lambda text: "[]", "is a list in JSON"),
    ],
    ids=["truncated", "edited", "not-an-object"],
)
def test_a_damaged_plan_file_exits_9_with_what_is_wrong(
    ws: Workspace, saved: Path, damage: object, why: str
) -> None:
    text = saved.read_text(encoding="utf-8")
    saved.write_text(damage(text), encoding="utf-8")  # type: ignore[operator]
    shown = ws.smsconf("show", str(saved))
    assert shown.exit_code == ExitCode.PLAN_FILE_INVALID, shown.output
    assert why in shown.stderr and shown.stdout == ""


def test_a_missing_plan_file_is_a_usage_error(ws: Workspace) -> None:
    assert ws.smsconf("show", "nope.json").exit_code == ExitCode.USAGE
