"""process.py: what the smsconf executable sets up before its one command."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tools.testkit.workspace import Workspace, ws

from smsconf import gcpause
from smsconf.config.loader import load
from smsconf.connect import open_target
from smsconf.process import burst, one_command
from smsconf.reconcile.manager import PlanOptions, make_plan
from smsconf.reconcile.plan import Plan
from smsconf.render.text import render as render_text

__all__ = ["ws"]  # the fixture

PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


def test_one_command_freezes_bursts_and_skips_pydantic_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", False)
    monkeypatch.setenv(PLUGINS, "restored afterwards")
    monkeypatch.delenv(PLUGINS)
    one_command()
    assert gcpause._freeze_after is True
    assert os.environ[PLUGINS] == "__all__"


def test_a_pydantic_plugin_setting_of_the_user_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze_after", False)
    monkeypatch.setenv(PLUGINS, "")  # empty: search for plugins after all
    one_command()
    assert os.environ[PLUGINS] == ""


def test_the_process_burst_pauses_the_collector() -> None:
    assert gc.isenabled()
    with burst():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_each_burst_step_runs_inside_the_burst_it_is_given(ws: Workspace) -> None:
    """Loading, planning (mapping, diffing, ordering) and rendering text each enter the burst
    they receive: with the process's, the collector is off while they allocate."""
    seen: list[str] = []

    @contextmanager
    def recording() -> Iterator[None]:
        seen.append("paused" if not gc.isenabled() else "entered")
        with burst():
            seen.append("paused" if not gc.isenabled() else "entered")
            yield

    async def run() -> Plan:
        loaded = load([str(ws.config_dir)], burst=recording)
        assert seen == ["entered", "paused"]
        async with open_target("local", home=ws.home) as target:
            options = PlanOptions(check_credentials=False, burst=recording)
            return await make_plan(loaded, target, [str(ws.config_dir)], options)

    plan = asyncio.run(run())
    assert seen == ["entered", "paused"] * 2
    render_text(plan, burst=recording)
    assert seen == ["entered", "paused"] * 3
    render_text(plan)  # the default does nothing
    assert len(seen) == 6
