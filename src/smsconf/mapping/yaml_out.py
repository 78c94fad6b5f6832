"""An exported configuration as YAML files: one per workstream plus one shared file.

Canonical so that two exports of the same organisation are byte-identical and a diff between
exports shows only real changes: keys in model field order, defaults left out, lists already
sorted by the exporter. What could not be exported, and every field of an exported object the
organisation does not store, head the shared file as comments, so they travel with the files
into review instead of scrolling away on a terminal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from smsconf.config.model import Environment
from smsconf.mapping.export import Exported

SHARED_FILE = "smsconf.yaml"
WORKSTREAM_DIR = "workstreams"
NOT_EXPORTED = "# smsconf export: not exported:"
NOT_STORED = "# smsconf export: fields the organisation does not store (add them by hand):"


def slug(name: str) -> str:
    """A file name for a workstream: `SMS Support` → `sms-support`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workstream"


class _Dumper(yaml.SafeDumper):
    """Sequences indented under their key, as `smsconf fmt` lays them out: an exported file is
    already canonical, so formatting it changes nothing."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def render(exported: Exported, target: str, env: str | None) -> dict[str, str]:
    """File path (relative to the output directory) → its text."""
    config = exported.config
    if env is not None:
        config = config.model_copy(update={"environments": {env: Environment(target=target)}})
    data = config.model_dump(mode="json", exclude_defaults=True)
    workstreams = data.pop("workstreams", [])
    files: dict[str, str] = {SHARED_FILE: header(exported, target) + dump(data)}
    for ws in workstreams:
        name = f"{WORKSTREAM_DIR}/{slug(ws['name'])}.yaml"
        n = 1
        while name in files:
            n += 1
            name = f"{WORKSTREAM_DIR}/{slug(ws['name'])}-{n}.yaml"
        files[name] = dump({"workstreams": [ws]})
    return files


def header(exported: Exported, target: str) -> str:
    lines = [
        f"# Exported by `smsconf export` from {target} (organisation {exported.org_id}).\n",
        "# API keys and Auth Tokens cannot be read back; set these variables before plan or "
        "apply:\n",
        *(f"#   {a.secret.name} (account '{a.name}')\n" for a in exported.config.accounts),
        NOT_STORED + "\n",
        *(f"#   - {field}\n" for field in exported.not_stored),
    ]
    if exported.omitted:
        lines.append(NOT_EXPORTED + "\n")
        lines += [f"#   - {omission}\n" for omission in exported.omitted]
    else:
        lines.append(NOT_EXPORTED + " nothing\n")
    return "".join(lines) + "\n"


def write(out: Path, files: dict[str, str]) -> list[Path]:
    """Write the files; refuse to mix them with YAML already there (plan would merge both)."""
    existing = sorted(out.rglob("*.yaml")) + sorted(out.rglob("*.yml")) if out.exists() else []
    if existing:
        raise FileExistsError(
            f"{out} already holds YAML files ({existing[0]}); export into an empty directory"
        )
    written = []
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
