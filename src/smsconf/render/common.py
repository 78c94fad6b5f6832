"""What every view of a plan says the same way: symbols, value display, risk words."""

from __future__ import annotations

from typing import Any

from smsconf.reconcile.plan import SENSITIVE, Change, ColumnChange, SecretUse, TrustedHost
from smsconf.render.escape import visible

SYMBOL = {"create": "+", "update": "~", "delete": "-", "associate": "+", "disassociate": "-"}
VALUE_LIMIT = 120


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


def column_line(change: Change, column: ColumnChange) -> str:
    if column.sensitive:
        return f"{column.column}: {SENSITIVE}" + (" (changed)" if change.action == "update" else "")
    if change.action == "create":
        return f"{column.column}: {shown(column.after)}"
    if column.detail:
        return f"{column.column}: " + "; ".join(map(visible, column.detail))
    return f"{column.column}: {shown(column.before)} → {shown(column.after)}"


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


def secret_text(use: SecretUse) -> str:
    return f"{use.reference} ({use.used_for})"
