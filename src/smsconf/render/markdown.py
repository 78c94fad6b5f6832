"""Markdown for a pull-request comment: summary and risks first, one collapsible section per
object, a size cap, and a hidden marker a CI job uses to find and update its own comment.

Names come from the configuration and the organisation, so none is ever Markdown or HTML:
each goes through `render.escape` for the place it lands (a code span, a fenced diff block whose
fence no line can close, inline text, the raw HTML of a `<summary>`), and what GitHub shows is
what apply does (tests render the comment with a CommonMark/GFM parser to check it)."""

from __future__ import annotations

import re
from collections import defaultdict

from smsconf.config.kinds import KINDS
from smsconf.mapping.addresses import path_of
from smsconf.reconcile.plan import Change, Plan
from smsconf.render import routing_graph
from smsconf.render.common import (
    SYMBOL,
    commit_text,
    detail_lines,
    host_text,
    left_alone,
    located_line,
    risky_host_text,
    summary_line,
    trust_base_text,
    trust_change_text,
)
from smsconf.render.escape import md_code, md_fence, md_html, md_text, visible

MARKER = "<!-- smsconf-plan -->"
MAX_CHARS = 60_000  # GitHub rejects comments over 65,536 characters
ROOT = re.compile(r"^([a-z_]+)\[([^\]]+)\]")  # section[name] at the start of a YAML path
ADDRESS = re.compile(r"^([a-z_]+)\[(.*)\]$")
SECTION_WORDS = {kind.section: kind.words for kind in KINDS.values() if kind.section}
RESERVE = 400  # always room for the "not shown" note and the footer


def _words(text: str) -> str:
    """`md_text` of a piece of a sentence, keeping the blanks it is joined with."""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{md_text(text)}{trail}"


def render(plan: Plan, *, max_chars: int = MAX_CHARS) -> str:
    """The comment, never longer than `max_chars`: whatever does not fit is counted instead."""
    budget = max_chars - RESERVE
    head = [MARKER, f"### smsconf plan: {md_code(plan.environment or plan.target)}", ""]
    local = f" (local organisation {md_code(plan.local_org)})" if plan.local_org else ""
    head += [f"**Organisation:** {md_code(plan.org_id)}{local}", ""]
    counts = plan.counts()
    head += [
        "| create | update | delete | associate | disassociate |",
        "|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(counts[a]) for a in counts) + " |",
        "",
    ]
    for host in plan.trust.risky_hosts():
        head += [f"⚠️ **Host not documented:** {md_text(risky_host_text(host))}", ""]
    for change in plan.trust_base.changes if plan.trust_base else ():
        head += [f"⚠️ **Trust changed:** {trust_change_text(change, md_code, _words)}", ""]
    if plan.trust.hosts:
        hosts = ", ".join(md_code(host_text(h)) for h in plan.trust.hosts)
        head += [f"**Hosts:** {hosts}", ""]
    if plan.trust.secrets:
        read = ", ".join(
            f"{md_code(s.reference)} ({md_text(s.used_for)})" for s in plan.trust.secrets
        )
        head += [f"**Secrets read:** {read}", ""]
    compared = trust_base_text(plan)
    if compared:
        head += [f"**Trust:** {md_text(compared)}", ""]
    failed = plan.failed_credentials()
    if failed:
        head.append(
            "**Credentials failed:** "
            + ", ".join(f"{md_code(c.account)} ({md_text(c.status)})" for c in failed)
        )
    elif plan.credentials:
        passed = ", ".join(md_code(c.account) for c in plan.credentials)
        head += [f"**Credentials:** all {len(plan.credentials)} checks passed ({passed})", ""]
    if plan.unsafe:
        head += [f"- **Unsafe:** {md_text(reason)}" for reason in plan.unsafe]
    allowed = plan.allowed_deletes
    if allowed:
        words = (
            "all (`--allow-deletes`)" if allowed.all else ", ".join(map(md_code, allowed.addresses))
        )
        head += ["", f"**Deletes allowed:** {words}"]
    if plan.notes:
        marks = {"warning": "⚠️", "fact": "ℹ️", "todo": "- [ ]"}
        head += [""] + [
            f"- {marks[n.level]} **{md_text(n.subject)}**: {md_text(n.text)}"
            if n.level != "todo"
            else f"- [ ] **{md_text(n.subject)}**: {md_text(n.text)}"
            for n in plan.notes
        ]
    risks = plan.risks()
    if risks:
        lines = [f"- ⚠️ {md_text(label)}: {md_text(risk)}" for risk, label in risks]
        head += ["", "**Risks:**", *_fit(lines, budget // 4, "risk(s)")]
    head += ["", summary_line(counts), ""]
    pictures = routing_graph.markdown_pictures(plan.routing, budget // 3)
    sections = [_section(label, changes) for label, changes in _by_object(plan).items()]
    body, omitted = list(pictures), 0
    size = _size(head) + _size(pictures)
    for section in sections:
        if size + len(section) + 1 > budget:
            omitted += 1
            continue
        body.append(section)
        size += len(section) + 1
    tail = []
    if omitted:
        tail.append(
            f"_{omitted} object(s) not shown: the plan is too large for a comment; "
            "see the JSON plan artifact._"
        )
    for heading, lines in left_alone(plan):
        opening = f"<details><summary>{len(lines)} {md_text(heading)}</summary>\n"
        items = _fit([f"- {md_text(line)}" for line in lines], budget - size - 40, "more")
        tail.append("\n".join([opening, *items, "", "</details>"]))
        size += _size(tail[-1:])
    footer = f"<sub>smsconf {plan.smsconf_version} · plan {plan.checksum[7:19]}"
    commit = commit_text(plan)
    footer += f" · commit {commit}" if commit else ""
    return "\n".join([*head, *body, *tail, footer + "</sub>", ""])


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _fit(lines: list[str], limit: int, what: str) -> list[str]:
    """As many lines as fit in `limit` characters, then a count of the rest."""
    kept: list[str] = []
    size = 60  # room for the count line
    for line in lines:
        if size + len(line) + 1 > limit:
            return [*kept, f"- … and {len(lines) - len(kept)} {what} not shown"]
        kept.append(line)
        size += len(line) + 1
    return kept


def _by_object(plan: Plan) -> dict[str, list[Change]]:
    """Group changes by the top-level object of the configuration they belong to, titled as a
    reviewer names it (`workstream 'SMS Support'`): the start of their YAML path."""
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in plan.changes:
        root = ROOT.match(_path(change))
        named = root is not None and root[1] in SECTION_WORDS and root[2] != "*"
        title = f"{SECTION_WORDS[root[1]]} '{root[2]}'" if root and named else change.label
        groups[title].append(change)
    return dict(groups)


def _path(change: Change) -> str:
    """The change's YAML path; a delete that follows from another is under that object (a
    removed workstream's contract belongs in the workstream's section)."""
    cause = ADDRESS.match(change.cascade_of or "")
    if cause is not None:
        return path_of(cause[1], tuple(cause[2].split("/")))
    return change.path or path_of(change.kind, change.words or change.key)


def _section(name: str, changes: list[Change]) -> str:
    actions = ", ".join(sorted({c.action for c in changes}))
    diff: list[str] = []
    for change in changes:
        mark = SYMBOL[change.action]
        diff.append(f"{mark} {change.action} {visible(change.label)}")
        diff.append(f"      address: {visible(change.address)}")
        for column in change.columns:
            diff.append(f"{mark}     {located_line(change, column)}")
            diff += [f"{mark}       {line}" for line in detail_lines(column)]
        diff += [f"!     {visible(risk)}" for risk in change.risks]
    return "\n".join(
        [
            f"<details><summary><b>{md_html(name)}</b>: {len(changes)} change(s) ({actions})"
            "</summary>",
            "",
            *md_fence(diff, "diff"),
            "",
            "</details>",
            "",
        ]
    )
