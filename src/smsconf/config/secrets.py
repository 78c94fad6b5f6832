"""Secret references: `${env:NAME}`, `${env:NAME:-default}`, `${file:PATH}`.

The configuration only ever holds the reference; the value is read when a command needs it
(a credential check, an apply) and never enters a repr, an error, a plan or a log. Changes of a
secret are shown by fingerprint, a slow salted key derivation (`fingerprint`) that stands in
for the value wherever one is needed.

Secrets are read only from where the workflow said, because the configuration may be a pull
request's: a `${file:}` path stays inside the configuration's repository (the nearest enclosing
git work tree, else the YAML file's directory; no absolute path, no `..` or symbolic link out of
it), is a regular UTF-8 text file and at most `MAX_FILE_BYTES` long; an `${env:}` name matches
`SMSCONF_SECRET_ENV` (glob patterns, comma-separated) when the workflow sets it. Every value
read is registered with the redactor, so no output carries it.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import hmac
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from smsconf.redact import register

SECRET_REF = re.compile(r"^\$\{(?P<kind>env|file):(?P<name>[^}:]+)(?::-(?P<default>[^}]*))?\}$")
SECRET_ENV = "SMSCONF_SECRET_ENV"
MAX_FILE_BYTES = 64 * 1024
_FINGERPRINT_KEY = b"smsconf-secret-fingerprint-v1"  # legacy_fingerprint only


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
        value = self._read()
        register(value)
        return value

    def _read(self) -> str:
        if self.kind == "env":
            refused = env_refusal(self.name)
            if refused:
                raise SecretError(refused)
            # `:-` means what it means in a shell: the default also covers a set-but-empty value.
            value = os.environ.get(self.name)
            if not value:
                if self.default is not None:
                    return self.default
                state = "is not set" if value is None else "is set but empty"
                raise SecretError(f"environment variable {self.name} {state}")
            return value
        path = Path(self.name)
        if not path.is_absolute() and self.base_dir is not None:
            path = self.base_dir / path
        return read_secret_file(path)

    def fingerprint(self) -> str:
        """The value's `fingerprint` (unsalted): equal values compare equal, the value stays
        hidden, even from a repr that reaches a log."""
        return fingerprint(self.resolve())


def env_refusal(name: str) -> str | None:
    """Why `${env:NAME}` may not be read (the workflow's `SMSCONF_SECRET_ENV`), or None."""
    patterns = [p.strip() for p in os.environ.get(SECRET_ENV, "").split(",") if p.strip()]
    if not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns):
        return None
    return (
        f"environment variable {name} is not one secrets may be read from "
        f"({SECRET_ENV}={','.join(patterns)})"
    )


def read_secret_file(path: Path) -> str:
    """A short UTF-8 text file, stripped; anything else (a device, a FIFO, a directory, a big
    or binary file) is refused before more than `MAX_FILE_BYTES` are read."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise SecretError(f"secret file {path} is not a regular file")
        # O_NONBLOCK: should it become a FIFO after the check, opening it does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise SecretError(f"secret file {path} is not a regular file")
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SecretError(
            f"secret file {path} is longer than {MAX_FILE_BYTES // 1024} KiB: a secret is short"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"secret file {path} is not UTF-8 text") from None
    if "\x00" in text:
        raise SecretError(f"secret file {path} is binary (it holds NUL bytes), not a secret")
    return text.strip()


@functools.lru_cache(maxsize=256)
def repository_root(directory: Path) -> Path:
    """The nearest enclosing git work tree of `directory`, else `directory` itself."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def file_refusal(name: str, yaml_file: Path) -> tuple[Path, str | None]:
    """`${file:name}` written in `yaml_file`: the path it names (relative to that file), and
    why it may not be read (outside the configuration's repository), or None."""
    directory = yaml_file.absolute().parent
    root = repository_root(directory)
    where = f"the configuration's repository ({root})"
    if name.startswith("~") or Path(name).is_absolute():
        return Path(name), f"secret file {name} is an absolute path; it must be inside {where}"
    lexical = Path(os.path.normpath(directory / name))
    if not lexical.is_relative_to(root):
        return lexical, f"secret file {name} is outside {where}"
    if not lexical.resolve().is_relative_to(root.resolve()):
        return lexical, f"secret file {name} is a symbolic link that leads outside {where}"
    return lexical, None


FINGERPRINT_SCHEME = "scrypt1"
# scrypt's interactive-login cost (RFC 7914 section 2: N=2^14, r=8, p=1): ~50 ms and 16 MiB a
# guess, where the HMAC it replaces cost a microsecond and its key was in this file.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
_LEGACY = re.compile(r"[0-9a-f]{16}")


def fingerprint(value: str, salt: str = "") -> str:
    """What stands in for a secret wherever it is compared or shown: `scrypt1:<256 bits>`.

    Plans, comments and the organisation's fingerprint entry carry it, and their readers must
    not be able to test guesses of the key against it: so a slow key derivation, salted per
    organisation (`salt`: its id) so one table of guesses serves no other. Deterministic, so
    plans are stable run to run; remembered per process (a plan asks once per account)."""
    return f"{FINGERPRINT_SCHEME}:{_derived(value, salt)}"


@functools.lru_cache(maxsize=256)
def _derived(value: str, salt: str) -> str:
    key = value.encode("utf-8", "surrogatepass")
    return hashlib.scrypt(key, salt=f"smsconf/{salt.lower()}".encode(), **_SCRYPT).hex()


def legacy_fingerprint(value: str) -> str:
    """The fingerprint versions before scrypt1 stored (an HMAC under a public key, 64 bits):
    read only to migrate an entry to `fingerprint` without rewriting a key that did not change."""
    return hmac.new(_FINGERPRINT_KEY, value.encode(), hashlib.sha256).hexdigest()[:16]


def is_legacy(stored: object) -> bool:
    return isinstance(stored, str) and _LEGACY.fullmatch(stored) is not None
