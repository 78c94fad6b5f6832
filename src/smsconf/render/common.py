"""What every view of a plan says the same way: symbols, value display, risk words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from smsconf.reconcile.plan import (
    SENSITIVE,
    Change,
    ColumnChange,
    Plan,
    SecretUse,
    TrustChange,
    TrustedHost,
    Unmanaged,
)
from smsconf.render.escape import visible

SYMBOL = {"create": "+", "update": "~", "delete": "-", "associate": "+", "disassociate": "-"}
VALUE_LIMIT = 120
DIRTY = " (working tree dirty)"
BARE = re.compile(r"[\w.+@:/-]{1,60}")
"""A value shown without quotes: one word, as a YAML scalar would be written bare."""


def shown(value: Any) -> str:
    """A value as a reviewer reads it: quoted text, cut when long, null as (none), one line
    with every control character spelled out (a line feed as ⏎, as messages hold them)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        one_line = visible(value.replace("\n", "⏎"))
        cut = one_line if len(one_line) <= VALUE_LIMIT else one_line[: VALUE_LIMIT - 1] + "…"
        return f'"{cut}"'
    return visible(str(value))


def words(value: Any) -> str:
    """A configuration value as the YAML writes it: a word or number bare (`push`, `8h`,
    `14255550100`), a list in brackets, text with spaces or symbols quoted."""
    if isinstance(value, list):
        return "[" + ", ".join(words(v) for v in value) + "]"
    if isinstance(value, str) and BARE.fullmatch(value):
        return value
    return shown(value)


def side(column: ColumnChange, which: str) -> str:
    """One side of a column's change in the configuration's words when it has them (a field's
    value, the object a lookup points at), else as Dataverse stores it."""
    value = getattr(column, f"field_{which}")
    if column.field:
        return words(value)
    return visible(value) if isinstance(value, str) else shown(getattr(column, which))


def place(change: Change, column: ColumnChange) -> str:
    """Where Dataverse keeps it: the secondary detail of every line."""
    return f"{change.table}.{column.column}"


def column_line(change: Change, column: ColumnChange) -> str:
    """A column's change in the configuration's words (`workstreams[SMS Sales].distribution.mode:
    pick → push`); a column no field writes is named by its table and column."""
    name = visible(column.field) if column.field else place(change, column)
    if column.sensitive:
        return f"{name}: {SENSITIVE}" + (" (changed)" if change.action == "update" else "")
    if change.action == "create":
        return f"{name}: {side(column, 'after')}"
    if column.detail:
        return f"{name}:"
    return f"{name}: {side(column, 'before')} → {side(column, 'after')}"


def located_line(change: Change, column: ColumnChange) -> str:
    """The line with where Dataverse keeps a configuration field, in parentheses after it."""
    line = column_line(change, column)
    return f"{line}  ({place(change, column)})" if column.field else line


def detail_lines(column: ColumnChange) -> list[str]:
    """What changed inside a structured value (a ruleset, rule by rule), one line each."""
    return [visible(line) for line in column.detail]


def summary_line(counts: dict[str, int]) -> str:
    parts = [f"{n} to {action}" for action, n in counts.items() if n]
    return "Plan: " + (", ".join(parts) if parts else "no changes") + "."


VERDICT = {
    "documented": "documented",
    "allowed": "allowed, not documented",
    "in_process": "in-process",
}


def host_text(host: TrustedHost) -> str:
    """`telesign rest-api.telesign.com:443 (documented)`: the line of the plan's host list."""
    return f"{host.service} {host.host} ({VERDICT.get(host.verdict, host.verdict)})"


def risky_host_text(host: TrustedHost) -> str:
    """Why a reviewer must look: the run sends a secret to a host nobody documented."""
    return (
        f"{host.service} host {host.host} is not a documented host: the workflow allowed it "
        f"(--allow-host or SMSCONF_ALLOW_HOSTS); named by {host.named_by}"
    )


def trust_change_text(
    change: TrustChange, code: Callable[[str], str] = str, text: Callable[[str], str] = str
) -> str:
    """A host or secret reference the base branch did not trust so, with where it is named:
    the risk line a reviewer of a pull request must read (`code` and `text` escape its
    names and its words for the medium)."""
    where = text(f"; named by {change.named_by}") if change.named_by else ""
    if change.kind == "host":
        now = VERDICT.get(change.now, change.now)
        if change.change == "new":
            lead = text("new host since the base branch: ")
            return f"{lead}{code(change.subject)}{text(f' ({now})')}{where}"
        was = VERDICT.get(change.was or "", change.was or "")
        said = text(f" is now {now} (was {was} in the base branch)")
        return f"{text('host ')}{code(change.subject)}{said}{where}"
    if change.change == "new":
        lead = text("new secret reference since the base branch: ")
        return f"{lead}{code(change.now)}{text(f' ({change.subject})')}{where}"
    return (
        f"{text(change.subject + ' now reads ')}{code(change.now)}"
        f"{text(' (was ')}{code(change.was or '')}{text(' in the base branch)')}{where}"
    )


def trust_base_text(plan: Plan) -> str | None:
    """What the trust list was compared with, and how much is new: None without a base."""
    base = plan.trust_base
    if base is None:
        return None
    what = "base plan" if base.checksum else "base configuration"
    if base.git_commit:
        what += f" (commit {base.git_commit[:12]})"
    elif base.checksum:
        what += f" (plan {base.checksum[:12]})"
    count = len(base.changes)
    found = (
        f"{count} new or changed host(s) or secret reference(s)"
        if count
        else "no new or changed host or secret reference"
    )
    return f"compared with the {what}: {found}"


def secret_text(use: SecretUse) -> str:
    return f"{use.reference} ({use.used_for})"


def commit_text(plan: Plan) -> str | None:
    """The commit the plan was made at, and whether the working tree differed from it (a
    reviewer must know the YAML planned is not exactly that commit's)."""
    if plan.git_commit is None:
        return None
    return plan.git_commit[:12] + (DIRTY if plan.git_dirty else "")


def left_alone(plan: Plan) -> list[tuple[str, list[str]]]:
    """What the plan leaves as it is, as (heading after the count, lines) per non-empty group:
    the admin center's objects the configuration declares (an ACS connection and its numbers),
    then the unmanaged ones; an ACS row no configuration names is said to be the connection's."""
    admin_center: list[str] = []
    unmanaged: list[str] = []
    for item in plan.unmanaged:
        line = _owned_label(item)
        (admin_center if item.owner and item.configured else unmanaged).append(line)
    groups = [
        ("object(s) owned by the admin center, read and checked, never written", admin_center),
        ("unmanaged object(s) in the organisation (left untouched)", unmanaged),
    ]
    return [(heading, lines) for heading, lines in groups if lines]


def _owned_label(item: Unmanaged) -> str:
    if not item.owner:
        return item.label
    connection = f"ACS connection '{item.connection}'"
    line = connection if item.kind == "account" else f"{item.label} of {connection}"
    if item.configured:
        return line
    return f"{line}: the admin center's, and no configuration names it"
