"""Canonical layout of configuration files (`smsconf fmt`), keeping every comment.

PyYAML, which smsconf reads with, drops comments, so the round trip is ruamel.yaml's, whose
whole purpose it is. What changes is layout only: two-space mappings, sequences indented under
their key, single spaces after colons, no trailing blanks, one final newline. Key order, quoting,
flow collections, block scalars and comments stay as written.

Nothing is lost: before a result is written it must load (with PyYAML, as smsconf does) to the
same data as the original and hold the same comments, else the file is refused as it is; files
are replaced atomically, so an interrupted run leaves each file either old or new.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from smsconf.config.problems import ConfigError, Position, Problem
from smsconf.config.source import discover, read_text

# A comment: `#` at a line's start or after blank space (inside a quoted scalar it is counted
# on both sides alike, since quoted scalars are kept as written).
COMMENT = re.compile(r"(?:^|\s)(#.*?)\s*$")
# Lines before the first content that ruamel.yaml would drop: blanks, comments, `---`, directives.
PRELUDE = re.compile(r"(?:[ \t]*(?:#[^\n]*|---[ \t]*|%[^\n]*)?\n)*")


@dataclass(frozen=True)
class Formatted:
    """One file's text before and after; `changed` says whether writing it would do anything."""

    path: Path
    display: str
    before: str
    after: str
    label: str = "formatted"
    """What the new text is, in the diff's header."""

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"{self.display} (as written)",
                f"{self.display} ({self.label})",
            )
        )


def rt_yaml() -> Any:
    from ruamel.yaml import YAML  # only `fmt` and `migrate` pay for the second YAML library

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never re-wrap a long value: layout, not content
    return rt


@dataclass
class Document:
    """One file read for rewriting: the prelude ruamel.yaml would drop, kept as text, and the
    round-trip documents (comments attached) that an edit may change before `dump`."""

    head: str
    documents: list[Any]

    def dump(self) -> str:
        if not self.documents:
            return self.head
        out = io.StringIO()
        rt_yaml().dump_all(self.documents, out)
        after = self.head + out.getvalue()
        return after.rstrip("\n") + "\n" if after.strip() else ""


def read_document(text: str, display: str) -> Document:
    """`text` as round-trip documents; `ConfigError` (located) when it cannot be read."""
    from ruamel.yaml.error import YAMLError as RuamelError

    prelude = PRELUDE.match(text)
    assert prelude is not None  # the pattern matches the empty string
    head = "\n".join(line.rstrip() for line in prelude.group(0).split("\n"))
    body = text[prelude.end() :]
    try:
        documents = list(rt_yaml().load_all(body)) if body.strip() else []
    except RuamelError as exc:
        raise _cannot(exc, display) from None
    except Exception as exc:  # ruamel.yaml has crashed on valid YAML (IndexError on `-_`)
        reason = f"ruamel.yaml could not read it ({type(exc).__name__}); left as it is"
        raise ConfigError(
            [Problem(f"cannot format: {reason}", (), Position(display, 1, 1))]
        ) from None
    return Document(head, documents)


def comments(text: str) -> Counter[str]:
    return Counter(m.group(1) for line in text.splitlines() if (m := COMMENT.search(line)))


def _cannot(exc: Exception, display: str) -> ConfigError:
    """A parse error of either YAML library, at its own mark (both count from 0)."""
    mark = getattr(exc, "problem_mark", None)
    where = Position(display, mark.line + 1, mark.column + 1) if mark else Position(display, 1, 1)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return ConfigError([Problem(f"cannot format: {reason}", (), where)])


def format_text(text: str, display: str) -> str:
    """The canonical text of one file; `ConfigError` (located) when it cannot be done safely."""
    try:
        before = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise _cannot(exc, display) from None
    after = read_document(text, display).dump()
    where = Position(display, 1, 1)
    if list(yaml.safe_load_all(after)) != before:
        raise ConfigError(
            [Problem("cannot format: the result would read differently; left as it is", (), where)]
        )
    if comments(after) != comments(text):
        raise ConfigError(
            [Problem("cannot format without losing a comment; left as it is", (), where)]
        )
    return after


def format_files(paths: Sequence[str | Path]) -> list[Formatted]:
    """Every configuration file under `paths`, formatted in memory; all problems at once."""
    files, problems = discover([Path(p) for p in paths])
    results: list[Formatted] = []
    for path in files:
        text, unreadable = read_text(path, str(path))
        if text is None:
            problems.extend(unreadable)
            continue
        try:
            results.append(Formatted(path, str(path), text, format_text(text, str(path))))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return results


def write(formatted: Formatted) -> None:
    """Replace the file atomically, keeping its permissions."""
    target = formatted.path
    mode = target.stat().st_mode
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".fmt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(formatted.after)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
