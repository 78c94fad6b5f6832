"""Desired rows: what the configuration says each Dataverse row must hold.

A `DesiredRow` names its table and natural key (how it is matched to a live row), the plain
columns and lookups it sets, and the secured columns it writes without being able to read back.
The reconciler diffs these against live rows; it never needs the configuration again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smsconf.config.secrets import SecretRef
from smsconf.mapping.ids import Key


@dataclass
class DesiredRow:
    table: str
    key: Key
    kind: str
    label: str
    id: str
    columns: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str | None] = field(default_factory=dict)
    """Lookup column → id of the row it must point at (None: must be empty)."""
    secrets: dict[str, SecretRef] = field(default_factory=dict)
    """Secured columns: written on create, and on update only when the secret changed."""
    immutable: frozenset[str] = frozenset()
    """Columns the product does not allow to change after create (a change means recreate)."""
    compare: dict[str, str] = field(default_factory=dict)
    """Column → comparison mode when plain equality is wrong (`xml`: compare by meaning)."""
    parent: tuple[str, Key] | None = None
    """(table, key) of the row that owns this one: deleting children is an edit of the parent."""
    source: tuple[str | int, ...] = ()
    """Path of the YAML object this row comes from, for located messages."""
    path: str = ""
    """The same path in the configuration's words (`workstreams[SMS Sales].sms`)."""
    words: Key = ()
    """The natural key in the configuration's words (a trigger, not its option value)."""
    fields: dict[str, FieldValue] = field(default_factory=dict)
    """Column → the configuration field it comes from and that field's YAML value."""


@dataclass(frozen=True)
class FieldValue:
    """What a column says in the configuration's words: the field's path and value."""

    path: str
    value: Any


@dataclass(frozen=True)
class DesiredLink:
    """An N:N association that must exist (quick replies, smart-assist bots)."""

    relationship: str
    table: str
    id: str
    target_table: str
    target_id: str
    label: str
    parent_key: Key
