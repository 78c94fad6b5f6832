"""Fixtures for the configuration-language tests.

pytest runs with --import-mode=importlib, so test modules cannot import this conftest; the plain
helpers live in cfgtest.py next to it and this directory is put on sys.path for them.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cfgtest import Checker, Writer, collect, dump

from smsconf.config.problems import Problem


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write dedented text to `tmp_path/name` (parents created) and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def check(tmp_path: Path) -> Checker:
    """Dump data to one YAML file and return the problems of validating it."""

    def _check(data: dict[str, Any]) -> list[Problem]:
        path = tmp_path / "config.yaml"
        path.write_text(dump(data), encoding="utf-8")
        return collect([path])

    return _check
