"""Paths into the configuration in its own words: `workstreams[SMS Sales].distribution.mode`.

The loader locates values by index (`("workstreams", 1, "distribution")`); a reviewer knows
objects by name. A list item is named by the field that names it in the YAML (a name, a
title, a number, a trigger), so the path a plan prints is one the reader can find by eye.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NAMING_FIELDS = ("name", "title", "number", "trigger")


def item_name(item: Any) -> str | None:
    """What names a list item in the YAML, if anything does."""
    for name in NAMING_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    return None


def words(root: BaseModel, path: tuple[str | int, ...]) -> str:
    """`("workstreams", 1, "sms")` → `workstreams[SMS Sales].sms`."""
    text = ""
    node: Any = root
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            text += f"[{item_name(item) or part}]"
            node = item
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return text


def join(base: str, relative: str) -> str:
    """A field's path below its object's path."""
    return f"{base}.{relative}" if base and relative else base or relative
