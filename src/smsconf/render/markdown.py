"""Markdown for a pull-request comment: summary and risks first, one collapsible section per
object, a size cap, and a hidden marker a CI job uses to find and update its own comment."""

from __future__ import annotations

from collections import defaultdict

from smsconf.reconcile.plan import Change, Plan
from smsconf.render.common import SYMBOL, column_line, summary_line

MARKER = "<!-- smsconf-plan -->"
MAX_CHARS = 60_000  # GitHub rejects comments over 65,536 characters


def render(plan: Plan, *, max_chars: int = MAX_CHARS) -> str:
    head = [MARKER, f"### smsconf plan: `{plan.environment or plan.target}`", ""]
    counts = plan.counts()
    head += [
        "| create | update | delete | associate | disassociate |",
        "|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(counts[a]) for a in counts) + " |",
        "",
    ]
    failed = plan.failed_credentials()
    if failed:
        head.append(
            "**Credentials failed:** " + ", ".join(f"`{c.account}` ({c.status})" for c in failed)
        )
    if plan.unsafe:
        head += [f"**Unsafe:** {reason}" for reason in plan.unsafe]
    risks = plan.risks()
    if risks:
        head += ["", "**Risks:**"] + [f"- ⚠️ {risk}: {label}" for risk, label in risks]
    head += ["", summary_line(counts), ""]
    sections = [_section(label, changes) for label, changes in _by_object(plan).items()]
    body, omitted = [], 0
    size = sum(len(line) + 1 for line in head)
    for section in sections:
        if size + len(section) > max_chars:
            omitted += 1
            continue
        body.append(section)
        size += len(section)
    tail = []
    if omitted:
        tail.append(
            f"_{omitted} object(s) not shown: the plan is too large for a comment; "
            "see the JSON plan artifact._"
        )
    if plan.unmanaged:
        tail.append(
            f"<details><summary>{len(plan.unmanaged)} unmanaged object(s), left untouched"
            "</summary>\n\n" + "\n".join(f"- {u.label}" for u in plan.unmanaged) + "\n\n</details>"
        )
    footer = f"<sub>smsconf {plan.smsconf_version} · plan {plan.checksum[7:19]}"
    footer += f" · commit {plan.git_commit[:12]}" if plan.git_commit else ""
    return "\n".join([*head, *body, *tail, footer + "</sub>", ""])


def _by_object(plan: Plan) -> dict[str, list[Change]]:
    """Group changes by the top-level object they belong to (the first part of their key)."""
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in plan.changes:
        groups[change.key[0] if change.key else change.label].append(change)
    return dict(groups)


def _section(name: str, changes: list[Change]) -> str:
    actions = ", ".join(sorted({c.action for c in changes}))
    lines = [
        f"<details><summary><b>{name}</b>: {len(changes)} change(s) ({actions})</summary>",
        "",
        "```diff",
    ]
    for change in changes:
        lines.append(f"{SYMBOL[change.action]} {change.action} {change.label}")
        lines += [f"{SYMBOL[change.action]}     {column_line(change, c)}" for c in change.columns]
        lines += [f"!     {risk}" for risk in change.risks]
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)
