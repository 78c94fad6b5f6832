"""Addresses in the configuration's words: `automated_message[SMS Support/agent_assigned]`.

A row's natural key is what Dataverse stores (a trigger's option value, an LCID); its address
is the same key in the YAML's words, through the field map's converters, so the string a plan
prints is one a reviewer can read and type back (`--allow-delete`). Where the object is written
in the YAML follows from its kind and those words (`config/kinds.py`).
"""

from __future__ import annotations

from smsconf.config.kinds import KINDS
from smsconf.mapping.fields import BY_COLUMN, LOCALE, Convert, Unexpressible
from smsconf.mapping.ids import Key
from smsconf.mapping.keys import KEYS, Parent

KEY_COLUMNS: dict[tuple[str, str], Convert] = {
    ("msdyn_oclocalizationdata", "msdyn_languagecode"): LOCALE,
}
"""Key columns no configuration field writes directly (a translation's locale is a map key)."""


def key_words(table: str, key: Key) -> Key:
    """`("SMS Support", "192350017")` of a system message → `("SMS Support", "agent_assigned")`:
    the key parts a row's own columns hold, in words; its parent's parts, recursively."""
    parts = KEYS.get(table, ())
    parents = [p for p in parts if isinstance(p, Parent)]
    own = [p for p in parts if not isinstance(p, Parent)]
    if len(parents) > 1 or len(key) < len(own):
        return key  # keyed by names only (a capacity profile on a workstream)
    cut = len(key) - len(own)
    prefix = key_words(parents[0].table, key[:cut]) if parents else key[:cut]
    return (
        *prefix,
        *(_word(table, column, value) for column, value in zip(own, key[cut:], strict=True)),
    )


def _word(table: str, column: str, value: str) -> str:
    convert = KEY_COLUMNS.get((table, column)) or (
        BY_COLUMN[(table, column)].convert if (table, column) in BY_COLUMN else None
    )
    if convert is None:
        return value
    try:
        word = convert.word(int(value) if value.isdigit() else value)
    except (Unexpressible, ValueError):
        return value
    return value if word is None else str(word)


def path_of(kind: str, words: Key) -> str:
    """Where an object of this kind and these words is written in the YAML."""
    template = KINDS[kind].path if kind in KINDS else ""
    try:
        return template.format(*words)
    except IndexError:
        return ""
