"""Golden files: the three views of one plan, byte for byte.

A reviewer sees any change to what smsconf prints in the diff of these files. To accept a
change on purpose, regenerate them: `SMSCONF_UPDATE_GOLDEN=1 pytest tests/render` (the test
then writes the files and fails, so a regeneration is never mistaken for a pass).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smsconf.reconcile.plan import Plan
from smsconf.render import RENDERERS

UPDATE = os.environ.get("SMSCONF_UPDATE_GOLDEN") == "1"
SUFFIX = {"text": "txt", "markdown": "md", "json": "json", "html": "html"}


def check(golden: Path, rendered: str) -> None:
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
        pytest.fail(f"{golden.name} regenerated; run again without SMSCONF_UPDATE_GOLDEN")
    assert golden.exists(), f"{golden} missing; create it with SMSCONF_UPDATE_GOLDEN=1"
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_mixed_plan_matches_golden(mixed_plan: Plan, golden_dir: Path, fmt: str) -> None:
    """Every action (create, update, delete, associate, disassociate), risks and unmanaged."""
    check(golden_dir / f"mixed.{SUFFIX[fmt]}", RENDERERS[fmt](mixed_plan))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_empty_org_plan_matches_golden(empty_plan: Plan, golden_dir: Path, fmt: str) -> None:
    """The quick start's plan: the whole example created, in dependency order."""
    check(golden_dir / f"create-all.{SUFFIX[fmt]}", RENDERERS[fmt](empty_plan))


@pytest.mark.parametrize("fmt", ["html", "markdown", "text"])
def test_edited_plan_matches_golden(edited_plan: Plan, golden_dir: Path, fmt: str) -> None:
    """A pull request's edits, each in the YAML's words (paths, words, names, addresses)."""
    check(golden_dir / f"edits.{SUFFIX[fmt]}", RENDERERS[fmt](edited_plan))


def test_the_mixed_plan_is_what_the_golden_files_claim(mixed_plan: Plan) -> None:
    """Guards the fixture itself: if an edit stopped producing its change, the golden files
    would quietly lose coverage of that action."""
    assert all(n == 1 for n in mixed_plan.counts().values()), mixed_plan.counts()
    assert mixed_plan.unmanaged and mixed_plan.unsafe and mixed_plan.git_commit
