"""Configuration names as the admin center sees them: one spelling per name, nothing hidden.

A name is data shown to reviewers, so two names that render alike must be one name (NFC, no
surrounding blanks, compared case-insensitively as every Dataverse collation does) and a name
must not be able to hide or reorder what is printed around it (control characters, bidi
overrides, zero-width-only text). Refusals are `ValueError`s, which the loader locates.
"""

from __future__ import annotations

import unicodedata

# Embedding/override/isolate controls reorder the text around them (CVE-2021-42574, "Trojan
# Source"); no name needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width characters with no linguistic use (ZWJ/ZWNJ are kept: emoji and Indic/Persian
# scripts need them inside words).
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u180e")
# Categories that draw nothing on their own: a name made only of these is invisible.
INVISIBLE = frozenset(("Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"))
TRIM = "".join(sorted(ZERO_WIDTH)) + " \t\r\n\u00a0\u3000"


def clean(text: str) -> str:
    """The name as stored: NFC, trimmed; refused when it is blank, invisible or can hide text."""
    name = unicodedata.normalize("NFC", text).strip().strip(TRIM)
    if not name:
        raise ValueError("a name must not be blank")
    if all(unicodedata.category(c) in INVISIBLE for c in name):
        raise ValueError("a name must have a visible character (this one is only invisible ones)")
    for char in name:
        if char in BIDI_CONTROLS:
            raise ValueError(
                f"a name must not hold bidi control U+{ord(char):04X}: it reorders text"
            )
        if char in ZERO_WIDTH:
            raise ValueError(
                f"a name must not hold zero-width U+{ord(char):04X}: "
                "it looks the same as the name without it"
            )
        if unicodedata.category(char) == "Cc":
            raise ValueError(
                f"a name must not hold control character U+{ord(char):04X} (a line break or escape)"
            )
    return name


def fold(text: str) -> str:
    """The form two names are compared in: case-insensitive and normalisation-insensitive, like
    every Dataverse collation (_CI); accents still count (see `accentless`).

    ASCII first: ~125,000 keys are folded per plan of 1,000 workstreams, nearly all ASCII, and
    for ASCII NFC is the identity and casefold is lower."""
    if text.isascii():
        return text.strip().lower()
    return unicodedata.normalize("NFC", text.strip().strip(TRIM).casefold())


def accentless(text: str) -> str:
    """`fold` without accents: what an accent-insensitive (_AI) collation treats as one name.

    Most languages' collations are _AI (1033 English among them), a few are _AS (1035 Finnish);
    smsconf does not read the organisation's collation, so names equal only here are refused
    as ambiguous rather than merged or kept apart."""
    decomposed = unicodedata.normalize("NFD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
