"""Located problems: every bad input is reported with file:line:col, all at once.

A `Problem` carries the *path* inside the configuration (`("workstreams", 0, "sms", "number")`)
and, once the loader resolves it, the source position. Keeping the path lets the same rule code
run on merged multi-file configurations without knowing which file a value came from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Position:
    """A point in a source file, 1-based like editors and compilers print it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration."""

    message: str
    path: Path_ = ()
    position: Position | None = None
    hint: str | None = None
    environments: tuple[str, ...] = field(default=(), compare=False)
    severity: str = field(default="error", compare=False)
    """"warning" for lint (routing rules that cannot do what they say): printed, not fatal."""

    def render(self) -> str:
        where = str(self.position) if self.position else "<configuration>"
        dotted = format_path(self.path)
        text = f"{where}: {self.severity}: {self.message}"
        if dotted:
            text += f" (at {dotted})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        if self.environments:
            text += f"\n    in environment(s): {', '.join(self.environments)}"
        return text


def format_path(path: Sequence[str | int]) -> str:
    """Render a path the way a user would write it: `workstreams[0].sms.number`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest valid choice, or None when nothing is near."""
    options = [c for c in choices if isinstance(c, str)]
    lowered = {c.lower(): c for c in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean '{lowered[close[0]]}'?" if close else None


class ConfigError(Exception):
    """Raised when a configuration cannot be used; holds every problem found, sorted."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(
            problems,
            key=lambda p: (p.position is None, p.position or Position("", 0, 0), p.message),
        )
        super().__init__(f"{len(self.problems)} problem(s) in the configuration")

    def render(self) -> str:
        lines = [p.render() for p in self.problems]
        lines.append(f"{len(self.problems)} error(s); configuration is invalid")
        return "\n".join(lines)
