"""Per-environment values: `${var:NAME}` placeholders resolved from `variables:` blocks.

We chose variables over overlays: what differs between dev, test and prod (org URL, accounts and
their credentials, numbers, bots, some queues) is visible at the exact place it is used, every
environment is validated by substituting its values into the same files, and a missing value is
a located error instead of a silently inherited one. Overlays would need merge rules for lists of
named objects, which is where generic tools surprise people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smsconf.config.problems import Path_, Position, Problem, did_you_mean
from smsconf.config.secrets import SecretRef, file_refusal

VAR = re.compile(r"\$\{var:([A-Za-z_][A-Za-z0-9_.-]*)\}")
NOT_INTERPOLATED = ("environments", "variables")


def substitute(
    data: dict[str, Any],
    variables: dict[str, Any],
    locate: Callable[[Path_], Position | None],
    verbatim: Callable[[Path_], bool] = lambda path: False,
) -> tuple[dict[str, Any], list[Problem]]:
    """Return `data` with placeholders replaced; file references made absolute (relative to
    the file `locate` says a value is written in). A top-level list item or map entry that
    `verbatim` vouches holds no placeholder is shared, not walked and copied."""
    problems: list[Problem] = []

    def walk(value: Any, path: Path_) -> Any:
        if len(path) == 2 and verbatim(path):
            return value
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return _scalar(value, path)
        return value

    def _scalar(text: str, path: Path_) -> Any:
        if "${" not in text:  # neither a variable nor a file reference: most values
            return text
        whole = VAR.fullmatch(text)
        if whole:
            return lookup(whole[1], path, text)
        replaced = VAR.sub(lambda m: str(lookup(m[1], path, m[0])), text)
        anchored, refused = anchor_file_ref(replaced, locate(path))
        if refused:
            problems.append(Problem(refused, path, hint=FILE_HINT))
        return anchored

    def lookup(name: str, path: Path_, original: str) -> Any:
        if name in variables:
            return variables[name]
        problems.append(
            Problem(
                f"variable '{name}' is not defined",
                path,
                hint=did_you_mean(name, variables)
                or "define it under variables: or the environment",
            )
        )
        return original

    out = {k: (v if k in NOT_INTERPOLATED else walk(v, (k,))) for k, v in data.items()}
    return out, problems


FILE_HINT = (
    "write the path relative to this YAML file, inside the repository, or use ${env:NAME} "
    "(a pull request must not read other files of the job)"
)


def anchor_file_ref(text: str, position: Position | None) -> tuple[str, str | None]:
    """`${file:key.txt}` is relative to the YAML file that says it, like an include would be;
    returned as that absolute path (symbolic links kept), with why it may not be read (an
    absolute or `~` path, or one leading out of the configuration's repository) or None."""
    ref = SecretRef.parse(text)
    if ref is None or ref.kind != "file":
        return text, None
    if position is None:  # not from a file (a test's dict): only a relative path is anchored
        refused = "secret file paths must be relative" if Path(ref.name).is_absolute() else None
        return text, refused
    path, refused = file_refusal(ref.name, Path(position.file))
    default = f":-{ref.default}" if ref.default is not None else ""
    return f"${{file:{path}{default}}}", refused
