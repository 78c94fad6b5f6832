"""Validation problems for machines: JSON for scripts and editors, workflow commands for GitHub.

The text form (`Problem.render`) is for people; these two exist so a CI job can annotate the
pull request's lines (`::error file=…,line=…::`) and a script can read the problems without
parsing English.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from smsconf.config.problems import Problem, format_path

FORMATS = ("text", "json", "github")


def as_dict(problem: Problem) -> dict[str, Any]:
    """One problem as data: where (file, line, column, configuration path) and what."""
    where = problem.position
    return {
        "severity": problem.severity,
        "message": problem.message,
        "file": where.file if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
        "path": format_path(problem.path) or None,
        "hint": problem.hint,
        "environments": list(problem.environments),
    }


def as_json(problems: Sequence[Problem], summary: dict[str, Any]) -> str:
    """The whole verdict as one JSON document: `valid`, the summary counts and every problem."""
    errors = [p for p in problems if p.severity == "error"]
    document = {"valid": not errors, **summary, "problems": [as_dict(p) for p in problems]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    # GitHub's workflow-command encoding (toolkit's command.ts escapeData): a newline in a
    # message would otherwise end the command and let the rest be read as another command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: Sequence[Problem]) -> str:
    """One `::error` / `::warning` workflow command per problem, anchored to its file and line."""
    lines = []
    for problem in problems:
        properties = {"title": "smsconf validate"}
        if problem.position:
            properties |= {
                "file": problem.position.file,
                "line": str(problem.position.line),
                "col": str(problem.position.column),
            }
        props = ",".join(f"{k}={_escape_property(v)}" for k, v in properties.items())
        message = problem.message
        if problem.path:
            message += f" (at {format_path(problem.path)})"
        if problem.hint:
            message += f"\nhint: {problem.hint}"
        if problem.environments:
            message += f"\nin environment(s): {', '.join(problem.environments)}"
        lines.append(f"::{problem.severity} {props}::{_escape_data(message)}")
    return "".join(f"{line}\n" for line in lines)


def render(fmt: str, problems: Sequence[Problem], summary: dict[str, Any]) -> str:
    """The machine formats by name (`text` is `Problem.render`, printed by the command)."""
    return as_json(problems, summary) if fmt == "json" else as_github(problems)
