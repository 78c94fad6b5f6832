"""Terminal text: the plan as a reviewer reads it before typing yes (rich, coloured on a TTY).

The plan is built as (text, style) pieces: joined as plain strings when uncoloured (piped
output, files, CI logs), or assembled into one rich `Text` printed once when coloured. Printing
line by line through rich cost most of a large plan's time. Names, paths and messages are text,
never markup: a workstream called "Sales [red]" or ":fire:" is shown as written, and
never control: every field from the configuration or the organisation goes through
`escape.visible`, so a name holding a line feed, a carriage return or `ESC ] 0;` shows those as
`\\n`, `\\r`, `\\x1b` instead of printing forged lines or retitling the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import nullcontext

from rich.console import Console
from rich.text import Text

from smsconf.bursts import Burst
from smsconf.reconcile.plan import Plan
from smsconf.render.common import (
    SYMBOL,
    column_line,
    commit_text,
    detail_lines,
    host_text,
    left_alone,
    place,
    risky_host_text,
    secret_text,
    summary_line,
    trust_base_text,
    trust_change_text,
)
from smsconf.render.escape import visible as v

STYLE = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "associate": "green",
    "disassociate": "red",
}
NOTE_MARK = {"warning": "!", "fact": "i", "todo": "[ ]"}
NOTE_STYLE = {"warning": "yellow", "fact": "dim", "todo": "bold"}

Piece = tuple[str, str | None]


def pieces(plan: Plan) -> Iterator[Piece]:
    """The whole view, in order, as (text, style or None); lines end with their own newline.

    Yielded, not listed: a plan of 1,000 new workstreams is some 400,000 pieces, and a list of
    them beside the joined text was the largest allocation of `apply` (tens of MB of peak RSS).
    """
    where = v(plan.target) + (f" (environment {v(plan.environment)})" if plan.environment else "")
    yield (f"smsconf plan for {where}, organisation {v(plan.org_id)}\n", None)
    if plan.local_org:
        yield (f"  local organisation: {v(plan.local_org)}\n", None)
    commit = commit_text(plan)
    if commit:
        yield (f"  commit: {commit}\n", None)
    for host in plan.trust.risky_hosts():
        yield ("  ! ", None)
        yield (v(risky_host_text(host)), "yellow")
        yield ("\n", None)
    for change in plan.trust_base.changes if plan.trust_base else ():
        yield ("  ! ", None)
        yield (v(trust_change_text(change)), "yellow")
        yield ("\n", None)
    if plan.trust.hosts:
        yield (f"  hosts: {', '.join(v(host_text(h)) for h in plan.trust.hosts)}\n", None)
    if plan.trust.secrets:
        yield (
            f"  secrets read: {', '.join(v(secret_text(s)) for s in plan.trust.secrets)}\n",
            None,
        )
    compared = trust_base_text(plan)
    if compared:
        yield (f"  trust: {v(compared)}\n", None)
    for cred in plan.credentials:
        yield (f"  credentials of account '{v(cred.account)}' ({v(cred.customer_id)}): ", None)
        if cred.ok:
            yield ("ok", "green")
            yield ("\n", None)
        else:
            yield (v(cred.status), "red")
            yield ((f": {v(cred.detail)}" if cred.detail else "") + "\n", None)
    for check in plan.number_checks:
        yield (f"  number {v(check.number)} ({check.type}) of '{v(check.account)}': ", None)
        if check.verdict in ("consistent", "not_applicable"):
            yield ("ok", "green")
        else:
            yield (v(check.verdict), "red")
        yield (f" {v(check.detail)}\n", None)
    for note in plan.notes:
        yield (f"  {NOTE_MARK[note.level]} {v(note.subject)}: ", None)
        yield (note.level, NOTE_STYLE[note.level])
        yield (f": {v(note.text)}\n", None)
    if not plan.changes:
        yield ("\nNo changes. The organisation matches the configuration.\n", None)
    for change in plan.changes:
        yield ("\n", None)
        yield (
            f"{SYMBOL[change.action]} {change.step:>3}. {change.action} {v(change.label)}",
            STYLE[change.action],
        )
        if change.source:
            yield ("  ", None)
            yield (f"({v(change.source)})", "dim")
        yield ("\n", None)
        yield ("      ", None)
        yield (f"address: {v(change.address)}", "dim")
        yield ("\n", None)
        if change.action in ("update", "delete"):
            follows = f", with {v(change.cascade_of)}" if change.cascade_of else ""
            yield ("      ", None)
            yield (f"why: {v(change.reason)}{follows}", "dim")
            yield ("\n", None)
        for column in change.columns:
            if column.field:
                yield (f"      {column_line(change, column)}", None)
                yield (f"  ({place(change, column)})\n", "dim")
            else:  # set by smsconf on its own: Dataverse detail only
                yield (f"      {column_line(change, column)}\n", "dim")
            yield ("".join(f"        {line}\n" for line in detail_lines(column)), None)
        for risk in change.risks:
            yield ("      ", None)
            yield (f"! {v(risk)}", "bold red")
            yield ("\n", None)
    for heading, lines in left_alone(plan):
        yield (f"\n{len(lines)} {heading}:\n", None)
        yield ("".join(f"  = {v(line)}\n" for line in lines), None)
    for reason in plan.unsafe:
        yield ("\n", None)
        yield (f"Unsafe: {v(reason)}", "bold red")
        yield ("\n", None)
    if plan.allowed_deletes:
        yield (f"\nDeletes allowed: {v(plan.allowed_deletes.describe())}\n", "bold")
    yield (f"\n{summary_line(plan.counts())}\n", None)


def render(plan: Plan, *, color: bool = False, width: int = 100, burst: Burst = nullcontext) -> str:
    """The plan as text: one allocation burst, run inside `burst()` (the caller's policy)."""
    with burst():
        return _rendered(plan, color, width)


def _rendered(plan: Plan, color: bool, width: int) -> str:
    if not color:
        return "".join(text for text, _ in pieces(plan))
    text = Text(no_wrap=True, end="")
    for piece, style in pieces(plan):
        text.append(piece, style)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        width=width,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        markup=False,
    )
    console.print(text, end="")
    return buffer.getvalue()
