"""Terminal text: the plan as a reviewer reads it before typing yes (rich, coloured on a TTY)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape as e

from smsconf.reconcile.plan import Plan
from smsconf.render.common import SYMBOL, column_line, summary_line

STYLE = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "associate": "green",
    "disassociate": "red",
}


def render(plan: Plan, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=True,
    )
    out = console.print
    # Names, paths and messages come from the configuration and the org: escape them, or a
    # workstream called "Sales [red]" would be styled and "[/]" in a detail would crash rich.
    where = f"{plan.target}" + (f" (environment {plan.environment})" if plan.environment else "")
    out(f"smsconf plan for {where}, organisation {plan.org_id}", markup=False)
    for cred in plan.credentials:
        mark = "[green]ok[/]" if cred.ok else f"[red]{e(cred.status)}[/]"
        detail = f": {e(cred.detail)}" if cred.detail and not cred.ok else ""
        out(f"  credentials of account '{e(cred.account)}' ({e(cred.customer_id)}): {mark}{detail}")
    for check in plan.number_checks:
        mark = (
            "[green]ok[/]"
            if check.verdict in ("consistent", "not_applicable")
            else (f"[red]{e(check.verdict)}[/]")
        )
        out(
            f"  number {e(check.number)} ({e(check.type)}) of '{e(check.account)}': "
            f"{mark} {e(check.detail)}"
        )
    if not plan.changes:
        out("\nNo changes. The organisation matches the configuration.")
    for change in plan.changes:
        style = STYLE[change.action]
        out(
            f"\n[{style}]{SYMBOL[change.action]} {change.step:>3}. {change.action} "
            f"{e(change.label)}[/]" + (f"  [dim]({e(change.source)})[/]" if change.source else "")
        )
        if change.action in ("update", "delete"):
            follows = f", with {e(change.cascade_of)}" if change.cascade_of else ""
            out(f"      [dim]why: {e(change.reason)}{follows}[/]")
        for column in change.columns:
            out(f"      {column_line(change, column)}", markup=False)
        for risk in change.risks:
            out(f"      [bold red]! {e(risk)}[/]")
    if plan.unmanaged:
        out(f"\n{len(plan.unmanaged)} unmanaged object(s) in the organisation (left untouched):")
        for item in plan.unmanaged:
            out(f"  = {item.label}", markup=False)
    for reason in plan.unsafe:
        out(f"\n[bold red]Unsafe: {e(reason)}[/]")
    out(f"\n{summary_line(plan.counts())}")
    return buffer.getvalue()
