"""The apply journal: one JSON line per step, done / failed / not attempted.

Written as apply goes, under the state directory, so an interrupted run leaves a truthful
record, and never holding a secret (bodies are not journaled, only what was done to which row;
a server's message that echoes a secret back is redacted before the line is written).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from smsconf.reconcile.plan import encodable
from smsconf.redact import redact

Status = Literal["done", "failed", "not_attempted", "stale"]


@dataclass(frozen=True)
class Entry:
    step: int
    action: str
    address: str
    label: str
    table: str
    id: str
    status: Status
    detail: str = ""


class Journal:
    """One file per run: named by time, plan and a random part, and created exclusively, so
    two applies started in the same second (even of one plan) never share a file."""

    def __init__(self, directory: Path, plan_checksum: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        digest = plan_checksum.removeprefix("sha256:")[:12]
        while True:
            self.path = directory / f"apply-{stamp}-{digest}-{secrets.token_hex(4)}.jsonl"
            try:
                self._file: IO[str] = self.path.open("x", encoding="utf-8")
                break
            except FileExistsError:  # 1 in 4 billion: draw again
                continue
        self.entries: list[Entry] = []

    def record(self, entry: Entry) -> None:
        self.entries.append(entry)
        line = redact(json.dumps(_entry_dict(entry), ensure_ascii=False))
        self._file.write(encodable(line) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def count(self, status: Status) -> int:
        return sum(1 for e in self.entries if e.status == status)


def _entry_dict(entry: Entry) -> dict[str, object]:
    """`asdict` without its deep copy (every field is a string or a number)."""
    return {
        "step": entry.step,
        "action": entry.action,
        "address": entry.address,
        "label": entry.label,
        "table": entry.table,
        "id": entry.id,
        "status": entry.status,
        "detail": entry.detail,
    }
