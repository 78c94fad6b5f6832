"""One self-contained HTML page per plan, for reviewers who want more room than a comment.

The page must open from a CI artifact, a mail attachment or a file share, where scripts are
often blocked and there may be no network: so it has no script and no external resource (a
Content-Security-Policy forbids both), styles are inline, objects fold with <details>, and the
kind/action filters are radio buttons with `:checked` CSS rules. Everything taken from the plan
goes through `escape.html_text`: labels and values come from YAML and from the organisation,
so besides `<`, `&` and quotes, control and bidi characters are spelled out (a multi-line
value keeps its line feeds, inside `<pre>`).
"""

from __future__ import annotations

import re
from typing import Any

from smsconf.reconcile.plan import SENSITIVE, Change, ColumnChange, Plan
from smsconf.render import routing_graph
from smsconf.render.common import (
    DIRTY,
    SYMBOL,
    host_text,
    left_alone,
    place,
    risky_host_text,
    secret_text,
    shown,
    side,
    summary_line,
    trust_base_text,
    trust_change_text,
)
from smsconf.render.escape import html_text as escape

ACTIONS = ("create", "update", "delete", "associate", "disassociate")
CSP = "default-src 'none'; style-src 'unsafe-inline'"
_ON = "background: #0969da; color: #fff; border-color: #0969da;"
"""How the selected filter's label looks."""

STYLE = """
:root { color-scheme: light dark; --line: #8884; --muted: #777; --bg2: #8881;
  --create: #1a7f37; --update: #9a6700; --delete: #cf222e; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; } h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.meta, .muted { color: var(--muted); } code, pre { font: 12px/1.4 ui-monospace, monospace; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: .3rem .5rem;
  text-align: left; vertical-align: top; }
.counts td { text-align: right; font-size: 1.2rem; min-width: 5.5rem; }
.flags li { margin: .2rem 0; } .risk, .bad { color: var(--delete); } .ok { color: var(--create); }
.filters { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; margin: .4rem 0; }
.filters label { border: 1px solid var(--line); border-radius: 1rem; padding: .1rem .7rem;
  cursor: pointer; }
input.filter { position: absolute; opacity: 0; pointer-events: none; }
details.change { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; }
details.change > summary { cursor: pointer; padding: .4rem .6rem; background: var(--bg2); }
details.change > div { padding: .5rem .8rem; overflow-x: auto; }
.badge { display: inline-block; min-width: 8rem; font-weight: 600; }
.a-create .badge, .a-associate .badge { color: var(--create); }
.a-update .badge { color: var(--update); }
.a-delete .badge, .a-disassociate .badge { color: var(--delete); }
table.diff { width: 100%; table-layout: fixed; } table.diff th:first-child { width: 28%; }
table.diff td:last-child { width: 24%; word-break: break-all; }
table.diff pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
table.diff .none { color: var(--muted); font-style: italic; }
td.before { background: #cf222e14; } td.after { background: #1a7f3714; }
"""


def render(plan: Plan) -> str:
    """The whole page as one string (UTF-8 when written)."""
    title = f"smsconf plan: {plan.environment or plan.target}"
    kinds = sorted({c.kind for c in plan.changes})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}{_filter_css(kinds)}</style>",
        "</head><body>",
        f"<h1>{escape(title)}</h1>",
        _meta(plan),
        _summary(plan),
        routing_graph.html_section(plan.routing),
        _flags(plan),
        _credentials(plan),
        _changes(plan, kinds),
        _unmanaged(plan),
        f'<p class="meta">smsconf {escape(plan.smsconf_version)} · plan '
        f"<code>{escape(plan.checksum)}</code></p>",
        "</body></html>",
        "",
    ]
    return "\n".join(p for p in parts if p)


def _meta(plan: Plan) -> str:
    facts = [f"target <code>{escape(plan.target)}</code>"]
    facts.append(f"organisation <code>{escape(plan.org_id)}</code>")
    if plan.local_org:
        facts.append(f"local organisation <code>{escape(plan.local_org)}</code>")
    if plan.git_commit:
        dirty = DIRTY if plan.git_dirty else ""
        facts.append(f"commit <code>{escape(plan.git_commit[:12])}</code>{dirty}")
    trust = [
        "hosts " + ", ".join(f"<code>{escape(host_text(h))}</code>" for h in plan.trust.hosts),
        "secrets read "
        + ", ".join(f"<code>{escape(secret_text(s))}</code>" for s in plan.trust.secrets),
    ]
    compared = trust_base_text(plan)
    if compared:
        trust.append(escape(compared))
    return (
        f'<p class="meta">{" · ".join(facts)}</p><p class="meta" id="trust">{" · ".join(trust)}</p>'
    )


def _summary(plan: Plan) -> str:
    counts = plan.counts()
    head = "".join(f"<th>{a}</th>" for a in counts)
    cells = "".join(f'<td id="count-{a}">{n}</td>' for a, n in counts.items())
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<table class="counts"><tr>{head}</tr><tr>{cells}</tr></table>'
        f'<p id="summary-line">{escape(summary_line(counts))}</p></section>'
    )


def _flags(plan: Plan) -> str:
    items = [
        f'<li class="risk">⚠ {escape(risky_host_text(h))}</li>' for h in plan.trust.risky_hosts()
    ]
    items += [
        f'<li class="risk">⚠ {escape(trust_change_text(c))}</li>'
        for c in (plan.trust_base.changes if plan.trust_base else ())
    ]
    items += [f'<li class="bad">Unsafe: {escape(reason)}</li>' for reason in plan.unsafe]
    if plan.allowed_deletes:
        items.append(
            f'<li class="risk">Deletes allowed: {escape(plan.allowed_deletes.describe())}</li>'
        )
    items += [
        f'<li class="bad">Credentials {escape(c.status)}: account <b>{escape(c.account)}</b></li>'
        for c in plan.failed_credentials()
    ]
    items += [
        f'<li class="risk">⚠ {escape(label)}: {escape(risk)}</li>' for risk, label in plan.risks()
    ]
    body = f'<ul class="flags">{"".join(items)}</ul>' if items else "<p>None.</p>"
    return f'<section id="risks"><h2>Risk flags</h2>{body}</section>'


def _credentials(plan: Plan) -> str:
    if not plan.credentials and not plan.number_checks:
        return '<section id="credentials"><h2>Credentials</h2><p>Not checked.</p></section>'
    rows = [
        _row(
            c.account,
            f"credentials ({c.provider})",
            c.customer_id,
            (c.status, "ok" if c.ok else "bad"),
            c.detail,
        )
        for c in plan.credentials
    ]
    rows += [
        _row(
            n.account,
            f"number {n.number} ({n.type})",
            "",
            (n.verdict, "ok" if n.verdict in ("consistent", "not_applicable") else "bad"),
            n.detail,
        )
        for n in plan.number_checks
    ]
    return (
        '<section id="credentials"><h2>Credentials</h2><table>'
        "<tr><th>account</th><th>check</th><th>customer id</th><th>result</th><th>detail</th></tr>"
        f"{''.join(rows)}</table></section>"
    )


def _row(account: str, check: str, customer: str, result: tuple[str, str], detail: str) -> str:
    status, css = result
    return (
        f"<tr><td>{escape(account)}</td><td>{escape(check)}</td><td>{escape(customer)}</td>"
        f'<td class="{css}">{escape(status)}</td><td>{escape(detail)}</td></tr>'
    )


def _slug(kind: str) -> str:
    """A kind as a CSS identifier (kinds are snake_case words, but the page must never break)."""
    return re.sub(r"[^a-z0-9_-]", "-", kind.lower())


def _filter_css(kinds: list[str]) -> str:
    """Per filter value: hide the other changes and highlight its label, all in CSS."""
    rules = []
    for group, values in (("a", ACTIONS), ("k", [_slug(k) for k in kinds])):
        for value in values:
            radio = f"#f-{group}-{value}:checked"
            rules.append(f"{radio} ~ #changes .change:not(.{group}-{value}) {{ display: none; }}")
            rules.append(f"{radio} ~ .filters label[for=f-{group}-{value}] {{ {_ON} }}")
        rules.append(f"#f-{group}-all:checked ~ .filters label[for=f-{group}-all] {{ {_ON} }}")
    return "\n".join(rules)


def _changes(plan: Plan, kinds: list[str]) -> str:
    if not plan.changes:
        return (
            '<section id="changes-section"><h2>Changes</h2>'
            "<p>No changes. The organisation matches the configuration.</p></section>"
        )
    present = [a for a in ACTIONS if plan.counts()[a]]
    radios, rows = [], []
    for group, name, values in (
        ("a", "action", [(a, a) for a in present]),
        ("k", "kind", [(_slug(k), k.replace("_", " ")) for k in kinds]),
    ):
        radios.append(
            f'<input class="filter" type="radio" name="{name}" id="f-{group}-all" checked>'
        )
        labels = [f'<span class="muted">{name}:</span><label for="f-{group}-all">all</label>']
        for value, text in values:
            radios.append(
                f'<input class="filter" type="radio" name="{name}" id="f-{group}-{value}">'
            )
            labels.append(f'<label for="f-{group}-{value}">{escape(text)}</label>')
        rows.append(f'<div class="filters">{"".join(labels)}</div>')
    sections = "".join(_change(i, c) for i, c in enumerate(plan.changes, start=1))
    return (
        '<section id="changes-section"><h2>Changes</h2>'
        + "".join(radios)
        + "".join(rows)
        + f'<div id="changes">{sections}</div></section>'
    )


def _change(number: int, change: Change) -> str:
    where = f' <span class="muted">({escape(change.source)})</span>' if change.source else ""
    summary = (
        f'<summary><span class="badge">{SYMBOL[change.action]} {change.action}</span> '
        f"{escape(change.label)}{where}</summary>"
    )
    facts = [f"address <code>{escape(change.address)}</code>"]
    if change.path:
        facts.append(f"in the configuration at <code>{escape(change.path)}</code>")
    facts.append(f'<span class="muted">table <code>{escape(change.table)}</code></span>')
    if change.reason:
        facts.append(f"why: {escape(change.reason)}")
    if change.cascade_of:
        facts.append(f"follows from <code>{escape(change.cascade_of)}</code>")
    facts += [f'<span class="risk">⚠ {escape(risk)}</span>' for risk in change.risks]
    body = "".join(f"<p>{fact}</p>" for fact in facts) + _diff(change)
    css = f"change a-{change.action} k-{_slug(change.kind)}"
    return f'<details class="{css}" id="change-{number}">{summary}<div>{body}</div></details>'


def _diff(change: Change) -> str:
    """Configuration field, before and after in its words; where Dataverse keeps it beside, in
    its own column; a document's rule-level changes listed, its XML folded away."""
    if not change.columns:
        return ""
    rows, updated = [], change.action == "update"
    for column in change.columns:
        before = None if change.action in ("create", "associate") else column
        after = None if change.action in ("delete", "disassociate") else column
        name = column.field or place(change, column)
        stored = _stored(before, after) if column.field and not column.detail else ""
        rows.append(
            f"<tr><th><code>{escape(name)}</code></th>"
            f'<td class="before">{_cell(before, "before")}</td>'
            f'<td class="after">{_cell(after, "after", changed=updated)}</td>'
            f'<td class="muted"><code>{escape(place(change, column))}</code>{stored}</td></tr>'
        )
        if column.detail:
            items = "".join(f"<li>{escape(line)}</li>" for line in column.detail)
            xml = "".join(
                f"<p>{which}</p><pre>{escape(str(value), newlines=True)}</pre>"
                for which, value in (("before", column.before), ("after", column.after))
                if value
            )
            rows.append(
                f'<tr><td></td><td colspan="3"><ul>{items}</ul>'
                f"<details><summary>the documents (XML)</summary>{xml}</details></td></tr>"
            )
    return (
        '<table class="diff"><tr><th>configuration</th><th>before</th><th>after</th>'
        f"<th>Dataverse column</th></tr>{''.join(rows)}</table>"
    )


def _stored(before: ColumnChange | None, after: ColumnChange | None) -> str:
    """The stored values, when they are not the words shown (an option value, a lookup id)."""
    column = before or after
    assert column is not None
    if column.sensitive:
        return ""
    sides = [(column.before, column.field_before)] if before is not None else []
    sides += [(column.after, column.field_after)] if after is not None else []
    if all(stored == word for stored, word in sides):
        return ""
    text = " → ".join(shown(stored) for stored, _ in sides)
    return f"<br><small>{escape(text)}</small>"


def _cell(column: ColumnChange | None, which: str, *, changed: bool = False) -> str:
    if column is None:
        return '<span class="none">(absent)</span>'
    if column.sensitive:  # never a value, only whether it changed (by fingerprint)
        return f'<span class="none">{SENSITIVE}{" (changed)" if changed else ""}</span>'
    if column.detail:
        return '<span class="none">see the rule changes below</span>'
    value: Any = column.before if which == "before" else column.after
    if value is None and getattr(column, f"field_{which}") is None:
        return '<span class="none">(none)</span>'
    word = getattr(column, f"field_{which}")
    text = side(column, which)
    if column.field and isinstance(word, str) and "\n" in word:  # a message keeps line feeds
        text = word
    elif not column.field and word is None and isinstance(value, str):
        text = value  # a column no field writes: its text as stored
    return f"<pre>{escape(text, newlines=True)}</pre>"


def _unmanaged(plan: Plan) -> str:
    groups = left_alone(plan)
    if not groups:
        return ""
    details = "".join(
        f"<details><summary>{len(lines)} {escape(heading)}</summary><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in lines)
        + "</ul></details>"
        for heading, lines in groups
    )
    return f'<section id="unmanaged">{details}</section>'
