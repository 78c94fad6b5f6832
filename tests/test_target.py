"""The target: where plan and apply go. The local org lives under the working directory (or
$SMSCONF_HOME) and is the same org on every fresh start, so examples and golden plans are
reproducible; faults can be injected into it, never into a real organisation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smsconf.connect import LOCAL_DEMO_ROWS, open_target
from smsconf.dataverse import RetryPolicy
from smsconf.dataverse.errors import ServerError
from smsconf.emulator.dataverse import FaultConfig
from smsconf.platform import TABLES
from smsconf.target import LOCAL, LOCAL_DB, state_dir

PRIMARY_KEYS = {t.entity_set: t.primary_key for t in TABLES.values()}


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMSCONF_HOME", raising=False)
    return tmp_path


def test_state_dir_is_local_or_smsconf_home(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert state_dir() == Path(".smsconf")
    monkeypatch.setenv("SMSCONF_HOME", str(here / "elsewhere"))
    assert state_dir() == here / "elsewhere"


async def demo_rows() -> dict[str, list[tuple[str, str]]]:
    async with open_target(LOCAL) as target:
        assert target.is_local and target.telesign_transport is not None
        return {
            entity_set: sorted(
                (row[column], row[PRIMARY_KEYS[entity_set]])
                for row in await target.dataverse.get_all(entity_set)
                if row.get(column) in names
            )
            for entity_set, (column, names) in LOCAL_DEMO_ROWS.items()
        }


async def test_local_org_is_created_under_the_state_dir_with_fixed_demo_rows(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two fresh local orgs hold the same demo rows with the same ids (plans are portable)."""
    first = await demo_rows()
    assert (here / ".smsconf" / LOCAL_DB).exists()
    assert all(len(rows) == len(LOCAL_DEMO_ROWS[s][1]) for s, rows in first.items())
    assert await demo_rows() == first  # reopening does not seed twice
    monkeypatch.setenv("SMSCONF_HOME", str(here / "second"))
    assert await demo_rows() == first
    assert (here / "second" / LOCAL_DB).exists()


async def test_faults_reach_the_local_org(here: Path) -> None:
    async with open_target(LOCAL):
        pass  # create and seed it healthy first
    faults = FaultConfig(seed=1, unavailable=1.0)
    retry = RetryPolicy(max_attempts=2, sleep=_no_wait)
    async with open_target(LOCAL, faults=faults, retry=retry) as target:
        with pytest.raises(ServerError, match="503"):
            await target.dataverse.whoami()
        assert target.dataverse.stats.requests == 2


async def test_faults_are_refused_for_a_real_org(here: Path) -> None:
    with pytest.raises(ValueError, match="local organisation"):
        async with open_target("https://contoso.crm.dynamics.com", faults=FaultConfig()):
            pass


def test_the_emulators_are_imported_only_for_the_local_target() -> None:
    """Every command imports this module: a URL target must not pay for the emulators."""
    code = (
        "import sys, smsconf.connect; "
        "sys.exit(' '.join(m for m in sys.modules if m.startswith('smsconf.emulator')) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
