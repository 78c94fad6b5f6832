"""gc_paused: the collector is off inside, and back as it was afterwards, even after an error."""

from __future__ import annotations

import gc

import pytest

from smsconf.gcpause import gc_paused, short_lived_process


def test_collector_is_off_inside_and_on_again_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        assert not gc.isenabled()
        raise KeyError("boom")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_a_decorator() -> None:
    @gc_paused()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    assert gc.isenabled()


def test_a_short_lived_process_freezes_what_a_pause_leaves_alive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("smsconf.gcpause._freeze_after", False)
    with gc_paused():
        pass
    assert gc.get_freeze_count() == 0

    short_lived_process()
    try:
        with gc_paused():
            kept = [[] for _ in range(1000)]
        assert gc.get_freeze_count() >= len(kept)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
