"""One journal file per run (issue 21): two applies of one plan started in the same second
each write their own file, and neither's lines land in the other's."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from smsconf.reconcile.journal import Entry, Journal


def entry(step: int, who: str) -> Entry:
    return Entry(step, "update", f"queue[{who}]", who, "queue", who, "done")


def test_runs_in_the_same_second_get_their_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    epoch = time.gmtime(0)
    monkeypatch.setattr(time, "gmtime", lambda *_: epoch)  # every run starts in one second
    journals = [Journal(tmp_path, "sha256:" + "a" * 64) for _ in range(20)]
    assert len({j.path for j in journals}) == 20

    def write(journal: Journal, who: str) -> None:
        for step in range(200):
            journal.record(entry(step, who))

    threads = [threading.Thread(target=write, args=(j, str(i))) for i, j in enumerate(journals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, journal in enumerate(journals):
        journal.close()
        lines = journal.path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 200 and all(f'"label": "{i}"' in line for line in lines)
    assert len(list(tmp_path.glob("apply-19700101T000000Z-aaaaaaaaaaaa-*.jsonl"))) == 20
