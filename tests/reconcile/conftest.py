"""Fixtures of the reconcile tests: a workspace with the example, empty or already applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.reconcile.workspace import Workspace, apply_example, from_database, make_workspace


@pytest.fixture(scope="session")
def applied_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied once per session; tests that start from it copy the database."""
    return apply_example(tmp_path_factory.mktemp("applied"))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty local organisation and a copy of the example, in this test's own directory."""
    return make_workspace(tmp_path, monkeypatch)


@pytest.fixture
def applied(ws: Workspace, applied_db: Path) -> Workspace:
    """The workspace with the example already applied."""
    return from_database(ws, applied_db)
