"""Deterministic identities for the rows smsconf creates.

An id derived from the organisation and the row's natural key means a create that is retried
after a lost response targets the same row (a create-only upsert then answers 412 instead of
making a duplicate), and two runs of the same plan agree on every id without keeping state.
"""

from __future__ import annotations

import hashlib
import uuid

from smsconf.config.names import fold

NAMESPACE = uuid.UUID("6f1d3c52-8a4e-4b7a-9d2e-3c5b7a9e1f04")

Key = tuple[str, ...]


def row_id(org_id: str, table: str, key: Key) -> str:
    """The id smsconf gives a new row of `table` with this natural key in this organisation."""
    return str(_uuid5("|".join((org_id.lower(), table, *normalise(key)))))


def unique_name(table: str, key: Key) -> str:
    """A `msdyn_uniquename` in the admin center's own shape (`new_<32 hex>`), stable per key.

    Not organisation-specific, so the same routing objects keep the same unique names in dev,
    test and prod, like a solution export would.
    """
    return "new_" + _uuid5("|".join((table, *normalise(key)))).hex


def rule_id(*parts: str) -> str:
    """The `id` attribute of a rule in a ruleset document."""
    return str(_uuid5("|".join(("rule", *parts))))


def _uuid5(name: str) -> uuid.UUID:
    """`uuid.uuid5(NAMESPACE, name)`, also for a name read from the organisation that holds a
    lone surrogate (which UTF-8 cannot encode: `uuid5` would raise and stop every plan)."""
    digest = hashlib.sha1(NAMESPACE.bytes + name.encode("utf-8", "surrogatepass")).digest()
    return uuid.UUID(bytes=digest[:16], version=5)


def normalise(key: Key) -> Key:
    """Natural keys compare like Dataverse compares names: case-insensitively, and one name
    whatever its Unicode spelling (NFC) or surrounding blanks (config/names.py). For ASCII
    names this is `casefold`, so their ids are the ones earlier versions gave.

    `map` rather than a generator: a plan of 1,000 workstreams normalises ~125,000 keys."""
    return tuple(map(fold, key))
