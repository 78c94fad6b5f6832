"""Secret references: `${env:NAME}`, `${env:NAME:-default}`, `${file:PATH}`.

The configuration only ever holds the reference; the value is read when a command needs it
(a credential check, an apply) and never enters a repr, an error, a plan or a log. Changes of a
secret are shown by fingerprint, so a keyed hash stands in for the value wherever one is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

SECRET_REF = re.compile(r"^\$\{(?P<kind>env|file):(?P<name>[^}:]+)(?::-(?P<default>[^}]*))?\}$")
_FINGERPRINT_KEY = b"smsconf-secret-fingerprint-v1"


class SecretError(Exception):
    """A secret reference could not be resolved; the message names the reference, not a value."""


@dataclass(frozen=True)
class SecretRef:
    """A pointer to a secret. `repr` and `str` show the reference only."""

    kind: str
    name: str
    default: str | None = None
    base_dir: Path | None = None

    @classmethod
    def parse(cls, text: str, base_dir: Path | None = None) -> SecretRef | None:
        match = SECRET_REF.match(text.strip())
        if not match:
            return None
        return cls(match["kind"], match["name"], match["default"], base_dir)

    @property
    def reference(self) -> str:
        # The default of a local demo key is itself secret: show only that one exists.
        suffix = ":-…" if self.default is not None else ""
        return f"${{{self.kind}:{self.name}{suffix}}}"

    def __repr__(self) -> str:
        return f"SecretRef({self.reference})"

    __str__ = __repr__

    def resolve(self) -> str:
        if self.kind == "env":
            # `:-` means what it means in a shell: the default also covers a set-but-empty value.
            value = os.environ.get(self.name)
            if not value:
                if self.default is not None:
                    return self.default
                state = "is not set" if value is None else "is set but empty"
                raise SecretError(f"environment variable {self.name} {state}")
            return value
        path = Path(self.name).expanduser()
        if not path.is_absolute() and self.base_dir is not None:
            path = self.base_dir / path
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None

    def fingerprint(self) -> str:
        """A short keyed hash of the value: equal values compare equal, the value stays hidden."""
        return fingerprint(self.resolve())


def fingerprint(value: str) -> str:
    return hmac.new(_FINGERPRINT_KEY, value.encode(), hashlib.sha256).hexdigest()[:16]
